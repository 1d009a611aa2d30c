"""Session energy across charge segments through `surplus replay` (core.md §3.15): a session charged in two
segments (C → B → C → A) never loses energy, whatever the status between the segments.

The charger reports its own session counter (`chargedEnergy`, kWh), so it is the loadpoint's energy source.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.replay.replaying import commands, replayed, values

REPLAY = """\
start: 2026-06-01T12:00:00+02:00
site: {voltage: 230, meters: [grid]}
loadpoints:
  - title: Garage
    mode: now
    phases: 1
    charger: {phases: 1, coarse: true, enabled: false, current: 0}
timeline:
  - at: 0
    grid: 0
    loadpoints: [{status: A, chargePower: 0, chargedEnergy: 0}]
  - at: 30
    loadpoints: [{status: B}]
  - at: 60
    loadpoints: [{status: C, chargePower: 3680}]
  - at: 90
    loadpoints: [{chargedEnergy: 0.5}]
  - at: 120
    loadpoints: [{status: B, chargePower: 0, chargedEnergy: 1.2}]
  - at: 150
  - at: 180
    loadpoints: [{status: C, chargePower: 3680}]
  - at: 210
    loadpoints: [{chargedEnergy: 2.0}]
  - at: 240
    loadpoints: [{status: A, chargePower: 0, chargedEnergy: 2.5}]
  - at: 270
"""


async def test_energy_is_never_lost_across_segments(tmp_path: Path) -> None:
    lines = await replayed(REPLAY, tmp_path)
    assert values(lines, "charging") == [False, False, True, True, False, False, True, True, False, False]
    assert commands(lines)[1] == [{"maxCurrent": 16}, {"enable": True}]
    energy = values(lines, "sessionEnergy")
    assert all(later >= earlier for earlier, later in itertools.pairwise(energy)), energy
    assert energy == [0, 0, 0, 500, 1200, 1200, 1200, 2000, 2500, 2500]
    assert values(lines, "chargedEnergy") == energy


INTEGRATED = """\
start: 2026-06-01T12:00:00+02:00
site: {voltage: 230, meters: [grid]}
loadpoints:
  - title: Garage
    mode: now
    phases: 1
    charger: {phases: 1, coarse: true, enabled: false, current: 0}
timeline:
  - at: 0
    grid: 0
    loadpoints: [{status: B, chargePower: 0}]
  - at: 60
    loadpoints: [{status: C, chargePower: 3600}]
  - at: 90
  - at: 120
  - at: 150
    loadpoints: [{status: B, chargePower: 0}]
  - at: 180
    loadpoints: [{status: C, chargePower: 3600}]
  - at: 210
  - at: 240
  - at: 270
    loadpoints: [{status: A, chargePower: 0}]
  - at: 300
"""


async def test_energy_from_charge_power_adds_up_across_segments(tmp_path: Path) -> None:
    """Without a counter the power is integrated while charging (3600 W for 30 s = 30 Wh); the second segment
    continues from the first one's total."""
    lines = await replayed(INTEGRATED, tmp_path)
    energy = values(lines, "sessionEnergy")
    assert all(later >= earlier for earlier, later in itertools.pairwise(energy)), energy
    assert energy == pytest.approx([0, 0, 30, 60, 60, 60, 90, 120, 120, 120])
