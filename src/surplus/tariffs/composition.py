"""Price composition: what a kWh costs once charges and tax are added, total = (price + charges) × (1 + tax).

``chargesZones`` replace the default charges while they apply (last matching zone wins). A ``formula`` replaces
the whole sum. evcc evaluates formulas as Go; here they run in a sandbox (simpleeval) that knows only the
names ``price``, ``charges``, ``tax`` and ``ts`` and a small shim of Go's ``math`` and ``time``, so the formulas
evcc's documentation shows (``math.Max((price + charges) * (1 + tax), 0.0)``) work unchanged.
"""

from __future__ import annotations

import ast
import bisect
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any

import simpleeval  # type: ignore[import-untyped]

from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.zones import boundaries, value_at

SUPPORTED = (
    "write one expression over price, charges, tax and ts, e.g. math.Max((price + charges) * (1 + tax), 0); "
    "allowed: numbers, + - * / ( ), comparisons, && || ! (or and or not), `a if condition else b`, "
    "math.Min/Max/Abs/Round/Floor/Ceil and ts.Hour()/Minute()/Weekday()/Day()/Month()/Year()"
)
#: values the formula is tried with when the configuration is read
_TRIAL = {"price": 0.25, "charges": 0.1, "tax": 0.19}
_GO_STATEMENT = re.compile(r"^\s*(if|for|switch|return|var|func)\b|[{};]|:=")


def _go_round(value: float) -> float:
    """Go's math.Round: halves away from zero (Python's round() rounds them to even)."""
    whole = math.trunc(value)
    if abs(value - whole) >= 0.5:
        whole += int(math.copysign(1, value))
    return float(whole)


class GoMath:
    """The part of Go's ``math`` package a tariff formula may use."""

    @staticmethod
    def Min(a: float, b: float) -> float:
        return float(min(a, b))

    @staticmethod
    def Max(a: float, b: float) -> float:
        return float(max(a, b))

    @staticmethod
    def Abs(a: float) -> float:
        return float(abs(a))

    @staticmethod
    def Round(a: float) -> float:
        return _go_round(a)

    @staticmethod
    def Floor(a: float) -> float:
        return float(math.floor(a))

    @staticmethod
    def Ceil(a: float) -> float:
        return float(math.ceil(a))


class GoTimePackage:
    """Go's weekday and month constants, so ``ts.Weekday() == time.Saturday`` reads as in evcc."""

    Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday = range(7)
    January, February, March, April, May, June, July, August, September, October, November, December = range(1, 13)


class GoTime:
    """A slot's local start time with the methods of Go's ``time.Time`` that formulas use.

    The method names are Go's, so evcc formulas read unchanged; ``Weekday()`` counts from Sunday = 0 as in Go.
    """

    def __init__(self, local: datetime) -> None:
        self._local = local

    def Hour(self) -> int:
        return self._local.hour

    def Minute(self) -> int:
        return self._local.minute

    def Weekday(self) -> int:
        return (self._local.weekday() + 1) % 7

    def Day(self) -> int:
        return self._local.day

    def Month(self) -> int:
        return self._local.month

    def Year(self) -> int:
        return self._local.year


_MATH = GoMath()
_TIME = GoTimePackage()
# attribute access is allowed on these types only, and only to these names: the sandbox's outer wall
_ALLOWED_ATTRIBUTES: dict[type, set[str]] = {
    GoMath: {"Min", "Max", "Abs", "Round", "Floor", "Ceil"},
    GoTimePackage: {name for name in vars(GoTimePackage) if name[0].isupper()},
    GoTime: {"Hour", "Minute", "Weekday", "Day", "Month", "Year"},
}


_FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
_NAMES = {"price", "charges", "tax", "ts", "math", "time", "true", "false", *_FUNCTIONS}
_PACKAGES = {"math": GoMath, "time": GoTimePackage, "ts": GoTime}


def _check_names(tree: ast.AST) -> None:
    """Every name and attribute known, in both branches of a condition (a trial run sees only one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _NAMES:
            raise ValueError(f"unknown name '{node.id}'")
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if owner not in _PACKAGES:
                raise ValueError(f"'.{node.attr}' is not available; only math, time and ts have members")
            if node.attr not in _ALLOWED_ATTRIBUTES[_PACKAGES[owner]]:
                raise ValueError(f"'{owner}.{node.attr}' is not available")


def _translate(text: str) -> str:
    """Go's boolean operators → Python's (``!=`` stays as it is)."""
    text = text.replace("&&", " and ").replace("||", " or ")
    return re.sub(r"!(?!=)", " not ", text)


class Formula:
    """A checked formula; call it with one slot's values."""

    def __init__(self, text: str) -> None:
        self.text = text
        if _GO_STATEMENT.search(text):
            raise ValueError(
                f"formula '{text}': Go statements (if … {{ … }}, :=, return) are not supported; {SUPPORTED}"
            )
        try:
            self._tree = ast.parse(_translate(text).strip(), mode="eval").body
        except SyntaxError as error:
            raise ValueError(f"formula '{text}' is not an expression ({error.msg}); {SUPPORTED}") from None
        self._evaluator = simpleeval.SimpleEval(functions=dict(_FUNCTIONS), allowed_attrs=_ALLOWED_ATTRIBUTES)
        try:
            _check_names(self._tree)
            # a trial run finds the rest (a wrong number of arguments, a result that is not a number)
            self(**_TRIAL, ts=datetime(2025, 1, 6, 12, tzinfo=UTC))
        except ValueError as error:
            raise ValueError(f"formula '{text}': {error}; {SUPPORTED}") from None

    def __call__(self, price: float, charges: float, tax: float, ts: datetime) -> float:
        """The formula's value; ``ts`` is the slot's start on the local wall clock. Raises ValueError."""
        # one evaluator per formula, shared through the cache: safe because evaluation never awaits
        self._evaluator.names = {
            "price": price,
            "charges": charges,
            "tax": tax,
            "ts": GoTime(ts),
            "math": _MATH,
            "time": _TIME,
            "true": True,
            "false": False,
        }
        try:
            result = self._evaluator.eval(self.text, previously_parsed=self._tree)
        except simpleeval.InvalidExpression as error:
            raise ValueError(_explain(error)) from None
        except (ArithmeticError, TypeError) as error:
            raise ValueError(f"it cannot be computed ({error})") from None
        if isinstance(result, bool) or not isinstance(result, int | float) or not math.isfinite(result):
            raise ValueError(f"it gives {result!r}, not a number")
        return float(result)


def _explain(error: Exception) -> str:
    if isinstance(error, simpleeval.NameNotDefined):
        return f"unknown name '{error.name}'"
    if isinstance(error, simpleeval.FunctionNotDefined):
        return f"unknown function '{error.func_name}'"
    if isinstance(error, simpleeval.AttributeDoesNotExist):
        return f"unknown attribute '{error.attr}'"
    return str(error).removeprefix("Sorry, ")


@lru_cache(maxsize=64)
def compile_formula(text: str) -> Formula:
    """A checked formula; raises ValueError naming the problem and what is supported."""
    return Formula(text)


def compose(rates: Sequence[Rate], params: PriceParams, zone: tzinfo) -> list[Rate]:
    """Each rate's total price; rates are split where a charges zone starts or ends inside them.

    ``zone`` is the wall clock charges zones and ``ts`` are read on. Raises PermanentTariffError when the formula
    cannot be computed for a slot (retrying the same prices would fail the same way).
    """
    if not params.charges_zones and not params.formula and params.charges == 0 and params.tax == 0:
        return list(rates)
    formula = compile_formula(params.formula) if params.formula else None
    result = []
    for rate in _split(rates, params, zone):
        local = rate.start.astimezone(zone)
        charges = value_at(params.charges_zones, local, params.charges)
        if formula is None:
            value = (rate.value + charges) * (1 + params.tax)
        else:
            try:
                value = formula(rate.value, charges, params.tax, local)
            except ValueError as error:
                raise PermanentTariffError(
                    f"formula '{formula.text}' fails for the slot at {local.isoformat()}: {error}"
                ) from None
        result.append(Rate(rate.start, rate.end, value))
    return result


def _split(rates: Sequence[Rate], params: PriceParams, zone: tzinfo) -> list[Rate]:
    if not params.charges_zones or not rates:
        return list(rates)
    cuts = boundaries(params.charges_zones, min(r.start for r in rates), max(r.end for r in rates), zone)
    pieces = []
    for rate in rates:
        start = rate.start
        inside = cuts[bisect.bisect_right(cuts, rate.start) : bisect.bisect_left(cuts, rate.end)]
        for cut in inside:
            local_cut = cut.astimezone(rate.start.tzinfo)
            pieces.append(Rate(start, local_cut, rate.value))
            start = local_cut
        pieces.append(Rate(start, rate.end, rate.value))
    return pieces
