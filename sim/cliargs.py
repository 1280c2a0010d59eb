"""Argument types for the command line: numbers within a range, with one-line errors."""

from __future__ import annotations

import argparse

# Warm-up before measuring, in years: chosen by MSER-5 on the baseline waiting list (README).
DEFAULT_WARMUP_YEARS = 3.0


def _number_in(name: str, cast, noun: str, lo, hi, fmt: str):
    """An argparse type: ``cast`` of the text, within [lo, hi], else one line naming ``name``."""

    def conv(s: str):
        try:
            v = cast(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be {noun}, got {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(
                f"{name} must be in [{lo:{fmt}}, {hi:{fmt}}], got {v:{fmt}}"
            )
        return v

    return conv


def int_in(name: str, lo: int = 1, hi: int = 10**8):
    """An integer option within [lo, hi]."""
    return _number_in(name, int, "an integer", lo, hi, "")


def float_in(name: str, lo: float, hi: float):
    """A number option within [lo, hi]."""
    return _number_in(name, float, "a number", lo, hi, "g")
