"""Soc estimation, poll gating, progress and remaining time (core.md §3.8, scenarios 86, 91–94)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from surplus.core.soc import (
    Progress,
    SocEstimator,
    SocPoller,
    min_soc_energy_reached,
    min_soc_energy_wh,
    min_soc_not_reached,
    nominal_virtual_capacity_wh,
    progress_crossed,
    remaining_duration,
    remaining_energy,
)
from surplus.core.types import ChargeStatus

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)
A, B, C = ChargeStatus.A, ChargeStatus.B, ChargeStatus.C


def hms(h: int, m: int, s: int) -> timedelta:
    return timedelta(hours=h, minutes=m, seconds=s)


# --- scenario 92: the estimator -------------------------------------------------------------------------------

# (charged energy Wh, fetched soc, expected estimate, expected virtual capacity Wh), one estimator, in order
ESTIMATOR_SEQUENCE = [
    (0, 0, 0, 10000),
    (0, 20, 20, 10000),
    (123, 20, 21.23, 10000),
    (1000, 20, 30, 10000),
    (1100, 31, 31, 10000),
    (2000, 40, 40, 10000),
    (6000, 80, 80, 10000),
    (0, 25, 25, 10000),
    (2500, 25, 50, 10000),
    (0, 50, 50, 10000),
    (4990, 50, 99.9, 10000),
    (5000, 50, 100, 10000),
    (5001, 50, 100, 10000),
    (0, 20, 20, 10000),
    (1000, 30, 30, 10000),
    (1000, 50, 50, 8500),
]


def test_estimator_sequence() -> None:
    est = SocEstimator(8.5)
    assert est.virtual_capacity_wh == 10000
    for energy, fetched, expected, capacity in ESTIMATOR_SEQUENCE:
        assert est.soc(fetched, energy) == expected, (energy, fetched)
        assert est.virtual_capacity_wh == capacity, (energy, fetched)


def test_estimator_remaining_duration_follows_virtual_capacity() -> None:
    """At 1 kW there is no taper below 100 %: remaining hours = (100 − soc)/100 × Cv / 1000."""
    est = SocEstimator(8.5)
    for energy, fetched, _, capacity in ESTIMATOR_SEQUENCE:
        soc = est.soc(fetched, energy)
        assert soc is not None
        hours = (100 - soc) / 100 * capacity / 1000
        assert est.remaining_duration(100, 1000, soc) == timedelta(seconds=round(hours * 3600))


def test_missing_soc_keeps_estimate() -> None:
    est = SocEstimator(8.5)
    assert est.soc(20, 0) == 20
    assert est.soc(20, 100) == 21
    assert est.soc(None, 200) == 21
    assert est.soc(20, 200) == 22


def test_nothing_known_yet() -> None:
    assert SocEstimator(8.5).soc(None, 500) is None
    assert SocEstimator(8.5, estimate=False).soc(None, 500) is None


def test_disabled_estimator_passes_fetched_soc_through() -> None:
    est = SocEstimator(8.5, estimate=False)
    assert est.soc(20, 0) == 20
    assert est.soc(20, 1000) == 20
    assert est.soc(None, 2000) == 20
    assert est.soc(35, 3000) == 35
    assert est.virtual_capacity_wh == 10000


def test_zero_capacity_passes_through_without_dividing() -> None:
    est = SocEstimator(0)
    assert est.virtual_capacity_wh == 0
    assert est.soc(20, 0) == 20
    assert est.soc(20, 5000) == 20
    assert est.remaining_duration(80, 7000, 20) == timedelta(0)
    assert est.remaining_energy(80, 20) == 0


def test_estimate_capped_at_100() -> None:
    est = SocEstimator(8.5)
    est.soc(90, 0)
    assert est.soc(90, 50_000) == 100


def test_reset_forgets_learnt_capacity() -> None:
    est = SocEstimator(8.5)
    for energy, fetched, _, _ in ESTIMATOR_SEQUENCE:
        est.soc(fetched, energy)
    assert est.virtual_capacity_wh == 8500
    est.reset()
    assert est.virtual_capacity_wh == 10000
    assert est.last is None


def test_learning_grows_virtual_capacity() -> None:
    """2 kWh for 10 % after the first change → 200 Wh/% → 20 kWh virtual capacity."""
    est = SocEstimator(8.5)
    est.soc(20, 0)  # first change from the initial 0: records (20 %, 0 Wh)
    assert est.soc(20, 1000) == 30  # 100 Wh/%
    assert est.soc(31, 2200) == 31  # 11 % for 2200 Wh → 200 Wh/%
    assert est.virtual_capacity_wh == 20000
    assert est.soc(31, 2400) == 32


# --- scenario 93: remaining duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity_kwh", "soc", "target", "power", "expected"),
    [
        (8.5, 20, 80, 1000, hms(6, 0, 0)),
        (17, 10, 60, 7000, hms(1, 25, 43)),
        (17, 50, 100, 7000, hms(1, 33, 35)),
        (50, 50, 100, 11000, hms(3, 7, 43)),
        (80, 10, 60, 22000, hms(2, 8, 21)),
        (0.75, 10, 60, 300, hms(1, 28, 14)),
    ],
)
def test_remaining_duration(capacity_kwh: float, soc: float, target: float, power: float, expected: timedelta) -> None:
    assert remaining_duration(nominal_virtual_capacity_wh(capacity_kwh), soc, target, power) == expected
    assert SocEstimator(capacity_kwh, estimate=False).remaining_duration(target, power, soc) == expected


def test_remaining_duration_edges() -> None:
    cv = nominal_virtual_capacity_wh(17)
    assert remaining_duration(cv, 50, 50, 7000) == timedelta(0)
    assert remaining_duration(cv, 80, 50, 7000) == timedelta(0)
    assert remaining_duration(cv, 20, 80, 0) == timedelta(0)
    assert remaining_duration(cv, 20, 80, -500) == timedelta(0)
    assert remaining_duration(0, 20, 80, 7000) == timedelta(0)
    # soc already above the taper point: only the tapered part, at (P + 1 kW)/2
    assert remaining_duration(10000, 95, 100, 7000) == hms(0, 7, 30)  # 5 % × 10 kWh / 4 kW


def test_remaining_energy() -> None:
    assert remaining_energy(10000, 20, 80) == pytest.approx(6.0)
    assert remaining_energy(10000, 80, 20) == 0
    est = SocEstimator(8.5)
    assert est.remaining_energy(80, 20) == pytest.approx(6.0)
    assert SocEstimator(0).remaining_energy(80, 20) == 0


# --- scenario 94: minSoc energy fallback ------------------------------------------------------------------------


def test_min_soc_energy_fallback() -> None:
    assert min_soc_energy_wh(10, 50) == pytest.approx(5882.35, abs=0.01)
    assert not min_soc_energy_reached(10, 50, 3000)
    assert min_soc_not_reached(50, None, 3000, 10)
    assert min_soc_not_reached(50, 0, 3000, 10)
    assert not min_soc_not_reached(50, None, 6000, 10)
    assert min_soc_energy_reached(10, 50, 5882.36)


def test_min_soc_not_reached_rules() -> None:
    assert not min_soc_not_reached(0, 10, 0, 10)  # no minSoc
    assert min_soc_not_reached(50, 40, 100_000, 10)  # a known soc wins over energy
    assert not min_soc_not_reached(50, 50, 0, 10)
    assert not min_soc_not_reached(50, None, 0, 10, vehicle_present=False)
    assert not min_soc_not_reached(50, None, 0, 0)  # no capacity: nothing to charge for


# --- scenario 86: soc poll --------------------------------------------------------------------------------------


def test_poll_charging_mode() -> None:
    poller = SocPoller("charging", timedelta(hours=1))
    assert not poller.allowed(T0, A)
    assert poller.allowed(T0, B)  # once after reset
    poller.polled(T0)
    assert not poller.allowed(T0, B)
    assert not poller.allowed(T0 + timedelta(hours=2), B)
    assert not poller.allowed(T0 + timedelta(hours=2), A)
    assert poller.allowed(T0, C)  # charging: always
    poller.polled(T0)
    assert poller.allowed(T0, C)
    poller.reset()  # C → B is a charge stop
    assert poller.allowed(T0, B)
    poller.polled(T0)
    assert not poller.allowed(T0, B)


def test_poll_connected_mode() -> None:
    poller = SocPoller("connected", timedelta(hours=1))
    assert not poller.allowed(T0, A)
    assert poller.allowed(T0, B)
    poller.polled(T0)
    assert not poller.allowed(T0, B)
    assert not poller.allowed(T0 + timedelta(minutes=30), B)
    assert poller.allowed(T0 + timedelta(minutes=60), B)
    assert not poller.allowed(T0 + timedelta(minutes=60), A)
    assert poller.allowed(T0 + timedelta(minutes=1), C)


def test_poll_always_mode() -> None:
    for status in (A, B, C):
        poller = SocPoller("always", timedelta(hours=1))
        assert poller.allowed(T0, status)
        poller.polled(T0)
        assert poller.allowed(T0, status) is (status == C)
        assert poller.allowed(T0 + timedelta(minutes=30), status) is (status == C)
        assert poller.allowed(T0 + timedelta(minutes=60), status)


def test_poll_offline_streaming_and_retry() -> None:
    poller = SocPoller("always", timedelta(hours=1))
    assert not poller.allowed(T0, C, offline=True)
    poller.polled(T0)
    assert poller.allowed(T0, B, streaming=True)
    assert poller.allowed(T0, A, streaming=True)

    poller = SocPoller("charging")
    poller.polled(T0, must_retry=True)  # does not count
    assert poller.allowed(T0, B)
    poller.polled(T0)
    assert not poller.allowed(T0, B)


def test_poll_defaults_and_bad_mode() -> None:
    poller = SocPoller()
    assert (poller.mode, poller.interval) == ("charging", timedelta(minutes=60))
    with pytest.raises(ValueError, match="poll mode"):
        SocPoller("sometimes")


# --- scenario 91: progress --------------------------------------------------------------------------------------

PROGRESS_VALUES = [-1, 0, 1, 5, 10, 15, 25, 30, 60, 65, 70]
PROGRESS_EXPECTED = [False, True, False, False, True, False, True, True, True, False, True]


def test_progress_sequence() -> None:
    progress = Progress(10)
    assert [progress.reached(v) for v in PROGRESS_VALUES] == PROGRESS_EXPECTED


def test_progress_crossed_pairwise() -> None:
    got = [False] + [progress_crossed(p, c) for p, c in itertools.pairwise(PROGRESS_VALUES)]
    assert got == PROGRESS_EXPECTED


def test_progress_reports_each_step_once_and_resets() -> None:
    progress = Progress(10)
    assert progress.reached(30)
    assert not progress.reached(25)
    assert not progress.reached(30)  # already reported
    assert progress.reached(40)
    progress.reset()
    assert progress.reached(0)
    with pytest.raises(ValueError, match="step"):
        Progress(0)
    assert not progress_crossed(0, 100, step=0)
