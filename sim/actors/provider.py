"""Specialist ambulant providers and residential providers: places and waiting lists."""

from __future__ import annotations

import mesa

from sim import states as S


class _Provider(mesa.Agent):
    pool_name = ""
    wait_state = care_state = -1

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def pool(self):
        return getattr(self.model, self.pool_name)

    @property
    def places(self) -> int:
        return int(self.pool.capacity[self.index])

    @property
    def in_care(self) -> int:
        ch = self.model.children
        return int(((ch.state == self.care_state) & (ch.provider == self.index)).sum())

    @property
    def waiting(self) -> int:
        ch = self.model.children
        return int(((ch.state == self.wait_state) & (ch.provider == self.index)).sum())

    @property
    def expected_wait_weeks(self) -> float:
        return float(self.pool.expected_wait[self.index])


class SpecialistProvider(_Provider):
    """A specialist ambulant provider (jeugd-ggz, indicated youth help)."""

    pool_name, wait_state, care_state = "specialist", S.WAIT_SPECIALIST, S.SPECIALIST

    @property
    def admission_threshold(self) -> float:
        return float(self.model.funding.threshold[self.index])


class ResidentialProvider(_Provider):
    """A residential provider (jeugdhulp met verblijf), about EUR 31-33k per client-year."""

    pool_name, wait_state, care_state = "residential", S.WAIT_RESIDENTIAL, S.RESIDENTIAL
