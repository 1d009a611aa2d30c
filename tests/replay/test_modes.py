"""core.md §8 scenarios 17–19 and 24 through `surplus replay`: what the charger is told at start-up and on disconnect.

Scenarios 17–19 (evcc's TestUpdatePowerZero): V = 230 V, one phase, the charger reports itself enabled and offering
6 A at start-up, delays 0, site power 0. The first entry is the start-up cycle, so the status seen there is new
(§3.2: startup → A fires disconnect, → B/C fires connect). Surplus adopts the charger's enabled state (§3.13) and
sends only what the decision requires: the spec's scenario starts with offered = 6, so "now" sends MaxCurrent(16)
alone, "off" and "disconnected" only Enable(false) — no evcc-style MaxCurrent(min) start-up command first.

A replay loadpoint's `mode:` is its configured default mode (§3.1 DefaultMode).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.replaying import commands, replayed, values

HEADER = """\
start: 2026-06-01T12:00:00+02:00
site: {{voltage: 230, meters: [grid]}}
loadpoints:
  - title: Garage
    mode: {mode}
    phases: 1
    enable: {{threshold: 0, delay: 0}}
    disable: {{threshold: 0, delay: 0}}
    charger: {{phases: 1, coarse: true, enabled: true, current: 6}}
timeline:
"""


def startup(mode: str, status: str) -> str:
    entry = f"  - at: 0\n    grid: 0\n    loadpoints: [{{status: {status}, chargePower: 0}}]\n"
    return HEADER.format(mode=mode) + entry


@pytest.mark.parametrize("mode", ["off", "now", "minpv", "pv"])
async def test_scenario_17_disconnected_at_startup_disables_in_any_mode(tmp_path: Path, mode: str) -> None:
    lines = await replayed(startup(mode, "A"), tmp_path)
    assert commands(lines) == [[{"enable": False}]]
    assert values(lines, "enabled") == [False]
    assert values(lines, "connected") == [False]
    assert values(lines, "mode") == [mode]


@pytest.mark.parametrize("status", ["B", "C"])
async def test_scenario_18_connected_and_off_disables(tmp_path: Path, status: str) -> None:
    lines = await replayed(startup("off", status), tmp_path)
    assert commands(lines) == [[{"enable": False}]]
    assert values(lines, "enabled") == [False]
    assert values(lines, "connected") == [True]


@pytest.mark.parametrize("status", ["B", "C"])
async def test_scenario_19_connected_and_now_offers_max_current(tmp_path: Path, status: str) -> None:
    lines = await replayed(startup("now", status), tmp_path)
    assert commands(lines) == [[{"maxCurrent": 16}]]
    assert values(lines, "enabled") == [True]
    assert values(lines, "offeredCurrent") == [16]


@pytest.mark.parametrize("status", ["B", "C"])
async def test_scenario_19_a_steady_state_sends_nothing_more(tmp_path: Path, status: str) -> None:
    text = startup("now", status) + "  - at: 30\n  - at: 60\n"
    lines = await replayed(text, tmp_path)
    assert commands(lines) == [[{"maxCurrent": 16}], [], []]


async def test_scenario_24_disconnect_disables_and_restores_the_default_mode(tmp_path: Path) -> None:
    text = HEADER.format(mode="off") + (
        "  - at: 0\n"
        "    grid: 0\n"
        "    loadpoints: [{status: C, chargePower: 1380}]\n"
        "    api: [[POST, /api/loadpoints/1/mode/now]]\n"
        "  - at: 30\n"
        "    loadpoints: [{status: A, chargePower: 0}]\n"
        "  - at: 60\n"
    )
    lines = await replayed(text, tmp_path)
    assert [(r["status"], r["body"]) for r in lines[0]["responses"]] == [(200, "now")]
    assert commands(lines) == [[{"maxCurrent": 16}], [{"enable": False}], []]
    assert values(lines, "mode") == ["now", "off", "off"]
    assert values(lines, "enabled") == [True, False, False]
