"""A plan on an hourly price curve: the engine charges in the cheapest slots only, and what it pays equals the
optimum a brute-force search over the slots finds.

The vehicle follows its charger: whenever the charger is enabled it draws the offered current on three phases,
and the charger's session counter integrates that. Each timeline entry is built from the previous output.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

from surplus.replay import replaying
from surplus.replay_file import Entry, LoadpointInput, load_replay

STEP = 60  # s between control cycles
PRICES = [0.31, 0.29, 0.24, 0.18, 0.12, 0.09, 0.15, 0.11, 0.22, 0.27, 0.33]  # 20:00 … 07:00, hourly
ENERGY = 30.0  # kWh by 07:00
POWER = 16 * 3 * 230.0

FILE = f"""\
start: 2026-06-01T20:00:00+00:00
site: {{meters: [grid]}}
tariffs:
  grid: [{", ".join(f"{{start: {h * 3600}, end: {(h + 1) * 3600}, value: {p}}}" for h, p in enumerate(PRICES))}]
loadpoints:
  - title: Garage
    mode: pv
    charger: {{phases: 3, coarse: true}}
timeline:
  - at: 0
    grid: 500
    loadpoints: [{{status: B, chargePower: 0, chargedEnergy: 0}}]
    api: [[POST, /api/loadpoints/1/plan/energy/{ENERGY:g}/2026-06-02T07:00:00Z]]
"""


def optimum(energy: float = ENERGY) -> float:
    """Brute force: every choice of full hours, plus one hour charged for the remainder."""
    hour_energy = POWER / 1000
    full = int(energy // hour_energy)
    rest = energy - full * hour_energy
    best = float("inf")
    for hours in itertools.combinations(range(len(PRICES)), full):
        cost = sum(PRICES[h] for h in hours) * hour_energy
        others = [PRICES[h] for h in range(len(PRICES)) if h not in hours]
        best = min(best, cost + min(others) * rest)
    return best


async def test_a_plan_charges_in_the_cheapest_hours_at_the_optimal_cost(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(FILE)
    replay, _ = load_replay(path)
    async with replaying(replay) as run:
        line = await run.step(replay.timeline[0])
        assert line["responses"][0]["status"] == 200, line["responses"]
        plan = (await run._client.get("/api/loadpoints/1/plan")).json()
        assert plan["planId"] == 1
        assert {slot["value"] for slot in plan["plan"]} == {0.09, 0.11, 0.12}
        charged, cost, enabled, offered, elsewhere = 0.0, 0.0, False, 0.0, 0.0
        cheapest = {4, 5, 7}  # 00:00, 01:00 and 03:00
        for at in range(STEP, 11 * 3600, STEP):
            for command in line["charger"][0]:
                enabled = command.get("enable", enabled)
                offered = command.get("maxCurrent", offered)
            drawing = enabled and offered >= 6
            power = offered * 3 * 230 if drawing else 0.0
            energy = power * STEP / 3_600_000
            hour = (at - STEP) // 3600
            if drawing:
                elsewhere += energy if hour not in cheapest else 0.0
                charged += energy
                cost += energy * PRICES[hour]
            status = "C" if drawing else "B"
            reading = LoadpointInput(status=status, charge_power=power, charged_energy=charged)
            line = await run.step(Entry(at=at, grid=500 + power, loadpoints=[reading]))
        cycle_energy = POWER * STEP / 3_600_000
        # control works in whole cycles: a cycle late at the start is made up by one cycle after the last slot
        assert elsewhere <= cycle_energy
        assert abs(charged - ENERGY) < cycle_energy
        # what was charged cost what the cheapest possible charging of that energy costs, up to one control
        # cycle spent outside the cheapest hours
        assert optimum(charged) <= cost <= optimum(charged) + cycle_energy * (max(PRICES) - min(PRICES))
        assert line["state"]["loadpoints"][0]["planEnergy"] == 0  # reached: the plan is done
        assert not line["state"]["loadpoints"][0]["enabled"]


def test_the_brute_force_optimum_is_the_three_cheapest_hours() -> None:
    hour_energy = POWER / 1000
    expected = (0.09 + 0.11) * hour_energy + 0.12 * (ENERGY - 2 * hour_energy)
    assert abs(optimum() - expected) < 1e-9
    assert timedelta(hours=ENERGY / hour_energy) < timedelta(hours=3)
