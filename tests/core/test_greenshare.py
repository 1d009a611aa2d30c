"""Green share, effective price and CO₂ (core.md §1.2 step 8, §6.2, §6.3, scenarios 39–45)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surplus.core.greenshare import (
    effective_co2,
    effective_price,
    green_share,
    home_and_loadpoint_shares,
    total_green_share,
)


@pytest.mark.parametrize(
    ("grid", "pv", "battery", "home", "lp", "total", "home_share", "lp_share"),
    [
        pytest.param(1000, 1000, 0, 1000, 1000, 0.5, 1, 0, id="39-half-pv-serves-home-first"),
        pytest.param(1000, 1000, 0, 0, 2000, 0.5, 1, 0.5, id="40-no-home-consumption"),
        pytest.param(0, 5000, 0, 1000, 4000, 1, 1, 1, id="41-all-pv"),
        pytest.param(-2500, 10000, -2500, 1000, 4000, 1, 1, 1, id="42-export-and-battery-charging"),
        pytest.param(3000, 0, -1000, 1000, 1000, 0, 0, 0, id="43-grid-charges-battery"),
        pytest.param(1000, 3000, -1000, 1000, 2000, 0.75, 1, 0.5, id="44-battery-charging-before-loadpoints"),
        pytest.param(1000, 0, 1000, 1000, 1000, 0.5, 1, 0, id="45-battery-discharge-is-green"),
    ],
)
def test_green_share_scenarios(
    grid: float, pv: float, battery: float, home: float, lp: float, total: float, home_share: float, lp_share: float
) -> None:
    # the scenario's home power is the one §1.2 step 7 derives from the meters
    assert max(0, grid + pv + battery - lp) == home
    assert home_and_loadpoint_shares(pv, battery, home, lp) == (home_share, lp_share)
    assert total_green_share(pv, battery, home, lp) == total


def test_empty_slice_is_green_when_green_power_is_left() -> None:
    assert green_share(1000, 0, 1000, 1000) == 0
    assert green_share(1000, 0, 999, 999) == 1
    assert green_share(0, 0, 0, 0) == 0


def test_negative_pv_and_battery_charging_are_not_green() -> None:
    assert green_share(-50, -2000, 0, 1000) == 0
    assert green_share(-50, 500, 0, 1000) == 0.5


def test_no_loadpoint_power_is_green_when_surplus_is_left() -> None:
    assert home_and_loadpoint_shares(5000, 0, 1000, 0) == (1, 1)
    assert home_and_loadpoint_shares(500, 0, 1000, 0) == (0.5, 0)


@pytest.mark.parametrize(
    ("grid", "feedin", "green", "expected"),
    [
        (0.30, 0.08, 0.0, 0.30),
        (0.30, 0.08, 1.0, 0.08),
        (0.30, 0.08, 0.5, 0.19),
        (0.30, None, 0.5, 0.15),
        (None, 0.08, 0.5, None),
    ],
)
def test_effective_price(grid: float | None, feedin: float | None, green: float, expected: float | None) -> None:
    result = effective_price(grid, feedin, green)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("co2", "green", "expected"), [(400, 0, 400), (400, 0.25, 300), (400, 1, 0), (None, 0.5, None)]
)
def test_effective_co2(co2: float | None, green: float, expected: float | None) -> None:
    assert effective_co2(co2, green) == expected


watts = st.floats(min_value=-100_000, max_value=100_000, allow_nan=False)
consumption = st.floats(min_value=0, max_value=100_000)


@given(pv=watts, battery=watts, from_power=watts, to_power=watts)
def test_green_share_is_a_fraction(pv: float, battery: float, from_power: float, to_power: float) -> None:
    assert 0 <= green_share(pv, battery, from_power, to_power) <= 1


@given(pv=watts, battery=watts, home=consumption, charge=consumption)
def test_site_shares_are_fractions_and_home_is_served_first(
    pv: float, battery: float, home: float, charge: float
) -> None:
    home_share, lp_share = home_and_loadpoint_shares(pv, battery, home, charge)
    total = total_green_share(pv, battery, home, charge)
    assert 0 <= home_share <= 1
    assert 0 <= lp_share <= 1
    assert 0 <= total <= 1
    if lp_share > 0:
        assert home_share == 1
    # the green power the shares account for never exceeds the green power there is
    green = max(0, pv) + max(0, battery)
    served = home_share * home + lp_share * charge
    assert served <= green + 1e-6 * max(1.0, green)
    assert not math.isnan(total)


@given(grid=st.floats(-1, 1), feedin=st.floats(-1, 1), green=st.floats(0, 1))
def test_effective_price_lies_between_grid_and_feedin(grid: float, feedin: float, green: float) -> None:
    price = effective_price(grid, feedin, green)
    assert price is not None
    assert min(grid, feedin) - 1e-12 <= price <= max(grid, feedin) + 1e-12
