"""``source: js``: values computed in QuickJS, state shared through a named vm, and scripts kept in bounds."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from surplus.app import build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.core.types import ChargeStatus
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import plugins
from surplus.devices.registry import BuildContext, NestedParamsError

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)


def js(context: BuildContext | None = None, **config: Any) -> Any:
    return plugins.build({"source": "js", **config}, context or BuildContext(VirtualClock(NOW)))


async def test_the_last_expression_is_the_value() -> None:
    assert await js(script="var p = 1200; p * 2").read() == 2400
    assert await js(script="'C'").read() == "C"
    assert await js(script="1 > 2").read() is False
    assert await js(script="({start: 1, list: [2, 3]})").read() == '{"start":1,"list":[2,3]}'


async def test_a_named_vm_shares_state_between_devices() -> None:
    yaml = """
chargers:
  - name: wallbox
    type: custom
    status: {source: js, vm: house, script: "current > 0 ? 'C' : 'B'"}
    enabled: {source: js, vm: house, script: "current > 0"}
    enable: {source: js, vm: house, script: "if (!enable) current = 0"}
    maxcurrent: {source: js, vm: house, script: "current = maxcurrent"}
meters:
  - name: charge
    type: custom
    power: {source: js, vm: house, script: "typeof current === 'undefined' ? 0 : current * 230 * 3"}
"""
    devices = build_devices(load_text(yaml, "evcc.yaml"), BuildContext(VirtualClock(NOW)))
    charger, meter = devices.chargers["wallbox"].device, devices.meters["charge"].device
    assert await meter.current_power() == 0
    await charger.max_current(10)
    assert await charger.status() == ChargeStatus.C and await charger.enabled() is True
    assert await meter.current_power() == 6900
    await charger.enable(False)
    assert await charger.status() == ChargeStatus.B
    assert await meter.current_power() == 0


async def test_vms_without_a_name_are_separate() -> None:
    context = BuildContext(VirtualClock(NOW))
    writer, reader = js(context, script="counter = 1"), js(context, script="typeof counter")
    await writer.write("x", 0)
    assert await reader.read() == "undefined"


async def test_an_endless_loop_is_stopped_by_the_time_limit() -> None:
    source = js(script="while (true) {}", timeout="100ms")
    started = time.monotonic()
    with pytest.raises(DeviceError, match=r"^js: the script ran longer than 0\.1s; stopped$"):
        await source.read()
    assert time.monotonic() - started < 1


async def test_a_runaway_allocation_is_stopped_by_the_memory_limit() -> None:
    context = BuildContext(VirtualClock(NOW))
    greedy = js(context, vm="house", script="var a = []; while (true) { a.push(new Array(100000).fill(1)) }")
    with pytest.raises(DeviceError, match=r"^js: the script needs more than 32 MB; stopped$"):
        await greedy.read()
    assert await js(context, vm="house", script="a = null; 6 * 7").read() == 42  # the vm lives on


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("throw new Error('no soc')", "js: Error: no soc"),
        ("undefined", "gave no value"),
        ("nosuch()", "ReferenceError"),
    ],
)
async def test_script_errors_are_device_errors(script: str, message: str) -> None:
    with pytest.raises(DeviceError, match=message):
        await js(script=script).read()


def test_a_script_that_does_not_parse_is_a_config_error() -> None:
    with pytest.raises(NestedParamsError) as raised:
        js(script="var x = ;")
    assert raised.value.details is not None
    assert raised.value.details["loc"] == ("script",)
    assert "the script does not parse: SyntaxError" in raised.value.details["msg"]
