"""The cost ledger: euros by payer and tier, so that costs add up both ways (DESIGN §3)."""

from __future__ import annotations

import numpy as np

from sim import states as S

PAYER = {name: i for i, name in enumerate(S.PAYERS)}
TIER = {name: i for i, name in enumerate(S.TIERS)}


class Ledger:
    """Costs in euros: this week's entries and the running total, as payer x tier matrices."""

    def __init__(self) -> None:
        self.week = np.zeros((len(S.PAYERS), len(S.TIERS)))
        self.total = np.zeros_like(self.week)
        self.added_this_week = 0.0  # the sum of all add() calls, checked against the matrix

    def add(self, payer: str, tier: str, eur: float) -> None:
        """Book ``eur`` euros to ``payer`` and ``tier`` this week."""
        self.week[PAYER[payer], TIER[tier]] += eur
        self.added_this_week += eur

    def close_week(self) -> np.ndarray:
        """Move this week's entries to the total; return them."""
        w = self.week
        self.total += w
        self.week = np.zeros_like(w)
        self.added_this_week = 0.0
        return w

    def by_payer(self, m: np.ndarray | None = None) -> dict[str, float]:
        m = self.total if m is None else m
        return {name: float(m[i].sum()) for name, i in PAYER.items()}

    def by_tier(self, m: np.ndarray | None = None) -> dict[str, float]:
        m = self.total if m is None else m
        return {name: float(m[:, i].sum()) for name, i in TIER.items()}
