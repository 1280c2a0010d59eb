"""Behaviour tests: each mechanism pushes in the direction DESIGN §3 specifies, and the effect
vanishes when its strength (``mechanisms.*``) is 0.

No test asserts a calibrated number. Unit-level tests call the decision and update functions
directly on a small model (the counter-based RNG keys draws by child uid and week, so the same
children in the same week see the same noise and differences come from the mechanism alone);
a few short runs check that the effect survives the whole week loop.

Covered: GP trust -> referral choice (M2), trust bounds and dynamics (contacts, bad outcomes,
staff turnover), knowledge from feedback (M1/M3), wijkteam occupancy -> specialist referral (M6),
the funding margin rule (lumpsum vs p×q, M15), waiting harm (M4) and no-shows (M9).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import states as S
from sim.model import YouthCareModel
from sim.params import Params
from sim.routing import gp_choose, wijkteam_refers

WEEK = 7  # an arbitrary week for direct calls of the decision functions


def small_model(families: int = 1000, seed: int = 11, **overrides) -> YouthCareModel:
    """A model that has been built but not stepped (no warm-up, one year horizon)."""
    return YouthCareModel(Params(overrides), families=families, years=1, warmup_years=0, seed=seed)


def run_summary(families: int = 3000, years: float = 2, seed: int = 5, **overrides):
    m = YouthCareModel(
        Params(overrides), families=families, years=years, warmup_years=0.5, seed=seed
    )
    return m, m.run()


# =============================================================================================
# 1. Trust -> the GP's referral choice (M2)
# =============================================================================================

PARTNER_OPTION = [
    (S.P_WIJKTEAM, S.OPT_WIJKTEAM),
    (S.P_JGZ, S.OPT_JGZ),
    (S.P_SPECIALIST, S.OPT_SPECIALIST),
    (S.P_WORKER, S.OPT_WORKER),
]


def _gp_choice_shares(trust_strength: float, partner: int, trust_value: float) -> np.ndarray:
    """Choices of the GP for every child (all set to moderate need) at a given trust level."""
    m = small_model(
        families=2000,
        seed=3,
        **{"mechanisms.trust": trust_strength, "practice_worker.hours_per_week": 4.0},
    )
    m.worker_present_this_week[:] = True  # the worker is in this week (normally set by step)
    idx = np.arange(m.children.n)
    assert len(idx) >= 2000
    m.children.need[idx] = 2
    m.collab.trust[:, partner] = trust_value
    return gp_choose(m, idx, WEEK)


@pytest.mark.parametrize("partner,option", PARTNER_OPTION)
def test_gp_refers_more_to_a_partner_she_trusts(partner, option):
    low = _gp_choice_shares(1.0, partner, 0.05)
    high = _gp_choice_shares(1.0, partner, 0.95)
    share_low, share_high = np.mean(low == option), np.mean(high == option)
    assert share_high > share_low + 0.02, (option, share_low, share_high)
    # Monotone per child: with the same draws, raising trust in one partner can only move a
    # child towards that partner (logit with fixed Gumbel noise).
    assert np.all((high == low) | (high == option))


@pytest.mark.parametrize("partner,option", PARTNER_OPTION)
def test_gp_choice_ignores_trust_when_mechanism_off(partner, option):
    low = _gp_choice_shares(0.0, partner, 0.05)
    high = _gp_choice_shares(0.0, partner, 0.95)
    np.testing.assert_array_equal(low, high)


# =============================================================================================
# 2. Trust dynamics: bounded, grows with contacts, falls with bad outcomes and turnover (M2)
# =============================================================================================


def _collab(tau0: float = 0.5, **overrides):
    m = small_model(families=4000, **overrides)
    c = m.collab
    assert c.n_gp >= 4
    c.trust[:] = tau0
    c.trust[:, S.P_WORKER] = 0.0 if not m.has_worker else tau0
    return m, c


def test_trust_grows_with_in_person_contacts():
    m, c = _collab(0.4)
    gps = np.array([0, 1])
    c.add(c.in_person, gps, S.P_WIJKTEAM, 3.0)
    c.add(c.digital, np.array([2]), S.P_WIJKTEAM, 3.0)
    c.step(m, WEEK)
    t = c.trust[:, S.P_WIJKTEAM]
    assert np.all(t[gps] > 0.4), t
    assert t[2] > 0.4  # digital contacts build trust too ...
    assert t[2] < t[0]  # ... more slowly than in person (DESIGN §3)
    assert np.all(t[3:] < 0.4)  # no contact: trust decays
    # More contacts, more trust.
    m2, c2 = _collab(0.4)
    c2.add(c2.in_person, gps, S.P_WIJKTEAM, 6.0)
    c2.step(m2, WEEK)
    assert np.all(c2.trust[gps, S.P_WIJKTEAM] > t[gps])


def test_trust_grows_with_good_outcomes_and_falls_with_bad_ones():
    m, c = _collab(0.5)
    c.add(c.good, np.array([0]), S.P_SPECIALIST, 2.0)
    c.add(c.bad, np.array([1]), S.P_SPECIALIST, 2.0)
    c.step(m, WEEK)
    t = c.trust[:, S.P_SPECIALIST]
    untouched = t[2]
    assert t[0] > untouched
    assert t[1] < untouched
    assert t[1] < 0.5


def test_staff_change_costs_the_turnover_share_of_trust():
    for r in (0.5, 0.3):
        m, c = _collab(0.6, **{"trust.turnover_loss": r})
        c.staff_change[0, S.P_WIJKTEAM] = True
        c.step(m, WEEK)
        t = c.trust[:, S.P_WIJKTEAM]
        assert t[0] < t[1]
        assert t[0] == pytest.approx(t[1] * (1.0 - r), rel=1e-9)


def test_staff_change_harmless_when_turnover_mechanism_off():
    m, c = _collab(0.6, **{"mechanisms.staff_turnover": 0.0})
    c.staff_change[0, S.P_WIJKTEAM] = True
    c.step(m, WEEK)
    t = c.trust[:, S.P_WIJKTEAM]
    assert t[0] == pytest.approx(t[1], rel=1e-12)


def test_trust_frozen_when_trust_mechanism_off():
    m, c = _collab(0.4, **{"mechanisms.trust": 0.0})
    before = c.trust.copy()
    c.add(c.in_person, np.array([0, 1]), S.P_WIJKTEAM, 5.0)
    c.add(c.good, np.array([2]), S.P_SPECIALIST, 5.0)
    c.add(c.bad, np.array([3]), S.P_SPECIALIST, 5.0)
    c.staff_change[0, S.P_JGZ] = True
    c.step(m, WEEK)
    np.testing.assert_array_equal(c.trust, before)


_weekly_events = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31 - 1),
        "weeks": st.integers(1, 40),
        "tau0": st.floats(0.0, 1.0),
        "max_contacts": st.floats(0.0, 50.0),
        "p_change": st.floats(0.0, 1.0),
        "params": st.fixed_dictionaries(
            {
                "mechanisms.trust": st.floats(0.0, 3.0),
                "mechanisms.staff_turnover": st.floats(0.0, 3.0),
                "mechanisms.knowledge": st.floats(0.0, 3.0),
                "trust.gain_in_person": st.floats(0.0, 2.0),
                "trust.gain_digital": st.floats(0.0, 2.0),
                "trust.gain_good_outcome": st.floats(0.0, 2.0),
                "trust.loss_bad_outcome": st.floats(0.0, 1.0),
                "trust.decay_per_week": st.floats(0.0, 0.2),
                "trust.turnover_loss": st.floats(0.0, 1.0),
                "knowledge.gain_per_feedback": st.floats(0.0, 1.0),
                "knowledge.decay_per_week": st.floats(0.0, 0.2),
            }
        ),
    }
)


@given(_weekly_events)
def test_trust_and_knowledge_stay_in_unit_interval(ev):
    m = small_model(families=2000, **ev["params"])
    c = m.collab
    c.trust[:] = ev["tau0"]
    c.knowledge[:] = ev["tau0"]
    rng = np.random.default_rng(ev["seed"])
    shape = c.trust.shape
    for week in range(ev["weeks"]):
        hi = ev["max_contacts"]
        c.in_person += rng.uniform(0, hi, shape) * (rng.uniform(size=shape) < 0.5)
        c.digital += rng.uniform(0, hi, shape) * (rng.uniform(size=shape) < 0.5)
        c.good += rng.integers(0, 1 + int(hi), shape)
        c.bad += rng.integers(0, 1 + int(hi), shape)
        c.feedback += rng.integers(0, 1 + int(hi), c.n_gp)
        c.staff_change |= rng.uniform(size=shape) < ev["p_change"]
        c.step(m, week)
        assert np.all(np.isfinite(c.trust)) and np.all(np.isfinite(c.knowledge))
        assert c.trust.min() >= 0.0 and c.trust.max() <= 1.0, (week, c.trust)
        assert c.knowledge.min() >= 0.0 and c.knowledge.max() <= 1.0, (week, c.knowledge)


def test_trust_in_a_model_run_grows_with_case_meetings():
    """Case-based meetings with the wijkteam are in-person contacts; over a run they raise the
    GP's trust in the wijkteam, and do nothing with the trust mechanism off."""

    def trust_end(meetings: float, s: float) -> float:
        m = YouthCareModel(
            Params({"gp.wijkteam_meetings_per_week": meetings, "mechanisms.trust": s}),
            families=2000,
            years=1,
            warmup_years=0,
            seed=2,
        )
        m.run()
        return float(m.recorder.cols["trust_wijkteam"][-1])

    assert trust_end(1.0, 1.0) > trust_end(0.0, 1.0) + 0.05
    assert trust_end(1.0, 0.0) == trust_end(0.0, 0.0)


def test_trust_in_a_model_run_falls_with_rotating_staff():
    """A rotating practice worker (another person most visits) keeps trust lower than the same
    person every week; with staff turnover off the rotation no longer costs trust."""

    def trust_end(same: bool, s: float) -> float:
        m = YouthCareModel(
            Params(
                {
                    "practice_worker.hours_per_week": 4.0,
                    "practice_worker.same_person": same,
                    "mechanisms.staff_turnover": s,
                }
            ),
            families=2000,
            years=1,
            warmup_years=0,
            seed=2,
        )
        m.run()
        return float(m.recorder.cols["trust_practice_worker"][-1])

    assert trust_end(False, 1.0) < trust_end(True, 1.0) - 0.05
    assert trust_end(False, 0.0) == pytest.approx(trust_end(True, 0.0), abs=1e-12)


# =============================================================================================
# 3. Knowledge of the social map grows with feedback (M1, M3)
# =============================================================================================


def test_knowledge_grows_with_feedback():
    m = small_model(families=4000)
    c = m.collab
    k0 = c.knowledge.copy()
    c.feedback[0] += 3
    c.feedback[1] += 10
    c.step(m, WEEK)
    k = c.knowledge
    assert k[0] > k0[0]
    assert k[1] > k[0]
    assert k[2] < k0[2]  # without feedback or joint cases knowledge decays
    assert np.all((k >= 0) & (k <= 1))
    # Many weeks of heavy feedback: approaches 1 but never exceeds it.
    for w in range(200):
        c.feedback[:] += 50
        c.step(m, w)
    assert np.all(c.knowledge <= 1.0) and np.all(c.knowledge > 0.9)


def test_knowledge_frozen_when_knowledge_mechanism_off():
    m = small_model(families=4000, **{"mechanisms.knowledge": 0.0})
    c = m.collab
    k0 = c.knowledge.copy()
    for w in range(10):
        c.feedback[:2] += 10
        c.add(c.in_person, np.array([0, 3]), S.P_WIJKTEAM, 4.0)
        c.step(m, w)
    np.testing.assert_array_equal(c.knowledge, k0)


def test_knowledge_in_a_model_run_grows_with_warm_handover():
    """A warm handover brings feedback after every referral (M3): the GP's knowledge of the
    social map ends higher than without; with feedback (M3) off, the handover does nothing."""

    def k_end(warm: bool, s: float) -> float:
        m = YouthCareModel(
            Params({"handover.warm": warm, "mechanisms.feedback": s}),
            families=2000,
            years=1,
            warmup_years=0,
            seed=2,
        )
        m.run()
        return float(m.recorder.cols["knowledge_mean"][-1])

    assert k_end(True, 1.0) > k_end(False, 1.0)
    assert k_end(True, 0.0) == pytest.approx(k_end(False, 0.0), abs=1e-12)


# =============================================================================================
# 4. Wijkteam occupancy -> referral to specialist care (M6)
# =============================================================================================


def _wijkteam_referrals(strength: float, fte_factor: float) -> tuple[np.ndarray, float]:
    m = small_model(families=2000, seed=4, **{"mechanisms.workload_referral": strength})
    idx = np.arange(m.children.n)
    m.children.need[idx] = 2
    m.wijkteam_fte[:] *= fte_factor
    m._occ_ready[0] = False  # occupancy is kept for the week: recompute it
    occ = float(m.wijkteam_occupancy().mean())
    return wijkteam_refers(m, idx, WEEK), occ


def test_wijkteam_refers_more_under_higher_occupancy():
    normal, occ_n = _wijkteam_referrals(1.0, 1.0)
    pressed, occ_p = _wijkteam_referrals(1.0, 0.3)
    assert occ_p > occ_n
    assert pressed.mean() > normal.mean() + 0.05, (normal.mean(), pressed.mean())
    # Same draws: pressure only adds referrals.
    assert np.all(pressed | ~normal)
    # A strong team (more FTE, lower occupancy) refers less.
    relaxed, occ_r = _wijkteam_referrals(1.0, 3.0)
    assert occ_r < occ_n
    assert relaxed.mean() < normal.mean()


def test_wijkteam_occupancy_has_no_effect_when_mechanism_off():
    normal, _ = _wijkteam_referrals(0.0, 1.0)
    pressed, _ = _wijkteam_referrals(0.0, 0.3)
    np.testing.assert_array_equal(normal, pressed)


# =============================================================================================
# 5. Funding: the margin rule (M15)
# =============================================================================================


def _funding(scheme: str, s: float = 1.0):
    m = small_model(families=2000, **{"funding.scheme": scheme, "mechanisms.funding": s})
    return m, m.funding


def test_pxq_admits_lower_and_treats_longer_than_lumpsum_at_start():
    """At the start (zero slack) the p×q margin (tariff - marginal cost) beats the lumpsum one
    (slack - marginal cost): a lower threshold, longer treatment, less step-down."""
    _, f_pxq = _funding("pxq")
    _, f_ls = _funding("lumpsum")
    assert np.all(f_pxq.threshold < f_ls.threshold)
    assert np.all(f_pxq.length_mult > f_ls.length_mult)
    assert np.all(f_pxq.stepdown_rate < f_ls.stepdown_rate)
    assert f_pxq.res_length_mult > f_ls.res_length_mult


@pytest.mark.parametrize("tariff", [480.0, 640.0])
def test_a_lumpsum_on_last_years_spending_is_contracted_at_the_warm_ups_pxq_cost(tariff):
    """With basis 'last_year' a run pays p×q through its warm-up and, when measurement begins,
    contracts the lumpsum at exactly the tariff spending of the last 52 weeks (whatever the
    tariff: budget-neutral under every parameter draw)."""
    p = Params(
        {
            "funding.scheme": "lumpsum",
            "funding.lumpsum_budget_basis": "last_year",
            "specialist.tariff_eur_per_week": tariff,
        }
    )
    m = YouthCareModel(p, families=1000, years=1, warmup_years=1.5, seed=3)
    while m.week < m.warmup_weeks:
        m.step()
        assert not m.funding.lumpsum
    c, w = m.recorder.cols, m.warmup_weeks
    spent = (
        c["n_specialist"][w - 52 : w] * tariff
        + c["n_residential"][w - 52 : w] * p["residential.tariff_eur_per_week"]
    ).sum()
    m.step()
    assert m.funding.lumpsum
    assert m.funding.lumpsum_budget == pytest.approx(spent, rel=1e-12)


def _lumpsum_with_slack(slack: float, s: float = 1.0):
    m, f = _funding("lumpsum", s)
    f.provider_budget[:] = 1000.0
    f.provider_cost[:] = 1000.0 * (1.0 - slack)
    f.update()
    return f


def test_lumpsum_budget_slack_lowers_threshold_and_lengthens_treatment():
    rich = _lumpsum_with_slack(0.4)
    poor = _lumpsum_with_slack(-0.4)
    even = _lumpsum_with_slack(0.0)
    assert np.all(rich.threshold < even.threshold) and np.all(even.threshold < poor.threshold)
    assert np.all(rich.length_mult > even.length_mult)
    assert np.all(even.length_mult > poor.length_mult)
    assert np.all(rich.stepdown_rate <= even.stepdown_rate)


def test_funding_behaviour_identical_across_schemes_when_mechanism_off():
    _, f_pxq = _funding("pxq", 0.0)
    _, f_ls = _funding("lumpsum", 0.0)
    np.testing.assert_array_equal(f_pxq.threshold, f_ls.threshold)
    np.testing.assert_array_equal(f_pxq.length_mult, f_ls.length_mult)
    np.testing.assert_array_equal(f_pxq.stepdown_rate, f_ls.stepdown_rate)
    rich, poor = _lumpsum_with_slack(0.4, 0.0), _lumpsum_with_slack(-0.4, 0.0)
    np.testing.assert_array_equal(rich.threshold, poor.threshold)
    np.testing.assert_array_equal(rich.length_mult, poor.length_mult)
    np.testing.assert_array_equal(rich.threshold, f_pxq.threshold)


def test_a_larger_weight_on_need_met_narrows_the_gap_between_the_schemes():
    """DESIGN §3's margin rule: margin plus a weight on need met. The more providers weigh the
    need they meet, the less their margin (p×q vs lumpsum) moves threshold and length."""

    def gap(weight: float) -> tuple[float, float]:
        m_p = small_model(families=2000, **{"funding.scheme": "pxq", "funding.need_weight": weight})
        m_l = small_model(
            families=2000, **{"funding.scheme": "lumpsum", "funding.need_weight": weight}
        )
        return (
            float(np.mean(m_l.funding.threshold - m_p.funding.threshold)),
            float(np.mean(m_p.funding.length_mult / m_l.funding.length_mult)),
        )

    t1, l1 = gap(1.0)
    t4, l4 = gap(4.0)
    assert t1 > t4 > 0
    assert l1 > l4 > 1
    assert t4 == pytest.approx(t1 / 4)


def _threshold_run(scheme: str, s: float):
    m = YouthCareModel(
        Params({"funding.scheme": scheme, "mechanisms.funding": s}),
        families=3000,
        years=2,
        warmup_years=0,
        seed=8,
    )
    m.run()
    return m.recorder.cols


def test_admission_threshold_series_follows_the_scheme_in_a_run():
    pxq, ls = _threshold_run("pxq", 1.0), _threshold_run("lumpsum", 1.0)
    assert pxq["admission_threshold"].mean() < ls["admission_threshold"].mean()
    # With the funding mechanism off the schemes behave identically: same threshold and the
    # same children in care (only the bookkeeping of who pays differs).
    pxq0, ls0 = _threshold_run("pxq", 0.0), _threshold_run("lumpsum", 0.0)
    np.testing.assert_array_equal(pxq0["admission_threshold"], ls0["admission_threshold"])
    np.testing.assert_array_equal(pxq0["n_specialist"], ls0["n_specialist"])
    np.testing.assert_array_equal(pxq0["n_waiting_specialist"], ls0["n_waiting_specialist"])


# =============================================================================================
# 6. Waiting harms (M4)
# =============================================================================================


def test_waiting_harm_raises_escalations_while_waiting():
    _, high = run_summary(**{"need.waiting_harm_ratio": 4.0})
    _, none = run_summary(**{"need.waiting_harm_ratio": 1.0})
    assert high["escalations_while_waiting_per_year"] > none["escalations_while_waiting_per_year"]


def test_waiting_harm_ratio_has_no_effect_when_mechanism_off():
    off = {"mechanisms.waiting_harm": 0.0}
    _, high = run_summary(**{"need.waiting_harm_ratio": 4.0, **off})
    _, none = run_summary(**{"need.waiting_harm_ratio": 1.0, **off})
    np.testing.assert_equal(high, none)


# =============================================================================================
# 7. No-shows (M9)
# =============================================================================================


def test_noshow_higher_at_practice_worker_than_at_gp():
    m, s = run_summary(**{"practice_worker.hours_per_week": 4.0})
    assert m.tally.appointments[0] > 0 and m.tally.appointments[1] > 0
    assert s["noshow_share"]["practice_worker"] > s["noshow_share"]["gp"] > 0


def test_no_noshows_when_mechanism_off():
    m, s = run_summary(**{"practice_worker.hours_per_week": 4.0, "mechanisms.noshow": 0.0})
    assert m.tally.appointments[0] > 0 and m.tally.appointments[1] > 0
    assert s["noshow_share"]["gp"] == 0.0
    assert s["noshow_share"]["practice_worker"] == 0.0
    assert s["noshow_share"]["wijkteam"] == 0.0


# =============================================================================================
# Gatekeeper friction (M13) and the thinning of JGZ contact after age 4 (M19)
# =============================================================================================
def _pre2015(**overrides):
    from sim.scenario import load

    params = (
        load("pre2015-bjz").params.replace(overrides) if overrides else load("pre2015-bjz").params
    )
    m = YouthCareModel(params, families=2000, years=2, warmup_years=0.5, seed=5, check=True)
    s = m.run()
    assert s["invariant_violations"] == 0
    return m, s


def test_gatekeeper_strength_is_the_share_that_waits_for_an_indication():
    """M13: at 1 every pre-2015 referral to indicated care but a crisis waits for Bureau Jeugdzorg; at 0.5
    fewer indications are made; at 0 none, and nobody ever waits for one."""
    full, _ = _pre2015()
    half, _ = _pre2015(**{"mechanisms.gatekeeper": 0.5})
    off, _ = _pre2015(**{"mechanisms.gatekeeper": 0.0})
    assert full.tally.indications > 50
    assert 0.3 * full.tally.indications < half.tally.indications < 0.8 * full.tally.indications
    assert off.tally.indications == 0
    assert off.recorder.cols["n_waiting_indication"].max() == 0


def _pre2015_built(**overrides) -> YouthCareModel:
    from sim.scenario import load

    params = load("pre2015-bjz").params.replace(overrides)
    return YouthCareModel(params, families=1000, years=1, warmup_years=0, seed=11)


def test_a_pre2015_crisis_is_placed_without_waiting_for_an_indication():
    """seeds/001 L619, L629: a crisis is placed at once and indicated afterwards; a severe need
    referred by the GP to indicated care waits for Bureau Jeugdzorg."""
    from sim import care

    m = _pre2015_built(**{"bjz.ggz_direct_share": 0.0})
    ch = m.children
    idx = np.flatnonzero(ch.state == S.UNMET)[:40]
    ch.need[idx[:20]] = 4
    ch.need[idx[20:]] = 3
    care.refer_specialist(m, idx, int(S.REF_GP), WEEK)
    assert not (ch.state[idx[:20]] == S.WAIT_INDICATION).any()
    assert (ch.state[idx[20:]] == S.WAIT_INDICATION).all()


def _on_indication_list(m: YouthCareModel, n: int, entry: int) -> np.ndarray:
    ch = m.children
    idx = np.flatnonzero(ch.state == S.UNMET)[:n]
    ch.state[idx] = S.WAIT_INDICATION
    ch.q_entry[idx] = entry
    ch.need[idx] = 2
    return idx


def test_families_leave_the_indication_list():
    """The indication list loses families as a provider's list does (bjz.withdrawal_per_week);
    a need that remitted while waiting ends the wait (the child leaves help)."""
    from sim import care

    m = _pre2015_built(**{"bjz.withdrawal_per_week": 1.0})
    idx = _on_indication_list(m, 30, WEEK - 3)
    care.indications(m, WEEK)
    assert not (m.children.state[idx] == S.WAIT_INDICATION).any()
    assert m.tally.withdrawals == 30
    m = _pre2015_built(**{"bjz.withdrawal_per_week": 0.0, "bjz.indications_per_week_per_1000": 0.0})
    idx = _on_indication_list(m, 10, WEEK - 3)
    m.children.need[idx[:4]] = 0
    care.indications(m, WEEK)
    assert (m.children.state[idx[:4]] == S.NONE).all()
    assert (m.children.state[idx[4:]] == S.WAIT_INDICATION).all()


def test_a_crisis_on_the_indication_list_is_placed_at_once():
    """A need that becomes a crisis while waiting for BJZ goes to the provider's list as
    indicated, whatever its place in the indication queue (seeds/001 L619, L629)."""
    from sim import care

    m = _pre2015_built(**{"bjz.withdrawal_per_week": 0.0, "bjz.indications_per_week_per_1000": 0.0})
    idx = _on_indication_list(m, 10, WEEK - 3)
    m.children.need[idx[:3]] = 4
    care.indications(m, WEEK)
    assert (m.children.state[idx[:3]] == S.WAIT_SPECIALIST).all()
    assert (m.children.state[idx[3:]] == S.WAIT_INDICATION).all()


def test_referrers_learn_and_expect_the_indication_wait():
    """Referrers learn BJZ's wait from the children it indicates (smoothed like a provider's
    wait), and before 2015 expect it for the share of their referrals that needs an indication:
    part of the GP's (the rest go straight to jeugd-ggz), all of the CJG's and JGZ's, none of the
    'other' streams'; from 2015 on, none."""
    from sim import care

    m = _pre2015_built(
        **{"bjz.withdrawal_per_week": 0.0, "bjz.indications_per_week_per_1000": 20.0}
    )
    _on_indication_list(m, 20, WEEK - 10)
    care.indications(m, WEEK)
    p = m.p
    assert m.bjz_expected_wait == pytest.approx(10.0 / p["specialist.wait_smoothing_weeks"])
    m.bjz_expected_wait = 10.0
    base = float(np.average(m.specialist.expected_wait, weights=m.specialist.places))
    s13, ggz = p["mechanisms.gatekeeper"], p["bjz.ggz_direct_share"]
    assert m.expected_specialist_wait(S.REF_GP) == pytest.approx(base + 10.0 * s13 * (1 - ggz))
    assert m.expected_specialist_wait(S.REF_WIJKTEAM) == pytest.approx(base + 10.0 * s13)
    assert m.expected_specialist_wait(S.REF_JGZ) == pytest.approx(base + 10.0 * s13)
    assert m.expected_specialist_wait(S.REF_OTHER) == pytest.approx(base)
    m.set_params({"era.rules": "2015"})
    assert m.expected_specialist_wait(S.REF_WIJKTEAM) == pytest.approx(base)


def test_jgz_decline_sends_parents_of_older_children_to_the_gp():
    """M19: with the decline, help-seeking parents of children over 4 go to the GP more often
    (seek.after_4_gp_ratio); at strength 0 the route is the same as before age 4."""
    _, on = run_summary(**{"mechanisms.jgz_decline": 1.0})
    _, off = run_summary(**{"mechanisms.jgz_decline": 0.0})
    gp_on = on["new_trajectories_by_referrer"]["gp"]
    gp_off = off["new_trajectories_by_referrer"]["gp"]
    assert gp_on > gp_off + 0.03, (gp_on, gp_off)


def test_an_integrated_team_monitors_referred_children_and_steps_them_down():
    """Monitoring after referral (DESIGN §3 JGZ; seeds/004 L682-688): in an integrated team
    (Hart voor jeugd en gezin) the children it referred whose need has become light are stepped
    down sooner with monitoring than without: shorter trajectories, less specialist spending; a
    fragmented baseline has no one to monitor, so the strength changes nothing."""
    from sim.scenario import load

    def run(spec: str, s: float, seed: int = 5):
        # a strong monitoring rate, so the effect on all trajectories (only the team's own
        # referrals are monitored: about a quarter) stands out at this size
        params = load(spec).params.replace(
            {"mechanisms.monitoring": s, "jgz.monitoring_stepdown_per_week": 0.2}
        )
        m = YouthCareModel(params, families=3000, years=2, warmup_years=0.5, seed=seed)
        return m, m.run()

    # Pooled over three seeds: per seed the gap was 0.2-0.9 weeks (seeds 1-8, when written).
    spec = lambda s: s["cost_per_year_eur"]["by_tier"]["specialist"]  # noqa: E731
    weeks, cost = {1.0: [], 0.0: []}, {1.0: 0.0, 0.0: 0.0}
    for seed in (1, 2, 3):
        for s in (1.0, 0.0):
            m, summary = run("hart-voor-jeugd-en-gezin", s, seed)
            weeks[s].append(m.tally.specialist_episodes.view()[:, 1])
            cost[s] += spec(summary)
    weeks_on, weeks_off = (np.concatenate(weeks[s]).mean() for s in (1.0, 0.0))
    assert weeks_on < weeks_off - 0.3, (weeks_on, weeks_off)
    assert cost[1.0] < cost[0.0]
    _, base_on = run("baseline", 1.0)
    _, base_off = run("baseline", 0.0)
    assert base_on == base_off


def test_monitoring_only_steps_down_the_teams_own_referrals():
    """Unit level: one week of specialist care for children with a light need, half referred by
    the integrated team and half by the GP, with a certain monitoring step-down (rate 0.5 at
    strength 2, clipped to 1): every team referral ends, no GP referral ends early."""
    from sim import care
    from sim import states as S
    from sim.scenario import load

    params = load("hart-voor-jeugd-en-gezin").params.replace(
        {"jgz.monitoring_stepdown_per_week": 0.5, "mechanisms.monitoring": 2.0}
    )
    m = YouthCareModel(params, families=500, years=1, warmup_years=0, seed=2)
    m.funding.stepdown_rate[:] = 0.0  # only monitoring can end care early
    ch = m.children
    kids = np.flatnonzero(ch.state == S.NONE)[:40]
    care.enter_state(m, kids, S.SPECIALIST, m.week)
    ch.need[kids] = 1
    ch.care_level[kids] = 3
    ch.provider[kids] = 0
    ch.planned_end[kids] = m.week + 50
    ch.referrer[kids[:20]] = S.REF_WIJKTEAM
    ch.referrer[kids[20:]] = S.REF_GP
    care.care(m, m.week, np.flatnonzero(ch.state != S.NONE))
    assert (ch.state[kids[:20]] != S.SPECIALIST).all()
    assert (ch.state[kids[20:]] == S.SPECIALIST).all()


# =============================================================================================
# Urgency on the lists and the escalation path for life-threatening situations (Almere level 5)
# =============================================================================================


def _on_list(m: YouthCareModel, kids: np.ndarray, state: int, entry: int, need: int) -> None:
    from sim import care

    ch = m.children
    care.enter_state(m, kids, state, entry)
    ch.q_entry[kids] = entry
    ch.need[kids] = need
    ch.priority[kids] = 0
    ch.provider[kids] = 0


def test_urgency_is_read_at_admission_so_a_crisis_on_the_list_moves_up():
    """Lists are ordered by urgency, then arrival: a child whose need became a crisis while
    waiting goes before children who joined earlier, and a life-threatening situation before
    every crisis."""
    from sim import care

    m = small_model(families=1000, seed=4, **{"specialist.withdrawal_per_week": 0.0})
    ch = m.children
    kids = np.flatnonzero(ch.state == S.NONE)[:30]
    _on_list(m, kids[:10], S.WAIT_SPECIALIST, WEEK - 20, 3)  # the earliest, not urgent
    _on_list(m, kids[10:20], S.WAIT_SPECIALIST, WEEK - 10, 4)  # a crisis since joining
    _on_list(m, kids[20:], S.WAIT_SPECIALIST, WEEK - 5, 4)
    ch.life_threat[kids[25:]] = True
    u = care.urgency(m, kids)
    assert (u[:10] == 0).all() and (u[10:25] == 1).all() and (u[25:] == 2).all()
    # Provider 0 has exactly 8 free places: the five life-threatening children, then three of
    # the crises in order of arrival (the earlier ones), none of the earliest arrivals.
    others = np.flatnonzero(
        ((ch.state == S.SPECIALIST) | (ch.state == S.WAIT_SPECIALIST)) & (ch.provider == 0)
    )
    others = np.setdiff1d(others, kids)
    care.enter_state(m, others, S.UNMET, WEEK)
    ch.provider[others] = -1
    m.specialist.places[0] = 8.0
    care.admissions(
        m, WEEK, m.specialist, S.WAIT_SPECIALIST, S.SPECIALIST, S.PROF_SPECIALIST, False
    )
    admitted = kids[ch.state[kids] == S.SPECIALIST]
    assert set(kids[25:]) <= set(admitted)
    assert len(admitted) == 8
    assert set(admitted) - set(kids[25:]) == set(kids[10:13])  # the earliest crises
    assert not (ch.state[kids[:10]] == S.SPECIALIST).any()


@pytest.mark.parametrize(
    "state,before,after",
    [
        (S.SPECIALIST, S.REF_GP, S.REF_GP),  # lists and specialist care: the current referrer
        (S.WAIT_SPECIALIST, S.REF_JGZ, S.REF_JGZ),
        (S.WAIT_INDICATION, S.REF_NONE, S.REF_NONE),
        (S.WIJKTEAM, S.REF_NONE, S.REF_WIJKTEAM),  # lighter help: the help's own referrer
        (S.JGZ_SUPPORT, S.REF_GP, S.REF_JGZ),
        (S.PRACTICE_WORKER, S.REF_NONE, S.REF_GP),
    ],
)
def test_a_life_threatening_situation_in_lighter_help_is_escalated_to_residential_care(
    state, before, after
):
    """seeds/001 L1037-1041, L1287-1292: the brandpunt escalates a life-threatening situation at
    once. Children known to help below the residential level go to the residential list that
    week, at the head of it, under the referrer of the help they were in; a crisis without the
    flag stays where it is. Leaving a list is recorded for Little's law."""
    from sim import care

    m = small_model(families=1000, seed=6)
    ch = m.children
    kids = np.flatnonzero(ch.state == S.NONE)[:12]
    care.enter_state(m, kids, state, WEEK - 3)
    ch.q_entry[kids] = WEEK - 3
    ch.need[kids] = 4
    ch.referrer[kids] = before
    ch.life_threat[kids[:6]] = True

    def exits() -> int:
        return len(m.tally.queue_log.spells(state))

    before_exits = exits()
    care.escalate(m, WEEK)
    assert (ch.state[kids[:6]] == S.WAIT_RESIDENTIAL).all()
    assert (ch.state[kids[6:]] == state).all()
    assert (care.urgency(m, kids[:6]) == 2).all()
    assert (ch.referrer[kids[:6]] == after).all()
    assert (ch.referrer[kids[6:]] == before).all()
    assert m.tally.escalations_life_threat == 6
    assert exits() == before_exits + (6 if S.WAITING[state] else 0)


def test_no_escalation_at_a_zero_chance_and_a_flagged_child_stays_on_the_residential_list():
    from sim import care

    m = small_model(
        families=1000,
        seed=6,
        **{
            "residential.life_threat_escalation_per_week": 0.0,
            "residential.withdrawal_per_week": 1.0,
        },
    )
    ch = m.children
    kids = np.flatnonzero(ch.state == S.NONE)[:12]
    care.enter_state(m, kids, S.WIJKTEAM, WEEK - 3)
    ch.need[kids] = 4
    ch.life_threat[kids] = True
    care.escalate(m, WEEK)
    assert (ch.state[kids] == S.WIJKTEAM).all() and m.tally.escalations_life_threat == 0
    # on the residential list, withdrawal (here certain) passes the flagged children by
    _on_list(m, kids, S.WAIT_RESIDENTIAL, WEEK - 2, 4)
    ch.life_threat[kids[6:]] = False
    m.residential.places[:] = 0.0
    care.admissions(
        m, WEEK, m.residential, S.WAIT_RESIDENTIAL, S.RESIDENTIAL, S.PROF_RESIDENTIAL, False
    )
    assert (ch.state[kids[:6]] == S.WAIT_RESIDENTIAL).all()
    assert (ch.state[kids[6:]] != S.WAIT_RESIDENTIAL).all()


def test_in_a_run_a_life_threatening_child_is_only_unknown_on_the_residential_list_or_in_it():
    """Invariant of the escalation path, at the end of every week of a run with many
    life-threatening turns: the flag is found only on children outside help (nobody knows),
    on the residential list or in residential care."""
    m = YouthCareModel(
        Params({"need.life_threatening_per_week": 0.3, "need.crisis_escalation_per_week": 0.05}),
        families=2000,
        years=1,
        warmup_years=0,
        seed=9,
        check=True,
    )
    allowed = np.zeros(S.N_STATES, dtype=bool)
    allowed[[S.UNMET, S.WAIT_RESIDENTIAL, S.RESIDENTIAL]] = True
    flagged = 0
    while m.week < m.total_weeks:
        m.step()
        ch = m.children
        lt = np.flatnonzero(ch.life_threat)
        flagged += len(lt)
        assert allowed[ch.state[lt]].all(), np.bincount(ch.state[lt], minlength=S.N_STATES)
    assert flagged > 100
    assert m.tally.escalations_life_threat > 0


@pytest.mark.parametrize("rate,lifted", [(0.0, 0), (1.0, 10)])
def test_a_placement_secures_safety_and_the_crisis_stays(rate, lifted):
    """A placed child's level-5 flag lifts with ``residential.safety_secured_per_week`` (never
    at 0, always at 1); its need stays a crisis (level 4) for care to lower."""
    from sim import care

    m = small_model(families=1000, seed=7, **{"residential.safety_secured_per_week": rate})
    ch = m.children
    kids = np.flatnonzero(ch.state == S.NONE)[:10]
    care.enter_state(m, kids, S.RESIDENTIAL, WEEK - 1)
    ch.need[kids] = 4
    ch.life_threat[kids] = True
    care.secure_safety(m, kids, WEEK)
    assert int(np.count_nonzero(~ch.life_threat[kids])) == lifted
    assert (ch.need[kids] == 4).all()


def test_a_longer_wait_for_safety_keeps_more_children_life_threatening():
    """The life-threatening stock is inflow times duration: with safety secured more slowly
    in placement, more children carry the flag on an average week (same seed)."""

    def flagged(rate: float) -> int:
        m = YouthCareModel(
            Params({"residential.safety_secured_per_week": rate}),
            families=3000,
            years=2,
            warmup_years=0,
            seed=9,
        )
        n = 0
        while m.week < m.total_weeks:
            m.step()
            n += int(np.count_nonzero(m.children.life_threat))
        return n

    assert flagged(0.05) > 2 * flagged(0.5)  # 140 vs 42 child-weeks at seed 9
