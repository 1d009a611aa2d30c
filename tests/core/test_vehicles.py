"""Vehicles on a loadpoint: default vehicle, identification, re-assignment, detection by status (core.md §5,
scenarios 96–99)."""

from __future__ import annotations

import pytest

from surplus.core.readings import VehicleReading
from surplus.core.types import ChargeMode, ChargeStatus, Feature
from surplus.core.vehicles import OnIdentify, VehicleInfo, match_identifier
from tests.core.builders import at, charger, context, loadpoint, reading

A, B, C = ChargeStatus.A, ChargeStatus.B, ChargeStatus.C

# --- scenario 96: default vehicle -----------------------------------------------------------------------------

DEFAULT = VehicleInfo("default", "Default car", on_identify=OnIdentify(mode=ChargeMode.PV, min_current=66.6))
OTHER = VehicleInfo("other", "Other car", identifiers=("other-tag",))


def test_scenario_96_default_vehicle_is_active_from_the_start() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(DEFAULT, OTHER), default_vehicle="default")
    assert lp.vehicle is not None and lp.vehicle.name == "default"
    assert lp.settings.mode == ChargeMode.PV
    assert lp.effective_min_current() == 66.6


def test_scenario_96_other_vehicle_then_disconnect_brings_the_default_back() -> None:
    lp = loadpoint(
        info=charger(identifier=True), mode=ChargeMode.OFF, vehicles=(DEFAULT, OTHER), default_vehicle="default"
    )
    result = lp.update(context(at(0)), reading(B, False, identifier="other-tag"), {})
    assert result.published["vehicleName"] == "other"
    assert lp.effective_min_current() == 6
    assert result.published["effectiveMinCurrent"] == 6
    assert lp.settings.mode == ChargeMode.PV  # the other vehicle has no onIdentify mode

    lp.set_mode(ChargeMode.NOW)
    result = lp.update(context(at(30)), reading(A, True), {})
    assert result.events == ["disconnect"]
    assert lp.vehicle is not None and lp.vehicle.name == "default"
    assert result.published["vehicleName"] == "default"
    assert lp.settings.mode == ChargeMode.PV
    assert result.published["mode"] == ChargeMode.PV
    assert lp.effective_min_current() == 66.6
    assert result.published["effectiveMinCurrent"] == 66.6


def test_scenario_96_default_vehicle_is_assigned_on_connect_without_detection() -> None:
    detectable = VehicleInfo("detectable", "Detectable", reports_status=True)
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(DEFAULT, detectable), default_vehicle="default")
    assert lp.vehicle_reads(at(0), B).status_of == ()
    result = lp.update(context(at(0)), reading(B, False), {"detectable": VehicleReading(status=B)})
    assert result.published["vehicleName"] == "default"
    assert not lp.detection.active


# --- scenario 97: identifier matching -------------------------------------------------------------------------


def vehicles_with(first: tuple[str, ...], second: tuple[str, ...]) -> list[VehicleInfo]:
    return [
        VehicleInfo("vehicle1", "Vehicle 1", identifiers=first),
        VehicleInfo("vehicle2", "Vehicle 2", identifiers=second),
    ]


@pytest.mark.parametrize(
    ("identifier", "first", "second", "expected"),
    [
        ("11", ("1*",), ("2",), "vehicle1"),
        ("22", ("1*",), ("2*",), "vehicle2"),
        ("2", (), ("*",), "vehicle2"),
        ("11", (), (), None),
        # an exact (case-insensitive) match beats a wildcard that comes first
        ("ABC", ("*",), ("abc",), "vehicle2"),
        ("abc", ("A*",), (), "vehicle1"),
        ("3", ("1*",), ("2*",), None),
    ],
)
def test_scenario_97_identifier_matching(
    identifier: str, first: tuple[str, ...], second: tuple[str, ...], expected: str | None
) -> None:
    found = match_identifier(vehicles_with(first, second), identifier)
    assert (found.name if found else None) == expected


def test_scenario_97_identifier_selects_the_vehicle_on_the_loadpoint() -> None:
    lp = loadpoint(info=charger(identifier=True), mode=ChargeMode.OFF, vehicles=tuple(vehicles_with(("1*",), ("2",))))
    result = lp.update(context(at(0)), reading(B, False, identifier="11"), {})
    assert result.published["vehicleName"] == "vehicle1"
    assert not lp.detection.active  # an identified vehicle ends detection
    result = lp.update(context(at(30)), reading(B, False, identifier="2"), {})
    assert result.published["vehicleName"] == "vehicle2"


# --- scenario 98: re-identification and re-assignment ---------------------------------------------------------

CAR = VehicleInfo("car", "Car", identifiers=("tag-1", "tag-2"), on_identify=OnIdentify(mode=ChargeMode.PV))


def test_scenario_98_reidentifying_the_same_vehicle_keeps_the_users_mode() -> None:
    lp = loadpoint(info=charger(identifier=True), mode=ChargeMode.OFF, vehicles=(CAR,))
    result = lp.update(context(at(0)), reading(B, False, identifier="tag-1"), {})
    assert result.published["vehicleName"] == "car"
    assert lp.settings.mode == ChargeMode.PV  # onIdentify applied on the first identification

    lp.set_mode(ChargeMode.NOW)
    result = lp.update(context(at(30)), reading(B, False, identifier="tag-2"), {})  # the car's second RFID tag
    assert result.published["vehicleName"] == "car"
    assert lp.settings.mode == ChargeMode.NOW
    assert result.published["mode"] == ChargeMode.NOW


def test_scenario_98_same_vehicle_reassigned_keeps_soc_and_none_clears_it() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(CAR,))
    lp.set_vehicle("car")
    result = lp.update(context(at(0)), reading(B, False), {"car": VehicleReading(soc=55)})
    assert result.published["vehicleSoc"] == 55

    lp.set_vehicle("car")
    assert lp.vehicle_soc == 55
    result = lp.update(context(at(30)), reading(B, False), {})
    assert result.published["vehicleSoc"] == 55

    lp.set_vehicle(None)
    assert lp.vehicle is None
    assert lp.vehicle_soc == 0
    result = lp.update(context(at(60)), reading(B, False), {})
    assert result.published["vehicleSoc"] == 0
    assert result.published["vehicleName"] == ""


def test_scenario_98_a_different_vehicle_clears_the_soc() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(CAR, OTHER))
    lp.set_vehicle("car")
    lp.update(context(at(0)), reading(B, False), {"car": VehicleReading(soc=55)})
    lp.set_vehicle("other")
    assert lp.vehicle_soc == 0


# --- scenario 99: detection by status ---------------------------------------------------------------------------

DETECTABLE = VehicleInfo("detectable", "Detectable", reports_status=True)
SILENT = VehicleInfo("silent", "Silent")  # cannot report a status


def test_scenario_99_status_detection() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(DETECTABLE, SILENT))
    assert lp.vehicle_reads(at(0), B).status_of == ("detectable",)
    result = lp.update(context(at(0)), reading(B, False), {"detectable": VehicleReading(status=A)})
    assert result.events == ["connect"]
    assert lp.vehicle is None
    assert lp.detection.active
    assert result.published["vehicleDetectionActive"] is True
    assert result.published["vehicleName"] == ""

    assert lp.vehicle_reads(at(30), B).status_of == ("detectable",)
    result = lp.update(context(at(30)), reading(B, False), {"detectable": VehicleReading(status=B)})
    assert lp.vehicle is not None and lp.vehicle.name == "detectable"
    assert not lp.detection.active
    assert result.published["vehicleDetectionActive"] is False
    assert result.published["vehicleName"] == "detectable"
    assert lp.vehicle_reads(at(60), B).status_of == ()


def test_scenario_99_detection_gives_up_after_ten_minutes() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(DETECTABLE,))
    for step in range(20):  # 0 … 570 s
        result = lp.update(context(at(30 * step)), reading(B, False), {"detectable": VehicleReading(status=A)})
        assert "guest" not in result.events
        assert lp.detection.active
    result = lp.update(context(at(601)), reading(B, False), {"detectable": VehicleReading(status=A)})
    assert result.events == ["guest"]
    assert not lp.detection.active
    result = lp.update(context(at(631)), reading(B, False), {"detectable": VehicleReading(status=B)})
    assert lp.vehicle is None  # no detection after giving up


@pytest.mark.parametrize(
    ("statuses", "loadpoint_status", "expected"),
    [
        ({"v1": B, "v2": A}, B, "v1"),
        ({"v1": C, "v2": B}, C, "v1"),  # the exact match wins
        ({"v1": B, "v2": B}, B, None),  # two exact matches: ambiguous
        ({"v1": B, "v2": B}, C, None),  # two connected, none exact
        ({"v1": B, "v2": None}, C, "v1"),  # one connected vehicle
        ({"v1": A, "v2": A}, B, None),
    ],
)
def test_scenario_99_status_matching(
    statuses: dict[str, ChargeStatus | None], loadpoint_status: ChargeStatus, expected: str | None
) -> None:
    v1 = VehicleInfo("v1", "V1", reports_status=True)
    v2 = VehicleInfo("v2", "V2", reports_status=True)
    lp = loadpoint(mode=ChargeMode.OFF, vehicles=(v1, v2))
    readings = {name: VehicleReading(status=status) for name, status in statuses.items()}
    lp.update(context(at(0)), reading(loadpoint_status, False), readings)
    assert (lp.vehicle.name if lp.vehicle else None) == expected


def test_scenario_99_vehicles_without_autodetect_or_owned_elsewhere_are_not_detected() -> None:
    opted_out = VehicleInfo(
        "opted-out", "Opted out", reports_status=True, features=frozenset({Feature.AUTODETECT_DISABLED})
    )
    taken = VehicleInfo("taken", "Taken", reports_status=True)
    first = loadpoint(mode=ChargeMode.OFF, vehicles=(opted_out, taken))
    second = loadpoint(mode=ChargeMode.OFF, index=1, coordinator=first.coordinator)
    second.set_vehicle("taken")
    assert first.vehicle_reads(at(0), B).status_of == ()
    first.update(
        context(at(0)), reading(B, False), {"opted-out": VehicleReading(status=B), "taken": VehicleReading(status=B)}
    )
    assert first.vehicle is None
    assert first.detection.active
