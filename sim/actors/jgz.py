"""JGZ (jeugdgezondheidszorg, youth health care): contact moments, signalling, light support."""

from __future__ import annotations

import mesa

from sim import states as S


class JGZ(mesa.Agent):
    """The region's JGZ organisation; reaches about 98% of children (seeds/004 L2094)."""

    @property
    def in_support(self) -> int:
        return int((self.model.children.state == S.JGZ_SUPPORT).sum())

    @property
    def integrated_in_wijkteam(self) -> bool:
        return bool(self.model.p["jgz.integrated_in_wijkteam"])
