"""``type: shelly`` meters against simulated Shelly 3EM, EM, PM and plugs, gen1 and gen2, over real HTTP."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.sim.shelly_fake import Model, ShellyFake
from tests.devices.building import build


def meter(fake: ShellyFake, extra: str = "") -> Any:
    return build(f"meters:\n  - name: grid\n    type: shelly\n    uri: {fake.url}\n{extra}")


@pytest.mark.parametrize("generation", [1, 2])
async def test_a_3em_reports_the_sum_and_each_phase(generation: Literal[1, 2]) -> None:
    with ShellyFake(generation, "3em") as fake:
        fake.powers, fake.energies_wh, fake.returned_wh = [230.0, 460.0, -115.0], [1000.0, 2000.0, 500.0], [0, 0, 4000]
        grid = meter(fake)
        try:
            for capability in (p.Meter, p.MeterEnergy, p.MeterReturnEnergy, p.PhaseCurrents, p.PhasePowers):
                assert isinstance(grid, capability)
            assert await grid.current_power() == 575.0
            assert await grid.total_energy() == pytest.approx(3.5)
            assert await grid.return_energy() == pytest.approx(4.0)
            assert await grid.powers() == (230.0, 460.0, -115.0)
            assert await grid.currents() == pytest.approx((1.0, 2.0, -0.5))
            assert await grid.voltages() == (230.0, 230.0, 230.0)
        finally:
            await grid.close()
        assert fake.requests == ["/shelly", "/status" if generation == 1 else "/rpc/Shelly.GetStatus"]


@pytest.mark.parametrize(
    ("generation", "model", "channel", "energy", "returned"),
    [
        (1, "em", 1, 2.0, 0.5),
        (2, "em", 1, 2.0, 0.5),
        (2, "pm", 0, 1.0, 0.25),
        (2, "plug", 0, 1.0, None),
        (1, "plug", 0, 1.0, None),
    ],
)
async def test_single_channel_meters_have_no_phase_values(
    generation: Literal[1, 2], model: Model, channel: int, energy: float, returned: float | None
) -> None:
    with ShellyFake(generation, model) as fake:
        count = len(fake.powers)
        fake.on = True
        fake.powers = [100.0 * (n + 1) for n in range(count)]
        fake.energies_wh = [1000.0 * (n + 1) for n in range(count)]
        fake.returned_wh = [250.0 * (n + 1) for n in range(count)]
        grid = meter(fake, f"    channel: {channel}\n")
        assert await grid.current_power() == 100.0 * (channel + 1)
        assert await grid.total_energy() == pytest.approx(energy)
        if returned is None:
            with pytest.raises(NotAvailable, match="this Shelly channel has no return energy counter"):
                await grid.return_energy()
        else:
            assert await grid.return_energy() == pytest.approx(returned)
        for phases in (grid.currents, grid.voltages, grid.powers):
            with pytest.raises(NotAvailable, match="this Shelly channel has no phase"):
                await phases()
        await grid.close()


async def test_a_channel_without_a_meter_is_a_device_error() -> None:
    with ShellyFake(2, "3em") as fake:
        grid = meter(fake, "    channel: 2\n")
        with pytest.raises(DeviceError, match=r"has no meter at channel 2 \(looked for em:2, em1:2, switch:2, pm1:2\)"):
            await grid.current_power()
        await grid.close()


async def test_a_gen2_meter_with_a_password_uses_digest_auth() -> None:
    with ShellyFake(2, "3em", password="s3cret") as fake:
        fake.powers = [1.0, 2.0, 3.0]
        grid = meter(fake, "    password: s3cret\n")
        assert await grid.current_power() == 6.0
        assert fake.headers[-1]["authorization"].startswith('Digest username="admin"')
        await grid.close()
