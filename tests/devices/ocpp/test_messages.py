"""What the central system reads out of a station's messages: meter values in base units, the newest
reading winning, features from the configuration keys, and limits as stations accept them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surplus.devices.ocpp.configuration import features
from surplus.devices.ocpp.connector import Connector
from surplus.devices.ocpp.measurements import parse_time, readings
from surplus.devices.ocpp.profiles import limit, truncated

T0 = datetime(2026, 6, 1, 10, tzinfo=UTC)


def sample(value: str, measurand: str | None = None, unit: str | None = None, phase: str | None = None) -> dict:
    given = {"value": value, "measurand": measurand, "unit": unit, "phase": phase}
    return {key: item for key, item in given.items() if item is not None}


def test_values_are_keyed_by_measurand_and_phase_in_base_units() -> None:
    [reading] = readings(
        [
            {
                "timestamp": "2026-06-01T10:00:00Z",
                "sampled_value": [
                    sample("11.04", "Power.Active.Import", "kW"),
                    sample("1234.5", unit="kWh"),  # no measurand: the energy register
                    sample("16000", "Current.Import", "mA", "L1"),
                    sample("229.5", "Voltage", "V", "L2-N"),
                    sample("NaN", "Current.Import", "A", "L2"),
                    sample("n/a", "Current.Import", "A", "L3"),
                    {"measurand": "SoC"},
                ],
            }
        ]
    )
    assert reading.taken == T0
    assert reading.values == {
        "Power.Active.Import": pytest.approx(11040),
        "Energy.Active.Import.Register": pytest.approx(1234500),
        "Current.Import.L1": pytest.approx(16),
        "Voltage.L2-N": 229.5,
    }


def test_timestamps_without_offset_are_utc_and_unreadable_ones_are_none() -> None:
    assert parse_time("2026-06-01T10:00:00") == T0
    assert parse_time("2026-06-01T12:00:00+02:00") == T0
    assert parse_time("yesterday") is None and parse_time(None) is None


def test_the_newest_reading_wins_and_a_running_transaction_is_recovered() -> None:
    connector = Connector(1, status="Charging")
    newer = readings([{"timestamp": "2026-06-01T10:00:10Z", "sampled_value": [sample("7000", "Power.Active.Import")]}])
    older = readings([{"timestamp": "2026-06-01T10:00:05Z", "sampled_value": [sample("1", "Power.Active.Import")]}])
    connector.record(newer, T0, transaction_id=42)
    connector.record(older, T0 + timedelta(seconds=1))
    assert connector.values["Power.Active.Import"] == 7000
    assert connector.values_received == T0  # a late reading does not make the values fresh
    assert connector.transaction is not None and connector.transaction.id == 42
    connector.stop()
    assert connector.values["Power.Active.Import"] == 0 and connector.transaction is None


def test_features_from_the_configuration_keys() -> None:
    def key(name: str, value: str, readonly: bool = False) -> dict:
        return {"key": name, "value": value, "readonly": readonly}

    found = features(
        [
            key("ChargeProfileMaxStackLevel", "5"),
            key("NumberOfConnectors", "2"),
            key("MeterValuesSampledData", "Energy.Active.Import.Register, Power.Active.Import", readonly=True),
            key("MeterValuesSampledDataMaxLength", "4"),
            key("ACPhaseSwitchingSupported", "true"),
            key("SupportedFeatureProfiles", "Core,SmartCharging"),
            key("ChargingScheduleAllowedChargingRateUnit", "Current,Power"),
        ]
    )
    assert (found.stack_level, found.connectors, found.sampled_max_length) == (5, 2, 4)
    assert found.sampled == ("Energy.Active.Import.Register", "Power.Active.Import") and found.sampled_read_only
    assert found.phase_switching and not found.watts  # amperes are possible, so they are used
    assert found.smart_charging and not found.remote_trigger
    watts_only = features([key("ChargingScheduleAllowedChargingRateUnit", "W"), key("ChargeProfileMaxStackLevel", "x")])
    assert watts_only.watts and watts_only.phase_switching and watts_only.stack_level == 0
    assert features(None).smart_charging and features(None).remote_trigger


@pytest.mark.parametrize(
    ("current", "watts", "phases", "expected"),
    [
        (10.37, False, None, (10.3, "A")),
        (6.3, False, None, (6.3, "A")),
        (16, False, 1, (16.0, "A")),
        (0, False, None, (0.0, "A")),
        (10, True, None, (6900.0, "W")),
        (6.1, True, 1, (1403.0, "W")),
    ],
)
def test_limits_are_truncated_to_a_tenth(current: float, watts: bool, phases: int | None, expected: tuple) -> None:
    assert limit(current, watts, phases) == expected
    assert truncated(current) <= current
