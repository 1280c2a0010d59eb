"""The municipality (gemeente): budgets and contracts; Bureau Jeugdzorg before 2015."""

from __future__ import annotations

import mesa

from sim import states as S


class Municipality(mesa.Agent):
    """Pays for youth help under the Jeugdwet; chooses the funding scheme."""

    @property
    def scheme(self) -> str:
        return self.model.p["funding.scheme"]

    @property
    def spent_eur(self) -> float:
        return float(self.model.ledger.total[0].sum())

    @property
    def registration_stop(self) -> bool:
        return bool(self.model.funding.stopped)


class BureauJeugdzorg(mesa.Agent):
    """Pre-2015 gatekeeper: indicates (or refuses) referrals to indicated care (M13)."""

    @property
    def waiting(self) -> int:
        return int((self.model.children.state == S.WAIT_INDICATION).sum())
