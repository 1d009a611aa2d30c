"""``source: sunspec`` and ``type: sunspec`` against SunSpec images served by pymodbus on 127.0.0.1: discovery,
candidate lists, scale factors, unimplemented values, repeating blocks, sub-devices and writes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sunspec2.modbus.client import SunSpecModbusClientDeviceTCP  # type: ignore[import-untyped]

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError
from surplus.devices.registry import BuildContext
from surplus.devices.sim.modbus_server import ModbusSimulator, Request
from surplus.devices.sim.sunspec_image import SunSpecImage
from surplus.devices.sunspec.device import MARKER
from tests.devices.building import build
from tests.devices.modbus.building import meter, reader, writer

METER = {"203:A_SF": -2, "203:V_SF": -1, "203:W_SF": 0, "203:TotWh_SF": 0}


def sunspec(simulator: ModbusSimulator, value: str | list[str], **keys: Any) -> dict[str, Any]:
    return {"source": "sunspec", "uri": simulator.uri, "id": 1, "value": value, **keys}


async def read(simulator: ModbusSimulator, context: BuildContext, value: str | list[str], **keys: Any) -> Any:
    return await reader(sunspec(simulator, value, **keys), context).read()


@pytest.mark.parametrize("base", [40000, 50000, 0])
async def test_the_model_chain_is_found_at_each_base_address(
    simulator: ModbusSimulator, context: BuildContext, base: int
) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203], base=base)
    image.update({**METER, "1:Mn": "Surplus", "203:W": -1500, "203:AphA": 6.5})
    await simulator.start()
    assert await read(simulator, context, "203:W") == -1500
    assert await read(simulator, context, "203:AphA") == 6.5
    assert await read(simulator, context, "1:Mn") == "Surplus"


async def test_without_a_marker_the_device_is_not_sunspec(simulator: ModbusSimulator, context: BuildContext) -> None:
    simulator.unit(1).holding.set(40000, [0x1234, 0x5678])
    await simulator.start()
    with pytest.raises(DeviceError, match="no SunSpec marker 'SunS' at 40000, 50000, 0"):
        await read(simulator, context, "203:W")


async def test_the_first_candidate_the_device_has_wins(simulator: ModbusSimulator, context: BuildContext) -> None:
    SunSpecImage(simulator.unit(1).holding, [1, 213]).update({"213:W": 321.5, "213:TotWhImp": 5000.0})
    await simulator.start()
    assert await read(simulator, context, ["201:W", "211:W", "203:W", "213:W"]) == 321.5
    assert await read(simulator, context, "203|213:TotWhImp", scale=0.001) == 5.0
    with pytest.raises(DeviceError, match=r"none of 201:W, 203:W found; the device has models 1, 213"):
        await read(simulator, context, ["201:W", "203:W"])


async def test_scale_factors_apply_both_ways(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203])
    image.update({"203:A_SF": -2, "203:AphB": 16.25, "203:W_SF": 2, "203:W": 12300})
    await simulator.start()
    address = image.address(203)
    # AphB is the fourth register of model 203 (after ID, L, A, AphA): 1625 with scale factor -2
    assert simulator.unit(1).holding.get(address + 4) == [1625]
    assert await read(simulator, context, "203:AphB") == 16.25
    assert await read(simulator, context, "203:W", scale=-1) == -12300


async def test_unimplemented_values_read_as_zero(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203, 213])
    image.update({"203:W": 5, "203:TotWhImp": 7, "213:W": 9.5})
    await simulator.start()
    image.update({"203:W": None, "203:TotWhImp": None, "213:W": None})
    assert await read(simulator, context, "203:W") == 0  # int16 0x8000
    assert await read(simulator, context, "203:TotWhImp") == 0  # acc32 0
    assert await read(simulator, context, "213:W") == 0  # float NaN
    image.set("203:W", 5)
    image.set("203:W_SF", None)  # a value whose scale factor is unimplemented is no value either
    assert await read(simulator, context, "203:W") == 0


async def test_repeating_blocks_and_subdevices(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 160, 203, 203], repeats={160: 4})
    image.update({"160:DCW_SF": -1, "160:3:DCW": 812.3, "160:4:DCW": 45.6})
    image.set("203:W", 100)
    image.set("203:W", 200, instance=1)
    await simulator.start()
    assert await read(simulator, context, "160:3:DCW") == 812.3
    assert await read(simulator, context, "160:4:DCW") == 45.6
    assert await read(simulator, context, "203:W") == 100
    assert await read(simulator, context, "203:W", subdevice=1) == 200
    with pytest.raises(DeviceError, match="none of 160:5:DCW found"):
        await read(simulator, context, "160:5:DCW")
    with pytest.raises(DeviceError, match="none of 203:W found"):
        await read(simulator, context, "203:W", subdevice=2)


async def test_the_chain_is_scanned_once_and_a_model_read_once_a_second(
    simulator: ModbusSimulator, context: BuildContext, clock: VirtualClock
) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203])
    image.update({**METER, "203:W": 1000, "203:AphA": 4.5, "203:PhVphA": 230.1})
    await simulator.start()
    points = [reader(sunspec(simulator, value), context) for value in ("203:W", "203:AphA", "203:PhVphA")]
    assert [await point.read() for point in points] == [1000, 4.5, 230.1]
    # the marker, each model's ID and length, the end marker; then model 203 once for all three points
    scan = [(request.address, request.count) for request in simulator.requests[:6]]
    assert scan == [(40000, 2), (40002, 1), (40003, 1), (40070, 1), (40071, 1), (40177, 1)]
    model = Request(1, "holding", image.address(203), 107, write=False)
    assert simulator.requests[6:] == [model]

    image.set("203:W", 1100)
    clock.advance(1)
    assert await points[0].read() == 1100
    assert simulator.requests[7:] == [model]


async def test_points_are_written_in_their_type_and_scale(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 124, 213])
    image.update({"124:InOutWRte_SF": -2, "124:OutWRte": 100})
    await simulator.start()
    await writer(sunspec(simulator, "124:OutWRte"), context).write("rate", 37.5)
    await writer(sunspec(simulator, "213:W", scale=2), context).write("power", -1234.5)
    address = image.address(124)
    assert simulator.unit(1).holding.get(address + 12) == [3750]  # OutWRte, 37.5 % with scale factor -2
    assert await read(simulator, context, "124:OutWRte") == 37.5
    assert await read(simulator, context, "213:W") == -2469
    with pytest.raises(DeviceError, match="rate: OutWRte: 400 does not fit int16"):
        await writer(sunspec(simulator, "124:OutWRte"), context).write("rate", 400)


async def test_the_image_reads_the_same_with_pysunspec2s_own_client(simulator: ModbusSimulator) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203])
    image.update({**METER, "1:Mn": "Surplus", "203:W": -1500, "203:AphA": 6.5, "203:TotWhImp": 1234567})
    await simulator.start()

    def scan() -> dict[str, Any]:
        device = SunSpecModbusClientDeviceTCP(slave_id=1, ipaddr="127.0.0.1", ipport=simulator.port, timeout=5)
        try:
            device.scan()
            meter = device.models[203][0]
            return {
                "models": [model.model_id for model in device.model_list],
                "Mn": device.models[1][0].Mn.value,
                "W": meter.W.cvalue,
                "AphA": meter.AphA.cvalue,
                "TotWhImp": meter.TotWhImp.cvalue,
            }
        finally:
            device.close()

    seen = await asyncio.to_thread(scan)
    assert seen == {"models": [1, 203], "Mn": "Surplus", "W": -1500, "AphA": 6.5, "TotWhImp": 1234567}


def grid(simulator: ModbusSimulator, usage: str = "grid") -> str:
    return f"""
meters:
  - name: {usage}
    type: sunspec
    uri: {simulator.uri}
    id: 1
    usage: {usage}
"""


async def test_a_sunspec_grid_meter(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 203])
    image.update({**METER, "203:W": -2500, "203:TotWhImp": 1234567, "203:TotWhExp": 765432})
    image.update({"203:AphA": 6.5, "203:AphB": 7.25, "203:AphC": -1.5})
    image.update({"203:PhVphA": 230.1, "203:PhVphB": 229.9, "203:PhVphC": 231.0})
    image.update({"203:WphA": -1500, "203:WphB": -1000, "203:WphC": 0})
    await simulator.start()
    device = meter(grid(simulator), context)
    assert isinstance(device, p.MeterReturnEnergy) and isinstance(device, p.PhasePowers)
    assert not isinstance(device, p.Battery)
    assert await device.current_power() == -2500
    assert await device.total_energy() == pytest.approx(1234.567)
    assert await device.return_energy() == pytest.approx(765.432)
    assert await device.currents() == (6.5, 7.25, -1.5)
    assert await device.voltages() == (230.1, 229.9, 231.0)
    assert await device.powers() == (-1500, -1000, 0)


async def test_a_sunspec_inverter_and_battery(simulator: ModbusSimulator, context: BuildContext) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 113, 160, 124], repeats={160: 4})
    image.update({"113:W": 4200.0, "113:WH": 9876543.0})
    image.update({"160:DCW_SF": 0, "160:3:DCW": 0, "160:4:DCW": 1800, "124:ChaState_SF": 0, "124:ChaState": 64})
    await simulator.start()
    pv = meter(grid(simulator, "pv"), context)
    battery = meter(grid(simulator, "battery"), context)
    assert await pv.current_power() == 4200 and await pv.total_energy() == pytest.approx(9876.543)
    assert await battery.current_power() == 1800  # discharging
    assert await battery.soc() == 64  # model 124, as the device has no model 802
    image.update({"160:3:DCW": 2500, "160:4:DCW": 0})
    assert await battery.current_power() == 1800  # the models read a moment ago still serve
    assert isinstance(battery, p.Battery) and not isinstance(pv, p.Battery)


async def test_a_custom_meter_from_sunspec_points_and_raw_registers(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    image = SunSpecImage(simulator.unit(1).holding, [1, 213])
    image.update({"213:W": 3210.5, "213:TotWhImp": 4500000.0, "213:AphA": 5.0, "213:AphB": 4.5, "213:AphC": 4.0})
    simulator.unit(2).input.set(30845, [0, 0x0037])  # a battery's SoC, 55 %, as uint32 on another unit
    await simulator.start()
    phases = "\n".join(f"      - {{source: sunspec, uri: {simulator.uri}, value: 213:Aph{phase}}}" for phase in "ABC")
    device = meter(
        f"""
meters:
  - name: hybrid
    type: custom
    power: {{source: sunspec, uri: {simulator.uri}, id: 1, value: [203:W, 213:W]}}
    energy: {{source: sunspec, uri: {simulator.uri}, value: 213:TotWhImp, scale: 0.001}}
    currents:
{phases}
    soc:
      source: modbus
      uri: {simulator.uri}
      id: 2
      register: {{address: 30845, type: input, encoding: uint32}}
""",
        context,
    )
    assert await device.current_power() == 3210.5
    assert await device.total_energy() == 4500.0
    assert await device.currents() == (5.0, 4.5, 4.0)
    assert await device.soc() == 55


@pytest.mark.parametrize(
    ("keys", "key", "message"),
    [
        ("value: W", "meters[0].power", "'W' is not a SunSpec point; write model:point"),
        ("value: 'x:W'", "meters[0].power", "models and block are numbers"),
        ("value: []", "meters[0].power.value", "at least 1 item"),
        ("value: 203:W\n      subdevice: -1", "meters[0].power.subdevice", "allowed: ≥ 0"),
    ],
)
def test_sunspec_config_mistakes_name_the_key(keys: str, key: str, message: str) -> None:
    text = f"""
meters:
  - name: grid
    type: custom
    power:
      source: sunspec
      uri: 192.0.2.1:502
      {keys}
"""
    with pytest.raises(ConfigError) as caught:
        build(text)
    assert caught.value.key == key
    assert message in caught.value.message


def test_a_sunspec_meter_needs_a_known_usage() -> None:
    with pytest.raises(ConfigError, match="'charge' is not allowed; allowed values: grid, pv, battery") as caught:
        build("meters:\n  - name: m\n    type: sunspec\n    uri: 192.0.2.1:502\n    usage: charge\n")
    assert caught.value.key == "meters[0].usage"


async def test_a_model_shorter_than_its_definition_has_only_the_points_it_holds(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    registers = [0] * 50  # an older model 203: 50 registers instead of 105
    registers[16], registers[20] = 1234, 0xFFFF  # W, and W_SF = -1
    simulator.unit(1).holding.set(40000, [*MARKER, 203, len(registers), *registers, 0xFFFF, 0])
    await simulator.start()
    assert await read(simulator, context, "203:W") == 123.4
    with pytest.raises(DeviceError, match="none of 203:TotWhExp found"):
        await read(simulator, context, "203:TotWhExp")


async def test_a_bitmask_reads_one_flag(simulator: ModbusSimulator, context: BuildContext) -> None:
    SunSpecImage(simulator.unit(1).holding, [1, 124]).set("124:StorCtl_Mod", 0b10)
    await simulator.start()
    assert await read(simulator, context, "124:StorCtl_Mod", bitmask=2) == 1.0
    assert await read(simulator, context, "124:StorCtl_Mod", bitmask=1) == 0.0
