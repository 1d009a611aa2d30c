"""How long the planner takes for 48 h of 15-minute slots (192 rates), the case a day-ahead market gives.

Prints the median and worst time per plan for cheapest-slot and continuous plans, against the 5 ms target.

    .venv/bin/python bench/planner.py
"""

from __future__ import annotations

import math
import statistics
import time
from datetime import UTC, datetime, timedelta

from surplus.core.planner import plan
from surplus.core.rates import Rate

T0 = datetime(2026, 6, 1, tzinfo=UTC)
SLOTS = 48 * 4
RUNS = 200


def prices() -> list[Rate]:
    """A two-peak daily price curve with some noise, in quarter hours."""
    rates = []
    for index in range(SLOTS):
        hour = (index / 4) % 24
        value = 0.25 + 0.08 * math.sin((hour - 6) / 24 * 2 * math.pi) + 0.05 * math.sin(hour / 3) + 0.01 * (index % 7)
        start = T0 + timedelta(minutes=15 * index)
        rates.append(Rate(start, start + timedelta(minutes=15), value))
    return rates


def timed(continuous: bool, rates: list[Rate]) -> list[float]:
    times = []
    for run in range(RUNS):
        required = timedelta(minutes=30 + run % 8 * 60)
        started = time.perf_counter()
        plan(T0, required, T0 + timedelta(hours=47), rates, precondition=timedelta(minutes=30), continuous=continuous)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    rates = prices()
    print(f"planner over {SLOTS} quarter-hour slots (48 h), {RUNS} plans each, required 0.5–7.5 h")
    for continuous in (False, True):
        times = timed(continuous, rates)
        median, worst = statistics.median(times), max(times)
        name = "continuous window" if continuous else "cheapest slots"
        print(f"  {name:18s} median {median:6.3f} ms  worst {worst:6.3f} ms  (target 5 ms: {5 / median:5.1f}x faster)")


if __name__ == "__main__":
    main()
