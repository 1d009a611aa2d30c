"""How fast `surplus replay` runs a whole day: 24 h at 30 s steps (2880 entries), two loadpoints, against 2 s.

The day is generated in memory: a June PV curve with passing clouds, a household load with its daily peaks and
appliances, and vehicles plugging in and out — one on a switchable 1p/3p wallbox (6–16 A), one on a fixed 22 kW
wallbox (6–32 A), plus a few API calls (a session limit, mode now for the evening and back). The scripted chargers'
power follows a simple model of what the controller would do (PV surplus, enable/disable delays, 1p/3p), so the real
control paths run. The file then goes through `surplus.replay.replay` — the whole application on a virtual clock,
HTTP calls through the real API — into an in-memory buffer. Prints the run time, entries per second, the output size
and the ratio to the 2 s target.

    .venv/bin/python bench/replay_day.py
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from surplus.clock import VirtualClock
from surplus.devices.registry import registry
from surplus.logs import configure
from surplus.replay import replay
from surplus.replay_file import ReplayFile

STEP = 30  # s
ENTRIES = 24 * 3600 // STEP
TARGET = 2.0  # s for the whole day
VOLTAGE = 230.0
START = datetime(2026, 6, 21, tzinfo=timezone(timedelta(hours=2)))
ENABLE_DELAY, DISABLE_DELAY = 60, 180


def hours(text: str) -> int:
    """Seconds since midnight of a time of day like 07:40."""
    hour, minute = text.split(":")
    return int(hour) * 3600 + int(minute) * 60


# --- the day's weather and household ----------------------------------------------------------------------------


def clouds(rng: random.Random) -> list[float]:
    """A PV factor per 10 minutes: clear mostly, clouds drifting through in the afternoon."""
    factors = []
    factor = 1.0
    for block in range(24 * 6):
        cloudy = 0.35 if 13 <= block / 6 < 17 else 0.12
        wanted = rng.uniform(0.3, 0.75) if rng.random() < cloudy else rng.uniform(0.92, 1.0)
        factor += (wanted - factor) * 0.6
        factors.append(factor)
    return factors


def pv_power(second: int, factors: list[float]) -> float:
    """9.5 kWp facing south, sunrise 05:15, sunset 21:45."""
    hour = second / 3600
    if not 5.25 < hour < 21.75:
        return 0.0
    bell = float(math.sin(math.pi * (hour - 5.25) / 16.5) ** 1.6)
    return 8600 * bell * factors[second // 600]


def home_power(second: int, rng: random.Random) -> float:
    """Base load, a fridge cycling, meals, the washing machine and the dishwasher, and some noise."""
    hour = second / 3600
    power = 230.0 + (110.0 if (second // 60) % 40 < 12 else 0.0)
    if 6.5 <= hour < 7.75:
        power += 1400 if (second // 60) % 15 < 5 else 350  # kettle, coffee, toast
    if 12.0 <= hour < 12.75:
        power += 1800  # cooking
    if 10.0 <= hour < 11.5:
        power += 2100 if 10.1 <= hour < 10.4 else 250  # washing machine: heating, then washing
    if 18.5 <= hour < 20.0:
        power += 2200 if hour < 19.0 else 600  # cooking, then the dishwasher rinsing
    if 20.0 <= hour < 23.0:
        power += 350  # television, lights
    return power + rng.uniform(-40, 40)


# --- the vehicles and what the chargers draw -----------------------------------------------------------------------


@dataclass
class Visit:
    arrive: int
    leave: int
    soc: float  # on arrival


@dataclass
class Wallbox:
    """What the scripted charger reports: a rough copy of the controller's PV logic, so the script and the real
    controller mostly agree on when the vehicle charges."""

    switchable: bool
    max_current: float
    capacity: float  # kWh
    limit: float  # soc at which the vehicle stops taking energy
    visits: list[Visit]
    mode: str = "pv"
    soc: float = 0.0
    phases: int = 3
    current: float = 0.0
    charging: bool = False
    waiting_since: int | None = None

    def connected(self, second: int) -> bool:
        return any(v.arrive <= second < v.leave for v in self.visits)

    def arrive(self, second: int) -> None:
        for visit in self.visits:
            if visit.arrive == second:
                self.soc = visit.soc
                self.charging = False
                self.waiting_since = None

    def power(self) -> float:
        return self.current * self.phases * VOLTAGE if self.charging else 0.0

    def step(self, second: int, available: float) -> None:
        """``available``: what the site would export if this wallbox drew nothing (W)."""
        self.arrive(second)
        if not self.connected(second) or self.soc >= self.limit:
            self.charging, self.current, self.waiting_since = False, 0.0, None
            return
        if self.mode == "now":
            self.charging, self.phases, self.current = True, 3, self.max_current
        else:
            self._pv(second, available)
        self.soc = min(100.0, self.soc + self.power() * STEP / 3600 / 1000 * 0.9 / self.capacity * 100)

    def _pv(self, second: int, available: float) -> None:
        three, one = available / (3 * VOLTAGE), available / VOLTAGE
        if three >= 6 or not self.switchable:
            wanted_phases, wanted = 3, min(three, self.max_current)
        else:
            wanted_phases, wanted = 1, min(one, self.max_current)
        enough = wanted >= 6
        if enough == self.charging:
            self.waiting_since = None
        elif self.waiting_since is None:
            self.waiting_since = second
        delay = ENABLE_DELAY if enough else DISABLE_DELAY
        if self.waiting_since is not None and second - self.waiting_since >= delay:
            self.charging, self.waiting_since = enough, None
        if self.charging:
            self.phases = wanted_phases
            self.current = float(max(6, math.floor(wanted)))
        else:
            self.current = 0.0

    def reading(self, second: int) -> dict[str, Any]:
        if not self.connected(second):
            return {"status": "A", "charge_power": 0.0, "currents": [0.0, 0.0, 0.0]}
        current = self.current if self.charging else 0.0
        currents = [current, current if self.phases == 3 else 0.0, current if self.phases == 3 else 0.0]
        return {
            "status": "C" if self.charging else "B",
            "charge_power": round(self.power(), 1),
            "currents": currents,
            "vehicle_soc": round(self.soc, 1),
        }


# --- the replay file ------------------------------------------------------------------------------------------------

API_CALLS = {
    hours("12:15"): [["POST", "/api/loadpoints/1/limitsoc/80"]],
    hours("19:05"): [["POST", "/api/loadpoints/2/mode/now"]],
    hours("21:30"): [["POST", "/api/loadpoints/2/mode/pv"], ["GET", "/api/loadpoints/2/plan"]],
}


def day(seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    factors = clouds(rng)
    garage = Wallbox(
        switchable=True,
        max_current=16,
        capacity=52,
        limit=90,
        visits=[
            Visit(0, hours("07:40"), 88),
            Visit(hours("12:10"), hours("14:50"), 41),
            Visit(hours("17:45"), 24 * 3600, 33),
        ],
    )
    carport = Wallbox(
        switchable=False,
        max_current=32,
        capacity=75,
        limit=80,
        visits=[Visit(hours("09:15"), hours("16:30"), 38), Visit(hours("19:00"), hours("23:30"), 52)],
    )
    timeline = []
    for index in range(ENTRIES):
        second = index * STEP
        carport.mode = "now" if hours("19:05") <= second < hours("21:30") else "pv"
        pv, home = pv_power(second, factors), home_power(second, rng)
        garage.step(second, pv - home - carport.power())
        carport.step(second, pv - home - garage.power())
        entry: dict[str, Any] = {
            "at": second,
            "grid": round(home + garage.power() + carport.power() - pv, 1),
            "pv": round(pv, 1),
            "loadpoints": [garage.reading(second), carport.reading(second)],
        }
        if second in API_CALLS:
            entry["api"] = API_CALLS[second]
        timeline.append(entry)
    return {
        "start": START,
        "site": {"voltage": VOLTAGE, "meters": ["grid", "pv"]},
        "loadpoints": [
            {
                "title": "Garage",
                "mode": "pv",
                "phases": 0,
                "max_current": 16,
                "enable": {"delay": ENABLE_DELAY},
                "disable": {"delay": DISABLE_DELAY},
                "charger": {"phases1p3p": True, "phases": 3},
                "vehicle": {"title": "Zoe", "capacity": 52},
            },
            {
                "title": "Carport",
                "mode": "pv",
                "phases": 3,
                "max_current": 32,
                "enable": {"delay": ENABLE_DELAY},
                "disable": {"delay": DISABLE_DELAY},
                "charger": {"phases": 3},
                "vehicle": {"title": "Model Y", "capacity": 75},
            },
        ],
        "timeline": timeline,
    }


def main() -> None:
    started = time.perf_counter()
    replay_file = ReplayFile.model_validate(day())
    generated = time.perf_counter() - started
    logs = io.StringIO()  # as `surplus replay` logs (warnings and up), but counted rather than printed
    configure(VirtualClock(replay_file.start), logging.WARNING, stream=logs)
    out = io.StringIO()
    started = time.perf_counter()
    registry.types("meter")  # the one-time import of every device driver, as any surplus process starts
    imported = time.perf_counter() - started
    started = time.perf_counter()
    asyncio.run(replay(replay_file, out))
    elapsed = time.perf_counter() - started
    output = out.getvalue()
    lines = output.count("\n")
    assert lines == ENTRIES, f"{lines} output lines for {ENTRIES} entries"
    size = len(output.encode())
    ratio = TARGET / elapsed
    verdict = f"{ratio:.1f}x faster than needed" if ratio >= 1 else f"{1 / ratio:.1f}x too slow"
    rate = ENTRIES / elapsed
    print(f"replay of one day: {ENTRIES} entries every {STEP} s, 2 loadpoints (switchable 1p/3p, fixed 22 kW)")
    print(f"  file generated in {generated:.2f} s, device drivers imported in {imported:.2f} s (not counted)")
    print(f"  {elapsed:.2f} s for {ENTRIES} entries ({rate:.0f} entries/s); target {TARGET:g} s: {verdict}")
    print(f"  output {size / 1e6:.1f} MB, {lines} lines ({size / lines / 1e3:.1f} kB each); {logged(logs)} log lines")


def logged(logs: io.StringIO) -> int:
    return logs.getvalue().count("\n")


if __name__ == "__main__":
    main()
