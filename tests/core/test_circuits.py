import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surplus.core.circuits import Circuit, CircuitLoad, CircuitSpec, build_circuits, root_of
from surplus.core.readings import MeterReading

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
NO_LOADS: Mapping[str, Sequence[CircuitLoad]] = {}


Triple = tuple[float, float, float]


def meter(name: str, power: float | None, currents: Triple | None = None, powers: Triple | None = None) -> MeterReading:
    return MeterReading(name=name, power=power, currents=currents, powers=powers)


# --- scenario 50: parent P with metered children c1, c2, every limit 1 --------------------------------------------

# (P, c1, c2, old, new) → c1's validated result
SCENARIO_50 = [
    ((0, 0, 0, 0, 0), 0),
    ((0, 0, 0, 0, 1), 1),
    ((0, 0, 0, 0, 2), 1),
    ((0, 1, 0, 0, 1), 0),
    ((0, 1, 0, 1, 1), 1),
    ((0, 1, 0, 2, 1), 1),
    ((0, 2, 0, 1, 1), 0),
    ((0, 2, 0, 2, 2), 1),
    ((0, 2, 0, 2, 3), 1),
    ((0, 1.1, 0, 2, 1), 1),
    ((0, 1.1, 0, 1, 0), 0),
    ((1, 0, 0, 0, 1), 0),
    ((2, 0, 0, 2, 2), 1),
    ((1.1, 0, 0, 1, 0), 0),
    ((-1, -1, 0, 0, 2), 2),
]


def three_circuits(max_current: float = 0, max_power: float = 0) -> tuple[Circuit, Circuit, Circuit]:
    parent = Circuit("P", max_current=max_current, max_power=max_power, has_meter=True)
    c1 = Circuit("c1", max_current=max_current, max_power=max_power, has_meter=True, parent=parent)
    c2 = Circuit("c2", max_current=max_current, max_power=max_power, has_meter=True, parent=parent)
    return parent, c1, c2


@pytest.mark.parametrize(("values", "expected"), SCENARIO_50)
def test_scenario_50_power(values: tuple[float, ...], expected: float) -> None:
    p, p1, p2, old, new = values
    parent, c1, _ = three_circuits(max_power=1)
    parent.update(T0, {"P": meter("P", p), "c1": meter("c1", p1), "c2": meter("c2", p2)}, NO_LOADS)
    assert c1.validate_power(old, new) == pytest.approx(expected)


def unsigned_currents(name: str, value: float) -> MeterReading:
    """The same load as a meter with unsigned currents that tells the direction by its phase powers."""
    return meter(name, value * 230, (abs(value),) * 3, powers=(value * 230,) * 3)


def signed_currents(name: str, value: float) -> MeterReading:
    return meter(name, value * 230, (value,) * 3)


@pytest.mark.parametrize("reading", [signed_currents, unsigned_currents])
@pytest.mark.parametrize(("values", "expected"), SCENARIO_50)
def test_scenario_50_currents(
    values: tuple[float, ...], expected: float, reading: Callable[[str, float], MeterReading]
) -> None:
    p, i1, i2, old, new = values
    parent, c1, _ = three_circuits(max_current=1)
    parent.update(T0, {"P": reading("P", p), "c1": reading("c1", i1), "c2": reading("c2", i2)}, NO_LOADS)
    assert c1.current == pytest.approx(i1)
    assert c1.validate_current(old, new) == pytest.approx(expected)


# --- scenario 51: HEMS clamp on the root --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_power", "hems", "effective", "expected"),
    [
        (0, None, 0, 9000),
        (5000, None, 5000, 5000),
        (5000, 4200, 4200, 4200),
        (5000, 9000, 5000, 5000),
        (0, 4200, 4200, 4200),
    ],
)
def test_scenario_51_hems_caps_the_root(
    max_power: float, hems: float | None, effective: float, expected: float
) -> None:
    root = Circuit("main", max_power=max_power)
    root.set_hems_limit(hems)
    root.update(T0, {}, NO_LOADS)
    assert root.effective_max_power == effective
    assert root.validate_power(0, 9000) == expected


def test_lifting_the_hems_limit_restores_the_configured_max_power() -> None:
    root = Circuit("main", max_power=5000)
    root.set_hems_limit(4200)
    assert root.published()["maxPower"] == 4200
    root.set_hems_limit(None)
    assert root.effective_max_power == 5000
    assert root.validate_power(0, 9000) == 5000


def test_a_hems_limit_on_the_root_caps_requests_from_a_child() -> None:
    root = Circuit("main")
    garage = Circuit("garage", max_power=11000, parent=root)
    root.set_hems_limit(4200)
    root.update(T0, {}, {"main": [CircuitLoad(power=1000, current=1.5)]})
    assert garage.validate_power(0, 11000) == 3200


# --- scenario 53: the caps pvScalePhases relies on ----------------------------------------------------------------


def test_scenario_53_caps_an_idle_circuit_offers() -> None:
    current_cap = Circuit("garage", max_current=20)
    current_cap.update(T0, {}, NO_LOADS)
    assert current_cap.validate_current(0, 24) == 20  # 24 A on 1p does not fit, 8 A on 3p does
    both_caps = Circuit("garage", max_current=16, max_power=4000)
    both_caps.update(T0, {}, NO_LOADS)
    assert both_caps.validate_power(0, 3 * 230 * 6) == 4000  # less than the 4140 W minimum on 3p


# --- meterless aggregation ----------------------------------------------------------------------------------------


def test_meterless_circuits_sum_their_loads_and_children_depth_first() -> None:
    root = Circuit("root")
    garage = Circuit("garage", parent=root)
    left = Circuit("left", parent=garage)
    right = Circuit("right", parent=garage)
    loads = {
        "root": [CircuitLoad(power=1000, current=1.5)],
        "garage": [CircuitLoad(power=2000, current=3)],
        "left": [CircuitLoad(power=4140, current=6), CircuitLoad(power=1380, current=6)],
        "right": [CircuitLoad(power=0, current=0)],
    }
    root.update(T0, {}, loads)
    assert (left.power, left.current) == (5520, 12)
    assert (right.power, right.current) == (0, 0)
    assert (garage.power, garage.current) == (7520, 15)
    assert (root.power, root.current) == (8520, 16.5)


def test_a_meterless_parent_sums_its_metered_children() -> None:
    root = Circuit("root")
    Circuit("house", has_meter=True, parent=root)
    Circuit("garage", parent=root)
    root.update(
        T0, {"house": meter("house", 2300, (4, 3, 2))}, {"garage": [CircuitLoad(power=3680, current=16)], "root": []}
    )
    assert (root.power, root.current) == (5980, 20)


def test_a_metered_circuit_ignores_loadpoint_loads() -> None:
    garage = Circuit("garage", has_meter=True)
    garage.update(T0, {"garage": meter("garage", 500, (2, 1, 0))}, {"garage": [CircuitLoad(power=9000, current=13)]})
    assert (garage.power, garage.current) == (500, 2)


def test_without_a_current_limit_a_meter_may_omit_currents() -> None:
    garage = Circuit("garage", max_power=10000, has_meter=True)
    garage.update(T0, {"garage": meter("garage", 500)}, NO_LOADS)
    assert (garage.power, garage.current) == (500, 0)
    garage.update(T0 + timedelta(minutes=5), {"garage": meter("garage", 600)}, NO_LOADS)
    assert garage.power == 600


# --- negative phase power -----------------------------------------------------------------------------------------


def test_a_phase_feeding_back_counts_as_negative_current() -> None:
    c = Circuit("c", max_current=16, has_meter=True)
    c.update(T0, {"c": meter("c", -1000, (10, 8, 3), powers=(-2300, -1840, 690))}, NO_LOADS)
    assert c.current == 3  # the largest phase is exporting; only L3 draws
    c.update(T0, {"c": meter("c", -3000, (10, 8, 3), powers=(-2300, -1840, -690))}, NO_LOADS)
    assert c.current == -3
    assert c.validate_current(0, 20) == 19  # headroom is 16 − (−3)


def test_already_signed_currents_are_not_flipped_back() -> None:
    c = Circuit("c", max_current=16, has_meter=True)
    c.update(T0, {"c": meter("c", -2000, (-10, -8, -3), powers=(-2300, -1840, -690))}, NO_LOADS)
    assert c.current == -3


def test_currents_without_phase_powers_are_used_as_given() -> None:
    c = Circuit("c", max_current=16, has_meter=True)
    c.update(T0, {"c": meter("c", 2000, (-10, 5, 2))}, NO_LOADS)
    assert c.current == 5


# --- meter failures -----------------------------------------------------------------------------------------------


def failing(name: str) -> MeterReading:
    return MeterReading(name=name, error="timeout")


def test_a_failed_read_keeps_the_last_values_until_the_timeout_then_blocks() -> None:
    c = Circuit("c", max_current=16, timeout=timedelta(minutes=1), has_meter=True)
    c.update(T0, {"c": meter("c", 2300, (10, 0, 0))}, NO_LOADS)
    c.update(T0 + timedelta(seconds=30), {"c": failing("c")}, NO_LOADS)
    assert (c.power, c.current) == (2300, 10)
    c.update(T0 + timedelta(minutes=1), {"c": failing("c")}, NO_LOADS)
    assert (c.power, c.current) == (2300, 10)  # exactly at the timeout: not yet
    assert c.validate_current(10, 14) == 14

    c.update(T0 + timedelta(minutes=1, seconds=1), {"c": failing("c")}, NO_LOADS)
    assert c.current == math.inf and c.power == math.inf
    assert c.overloaded()
    assert c.validate_current(10, 14) == 10  # no increase while the load is unknown
    assert c.validate_current(10, 8) == 8  # but any decrease passes
    assert c.published()["current"] is None and c.published()["power"] is None

    c.update(T0 + timedelta(minutes=2), {"c": meter("c", 1150, (5, 0, 0))}, NO_LOADS)
    assert (c.power, c.current) == (1150, 5)
    assert c.validate_current(5, 14) == 14
    assert not c.overloaded()


def test_a_missing_reading_counts_as_a_failure() -> None:
    c = Circuit("c", max_power=1000, has_meter=True)
    c.update(T0, {"c": meter("c", 100)}, NO_LOADS)
    c.update(T0 + timedelta(minutes=2), {}, NO_LOADS)
    assert c.power == math.inf
    assert c.validate_power(0, 500) == 0


def test_a_current_limit_needs_phase_currents() -> None:
    c = Circuit("c", max_current=16, has_meter=True)
    c.update(T0, {"c": meter("c", 2300, (10, 0, 0))}, NO_LOADS)
    c.update(T0 + timedelta(seconds=10), {"c": meter("c", 5000)}, NO_LOADS)
    assert (c.power, c.current) == (2300, 10)  # the reading without currents was not taken
    c.update(T0 + timedelta(seconds=71), {"c": meter("c", 5000)}, NO_LOADS)
    assert c.current == math.inf


def test_a_meter_that_never_answers_blocks_one_timeout_after_the_first_update() -> None:
    c = Circuit("c", max_current=16, timeout=timedelta(seconds=30), has_meter=True)
    c.update(T0, {"c": failing("c")}, NO_LOADS)
    assert (c.power, c.current) == (0, 0)
    c.update(T0 + timedelta(seconds=30), {"c": failing("c")}, NO_LOADS)
    assert c.current == 0
    c.update(T0 + timedelta(seconds=31), {"c": failing("c")}, NO_LOADS)
    assert c.current == math.inf


def test_a_failed_child_meter_blocks_its_ancestors_too() -> None:
    root = Circuit("root", max_current=32)
    child = Circuit("child", has_meter=True, parent=root)
    sibling = Circuit("sibling", max_current=16, parent=root)
    root.update(T0, {"child": meter("child", 0, (0, 0, 0))}, NO_LOADS)
    root.update(T0 + timedelta(minutes=5), {"child": failing("child")}, NO_LOADS)
    assert child.current == math.inf and root.current == math.inf
    assert sibling.validate_current(0, 6) == 0


# --- validation ---------------------------------------------------------------------------------------------------


def test_validation_walks_up_to_the_tightest_ancestor() -> None:
    root = Circuit("root", max_current=25)
    garage = Circuit("garage", max_current=32, parent=root)
    box = Circuit("box", parent=garage)
    root.update(T0, {}, {"box": [CircuitLoad(power=2300, current=10)], "root": [CircuitLoad(power=2300, current=10)]})
    assert (root.current, garage.current) == (20, 10)
    assert box.validate_current(10, 16) == 15  # garage has 22 A headroom, root only 5
    assert box.validate_current(10, 12) == 12
    assert box.validate_current(10, 4) == 4


def test_an_overloaded_circuit_reduces_an_unchanged_request_by_the_overload() -> None:
    c = Circuit("c", max_power=11000)
    c.update(T0, {}, {"c": [CircuitLoad(power=7000, current=10), CircuitLoad(power=6000, current=9)]})
    assert c.overloaded()
    assert c.validate_power(7000, 7000) == 5000
    assert c.validate_power(7000, 4000) == 4000  # a deeper cut than needed passes unchanged


def test_without_limits_anything_passes() -> None:
    c = Circuit("c")
    c.update(T0, {}, {"c": [CircuitLoad(power=1e6, current=1e4)]})
    assert not c.overloaded()
    assert c.validate_current(0, 63) == 63
    assert c.validate_power(0, 43000) == 43000


# --- building and publishing --------------------------------------------------------------------------------------


def test_build_circuits_accepts_any_order() -> None:
    circuits = build_circuits(
        [
            CircuitSpec("box", parent="garage", max_current=16, has_meter=True, timeout=timedelta(seconds=20)),
            CircuitSpec("garage", title="Garage", parent="main", max_current=32),
            CircuitSpec("main", max_power=11000),
        ]
    )
    assert list(circuits) == ["box", "garage", "main"]
    root = root_of(circuits)
    assert root is circuits["main"]
    assert circuits["box"].parent is circuits["garage"]
    assert circuits["garage"].children == [circuits["box"]]
    assert root.children == [circuits["garage"]]
    assert circuits["box"].timeout == timedelta(seconds=20) and circuits["box"].has_meter


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([CircuitSpec("a", parent="b"), CircuitSpec("b", parent="a"), CircuitSpec("c")], "cycle"),
        ([CircuitSpec("a", parent="a")], "cycle"),
        ([CircuitSpec("main"), CircuitSpec("box", parent="garage")], "unknown parent 'garage'"),
        ([CircuitSpec("main"), CircuitSpec("other")], "exactly one root"),
        ([CircuitSpec("main"), CircuitSpec("main")], "defined twice"),
    ],
)
def test_build_circuits_rejects_broken_trees(specs: list[CircuitSpec], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_circuits(specs)


def test_no_circuits_no_root() -> None:
    assert build_circuits([]) == {}
    assert root_of({}) is None


def test_published_shape() -> None:
    circuits = build_circuits([CircuitSpec("main", max_power=11000), CircuitSpec("garage", "Garage", "main", 16)])
    circuits["main"].update(T0, {}, {"garage": [CircuitLoad(power=2300, current=10)]})
    assert circuits["main"].published() == {
        "title": "main",
        "power": 2300,
        "current": 10,
        "maxPower": 11000,
        "maxCurrent": 0,
    }
    assert circuits["garage"].published() == {
        "title": "Garage",
        "power": 2300,
        "current": 10,
        "maxPower": 0,
        "maxCurrent": 16,
        "parent": "main",
    }


# --- property: a validated increase never pushes a circuit that was within its limit over it ----------------------

limits = st.one_of(st.just(0.0), st.floats(min_value=1, max_value=64, allow_nan=False))
amounts = st.floats(min_value=0, max_value=64, allow_nan=False)


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[str, Circuit], str]:
    size = draw(st.integers(min_value=1, max_value=6))
    specs = [
        CircuitSpec(
            f"c{i}",
            parent=None if i == 0 else f"c{draw(st.integers(min_value=0, max_value=i - 1))}",
            max_current=draw(limits),
            max_power=draw(limits) * 230,
            has_meter=draw(st.booleans()),
        )
        for i in range(size)
    ]
    circuits = build_circuits(draw(st.permutations(specs)))
    meters = {
        spec.name: meter(spec.name, draw(amounts) * 230, (draw(amounts), draw(amounts), draw(amounts)))
        for spec in specs
        if spec.has_meter
    }
    loads = {
        spec.name: [CircuitLoad(power=i * 230, current=i) for i in draw(st.lists(amounts, max_size=3))]
        for spec in specs
    }
    root = root_of(circuits)
    assert root is not None
    root.update(T0, meters, loads)
    return circuits, f"c{draw(st.integers(min_value=0, max_value=size - 1))}"


def ancestry(circuit: Circuit) -> list[Circuit]:
    chain: list[Circuit] = []
    node: Circuit | None = circuit
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def check_validated(
    chain: list[Circuit],
    old: float,
    new: float,
    result: float,
    limit: Callable[[Circuit], float],
    actual: Callable[[Circuit], float],
) -> None:
    assert 0 <= result <= new
    for node in chain:
        if limit(node) == 0:
            continue
        headroom = limit(node) - actual(node)
        if headroom >= 0:
            assert actual(node) + (result - old) <= limit(node) + 1e-9
        else:
            assert result <= max(0.0, old + headroom) + 1e-9  # overloaded: cut by at least the overload
    if new <= old and all(limit(n) == 0 or actual(n) <= limit(n) for n in chain):
        assert result == new  # decreases pass untouched when nothing is overloaded


@settings(max_examples=150, deadline=None)
@given(tree=trees(), old=amounts, new=amounts)
def test_validate_current_respects_every_limit(tree: tuple[dict[str, Circuit], str], old: float, new: float) -> None:
    circuits, name = tree
    chain = ancestry(circuits[name])
    result = circuits[name].validate_current(old, new)
    check_validated(chain, old, new, result, lambda c: c.max_current, lambda c: c.current)


@settings(max_examples=150, deadline=None)
@given(tree=trees(), old=amounts, new=amounts, hems=st.one_of(st.none(), amounts))
def test_validate_power_respects_every_limit(
    tree: tuple[dict[str, Circuit], str], old: float, new: float, hems: float | None
) -> None:
    circuits, name = tree
    root = root_of(circuits)
    assert root is not None
    root.set_hems_limit(None if hems is None else hems * 230)
    old, new = old * 230, new * 230
    result = circuits[name].validate_power(old, new)
    check_validated(ancestry(circuits[name]), old, new, result, lambda c: c.effective_max_power, lambda c: c.power)
