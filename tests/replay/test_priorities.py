"""Two PV loadpoints of different priority settle in one cycle after a surplus step (core.md §3.10, §9).

evcc controls one loadpoint per tick, so after a step it needs one interval per loadpoint: the loadpoint whose
turn it is moves, and the other only reacts in a later tick, to the grid power the first change left behind.
Surplus updates both in the same cycle, highest priority first, and tells the second what the first is about to
draw, so both get their final current at the entry of the step and the next entry is quiet.

Both chargers are fixed 3p (1 A = 690 W), coarse, V = 230 V. The vehicles draw exactly what their charger offers
(chargePower and currents follow the offered current) and the grid follows what they draw.

Start-up: a charger that is enabled when Surplus starts is told the current the loadpoint computes in the first
cycle (the offered current is not yet known), and with no surplus an elapsed PV timer (connect) would switch it
off at once. So the first entry has enough export for the currents the scenario starts from, and the second entry
(t = 30 s, balanced grid) checks that this start is settled before the step at t = 60 s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.replay.replaying import commands, replayed, values

PER_AMPERE = 3 * 230  # W per A on three phases


def header(low_mode: str, low_max: float, high_current: float, low_current: float) -> str:
    return f"""\
start: 2026-06-01T12:00:00+02:00
site: {{voltage: 230, meters: [grid]}}
loadpoints:
  - title: High
    mode: pv
    priority: 1
    phases: 3
    maxCurrent: 16
    charger: {{phases: 3, coarse: true, enabled: true, current: {high_current}}}
  - title: Low
    mode: {low_mode}
    priority: 0
    phases: 3
    maxCurrent: {low_max}
    charger: {{phases: 3, coarse: true, enabled: true, current: {low_current}}}
timeline:
"""


def drawing(amperes: float) -> str:
    power = amperes * PER_AMPERE
    return f"{{status: C, chargePower: {power}, currents: [{amperes}, {amperes}, {amperes}]}}"


def entry(at: float, grid: float, high: float, low: float) -> str:
    return f"  - at: {at}\n    grid: {grid}\n    loadpoints: [{drawing(high)}, {drawing(low)}]\n"


def per_entry(lines: list[dict[str, Any]]) -> list[tuple[list[Any], list[Any]]]:
    return list(zip(commands(lines, 0), commands(lines, 1), strict=True))


async def test_two_priorities_converge_in_one_cycle_after_a_surplus_step(tmp_path: Path) -> None:
    """Both pv. High charges at its 16 A maximum, low at its 10 A maximum, grid balanced. Then the surplus drops
    by 8280 W (12 A). High may count on all of low's 6900 W: 16 − 12 + 10 = 14 A. Low sees the 8280 W import less
    the 1380 W high gives up: 10 − 10 = 0 A, below its 6 A minimum, so it is reduced to 6 A at once and its
    disable timer starts. Round robin would have moved one of them in the first tick and the other in the next."""
    text = (
        header("pv", 10, 16, 10)
        + entry(0, -11040, 16, 10)
        + entry(30, 0, 16, 10)
        + entry(60, 8280, 16, 10)
        # both did as told: high 1380 W and low 2760 W less; 4140 W import left until low's disable delay is over
        + entry(90, 8280 - 1380 - 2760, 14, 6)
    )
    lines = await replayed(text, tmp_path)
    assert per_entry(lines) == [
        ([{"maxCurrent": 16}], [{"maxCurrent": 10}]),  # start-up: the currents they draw
        ([], []),
        ([{"maxCurrent": 14}], [{"maxCurrent": 6}]),  # the step: both in the same entry
        ([], []),
    ]
    assert values(lines, "offeredCurrent", 0) == [16, 16, 14, 14]
    assert values(lines, "offeredCurrent", 1) == [10, 10, 6, 6]
    assert values(lines, "pvAction", 1)[2:] == ["disable", "disable"]
    assert values(lines, "enabled", 1) == [True] * 4


async def test_high_priority_takes_what_it_can_use_and_low_the_rest(tmp_path: Path) -> None:
    """High pv at 8 A, low minpv at its 6 A minimum (nothing flexible: minpv gives up only what it draws above its
    minimum), grid balanced. Then 9660 W more export (14 A). High takes what it can use first: 8 + 14 = 22 A,
    capped at 16 A (+5520 W). Low gets the remaining 4140 W: 6 + 6 = 12 A. Both in the entry of the step."""
    text = (
        header("minpv", 16, 6, 6)
        # start-up: high still draws 6 A and is told 8 A; low sees high's extra 1380 W and is told 6 A
        + entry(0, -5520, 6, 6)
        + entry(30, 0, 8, 6)
        + entry(60, -9660, 8, 6)
        + entry(90, 0, 16, 12)
    )
    lines = await replayed(text, tmp_path)
    assert per_entry(lines) == [
        ([{"maxCurrent": 8}], [{"maxCurrent": 6}]),
        ([], []),
        ([{"maxCurrent": 16}], [{"maxCurrent": 12}]),
        ([], []),
    ]
    assert values(lines, "offeredCurrent", 0)[2:] == [16, 16]
    assert values(lines, "offeredCurrent", 1)[2:] == [12, 12]
