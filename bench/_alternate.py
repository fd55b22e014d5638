"""Timing several variants in alternating rounds, so machine noise hits them all alike."""

from __future__ import annotations

import statistics
from typing import Callable, Mapping


def alternating_medians(variants: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median of each variant's measurement over ``rounds`` alternating rounds (after one
    unmeasured warm-up round for file caches)."""
    for measure in variants.values():
        measure()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, measure in variants.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def print_ratios(medians: Mapping[str, float], baseline: str, unit_scale: float = 1000.0, unit: str = "ms") -> None:
    """One line per variant: its median and its ratio to ``baseline``."""
    width = max(map(len, medians))
    for name, value in medians.items():
        print(f"{name:{width}s}  median {value * unit_scale:7.1f} {unit}   ratio to {baseline} "
              f"{value / medians[baseline]:.2f}x")
