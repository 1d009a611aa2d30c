"""``type: twc3`` against a simulated Tesla Wall Connector gen3 over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError
from surplus.devices.sim.twc3_fake import Twc3Fake
from tests.devices.building import NOW, build


def wall_connector(fake: Twc3Fake, extra: str = "", clock: VirtualClock | None = None) -> Any:
    return build(f"chargers:\n  - name: twc\n    type: twc3\n    uri: {fake.url}\n{extra}", "chargers", clock=clock)


@pytest.mark.parametrize(
    ("connected", "closed", "expected"),
    [(False, False, ChargeStatus.A), (True, False, ChargeStatus.B), (True, True, ChargeStatus.C)],
)
async def test_vitals_tell_the_status(connected: bool, closed: bool, expected: ChargeStatus) -> None:
    with Twc3Fake() as fake:
        fake.vehicle_connected, fake.contactor_closed = connected, closed
        charger = wall_connector(fake)
        assert await charger.status() == expected
        await charger.close()


async def test_meter_values_come_from_vitals_and_lifetime() -> None:
    with Twc3Fake() as fake:
        fake.vehicle_connected = fake.contactor_closed = True
        fake.current, fake.phases, fake.session_wh, fake.lifetime_wh = 16.0, 1, 3500.0, 987_000.0
        charger = wall_connector(fake)
        for capability in (p.Meter, p.MeterEnergy, p.PhaseCurrents, p.PhaseVoltages, p.ChargeRater):
            assert isinstance(charger, capability)
        assert not isinstance(charger, p.PhaseSwitcher)
        assert await charger.current_power() == 16 * 230
        assert await charger.currents() == (16.0, 0.0, 0.0)
        assert await charger.voltages() == (230.0, 0.0, 0.0)
        assert await charger.charged_energy() == pytest.approx(3.5)
        assert await charger.total_energy() == pytest.approx(987.0)
        assert fake.requests == ["/api/1/vitals", "/api/1/lifetime"]
        await charger.close()


async def test_commands_are_only_recorded(caplog: pytest.LogCaptureFixture) -> None:
    with Twc3Fake() as fake:
        charger = wall_connector(fake)
        assert await charger.enabled() is True
        with caplog.at_level("INFO"):
            await charger.enable(False)
            await charger.max_current(10)
        assert await charger.enabled() is False
        assert fake.requests == []
        assert [r.getMessage() for r in caplog.records if "recorded only" in r.getMessage()] == [
            f"TWC3 at {fake.url.removeprefix('http://')} takes no commands: enable and current are recorded only"
        ]
        await charger.close()


async def test_a_missing_field_and_recovery_after_a_restart() -> None:
    clock = VirtualClock(NOW)
    with Twc3Fake() as fake:
        charger = wall_connector(fake, clock=clock)
        fake.handle = lambda path, query: {"vehicle_connected": True}  # type: ignore[method-assign]
        with pytest.raises(DeviceError, match=r"TWC3 at 127\.0\.0\.1:\d+ answered unexpectedly: contactor_closed"):
            await charger.status()
        del fake.handle
        fake.stop()
        clock.advance(1)
        with pytest.raises(DeviceError, match="cannot connect"):
            await charger.status()
        fake.start()
        clock.advance(2)
        assert await charger.status() == ChargeStatus.A
        await charger.close()
