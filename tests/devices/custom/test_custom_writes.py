"""``type: custom`` devices that read and write over real HTTP: a wallbox, two batteries and a vehicle API.

The fakes are the fixture HTTP server with stateful routes: what a device writes changes what it reads next.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from surplus.clock import VirtualClock
from surplus.core.types import BatteryMode, ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import Asleep, DeviceError
from tests.devices.building import build
from tests.tariffs.fixture_server import Reply, Request, serving

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)
RANGES = {"alw": range(2), "amp": range(6, 33), "psm": (1, 3)}


@dataclass
class Wallbox:
    """A charger with a JSON status and a ``/api/set?key=value`` command endpoint."""

    car: str = "C"
    alw: int = 1
    amp: int = 16
    psm: int = 3

    def status(self, request: Request) -> Reply:
        power = self.amp * 230 * self.psm if self.alw and self.car == "C" else 0
        return Reply(json.dumps({"car": self.car, "alw": self.alw, "amp": self.amp, "psm": self.psm, "power": power}))

    def set(self, request: Request) -> Reply:
        for key, value in parse_qsl(urlsplit(request.path).query):
            if key not in RANGES or int(value) not in RANGES[key]:
                return Reply(json.dumps({"error": f"{key}={value} refused"}), status=400)
            setattr(self, key, int(value))
        return Reply("{}")


WALLBOX = """
chargers:
  - name: wallbox
    type: custom
    status: {{source: http, uri: "{url}/api/status", jq: .car, cache: 1s}}
    enabled: {{source: http, uri: "{url}/api/status", jq: .alw, cache: 1s}}
    enable: {{source: http, uri: "{url}/api/set?alw=${{enable:%d}}"}}
    maxcurrent: {{source: http, uri: "{url}/api/set?amp=${{maxcurrent}}"}}
    phases1p3p: {{source: http, uri: "{url}/api/set?psm=${{phases}}"}}
    tos: true
    power: {{source: http, uri: "{url}/api/status", jq: .power, cache: 1s}}
"""


async def test_a_wallbox_over_http() -> None:
    box = Wallbox()
    clock = VirtualClock(NOW)
    with serving({"/api/status": box.status, "/api/set": box.set}) as server:
        charger = build(WALLBOX.format(url=server.url), "chargers", clock=clock)
        assert isinstance(charger, p.Charger) and isinstance(charger, p.PhaseSwitcher)
        assert isinstance(charger, p.Meter)
        assert (await charger.status(), await charger.enabled(), await charger.current_power()) == (
            ChargeStatus.C,
            True,
            16 * 230 * 3,
        )
        assert len(server.requests) == 1  # three values, one cached answer
        await charger.max_current(10)
        await charger.phases_1p3p(1)
        await charger.enable(False)
        assert (box.amp, box.psm, box.alw) == (10, 1, 0)
        assert [r.path for r in server.requests[1:]] == ["/api/set?amp=10", "/api/set?psm=1", "/api/set?alw=0"]
        clock.advance(1)
        assert (await charger.enabled(), await charger.current_power()) == (False, 0)
        await charger.enable(True)
        clock.advance(1)
        assert await charger.current_power() == 10 * 230


async def test_a_wallbox_error_answer_is_a_device_error() -> None:
    box = Wallbox()
    with serving({"/api/set": box.set}) as server:
        charger = build(WALLBOX.format(url=server.url), "chargers")
        with pytest.raises(DeviceError, match=r"^127\.0\.0\.1 answered HTTP 404 Not Found$"):
            await charger.status()
        with pytest.raises(DeviceError, match=r"^127\.0\.0\.1 answered HTTP 400 Bad Request$"):
            await charger.max_current(40)
        assert box.amp == 16


@dataclass
class Inverter:
    """A hybrid inverter's battery: readings, a mode command (POST JSON) and a charge limit."""

    mode: str = "auto"
    limit: int = 10
    soc: float = 64.0
    commands: list[str] = field(default_factory=list)

    def battery(self, request: Request) -> Reply:
        return Reply(json.dumps({"power": -1500, "soc": self.soc}))

    def control(self, request: Request) -> Reply:
        command = json.loads(request.body)
        self.commands.append(request.body.decode())
        if "mode" in command:
            self.mode = command["mode"]
        if "limit" in command:
            self.limit = command["limit"]
        return Reply("{}")


def battery(url: str, control: str, clock: VirtualClock | None = None) -> Any:
    """A battery meter reading the inverter at ``url``, controlled as the ``control`` keys say."""
    meter = f"""
meters:
  - name: battery
    type: custom
    power: {{source: http, uri: "{url}/battery", jq: .power}}
    soc: {{source: http, uri: "{url}/battery", jq: .soc}}
"""
    return build(meter + control.lstrip("\n"), clock=clock)


async def test_battery_mode_through_a_switch_of_http_commands() -> None:
    inverter = Inverter()
    with serving({"/battery": inverter.battery, "/control": inverter.control}) as server:
        url = server.url
        meter = battery(
            url,
            f"""
    capacity: 10
    batterymode:
      source: switch
      switch:
        - case: 1
          set: {{source: http, uri: "{url}/control", body: '{{"mode": "auto"}}'}}
        - case: 2
          set: {{source: http, uri: "{url}/control", body: '{{"mode": "hold"}}'}}
      default: {{source: http, uri: "{url}/control", body: '{{"mode": "charge", "code": ${{batterymode}}}}'}}
""",
        )
        assert isinstance(meter, p.BatteryController) and isinstance(meter, p.Battery)
        assert (await meter.current_power(), await meter.soc()) == (-1500, 64)
        await meter.set_battery_mode(BatteryMode.HOLD)
        assert inverter.mode == "hold"
        await meter.set_battery_mode(BatteryMode.CHARGE)
        assert inverter.commands[-1] == '{"mode": "charge", "code": 3}'
        await meter.set_battery_mode(BatteryMode.NORMAL)
        assert inverter.mode == "auto"


async def until(condition: Callable[[], bool]) -> None:
    """Let the background writes run until ``condition`` holds (they wait for the fake server's answers)."""
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition did not come true within 2 s")


async def test_a_charge_limit_kept_in_force_by_a_watchdog() -> None:
    inverter = Inverter()
    clock = VirtualClock(NOW)
    with serving({"/battery": inverter.battery, "/control": inverter.control}) as server:
        meter = battery(
            server.url,
            f"""
    minsoc: 10
    maxsoc: 90
    limitsoc:
      source: watchdog
      timeout: 60s
      reset: [10]
      set: {{source: http, uri: "{server.url}/control", body: '{{"limit": ${{limitsoc}}}}'}}
""",
            clock=clock,
        )
        await meter.set_battery_mode(BatteryMode.HOLD)
        assert inverter.commands == ['{"limit": 64}']
        for _ in range(2):
            await until(lambda: clock.sleepers == 1)  # the watchdog waits for the next round
            clock.advance(30)
        await until(lambda: clock.sleepers == 1)
        assert inverter.commands == ['{"limit": 64}'] * 3
        inverter.limit = 10  # the inverter fell back; the watchdog puts the hold limit back
        await until(lambda: clock.sleepers == 1)
        clock.advance(30)
        await until(lambda: inverter.limit == 64)
        await meter.set_battery_mode(BatteryMode.CHARGE)
        assert inverter.limit == 90
        await meter.set_battery_mode(BatteryMode.NORMAL)
        assert inverter.limit == 10
        assert clock.sleepers == 0  # a reset value is not kept: nothing waits to write it again


async def test_closing_the_device_stops_its_watchdog() -> None:
    inverter = Inverter()
    clock = VirtualClock(NOW)
    with serving({"/battery": inverter.battery, "/control": inverter.control}) as server:
        control = f"""
    limitsoc:
      source: watchdog
      timeout: 60s
      set: {{source: http, uri: "{server.url}/control", body: '{{"limit": ${{limitsoc}}}}'}}
"""
        meter = battery(server.url, control, clock=clock)
        await meter.set_battery_mode(BatteryMode.HOLD)
        await until(lambda: clock.sleepers == 1)
        assert isinstance(meter, p.Closable)  # the application closes it at shutdown
        await meter.close()
        assert clock.sleepers == 0
    plain = build("meters:\n  - {name: m, type: custom, power: {source: const, value: 1}}")
    assert not isinstance(plain, p.Closable)  # nothing to close


async def test_a_vehicle_api() -> None:
    car = {"soc": 71.5, "range_km": 312, "charging": "B", "limit": 80}
    with serving({"/car": lambda request: Reply(json.dumps(car))}) as server:
        vehicle = build(
            f"""
vehicles:
  - name: ev
    type: custom
    title: My EV
    capacity: 77
    soc: {{source: http, uri: "{server.url}/car", jq: .soc, cache: 30s}}
    range: {{source: http, uri: "{server.url}/car", jq: .range_km, cache: 30s}}
    status: {{source: http, uri: "{server.url}/car", jq: .charging, cache: 30s}}
    limitsoc: {{source: http, uri: "{server.url}/car", jq: .limit, cache: 30s}}
""",
            "vehicles",
        )
        assert isinstance(vehicle, p.Vehicle) and isinstance(vehicle, p.VehicleRange)
        assert (vehicle.title(), vehicle.capacity()) == ("My EV", 77)
        values = (await vehicle.soc(), await vehicle.range(), await vehicle.status(), await vehicle.limit_soc())
        assert values == (71.5, 312, ChargeStatus.B, 80)
        assert len(server.requests) == 1
        car["soc"] = "ErrAsleep"
        fresh = build(
            f'vehicles:\n  - {{name: ev, type: custom, soc: {{source: http, uri: "{server.url}/car", jq: .soc}}}}',
            "vehicles",
        )
        with pytest.raises(Asleep):
            await fresh.soc()
