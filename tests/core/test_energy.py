"""Session energy: metrics (scenario 95) and the charged-energy sources (scenario 26, "Charged energy")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surplus.core.energy import (
    MAX_SESSION_ENERGY,
    ChargedEnergy,
    EnergyMetrics,
    EnergySource,
    select_source,
)

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


# --- scenario 95: energy metrics --------------------------------------------------------------------------------


def test_energy_metrics_scenario() -> None:
    metrics = EnergyMetrics()
    for kwh, green, price, co2 in [(1, 0, 2, 200), (2, 0.5, 1, 50), (3, 1, 0, 0), (4, 0.5, 1, 50), (5, 0, 2, 200)]:
        metrics.update(kwh, green, price, co2)
    assert metrics.total_wh == 5000
    assert metrics.solar_percentage == 40
    assert metrics.price == 6
    assert metrics.price_per_kwh == 1.2
    assert metrics.co2_per_kwh == 100

    metrics.update(4, 1, 100, 1000)  # lower total ignored
    metrics.update(5, 1, 100, 1000)  # equal total ignored
    assert metrics.published() == {
        "sessionEnergy": 5000,
        "sessionSolarPercentage": 40,
        "sessionPrice": 6,
        "sessionPricePerKWh": 1.2,
        "sessionCo2PerKWh": 100,
    }


def test_energy_metrics_unknown_price_and_co2() -> None:
    metrics = EnergyMetrics()
    assert metrics.published() == {
        "sessionEnergy": 0,
        "sessionSolarPercentage": 0,
        "sessionPrice": None,
        "sessionPricePerKWh": None,
        "sessionCo2PerKWh": None,
    }
    metrics.update(2, 1, None, None)
    assert (metrics.price, metrics.price_per_kwh, metrics.co2_per_kwh) == (None, None, None)
    assert metrics.solar_percentage == 100
    metrics.update(4, 0, 0.3, None)  # priced from here on; per kWh over the whole session
    assert metrics.price == pytest.approx(0.6)
    assert metrics.price_per_kwh == pytest.approx(0.15)
    assert metrics.solar_percentage == 50


def test_energy_metrics_reset() -> None:
    metrics = EnergyMetrics()
    metrics.update(3, 0.5, 1, 100)
    metrics.reset()
    assert metrics.total_wh == 0
    assert metrics.price is None
    metrics.update(1, 0, 2, None)
    assert metrics.price_per_kwh == 2


def test_energy_metrics_clamps_green_share() -> None:
    metrics = EnergyMetrics()
    metrics.update(1, 1.5, None, None)
    metrics.update(2, -0.5, None, None)
    assert metrics.solar_percentage == 50


# --- scenario 26: the wrapper rater without an energy meter (power integration) ---------------------------------


def test_power_integration_scenario() -> None:
    energy = ChargedEnergy(EnergySource.POWER)
    energy.start_session(T0)
    energy.start_charge(T0, continued=False)
    energy.update(T0 + HOUR)  # no power reported
    assert energy.kwh() == 0

    energy.start_charge(T0 + HOUR, continued=True)
    energy.update(T0 + 2 * HOUR, power_w=1000)
    energy.update(T0 + 2 * HOUR, power_w=1000)  # same instant counts once
    assert energy.kwh() == 1
    energy.update(T0 + 3 * HOUR, power_w=0)
    assert energy.kwh() == 1
    energy.stop_charge(T0 + 3 * HOUR)
    energy.update(T0 + 4 * HOUR, power_w=1000)  # not charging: ignored
    assert energy.kwh() == 1

    energy.start_charge(T0 + 3 * HOUR, continued=True)
    energy.update(T0 + 5 * HOUR, power_w=1000)
    assert energy.kwh() == 3
    assert energy.wh() == 3000


def test_power_integration_restarts_on_first_charge_and_session() -> None:
    energy = ChargedEnergy(EnergySource.POWER)
    energy.start_charge(T0, continued=False)
    energy.update(T0 + HOUR, power_w=2000)
    assert energy.kwh() == 2
    energy.start_charge(T0 + HOUR, continued=False)
    assert energy.kwh() == 0
    energy.stop_charge(T0 + HOUR)
    energy.start_session(T0 + HOUR)
    assert energy.kwh() == 0


def test_power_integration_ignores_garbage() -> None:
    energy = ChargedEnergy(EnergySource.POWER)
    energy.start_charge(T0, continued=False)
    energy.update(T0 + HOUR, power_w=-5000)  # negative power counts as 0
    assert energy.kwh() == 0
    energy.update(T0 + 2 * HOUR, power_w=2_000_000)  # 2000 kWh in one step: garbage
    assert energy.kwh() == 0
    energy.update(T0 + HOUR, power_w=1000)  # clock went back
    assert energy.kwh() == 0
    energy.update(T0 + 2 * HOUR, power_w=1000)
    assert energy.kwh() == 1


# --- "Charged energy" (TestChargedEnergyAtDisconnect): the charger's own counter --------------------------------


def test_charger_counter_scenario() -> None:
    energy = ChargedEnergy(EnergySource.CHARGER)
    energy.start_session(T0, charger_counter_kwh=0)
    energy.update(T0, charger_counter_kwh=0)
    energy.start_charge(T0, continued=False)
    published = []

    energy.update(T0 + HOUR, charger_counter_kwh=5)  # C, +1 h
    published.append(energy.wh())
    energy.stop_charge(T0 + HOUR)
    energy.update(T0 + HOUR, charger_counter_kwh=5)  # B
    published.append(energy.wh())
    energy.start_charge(T0 + HOUR, continued=True)
    energy.update(T0 + HOUR, charger_counter_kwh=5)  # C
    published.append(energy.wh())
    energy.update(T0 + 90 * timedelta(minutes=1), charger_counter_kwh=7.5)  # C, +30 min
    published.append(energy.wh())
    energy.stop_charge(T0 + 2 * HOUR)
    energy.update(T0 + 2 * HOUR, charger_counter_kwh=10)  # B, +30 min
    published.append(energy.wh())

    assert published == [5000, 5000, 5000, 7500, 10000]


def test_charger_counter_offset_at_startup_and_garbage() -> None:
    energy = ChargedEnergy(EnergySource.CHARGER)
    energy.start_session(T0, charger_counter_kwh=12, at_startup=True)
    energy.update(T0, charger_counter_kwh=12)
    assert energy.kwh() == 0
    energy.update(T0 + HOUR, charger_counter_kwh=15)
    assert energy.kwh() == 3
    energy.update(T0 + HOUR, charger_counter_kwh=14)  # backwards: ignored
    energy.update(T0 + HOUR, charger_counter_kwh=5000)  # above maxSessionEnergy: ignored
    energy.update(T0 + HOUR, charger_counter_kwh=None)  # read failed
    assert energy.kwh() == 3

    energy.start_session(T0 + 2 * HOUR, charger_counter_kwh=15)  # a plain connect: the counter is the session's
    assert energy.kwh() == 0
    energy.update(T0 + 2 * HOUR, charger_counter_kwh=1)
    assert energy.kwh() == 1


# --- the charge meter's total energy ----------------------------------------------------------------------------


def test_meter_total_across_segments() -> None:
    energy = ChargedEnergy(EnergySource.METER)
    energy.start_session(T0, meter_total_kwh=100)
    energy.update(T0, meter_total_kwh=100)
    energy.start_charge(T0, continued=False)
    energy.update(T0 + HOUR, meter_total_kwh=104)
    assert energy.kwh() == 4
    energy.stop_charge(T0 + HOUR, meter_total_kwh=105)
    assert energy.kwh() == 5
    energy.update(T0 + 2 * HOUR, meter_total_kwh=105.5)  # standby between segments is not the session's
    assert energy.kwh() == 5
    energy.start_charge(T0 + 2 * HOUR, continued=True)
    energy.update(T0 + 3 * HOUR, meter_total_kwh=107.5)
    assert energy.kwh() == 7
    energy.update(T0 + 3 * HOUR, meter_total_kwh=90)  # backwards: ignored
    energy.update(T0 + 3 * HOUR, meter_total_kwh=5000)  # would exceed maxSessionEnergy: ignored
    energy.update(T0 + 3 * HOUR, meter_total_kwh=None)
    assert energy.kwh() == 7
    energy.stop_charge(T0 + 3 * HOUR)
    assert energy.kwh() == 7


def test_meter_without_reading_at_charge_start() -> None:
    energy = ChargedEnergy(EnergySource.METER)
    energy.start_session(T0)
    energy.start_charge(T0, continued=False)
    energy.update(T0 + HOUR, meter_total_kwh=50)  # the segment starts at its first reading
    energy.update(T0 + 2 * HOUR, meter_total_kwh=52)
    assert energy.kwh() == 2


def test_meter_repeated_charge_start_keeps_the_running_segment() -> None:
    energy = ChargedEnergy(EnergySource.METER)
    energy.start_session(T0, meter_total_kwh=0)
    energy.start_charge(T0, continued=True)
    energy.update(T0 + HOUR, meter_total_kwh=1)
    energy.start_charge(T0 + HOUR, continued=True)
    assert energy.kwh() == 1
    energy.update(T0 + 2 * HOUR, meter_total_kwh=3)
    assert energy.kwh() == 3


def test_select_source() -> None:
    assert select_source(separate_meter=False, meter_has_total=False, charger_is_rater=True) == EnergySource.CHARGER
    assert select_source(separate_meter=True, meter_has_total=True, charger_is_rater=True) == EnergySource.METER
    assert select_source(separate_meter=True, meter_has_total=False, charger_is_rater=True) == EnergySource.POWER
    assert select_source(separate_meter=False, meter_has_total=False, charger_is_rater=False) == EnergySource.POWER


# --- properties -------------------------------------------------------------------------------------------------

_reading = st.one_of(st.none(), st.floats(min_value=-10, max_value=2000, allow_nan=False))
_step = st.tuples(
    st.sampled_from(["update", "update", "update", "start", "stop"]),
    st.integers(min_value=-60, max_value=3600),  # seconds since the previous step (may go back)
    st.one_of(st.none(), st.floats(min_value=-5000, max_value=50_000, allow_nan=False)),
    _reading,
    _reading,
)


@given(st.sampled_from(list(EnergySource)), st.lists(_step, max_size=40))
def test_charged_energy_never_decreases_within_a_session(
    source: EnergySource, steps: list[tuple[str, int, float | None, float | None, float | None]]
) -> None:
    energy = ChargedEnergy(source)
    now = T0
    energy.start_session(now, meter_total_kwh=0, charger_counter_kwh=0)
    previous = energy.kwh()
    for action, seconds, power, meter, counter in steps:
        now += timedelta(seconds=seconds)
        if action == "start":
            energy.start_charge(now, continued=True, meter_total_kwh=meter)
        elif action == "stop":
            energy.stop_charge(now, meter_total_kwh=meter)
        else:
            energy.update(now, power_w=power, meter_total_kwh=meter, charger_counter_kwh=counter)
        current = energy.kwh()
        assert current >= previous
        assert 0 <= current <= MAX_SESSION_ENERGY
        previous = current


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-10, max_value=1000, allow_nan=False),
            st.floats(min_value=-1, max_value=2, allow_nan=False),
            st.one_of(st.none(), st.floats(min_value=-1, max_value=1, allow_nan=False)),
        ),
        max_size=30,
    )
)
def test_solar_percentage_stays_within_bounds(updates: list[tuple[float, float, float | None]]) -> None:
    metrics = EnergyMetrics()
    for total, green, price in updates:
        metrics.update(total, green, price, None)
        assert 0 <= metrics.solar_percentage <= 100
        assert metrics.total_wh >= 0
