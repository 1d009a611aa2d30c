"""``source: modbus`` against pymodbus' own server on 127.0.0.1: every encoding, the three tables, shared block
reads, the three write function codes, and devices that refuse."""

from __future__ import annotations

from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.devices.errors import DeviceError
from surplus.devices.registry import BuildContext
from surplus.devices.sim.modbus_server import ModbusSimulator, Request
from tests.devices.building import build
from tests.devices.modbus.building import reader, writer
from tests.devices.modbus.test_codec import DECODED

ADDRESS = 100


def modbus(simulator: ModbusSimulator, **keys: Any) -> dict[str, Any]:
    return {"source": "modbus", "uri": simulator.uri, "id": 1, **keys}


def register(kind: str, address: int, encoding: str | None = None, **keys: Any) -> dict[str, Any]:
    described = {"address": address, "type": kind, **keys}
    return described if encoding is None else {**described, "encoding": encoding}


def holding(address: int, encoding: str, **keys: Any) -> dict[str, Any]:
    return register("holding", address, encoding, **keys)


@pytest.mark.parametrize(("encoding", "words", "value"), DECODED)
async def test_every_encoding_reads_through_the_source(
    simulator: ModbusSimulator, context: BuildContext, encoding: str, words: list[int], value: float
) -> None:
    simulator.unit(1).holding.set(ADDRESS, words)
    await simulator.start()
    source = reader(modbus(simulator, register=holding(ADDRESS, encoding)), context)
    assert await source.read() == value
    assert simulator.requests == [Request(1, "holding", ADDRESS, len(words), write=False)]


async def test_holding_input_and_coils_are_separate_tables(simulator: ModbusSimulator, context: BuildContext) -> None:
    unit = simulator.unit(3)
    unit.holding.set(ADDRESS, [1111])
    unit.input.set(ADDRESS, [2222])
    unit.coils.set(ADDRESS, [True])
    unit.coils.set(ADDRESS + 1, [False])
    await simulator.start()

    def source(register: dict[str, Any]) -> Any:
        return reader(modbus(simulator, id=3, register=register), context)

    assert await source(holding(ADDRESS, "uint16")).read() == 1111
    assert await source({"address": ADDRESS, "type": "input", "decode": "uint16"}).read() == 2222
    assert await source({"address": ADDRESS, "type": "coil"}).read() == 1.0
    assert await source({"address": ADDRESS + 1, "type": "coil", "encoding": "bool8"}).read() == 0.0


async def test_scale_text_and_bitmask(simulator: ModbusSimulator, context: BuildContext) -> None:
    unit = simulator.unit(1)
    unit.input.set(10, [0xFF38])  # -200 as int16
    unit.holding.set(20, [0x5345, 0x4E2D, 0x3132, 0x3300])  # "SEN-123" and a NUL
    unit.holding.set(30, [0b0110])
    await simulator.start()
    scaled = reader(modbus(simulator, register=register("input", 10, "int16"), scale=-0.1), context)
    text = reader(modbus(simulator, register=holding(20, "bytes", length=4), scale=10), context)
    flag = reader(modbus(simulator, register=holding(30, "bool16", bitmask="0x0004")), context)
    other_flag = reader(modbus(simulator, register=holding(30, "bool16", bitmask=8)), context)
    assert await scaled.read() == pytest.approx(20.0)
    assert await text.read() == "SEN-123"
    assert (await flag.read(), await other_flag.read()) == (1.0, 0.0)


async def test_a_block_is_read_once_a_second_for_every_value_inside_it(
    simulator: ModbusSimulator, context: BuildContext, clock: VirtualClock
) -> None:
    table = simulator.unit(1).input
    table.set(30000, [0] * 20)
    table.set(30004, [0x0001, 0x86A0])  # 100000 as int32
    table.set(30010, [2300])
    await simulator.start()
    block = {"register": 30000, "count": 20}
    power = reader(modbus(simulator, register=register("input", 30004, "int32"), block=block), context)
    voltage = reader(modbus(simulator, register=register("input", 30010, "uint16"), block=block, scale=0.1), context)

    assert (await power.read(), await voltage.read()) == (100000, 230.0)
    assert simulator.requests == [Request(1, "input", 30000, 20, write=False)]

    table.set(30010, [2310])
    clock.advance(0.9)
    assert await voltage.read() == 230.0  # the block read 0.9 s ago still serves

    clock.advance(0.1)
    assert await voltage.read() == 231.0
    assert await power.read() == 100000
    assert len(simulator.requests) == 2


async def test_writes_use_fc06_fc16_and_fc05(simulator: ModbusSimulator, context: BuildContext) -> None:
    unit = simulator.unit(1)
    unit.holding.set(200, [0, 0, 0, 0, 0])
    unit.coils.set(5, [False])
    await simulator.start()
    single = writer(modbus(simulator, register=register("writesingle", 200)), context)
    swapped = writer(modbus(simulator, register=register("writemultiple", 201, "int32s")), context)
    float32 = writer(modbus(simulator, register=register("writeholdings", 203, "float32"), scale=0.5), context)
    coil = writer(modbus(simulator, register=register("writecoil", 5)), context)

    await single.write("maxcurrent", 16)
    await swapped.write("limit", -2)
    await float32.write("power", 461)
    await coil.write("enable", True)
    assert unit.holding.get(200, 5) == [16, 0xFFFE, 0xFFFF, 0x4366, 0x8000]
    assert unit.coils.get(5) == [1]

    await single.write("maxcurrent", -1)
    await coil.write("enable", False)
    assert (unit.holding.get(200), unit.coils.get(5)) == ([0xFFFF], [0])
    writes = [(request.table, request.address, request.count) for request in simulator.requests if request.write]
    assert writes == [
        ("holding", 200, 1),
        ("holding", 201, 2),
        ("holding", 203, 2),
        ("coils", 5, 1),
        ("holding", 200, 1),
        ("coils", 5, 1),
    ]


async def test_a_value_that_does_not_fit_is_refused_before_sending(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    simulator.unit(1).holding.set(200, [7])
    await simulator.start()
    source = writer(modbus(simulator, register=register("writemultiple", 200, "uint16")), context)
    with pytest.raises(DeviceError, match="limit: -5 does not fit uint16"):
        await source.write("limit", -5)
    assert simulator.unit(1).holding.get(200) == [7] and simulator.requests == []


async def test_a_write_makes_the_next_block_read_ask_the_device(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    simulator.unit(1).holding.set(0, [1, 2, 3, 4])
    await simulator.start()
    value = reader(modbus(simulator, register=holding(2, "uint16"), block={"register": 0, "count": 4}), context)
    assert await value.read() == 3
    await writer(modbus(simulator, register=register("writesingle", 2)), context).write("x", 30)
    assert await value.read() == 30


@pytest.mark.parametrize(
    ("unit", "address", "message"),
    [
        (7, ADDRESS, "unit 7: read holding 100: gateway target device failed to respond"),
        (1, ADDRESS + 1, "unit 1: read holding 101: illegal data address"),
    ],
)
async def test_a_refusing_device_is_a_device_error(
    simulator: ModbusSimulator, context: BuildContext, unit: int, address: int, message: str
) -> None:
    simulator.unit(1).holding.set(ADDRESS, [1])
    await simulator.start()
    source = reader(modbus(simulator, id=unit, register=holding(address, "uint16")), context)
    with pytest.raises(DeviceError, match=f"127.0.0.1:{simulator.port} {message}"):
        await source.read()


async def test_writing_an_address_the_device_lacks_is_a_device_error(
    simulator: ModbusSimulator, context: BuildContext
) -> None:
    simulator.unit(1).holding.set(ADDRESS, [1])
    await simulator.start()
    source = writer(modbus(simulator, register=register("writesingle", ADDRESS + 5)), context)
    with pytest.raises(DeviceError, match="write register 105: illegal data address"):
        await source.write("maxcurrent", 6)


def config(register: str, extra: str = "") -> str:
    return f"""
meters:
  - name: grid
    type: custom
    power:
      source: modbus
      uri: 192.0.2.1:502
      register: {register}
{extra}"""


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            config("{address: 1, type: holding, encoding: int24}"),
            "meters[0].power.register",
            "unknown encoding 'int24'",
        ),
        (config("{address: 1, type: holding}"), "meters[0].power.register", "needs an encoding"),
        (config("{address: 1, type: holding, encoding: bool16}"), "meters[0].power.register", "needs a bitmask"),
        (
            config("{address: 1, type: holding, encoding: int16, decode: int16}"),
            "meters[0].power.register",
            "not both",
        ),
        (
            config("{address: 1, type: discrete, encoding: int16}"),
            "meters[0].power.register.type",
            "allowed values: holding, input, coil",
        ),
        (config("{address: 70000, type: holding, encoding: int16}"), "meters[0].power.register.address", "65535"),
        (
            config("{address: 19, type: input, encoding: int32}", "      block: {register: 10, count: 10}"),
            "meters[0].power",
            "register 19 (2 registers) is not inside block 10..19",
        ),
        (
            config("{address: 1, type: coil}", "      block: {register: 0, count: 10}"),
            "meters[0].power",
            "block reads holding or input registers, not coil",
        ),
        (
            config("{address: 1, type: holding, encoding: int16}", "      device: /dev/ttyUSB0"),
            "meters[0].power",
            "either uri (host:port) or device",
        ),
        (
            config("{address: 1, type: holding, encoding: int16}", "      rtu: true\n      udp: true"),
            "meters[0].power",
            "rtu (RTU frames over TCP) or udp",
        ),
        (
            config("{address: 1, type: writesingle}"),
            "meters[0].power",
            "this source cannot be read",
        ),
        (
            config("{address: 1, type: holding, encoding: int16}", "      timeout: soon"),
            "meters[0].power.timeout",
            "'soon' is not a duration",
        ),
    ],
)
def test_config_mistakes_name_the_key(text: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(text)
    assert caught.value.key == key
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("uri: 'host:port:x'", "'host:port:x' is not a Modbus address"),
        ("uri: 'example.org:70000'", "port 70000"),
        ("device: /dev/ttyUSB0\n      comset: 9X1", "comset '9X1' is not like 8N1"),
        ("device: /dev/ttyUSB0\n      rtu: true", "a serial device always speaks RTU"),
    ],
)
def test_connection_mistakes_are_config_errors(keys: str, message: str) -> None:
    text = f"""
meters:
  - name: grid
    type: custom
    power:
      source: modbus
      {keys}
      register: {{address: 1, type: input, encoding: int16}}
"""
    with pytest.raises(ConfigError, match=message):
        build(text)
