"""Agent-based simulation of the Dutch youth-care ecosystem (jeugdzorg)."""

__version__ = "0.1.0"
