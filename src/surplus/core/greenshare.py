"""Green share of consumption and the price and CO₂ it implies (core.md §1.2 step 8, §6.2, §6.3).

Green power is PV plus battery discharge. Consumption is stacked: the home first, then battery charging, then the
loadpoints; green power serves the stack from the bottom.
"""

from __future__ import annotations


def green_share(pv_power: float, battery_power: float, from_power: float, to_power: float) -> float:
    """The green fraction of the consumption slice between ``from_power`` and ``to_power`` (W), in [0, 1].

    An empty slice is wholly green when any green power is left above ``from_power``, else not green at all.
    """
    green = max(0.0, pv_power) + max(0.0, battery_power)
    left = green - from_power
    width = to_power - from_power
    if width == 0:
        return 1.0 if left > 0 else 0.0
    return min(max(0.0, left), width) / width


def home_and_loadpoint_shares(
    pv_power: float, battery_power: float, home_power: float, total_charge_power: float
) -> tuple[float, float]:
    """(greenShareHome, greenShareLoadpoints): the home is served first, then battery charging, then the loadpoints."""
    home = green_share(pv_power, battery_power, 0.0, home_power)
    non_charge = home_power + max(0.0, -battery_power)
    loadpoints = green_share(pv_power, battery_power, non_charge, non_charge + total_charge_power)
    return home, loadpoints


def total_green_share(pv_power: float, battery_power: float, home_power: float, total_charge_power: float) -> float:
    """The green share of all consumption: home, battery charging and loadpoints."""
    consumption = home_power + max(0.0, -battery_power) + total_charge_power
    return green_share(pv_power, battery_power, 0.0, consumption)


def effective_price(grid: float | None, feedin: float | None, green: float) -> float | None:
    """§6.2: green power costs the feed-in it forgoes (0 without a feed-in tariff); None without a grid price."""
    if grid is None:
        return None
    return grid * (1 - green) + (feedin or 0.0) * green


def effective_co2(co2: float | None, green: float) -> float | None:
    """§6.2: only grid power carries CO₂; None without a current CO₂ rate."""
    if co2 is None:
        return None
    return co2 * (1 - green)
