"""The control loop against devices that fail, hang or answer garbage: the cycle goes on, nothing is touched
that should not be, and the state says what is wrong."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from surplus.clock import VirtualClock
from surplus.core.settings import SiteSettings
from surplus.core.site import Site
from surplus.core.types import ChargeMode, ChargeStatus
from surplus.devices.errors import DeviceError
from surplus.runtime.controller import Controller, SiteDevices
from surplus.runtime.reading import ChargerHandle, MeterHandle
from surplus.state import State
from surplus.store.database import Database
from surplus.store.settings import SettingsStore
from tests.core.builders import T0, loadpoint


class Meter:
    def __init__(self, power: float | str) -> None:
        self.power = power
        self.fail: str | None = None
        self.delay = 0.0

    async def current_power(self) -> float:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise DeviceError(self.fail)
        return self.power  # type: ignore[return-value]


class Charger:
    """A wallbox that remembers what it was told and can be made to refuse."""

    def __init__(self, status: ChargeStatus = ChargeStatus.B, enabled: bool = False) -> None:
        self._status = status
        self._enabled = enabled
        self.current = 0
        self.received: list[str] = []
        self.refuse = False
        self.read_delay = 0.0

    async def status(self) -> ChargeStatus:
        if self.read_delay:
            await asyncio.sleep(self.read_delay)
        return self._status

    async def enabled(self) -> bool:
        return self._enabled

    async def enable(self, enable: bool) -> None:
        if self.refuse:
            raise DeviceError("connection refused")
        self._enabled = enable
        self.received.append(f"enable {enable}")

    async def max_current(self, current: int) -> None:
        if self.refuse:
            raise DeviceError("connection refused")
        self.current = current
        self.received.append(f"current {current}")


def controller(grid: Meter, charger: Charger, mode: ChargeMode = ChargeMode.NOW, **extra: object) -> Controller:
    clock = VirtualClock(T0)
    state = State(loadpoints=1)
    site = Site(SiteSettings(), [loadpoint(mode=mode)])
    return Controller(
        clock,
        state,
        site,
        SiteDevices(grid=MeterHandle("grid", grid)),  # type: ignore[arg-type]
        [ChargerHandle("wallbox", charger)],  # type: ignore[arg-type]
        {},
        {},
        timedelta(seconds=30),
        call_timeout=0.05,
        **extra,  # type: ignore[arg-type]
    )


async def test_a_grid_meter_failure_skips_control_without_touching_the_charger() -> None:
    grid = Meter(-3000)
    charger = Charger()
    control = controller(grid, charger)
    grid.fail = "modbus: no response"
    result = await control.cycle()
    assert result.skipped == "grid meter failed: DeviceError: modbus: no response"
    assert charger.received == []
    assert control.last_cycle is None  # the health check sees no completed cycle
    errors = control._state.get("deviceErrors")
    assert errors == [{"class": "meter", "device": "grid", "error": "DeviceError: modbus: no response"}]

    grid.fail = None
    await control.cycle()
    assert charger.received == ["current 16", "enable True"]
    assert control._state.get("deviceErrors") == []


async def test_garbage_from_a_meter_counts_as_a_failure() -> None:
    control = controller(Meter("n/a"), Charger())
    result = await control.cycle()
    assert result.skipped == "grid meter failed: power answered 'n/a', not a number"


async def test_a_hanging_device_cannot_stall_the_cycle() -> None:
    grid = Meter(0)
    grid.delay = 3600
    charger = Charger()
    charger.read_delay = 3600
    control = controller(grid, charger)
    result = await asyncio.wait_for(control.cycle(), timeout=2)
    assert result.skipped == "grid meter failed: no answer within 0.05s"
    grid.delay = 0
    await asyncio.wait_for(control.cycle(), timeout=2)
    assert charger.received == []  # status unknown: the loadpoint is not controlled
    errors = control._state.get("deviceErrors")
    retry = "2026-06-01T12:00:15Z"  # two failures in a row: left alone for 15 s
    assert errors == [{"class": "charger", "device": "wallbox", "error": "no answer within 0.05s", "retry": retry}]


async def test_a_refused_command_is_shown_and_sent_again_next_cycle() -> None:
    charger = Charger()
    charger.refuse = True
    control = controller(Meter(0), charger)
    await control.cycle()
    errors = control._state.get("deviceErrors")
    assert errors == [
        {"class": "charger", "device": "wallbox", "error": "{'maxCurrent': 16}: DeviceError: connection refused"}
    ]
    charger.refuse = False
    await control.cycle()
    assert charger.received == ["current 16", "enable True"]
    assert control._state.get("deviceErrors") == []
    await control.cycle()
    assert charger.received == ["current 16", "enable True"]  # nothing changed, nothing sent


async def test_settings_the_core_changes_are_saved_and_come_back(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    store = await SettingsStore.load(database)
    control = controller(Meter(0), Charger(), settings=store)
    control.site.loadpoints[0].set_mode(ChargeMode.MINPV)
    control.site.loadpoints[0].settings.enable_delay = timedelta(seconds=90)
    control.site.settings.buffer_soc = 55
    await control.persist_settings()
    await database.close()

    database = await Database.open(tmp_path / "surplus.db")
    restored = await SettingsStore.load(database)
    assert restored.get("lp1.mode") == "minpv"
    assert restored.get("lp1.enableDelay") == "90000000000"
    assert restored.get("bufferSoc") == "55"
    await database.close()


class CountingMeter(Meter):
    def __init__(self, power: float) -> None:
        super().__init__(power)
        self.calls = 0

    async def current_power(self) -> float:
        self.calls += 1
        return await super().current_power()


async def test_a_failing_device_is_left_alone_for_longer_each_time_and_found_again() -> None:
    grid = CountingMeter(0)
    control = controller(grid, Charger())
    clock = control._clock
    assert isinstance(clock, VirtualClock)
    grid.fail = "connection refused"
    asked = []
    for _ in range(12):  # every 30 s for 6 minutes
        await control.cycle()
        asked.append(grid.calls)
        clock.advance(30)
    # asked at 0 and 30 s, then after 15 s (next cycle), 30 s, 60 s, 120 s: calls at cycles 0, 1, 2, 3, 5, 9
    assert asked == [1, 2, 3, 4, 4, 5, 5, 5, 5, 6, 6, 6]
    errors = control._state.get("deviceErrors")
    assert errors[0]["error"] == "DeviceError: connection refused"
    assert errors[0]["retry"] == "2026-06-01T12:06:30Z"  # the last try at 12:04:30, then the longest rest
    grid.fail = None
    while grid.calls == 6:
        await control.cycle()
        clock.advance(30)
    assert control._state.get("deviceErrors") == []
    calls = grid.calls
    await control.cycle()
    assert grid.calls == calls + 1  # working again: asked every cycle
