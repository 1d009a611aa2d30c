"""Status events, the disconnect handler and the wake-up timer (core.md §3.2, §3.14; scenarios 24, 25, 85, 90)."""

from __future__ import annotations

import pytest

from surplus.core.commands import Enable, MaxCurrent, WakeUp
from surplus.core.loadpoint import status_events
from surplus.core.types import ChargeMode, ChargeStatus, Feature
from surplus.core.vehicles import VehicleInfo
from surplus.core.wakeup import WakeUpStep, WakeUpTimer
from tests.core.builders import at, charger, context, loadpoint, reading

A, B, C = ChargeStatus.A, ChargeStatus.B, ChargeStatus.C

# --- scenario 85: events of a status change ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "status", "events"),
    [
        (None, A, ["disconnect"]),
        (None, B, ["connect"]),
        (None, C, ["connect", "start"]),
        (A, B, ["connect"]),
        (A, C, ["connect", "start"]),
        (B, A, ["disconnect"]),
        (B, C, ["start"]),
        (C, A, ["stop", "disconnect"]),
        (C, B, ["stop"]),
    ],
)
def test_scenario_85_status_events(previous: ChargeStatus | None, status: ChargeStatus, events: list[str]) -> None:
    assert status_events(previous, status) == events


@pytest.mark.parametrize("status", [A, B, C])
def test_scenario_85_an_unchanged_status_fires_nothing(status: ChargeStatus) -> None:
    assert status_events(status, status) == []


def test_scenario_85_loadpoint_reports_the_events_in_order() -> None:
    lp = loadpoint(mode=ChargeMode.NOW)
    sequence = [
        (A, ["disconnect"]),
        (C, ["connect", "start"]),
        (B, ["stop"]),
        (C, ["start"]),
        (A, ["stop", "disconnect"]),
    ]
    for step, (status, expected) in enumerate(sequence):
        result = lp.update(context(at(30 * step)), reading(status, lp.enabled), {})
        assert result.events == expected, status


# --- scenarios 24 and 25: mode on disconnect ------------------------------------------------------------------


def test_scenario_24_disconnect_disables_and_restores_the_default_mode() -> None:
    lp = loadpoint(mode=ChargeMode.OFF, default_mode=ChargeMode.OFF, phases_configured=1, limit_soc=80, limit_energy=5)
    lp.set_mode(ChargeMode.NOW)
    first = lp.update(context(at(0)), reading(C, True, max_current=6.0), {})
    assert first.commands == [MaxCurrent(16)]
    assert lp.settings.mode == ChargeMode.NOW

    result = lp.update(context(at(30)), reading(A, True), {})
    assert result.events == ["stop", "disconnect"]
    assert result.commands == [Enable(False)]
    assert lp.settings.mode == ChargeMode.OFF
    assert result.published["mode"] == ChargeMode.OFF
    # session limits end with the session (§3.2 disconnect)
    assert (lp.settings.limit_soc, lp.settings.limit_energy) == (0, 0)
    assert result.settings_changed


def test_scenario_24_without_a_default_mode_the_mode_stays() -> None:
    lp = loadpoint(mode=ChargeMode.NOW)
    lp.update(context(at(0)), reading(C, True), {})
    result = lp.update(context(at(30)), reading(A, True), {})
    assert result.commands == [Enable(False)]
    assert lp.settings.mode == ChargeMode.NOW


def test_scenario_25_integrated_device_keeps_its_mode_on_disconnect() -> None:
    info = charger(features=frozenset({Feature.INTEGRATED_DEVICE}))
    lp = loadpoint(info=info, mode=ChargeMode.OFF, default_mode=ChargeMode.PV, limit_soc=80)
    lp.update(context(at(0)), reading(C, True), {})
    result = lp.update(context(at(30)), reading(A, False), {})
    assert result.events == ["stop", "disconnect"]
    assert lp.settings.mode == ChargeMode.OFF
    assert result.published["mode"] == ChargeMode.OFF
    assert lp.settings.limit_soc == 80  # limits are reset for non-integrated loadpoints only


# --- scenario 90: wake-up timer with 2 attempts ------------------------------------------------------------


def test_scenario_90_wake_up_timer_with_two_attempts() -> None:
    timer = WakeUpTimer(attempts=2)
    assert timer.step(at(0), True, True) == WakeUpStep.INACTIVE
    timer.start(at(0))
    attempts = (WakeUpStep.WAKE_CHARGER, WakeUpStep.WAKE_VEHICLE)
    assert timer.step(at(10), True, True) == WakeUpStep.WAITING  # +10 s: not yet
    assert timer.step(at(50), True, True) in attempts  # +40 s: elapsed, first attempt
    assert timer.step(at(79), True, True) == WakeUpStep.WAITING  # each attempt waits 30 s afresh
    assert timer.step(at(110), True, True) in attempts  # +1 min: elapsed, second attempt
    assert timer.running
    assert timer.step(at(170), True, True) == WakeUpStep.ASLEEP  # +1 min: no attempts left
    assert not timer.running
    assert timer.step(at(230), True, True) == WakeUpStep.INACTIVE


def test_scenario_90_attempts_alternate_when_charger_and_vehicle_can_wake() -> None:
    timer = WakeUpTimer(attempts=2)
    timer.start(at(0))
    first = timer.step(at(30), True, True)
    second = timer.step(at(60), True, True)
    assert {first, second} == {WakeUpStep.WAKE_CHARGER, WakeUpStep.WAKE_VEHICLE}


def test_scenario_90_a_restart_refills_the_attempts() -> None:
    timer = WakeUpTimer(attempts=2)
    timer.start(at(0))
    assert timer.step(at(30), True, True) in (WakeUpStep.WAKE_CHARGER, WakeUpStep.WAKE_VEHICLE)
    timer.start(at(40))
    assert timer.step(at(69), True, True) == WakeUpStep.WAITING
    assert timer.step(at(70), True, True) in (WakeUpStep.WAKE_CHARGER, WakeUpStep.WAKE_VEHICLE)
    assert timer.step(at(100), True, True) in (WakeUpStep.WAKE_CHARGER, WakeUpStep.WAKE_VEHICLE)
    assert timer.step(at(130), True, True) == WakeUpStep.ASLEEP


# §3.14 on a loadpoint enabled in status B that never starts charging: six attempts 30 s apart, then "asleep".
# Attempts count down from 6; the first attempt is made with 5 left (odd): odd → the charger if it can wake, else
# the vehicle; even → the vehicle, and only when both can (otherwise nothing is woken on that attempt).
WAKE_UPS = {
    (True, True): ["charger", "vehicle", "charger", "vehicle", "charger", "vehicle"],
    (True, False): ["charger", None, "charger", None, "charger", None],
    (False, True): ["vehicle", None, "vehicle", None, "vehicle", None],
}


@pytest.mark.parametrize(("charger_can", "vehicle_can"), list(WAKE_UPS))
def test_scenario_90_wake_up_targets_on_a_loadpoint(charger_can: bool, vehicle_can: bool) -> None:
    car = VehicleInfo("car", "Car", can_wake_up=vehicle_can)
    lp = loadpoint(info=charger(can_wake_up=charger_can), mode=ChargeMode.NOW, vehicles=(car,), default_vehicle="car")
    first = lp.update(context(at(0)), reading(B, False), {})
    assert first.commands == [MaxCurrent(16), Enable(True)]
    woken = []
    for step in range(1, 7):
        result = lp.update(context(at(30 * step)), reading(B, True), {})
        assert result.events == []
        woken.append(result.commands[0].via if result.commands else None)
        assert all(isinstance(command, WakeUp) for command in result.commands)
        assert len(result.commands) <= 1
    assert woken == WAKE_UPS[(charger_can, vehicle_can)]
    last = lp.update(context(at(210)), reading(B, True), {})
    assert last.events == ["asleep"]
    assert last.commands == []


def test_wake_up_stops_when_charging_starts() -> None:
    car = VehicleInfo("car", "Car", can_wake_up=True)
    lp = loadpoint(info=charger(can_wake_up=True), mode=ChargeMode.NOW, vehicles=(car,), default_vehicle="car")
    lp.update(context(at(0)), reading(B, False), {})
    lp.update(context(at(20)), reading(C, True), {})
    for step in range(1, 10):
        result = lp.update(context(at(20 + 30 * step)), reading(B if step > 1 else C, True), {})
        assert not any(isinstance(command, WakeUp) for command in result.commands)
        assert "asleep" not in result.events
