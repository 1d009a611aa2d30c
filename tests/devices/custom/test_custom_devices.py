"""``type: custom`` devices from ``const`` and ``calc`` sources: capabilities follow the config, values are
typed and scaled, evcc's error strings become errors, and mistakes point at the file, line and key."""

from __future__ import annotations

import pytest

from surplus.config.errors import ConfigError
from surplus.devices import protocols as p
from surplus.devices.errors import Asleep, DeviceError, MustRetry, NotAvailable
from surplus.devices.plugins.base import to_bool, to_float, to_int, to_str
from tests.devices.building import build


async def test_a_meter_has_exactly_the_capabilities_it_is_configured_with() -> None:
    meter = build(
        """
meters:
  - name: grid
    type: custom
    power: {source: const, value: "-1500.5"}
    energy: {source: const, value: 1234.5}
    currents:
      - {source: const, value: 6.5}
      - {source: const, value: 7}
      - {source: const, value: "8"}
"""
    )
    assert isinstance(meter, p.Meter) and isinstance(meter, p.MeterEnergy) and isinstance(meter, p.PhaseCurrents)
    assert not isinstance(meter, p.MeterReturnEnergy | p.PhaseVoltages | p.Battery | p.BatteryController)
    assert await meter.current_power() == -1500.5
    assert await meter.total_energy() == 1234.5
    assert await meter.currents() == (6.5, 7.0, 8.0)


async def test_calc_combines_sources() -> None:
    meter = build(
        """
meters:
  - name: battery
    type: custom
    power:
      source: calc
      add:
        - {source: const, value: 2000}
        - source: calc
          mul: [{source: const, value: 500}, {source: const, value: -1}]
    soc: {source: calc, abs: {source: const, value: -57}}
    capacity: 10
"""
    )
    assert await meter.current_power() == 1500.0
    assert await meter.soc() == 57.0
    assert isinstance(meter, p.BatteryCapacity) and meter.capacity() == 10


@pytest.mark.parametrize(
    ("yaml", "line", "key", "message"),
    [
        ("    power: {source: nosuch}\n", 4, "meters[0].power.source", "unknown source 'nosuch'; allowed sources:"),
        ("    power: {value: 1}\n", 4, "meters[0].power.source", "a source is required"),
        ("    power: {source: const}\n", 4, "meters[0].power.value", "required"),
        ("    power: {source: const, value: 1, bogus: 2}\n", 4, "meters[0].power.bogus", "unknown key"),
        (
            "    power: {source: calc, add: [{source: const, value: 1}], mul: [{source: const, value: 2}]}\n",
            4,
            "meters[0].power",
            "exactly one operation",
        ),
        (
            "    power: {source: calc, add: [{source: const, value: 1}, {source: nope}]}\n",
            4,
            "meters[0].power.add[1].source",
            "unknown source 'nope'",
        ),
        (
            "    power: {source: const, value: 1}\n    currents: [{source: const, value: 1}]\n",
            5,
            "meters[0].currents",
            "needs exactly three",
        ),
        ("    energy: {source: const, value: 1}\n", 2, "meters[0].power", "required"),
    ],
)
def test_mistakes_name_the_file_line_and_key(yaml: str, line: int, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(f"meters:\n  - name: grid\n    type: custom\n{yaml}")
    error = caught.value
    assert (error.file, error.key) == ("evcc.yaml", key)
    assert error.line == line
    assert message in error.message


def test_a_setter_that_cannot_write_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot be written") as caught:
        build(
            """
chargers:
  - name: wallbox
    type: custom
    status: {source: const, value: B}
    enabled: {source: const, value: false}
    enable: {source: const, value: 1}
    maxcurrent: {source: const, value: 0, set: {source: const, value: 0}}
""",
            "chargers",
        )
    assert caught.value.key == "chargers[0].enable"


def test_typed_conversions_follow_evcc() -> None:
    assert to_float(" 12.5 ") == 12.5 and to_float(True) == 1.0 and to_float(3) == 3.0
    assert to_int("0x10") == 16 and to_int("7") == 7 and to_int(6.6) == 7
    assert to_bool("ON") is True and to_bool("0") is False and to_bool(2) is True and to_bool("1.0") is True
    assert to_str(16.0) == "16" and to_str(False) == "false" and to_str(2.5) == "2.5"
    with pytest.raises(DeviceError, match="not a number"):
        to_float("twelve")
    with pytest.raises(DeviceError, match="not a finite"):
        to_float("nan")
    with pytest.raises(DeviceError, match="not a boolean"):
        to_bool("maybe")
    with pytest.raises(Asleep):
        to_float("ErrAsleep")
    with pytest.raises(MustRetry):
        to_bool("errmustretry")
    with pytest.raises(NotAvailable):
        to_str("ErrNotAvailable")
