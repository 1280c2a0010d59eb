"""Wijkteam (neighbourhood team / local youth team): basic help and access to specialist care."""

from __future__ import annotations

import mesa

from sim import states as S


class Wijkteam(mesa.Agent):
    """One neighbourhood's team: FTE, caseload and occupancy (caseload per FTE over its norm)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def fte(self) -> float:
        return float(self.model.wijkteam_fte[self.index])

    @property
    def caseload(self) -> int:
        m = self.model
        in_team = m.children.state == S.WIJKTEAM
        return int((m.families.hood[m.children.family[in_team]] == self.index).sum())

    @property
    def occupancy(self) -> float:
        return float(self.model.wijkteam_occupancy()[self.index])
