"""``type: keba`` against simulated KEBA P30 boxes over real UDP on 127.0.0.1, through one shared socket."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from surplus.app import build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.chargers.keba_udp import KebaListener
from surplus.devices.errors import DeviceError
from surplus.devices.registry import BuildContext
from surplus.devices.sim.keba_fake import KebaFake
from tests.devices.building import NOW, build
from tests.devices.chargers.config_errors import config_error


def keba(fake: KebaFake, extra: str = "", clock: VirtualClock | None = None) -> Any:
    yaml = f"chargers:\n  - name: keba\n    type: keba\n    uri: {fake.address}\n    listenport: 0\n{extra}"
    return build(yaml, "chargers", clock=clock)


async def test_reports_give_status_meter_values_and_the_session() -> None:
    async with KebaFake() as fake:
        fake.plug, fake.current_ma, fake.energy_wh, fake.session_wh = 7, 16000, 4321.5, 1200.0
        charger = keba(fake)
        try:
            for capability in (p.Meter, p.MeterEnergy, p.PhaseCurrents, p.PhaseVoltages, p.ChargeRater):
                assert isinstance(charger, capability)
            assert isinstance(charger, p.ChargerMillis) and isinstance(charger, p.Identifier)
            assert not isinstance(charger, p.PhaseSwitcher)
            assert await charger.status() == ChargeStatus.C
            assert await charger.enabled() is True
            assert await charger.get_max_current() == 16
            assert await charger.current_power() == 3 * 16 * 230
            assert await charger.currents() == (16.0, 16.0, 16.0)
            assert await charger.voltages() == (230.0, 230.0, 230.0)
            assert await charger.total_energy() == pytest.approx(4.3215)
            assert await charger.charged_energy() == pytest.approx(1.2)
            assert await charger.identify() == ""
            assert fake.commands == ["report 2", "report 3", "report 100"]
        finally:
            await charger.close()


@pytest.mark.parametrize(
    ("plug", "enabled", "expected"),
    [(0, True, ChargeStatus.A), (3, True, ChargeStatus.A), (5, True, ChargeStatus.B), (7, False, ChargeStatus.B)],
)
async def test_plug_and_state_map_to_charge_status(plug: int, enabled: bool, expected: ChargeStatus) -> None:
    async with KebaFake() as fake:
        fake.plug, fake.enabled = plug, enabled
        charger = keba(fake)
        assert await charger.status() == expected
        await charger.close()


async def test_state_4_is_a_device_error() -> None:
    async with KebaFake() as fake:
        fake.failed = True
        charger = keba(fake)
        with pytest.raises(DeviceError, match=r"KEBA at 127\.0\.0\.1:\d+ reports an error \(State 4"):
            await charger.status()
        await charger.close()


async def test_commands_change_the_box() -> None:
    async with KebaFake() as fake:
        fake.plug = 7
        charger = keba(fake)
        await charger.enable(False)
        assert not fake.enabled and await charger.status() == ChargeStatus.B and not await charger.enabled()
        await charger.enable(True)
        await charger.max_current(10)
        assert fake.current_ma == 10000 and await charger.current_power() == 3 * 10 * 230
        await charger.max_current_millis(7.25)
        assert fake.current_ma == 7250
        assert [c for c in fake.commands if not c.startswith("report")] == ["ena 0", "ena 1", "curr 10000", "curr 7250"]
        with pytest.raises(DeviceError, match=r"refused 'curr': TCH-ERR :invalid command"):
            await charger.max_current(5)
        await charger.close()


async def test_an_rfid_tag_authorises_the_session_when_enabling() -> None:
    async with KebaFake() as fake:
        fake.plug, fake.auth_required = 7, True
        charger = keba(fake, "    rfid:\n      tag: e3f76b8d00000000\n      class: '01010400000000000000'\n")
        assert await charger.status() == ChargeStatus.B
        await charger.enable(True)
        assert fake.commands[-2:] == ["start e3f76b8d00000000 01010400000000000000", "ena 1"]
        assert await charger.status() == ChargeStatus.C
        assert await charger.identify() == "e3f76b8d00000000"
        await charger.close()


async def test_phases_are_switched_with_x2_when_configured() -> None:
    async with KebaFake() as fake:
        fake.plug = 7
        charger = keba(fake, "    phases1p3p: true\n")
        assert isinstance(charger, p.PhaseSwitcher) and isinstance(charger, p.PhaseGetter)
        assert await charger.get_phases() == 3
        await charger.phases_1p3p(1)
        assert not fake.three_phases and fake.commands[-1] == "x2 0"
        assert await charger.get_phases() == 1
        assert await charger.currents() == (32.0, 0.0, 0.0)
        await charger.close()


async def test_a_silent_box_is_asked_three_times_then_reported() -> None:
    async with KebaFake() as fake:
        fake.silent = True
        charger = keba(fake, "    timeout: 50ms\n")
        with pytest.raises(DeviceError, match=r"KEBA at 127\.0\.0\.1:\d+: no answer to 'report' in 3 tries of 0\.05s"):
            await charger.status()
        assert fake.commands == ["report 2"] * 3
        await charger.close()


async def test_garbage_is_a_device_error_and_broadcasts_are_not_answers() -> None:
    async with KebaFake() as fake:
        fake.plug, fake.garbage = 7, True
        charger = keba(fake, "    cache: 0s\n")
        with pytest.raises(DeviceError, match=r"answered 'report 2' with garbage: '\\x07\\x00garbage'"):
            await charger.status()
        fake.garbage, fake.chatty = False, True
        assert await charger.status() == ChargeStatus.C
        await charger.max_current(8)
        assert fake.current_ma == 8000
        await charger.close()


async def test_two_boxes_share_one_socket_and_each_gets_its_own_answers() -> None:
    async with KebaFake(serial="1") as left, KebaFake(serial="2") as right:
        left.plug, right.plug = 0, 7
        yaml = f"""
chargers:
  - name: left
    type: keba
    uri: {left.address}
    listenport: 0
  - name: right
    type: keba
    uri: {right.address}
    listenport: 0
"""
        built = build_devices(load_text(yaml, "evcc.yaml"), BuildContext(VirtualClock(NOW))).chargers
        first, second = built["left"].device, built["right"].device
        statuses = await asyncio.gather(first.status(), second.status(), first.enabled(), second.status())
        assert statuses[:2] == [ChargeStatus.A, ChargeStatus.C]
        await second.enable(False)
        assert right.enabled is False and left.enabled is True
        assert left.commands == ["report 2"] and right.commands[-1] == "ena 0"
        await first.close()
        assert await second.status() == ChargeStatus.B  # the socket stays open for the other charger
        await second.close()


async def test_first_requests_at_once_share_one_socket() -> None:
    listener = KebaListener(0)
    first, second = await asyncio.gather(listener._open(), listener._open())
    try:
        assert first is second  # a second socket would be left open, and on port 7090 fail to bind
    finally:
        listener.release()


async def test_a_box_that_goes_away_is_asked_again_after_a_pause_and_recovers() -> None:
    clock = VirtualClock(NOW)
    async with KebaFake() as fake:
        charger = keba(fake, "    timeout: 50ms\n", clock=clock)
        assert await charger.status() == ChargeStatus.A
        fake.stop()
        clock.advance(1)
        with pytest.raises(DeviceError, match="no answer"):
            await charger.status()
        await fake.start()
        fake.plug = 7
        with pytest.raises(DeviceError, match="no answer"):  # pausing: not asked again yet
            await charger.enabled()
        assert fake.commands == ["report 2"]
        clock.advance(1)
        assert await charger.status() == ChargeStatus.C
        await charger.close()


async def test_reports_are_kept_for_the_cache_time() -> None:
    clock = VirtualClock(NOW)
    async with KebaFake() as fake:
        charger = keba(fake, clock=clock)
        await charger.status()
        await charger.enabled()
        await charger.get_max_current()
        assert fake.commands == ["report 2"]
        clock.advance(1)
        await charger.enabled()
        assert fake.commands == ["report 2", "report 2"]
        await charger.close()


@pytest.mark.parametrize(
    ("yaml", "key", "message"),
    [
        ("    uri: 192.0.2.2:port\n", "chargers[0].uri", "is not a host or host:port"),
        ("    uri: 192.0.2.2\n    rfid: {class: '01'}\n", "chargers[0].rfid.tag", "required"),
        ("    uri: 192.0.2.2\n    listenport: 70900\n", "chargers[0].listenport", "65535"),
        ("    host: 192.0.2.2\n", "chargers[0].host", "unknown key; allowed keys: cache, listenport"),
    ],
)
def test_config_mistakes_name_the_key(yaml: str, key: str, message: str) -> None:
    error = config_error("chargers:\n  - name: keba\n    type: keba\n" + yaml)
    assert error.key == key and message in str(error)
