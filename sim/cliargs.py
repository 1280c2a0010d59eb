"""Argument types for the command line: numbers within a range, with one-line errors."""

from __future__ import annotations

import argparse

# Warm-up before measuring, in years: chosen by MSER-5 on the baseline waiting list (README).
DEFAULT_WARMUP_YEARS = 3.0


def int_in(name: str, lo: int = 1, hi: int = 10**8):
    def conv(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be in [{lo}, {hi}], got {v}")
        return v

    return conv


def float_in(name: str, lo: float, hi: float):
    def conv(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {s!r}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be in [{lo:g}, {hi:g}], got {v:g}")
        return v

    return conv
