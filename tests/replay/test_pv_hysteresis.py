"""core.md §8 scenarios 1–9 through `surplus replay`: what the charger is told, second by second.

A vehicle connecting elapses the PV timer (evcc lets a connect act at once), so each timeline starts with
the connect: at site power 0 for a disabled charger, which leaves it off and the timer reset, and at the
scenario's site power for an enabled one. The scenario proper runs from t = 10 s. V = 100 V, three phases,
delays 60 s, status B (the vehicle is not drawing; the unit tests in tests/core/test_pv.py cover C).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.replaying import commands, replayed

HEADER = """\
start: 2026-06-01T12:00:00+02:00
site: {{voltage: 100, meters: [grid]}}
loadpoints:
  - title: Garage
    mode: pv
    enable: {{threshold: {enable}, delay: 60}}
    disable: {{threshold: {disable}, delay: 60}}
    charger: {{phases: 3, coarse: true, enabled: {enabled}, current: {current}}}
timeline:
  - at: 0
    grid: {first}
    loadpoints: [{{status: B, chargePower: 0}}]
"""


def timeline(site_power: float, times: list[float]) -> str:
    return "".join(f"  - at: {t}\n    grid: {site_power}\n" for t in times)


@pytest.mark.parametrize(
    ("scenario", "enabled", "enable", "disable", "site", "expected"),
    [
        (1, False, 0, 0, 0, [[], [], [], [], []]),
        (2, False, 0, 0, -1800, [[], [], [], [], [{"maxCurrent": 6}, {"enable": True}]]),
        (3, False, 0, 0, -400, [[], [], [], [], []]),
        (4, False, -500, 0, -400, [[], [], [], [], []]),
        (5, False, -2100, 0, -1800, [[], [], [], [], []]),
        (7, True, 500, 0, -4800, [[{"maxCurrent": 16}], [], [], [], []]),
        # at start-up an enabled charger is told the current it is assumed to offer, as evcc does
        (8, True, 0, 0, -1800, [[{"maxCurrent": 6}], [], [], [], []]),
        (9, True, 0, 500, -500, [[{"maxCurrent": 6}], [], [], [], []]),
    ],
)
async def test_pv_hysteresis_as_a_replay(
    tmp_path: Path, scenario: int, enabled: bool, enable: float, disable: float, site: float, expected: list
) -> None:
    text = HEADER.format(
        enable=enable,
        disable=disable,
        enabled=str(enabled).lower(),
        current=6 if enabled else 0,
        first=site if enabled else 0,
    )
    text += timeline(site, [10, 10.001, 69.999, 70.001])
    lines = await replayed(text, tmp_path)
    assert commands(lines) == expected, f"scenario {scenario}"
    offered = lines[-1]["state"]["loadpoints"][0]["offeredCurrent"]
    assert offered == {1: 0, 2: 6, 3: 0, 4: 0, 5: 0, 7: 16, 8: 6, 9: 6}[scenario]


async def test_disable_after_the_delay_and_enable_again_after_the_other(tmp_path: Path) -> None:
    text = HEADER.format(enable=0, disable=0, enabled="true", current=6, first=-2000)
    text += timeline(300, [10, 69, 70, 71]) + timeline(-2000, [100, 159, 160])
    lines = await replayed(text, tmp_path)
    assert commands(lines)[1:] == [[], [], [{"enable": False}], [], [], [], [{"maxCurrent": 6}, {"enable": True}]]
    pv_action = [line["state"]["loadpoints"][0]["pvAction"] for line in lines]
    assert pv_action == ["inactive", "disable", "disable", "inactive", "inactive", "enable", "enable", "inactive"]
