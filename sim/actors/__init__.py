"""The organisations as Mesa agents: the registry and the face of each organisation.

Their weekly state (trust, caseload, places, queues) lives in arrays across all organisations of a
type (DESIGN §4); these agents read it for inspection, notebooks and the workshop. They do not
run a per-week Python loop.
"""

from sim.actors.gp import GPPractice
from sim.actors.jgz import JGZ
from sim.actors.municipality import BureauJeugdzorg, Municipality
from sim.actors.provider import ResidentialProvider, SpecialistProvider
from sim.actors.wijkteam import Wijkteam

__all__ = [
    "GPPractice",
    "JGZ",
    "Municipality",
    "BureauJeugdzorg",
    "ResidentialProvider",
    "SpecialistProvider",
    "Wijkteam",
]
