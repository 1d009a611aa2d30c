"""Price composition: (price + charges) × (1 + tax), charges zones, and the sandboxed formula."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.composition import compile_formula, compose

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
Q = timedelta(minutes=15)
T0 = datetime(2025, 6, 2, tzinfo=BERLIN).astimezone(UTC)  # Monday, local midnight


def hourly(*values: float, start: datetime = T0) -> list[Rate]:
    return [Rate(start + i * H, start + (i + 1) * H, v) for i, v in enumerate(values)]


def params(**keys: Any) -> PriceParams:
    return PriceParams.model_validate(keys)


def values(rates: list[Rate]) -> list[float]:
    return [round(rate.value, 6) for rate in rates]


def test_nothing_to_add_leaves_the_rates_alone() -> None:
    rates = hourly(0.1, -0.05)
    assert compose(rates, PriceParams(), BERLIN) == rates


def test_charges_and_tax() -> None:
    result = compose(hourly(0.1, 0.2), params(charges=0.15, tax=0.19), BERLIN)
    assert values(result) == [round(0.25 * 1.19, 6), round(0.35 * 1.19, 6)]
    assert [(r.start, r.end) for r in result] == [(r.start, r.end) for r in hourly(0, 0)]


def test_negative_prices_pass_through() -> None:
    # a negative market price stays negative when the charges do not outweigh it, and tax applies to the sum
    result = compose(hourly(-0.3, -0.05), params(charges=0.1, tax=0.2), BERLIN)
    assert values(result) == [-0.24, 0.06]
    assert values(compose(hourly(-0.3), params(tax=0.2), BERLIN)) == [-0.36]


def test_charges_zones_override_the_default_charges_last_match_wins() -> None:
    p = params(
        charges=0.1,
        chargeszones=[{"hours": "0-6", "charges": 0.03}, {"hours": "5-6", "charges": 0.05}],
    )
    result = compose(hourly(*[0.0] * 8), p, BERLIN)
    assert values(result) == [0.03] * 5 + [0.05, 0.1, 0.1]


def test_rates_are_split_where_a_charges_zone_starts_inside_them() -> None:
    p = params(charges=0.1, chargeszones=[{"hours": "1:30-2", "charges": 0.0}])
    result = compose(hourly(0.2, 0.2, 0.2), p, BERLIN)
    assert [(r.start.astimezone(BERLIN).strftime("%H:%M"), round(r.value, 6)) for r in result] == [
        ("00:00", 0.3),
        ("01:00", 0.3),
        ("01:30", 0.2),
        ("02:00", 0.3),
    ]
    assert result[-1].end == T0 + 3 * H


def test_charges_zones_follow_the_local_wall_clock_on_a_dst_day() -> None:
    # spring forward 2026-03-29: the local 06:00 boundary is 04:00 UTC, not 05:00
    start = datetime(2026, 3, 29, tzinfo=BERLIN).astimezone(UTC)
    p = params(charges=0.2, chargeszones=[{"hours": "0-6", "charges": 0.0}])
    result = compose(hourly(*[0.0] * 6, start=start), p, BERLIN)
    # local slot starts: 00, 01, 03, 04, 05, 06 (02:00 does not exist)
    assert values(result) == [0.0] * 5 + [0.2]
    assert result[5].start == datetime(2026, 3, 29, 4, tzinfo=UTC)


def test_formula_replaces_the_sum() -> None:
    p = params(charges=0.1, tax=0.19, formula="math.Max((price + charges) * (1 + tax), 0.0)")
    assert values(compose(hourly(0.2, -0.5), p, BERLIN)) == [round(0.3 * 1.19, 6), 0.0]


def test_formula_sees_the_zone_charges_and_the_local_slot_start() -> None:
    p = params(
        charges=0.1,
        chargeszones=[{"hours": "0-1", "charges": 0.5}],
        formula="price + charges + ts.Hour() / 100",
    )
    assert values(compose(hourly(0.0, 0.0, 0.0), p, BERLIN)) == [0.5, 0.11, 0.12]


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("math.Min(0.5, price)", 0.5),
        ("math.Max(price, 0.9)", 0.9),
        ("math.Abs(-price)", 0.755),
        ("math.Round(price * 100) / 100", 0.76),
        ("math.Round(-2.5)", -3.0),  # Go rounds halves away from zero
        ("math.Round(2.5)", 3.0),
        ("math.Floor(price * 10)", 7.0),
        ("math.Ceil(price * 10)", 8.0),
        ("price if ts.Weekday() == time.Monday && !(ts.Hour() > 12) else 0", 0.755),
        ("price if ts.Weekday() == time.Sunday || ts.Month() == time.July else 1", 1.0),
        ("ts.Year() + ts.Day() + ts.Minute()", 2027.0),
        ("min(price, 0.3) if true else 0", 0.3),
        ("price ** 2 if price != 0 else 0", 0.570025),
    ],
)
def test_go_style_expressions(formula: str, expected: float) -> None:
    # the slot starts Monday 2025-06-02 00:00 local
    result = compose(hourly(0.755), params(formula=formula), BERLIN)
    assert round(result[0].value, 6) == expected


@pytest.mark.parametrize(
    ("formula", "problem"),
    [
        ("if price > 0.3 { 0.3 } else { price }", "Go statements (if … { … }, :=, return) are not supported"),
        ("x := price", "Go statements"),
        ("price +", "is not an expression"),
        ("cheap * price", "unknown name 'cheap'"),
        ("price if ts.Hour() < 6 else night", "unknown name 'night'"),  # found although a trial takes one branch
        ("math.Pow(price, 2)", "'math.Pow' is not available"),
        ("price.real", "'.real' is not available; only math, time and ts have members"),
        ("ts._local", "'ts._local' is not available"),
        ("__import__('os')", "unknown name '__import__'"),
        ("math.Min.__globals__", "'.__globals__' is not available"),
        ("open('/etc/passwd')", "unknown name 'open'"),
        ("[price for price in (1, 2)]", "ListComp is not available"),
        ("lambda: 1", "Lambda is not available"),
        ("price > 0.3", "it gives False, not a number"),
        ("math.Min(price)", "cannot be computed"),
        ("'a' * 10", "not a number"),
    ],
)
def test_a_bad_formula_is_a_config_error_naming_the_problem(formula: str, problem: str) -> None:
    with pytest.raises(ValidationError) as error:
        params(formula=formula)
    text = str(error.value.errors()[0]["ctx"]["error"])
    assert text.startswith(f"formula '{formula}'")
    assert problem in text
    assert "write one expression over price, charges, tax and ts" in text


def test_an_empty_formula_is_no_formula() -> None:
    assert params(formula="  ").formula is None


def test_a_formula_failing_for_one_slot_is_a_permanent_error() -> None:
    p = params(formula="1 / price")
    with pytest.raises(PermanentTariffError, match=r"formula '1 / price' fails for the slot at 2025-06-02T01:00"):
        compose(hourly(0.5, 0.0), p, BERLIN)


def test_formulas_are_compiled_once() -> None:
    assert compile_formula("price * 2") is compile_formula("price * 2")


def test_quarter_hour_rates_keep_their_times() -> None:
    rates = [Rate(T0 + i * Q, T0 + (i + 1) * Q, 0.1 * i) for i in range(4)]
    result = compose(rates, params(charges=0.01), BERLIN)
    assert [(r.start, r.end) for r in result] == [(r.start, r.end) for r in rates]
    assert values(result) == [0.01, 0.11, 0.21, 0.31]
