"""GP practice (huisartsenpraktijk), with its practice worker (POH-jeugd) if it has one."""

from __future__ import annotations

import mesa

from sim import states as S


class GPPractice(mesa.Agent):
    """A GP practice: its families, trust per partner, knowledge of the social map (sociale kaart)."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def trust(self) -> dict[str, float]:
        """Trust in each partner, 0-1 (M2)."""
        row = self.model.collab.trust[self.index]
        return {name: float(row[j]) for j, name in enumerate(S.PARTNERS)}

    @property
    def knowledge(self) -> float:
        """Knowledge of the social map, 0-1 (M1)."""
        return float(self.model.collab.knowledge[self.index])

    @property
    def n_families(self) -> int:
        return int((self.model.families.gp == self.index).sum())

    @property
    def has_practice_worker(self) -> bool:
        return bool(self.model.has_worker)
