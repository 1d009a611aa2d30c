"""The sources that compose others: ``map``, ``switch``, ``sequence`` and ``sleep``, with a recording setter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, SourceType, Value, plugins
from surplus.devices.registry import BuildContext, NestedParamsError

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)


class RecordParams(PluginParams):
    label: str


@dataclass
class Recorder:
    """Remembers what is written to it, under its label; reads the last value written anywhere."""

    label: str
    log: list[tuple[str, str, Value]] = field(default_factory=list)

    async def read(self) -> Value:
        return self.log[-1][2] if self.log else 0

    async def write(self, param: str, value: Value) -> None:
        self.log.append((self.label, param, value))


WRITES: list[tuple[str, str, Value]] = []


def _build_recorder(params: RecordParams, context: PluginContext) -> Recorder:
    return Recorder(params.label, WRITES)


@pytest.fixture(autouse=True)
def _recorder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recording source exists only during these tests, so no other test sees it among the allowed ones."""
    WRITES.clear()
    recorder = SourceType("test-record", RecordParams, _build_recorder, "records writes (tests only)")
    monkeypatch.setitem(plugins._types, "test-record", recorder)


def record(label: str) -> dict[str, str]:
    return {"source": "test-record", "label": label}


def build(config: dict[str, Any], clock: VirtualClock | None = None) -> Any:
    return plugins.build(config, BuildContext(clock or VirtualClock(NOW)))


async def test_map_translates_reads_and_writes() -> None:
    source = build(
        {"source": "map", "values": {1: 0, 2: 2, 3: 1}, "get": {"source": "const", "value": 3}, "set": record("mode")}
    )
    assert await source.read() == 1
    await source.write("batterymode", 2)
    assert WRITES == [("mode", "batterymode", 2)]
    with pytest.raises(DeviceError, match="map: 4 is not in the table; it has 1, 2, 3"):
        await source.write("batterymode", 4)


async def test_map_without_get_cannot_read() -> None:
    with pytest.raises(DeviceError, match="no get source"):
        await build({"source": "map", "values": {"1": "2"}, "set": record("x")}).read()


async def test_switch_routes_each_value_to_its_case() -> None:
    source = build(
        {
            "source": "switch",
            "switch": [{"case": 1, "set": record("one phase")}, {"case": 3, "set": record("three phases")}],
            "default": record("other"),
        }
    )
    for phases in (3, 1, "3", 2):
        await source.write("phases", phases)
    assert [label for label, _, _ in WRITES] == ["three phases", "one phase", "three phases", "other"]
    assert WRITES[0] == ("three phases", "phases", 3)


async def test_switch_without_a_matching_case_or_default_is_an_error() -> None:
    source = build({"source": "switch", "switch": [{"case": 1, "set": record("a")}]})
    with pytest.raises(DeviceError, match="switch: no case for 2 and no default; cases: 1"):
        await source.write("batterymode", 2)


async def test_switch_cases_can_write_constants() -> None:
    source = build(
        {"source": "switch", "switch": [{"case": 2, "set": {"source": "const", "value": 255, "set": record("reg")}}]}
    )
    await source.write("batterymode", 2)
    assert WRITES == [("reg", "batterymode", 255)]


async def test_sequence_writes_in_order_with_pauses_on_the_device_clock() -> None:
    clock = VirtualClock(NOW)
    source = build(
        {
            "source": "sequence",
            "set": [record("mode"), {"source": "sleep", "duration": "5s"}, record("limit")],
        },
        clock,
    )
    writing = asyncio.create_task(source.write("limitsoc", 80))
    await _sleeping(clock)
    assert WRITES == [("mode", "limitsoc", 80)]
    clock.advance(5)
    await asyncio.wait_for(writing, 1)
    assert WRITES == [("mode", "limitsoc", 80), ("limit", "limitsoc", 80)]


@pytest.mark.parametrize(
    ("config", "loc", "message"),
    [
        ({"source": "map", "values": {1: 2}}, (), "map needs get (to read), set (to write) or both"),
        ({"source": "map", "values": {"one": 2}, "get": record("a")}, (), "valid integer"),
        ({"source": "map", "values": {1: 2}, "get": {"source": "sleep", "duration": "1s"}}, ("get",), "cannot be read"),
        ({"source": "switch", "switch": [{"case": 1}]}, (), "required"),
        (
            {"source": "switch", "switch": [{"case": 1, "set": record("a")}, {"case": 1, "set": record("b")}]},
            (),
            "switch has case 1 twice",
        ),
        (
            {"source": "switch", "switch": [{"case": 1, "set": {"source": "calc", "abs": record("a")}}]},
            ("switch", 0, "set"),
            "cannot be written",
        ),
        ({"source": "sequence", "set": []}, (), "at least 1 item"),
        ({"source": "sequence", "set": [record("a"), {"source": "nope"}]}, ("set", 1, "source"), "unknown source"),
        ({"source": "sleep"}, (), "required"),
    ],
)
def test_config_mistakes_point_at_the_key(config: dict[str, Any], loc: tuple[Any, ...], message: str) -> None:
    with pytest.raises(NestedParamsError) as raised:
        build(config)
    error = raised.value
    text = error.details["msg"] if error.details is not None else error.message
    assert message in text
    assert error.loc[: len(loc)] == loc


async def test_a_watchdog_keeps_writing_after_a_failed_rewrite(caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock(NOW)
    source = build(
        {
            "source": "watchdog",
            "timeout": "10s",
            "reset": [0],
            "set": {
                "source": "js",
                "script": "rounds = (typeof rounds === 'undefined' ? 0 : rounds) + 1;"
                " if (rounds == 2) throw new Error('busy')",
            },
        },
        clock,
    )
    await source.write("batterymode", 2)
    for _ in range(2):
        await _sleeping(clock)
        clock.advance(5)
    await _sleeping(clock)
    assert "watchdog: writing batterymode=2 again failed: js: Error: busy" in caplog.text
    await source.write("batterymode", 0)
    assert clock.sleepers == 0


async def _sleeping(clock: VirtualClock) -> None:
    """Let the writing task run until it waits on the clock (it does no I/O, so a few turns are enough)."""
    for _ in range(100):
        if clock.sleepers:
            return
        await asyncio.sleep(0)
    raise AssertionError("nothing went to sleep on the clock")
