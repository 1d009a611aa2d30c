"""Circuits: a tree of shared limits (a fuse, a grid connection, a §14a cap) loadpoints must stay within (core.md §4).

Each cycle the site calls ``update`` on the root with the circuit meters' readings and what each loadpoint contributes;
the loadpoints then ask ``validate_current`` / ``validate_power`` how much of a requested increase the tree allows.

A limit of 0 means "not checked". A circuit whose meter has failed for longer than its timeout reports +infinity,
which drives every validated request to 0: nothing is allowed onto a circuit whose load is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from surplus.core.readings import MeterReading

DEFAULT_TIMEOUT = timedelta(minutes=1)


@dataclass(frozen=True)
class CircuitLoad:
    """What a loadpoint directly assigned to a circuit contributes to it this cycle."""

    power: float  # W, its charge power
    current: float  # A, its max phase current: measured if available, else offered current if charging, else 0


@dataclass(frozen=True)
class CircuitSpec:
    """One circuit as configured; ``build_circuits`` turns a list of them into a tree."""

    name: str
    title: str = ""
    parent: str | None = None
    max_current: float = 0.0  # A, 0 = unchecked
    max_power: float = 0.0  # W, 0 = unchecked
    timeout: timedelta = DEFAULT_TIMEOUT
    has_meter: bool = False


class Circuit:
    """One node of the tree; ``power`` and ``current`` are this cycle's load, set by ``update``."""

    def __init__(
        self,
        name: str,
        title: str = "",
        max_current: float = 0.0,
        max_power: float = 0.0,
        timeout: timedelta = DEFAULT_TIMEOUT,
        has_meter: bool = False,
        parent: Circuit | None = None,
    ) -> None:
        self.name = name
        self.title = title
        # plain attributes, so a dynamic getter (getMaxCurrent / getMaxPower) can change them between cycles
        self.max_current = max_current
        self.max_power = max_power
        self.timeout = timeout
        self.has_meter = has_meter
        self.parent = parent
        self.children: list[Circuit] = []
        self.power = 0.0
        self.current = 0.0
        self._hems_limit: float | None = None
        # when the meter was last read successfully; before the first success, the first update counts as one
        # (the core has no clock at construction), so a meter that never answers blocks after one timeout
        self._last_success: datetime | None = None
        if parent is not None:
            parent.children.append(self)

    def __repr__(self) -> str:
        return f"Circuit({self.name!r}, power={self.power}, current={self.current})"

    # --- measuring -------------------------------------------------------------------------------------------

    def update(
        self, now: datetime, meters: Mapping[str, MeterReading], loads: Mapping[str, Sequence[CircuitLoad]]
    ) -> None:
        """Refresh power and current of this circuit and everything below it; children first, as parents sum them."""
        for child in self.children:
            child.update(now, meters, loads)
        if self.has_meter:
            self._update_from_meter(now, meters.get(self.name))
        else:
            self._update_from_loads(loads.get(self.name, ()))

    def _update_from_loads(self, loads: Sequence[CircuitLoad]) -> None:
        self.power = sum(load.power for load in loads) + sum(child.power for child in self.children)
        self.current = sum(load.current for load in loads) + sum(child.current for child in self.children)

    def _update_from_meter(self, now: datetime, reading: MeterReading | None) -> None:
        if self._last_success is None:
            self._last_success = now
        if reading is None or reading.power is None or (self.max_current > 0 and reading.currents is None):
            # a current limit cannot be checked without phase currents, so such a reading is as good as none
            self._read_failed(now)
            return
        self._last_success = now
        self.power = reading.power
        self.current = _signed_max_current(reading) if reading.currents is not None else 0.0

    def _read_failed(self, now: datetime) -> None:
        """Keep the last good values for a while; once the meter has been silent too long, assume the worst."""
        assert self._last_success is not None  # set by the caller
        if now - self._last_success > self.timeout:
            self.power = math.inf
            self.current = math.inf

    def commit(self, delta_current: float, delta_power: float) -> None:
        """A loadpoint below changed its draw this cycle; later loadpoints must see the load it will add."""
        self.current += delta_current
        self.power += delta_power
        if self.parent is not None:
            self.parent.commit(delta_current, delta_power)

    # --- limits ----------------------------------------------------------------------------------------------

    def set_hems_limit(self, max_power: float | None) -> None:
        """A HEMS (§14a) consumption cap on top of the configured max power; None or ≤ 0 lifts it."""
        self._hems_limit = max_power if max_power is not None and max_power > 0 else None

    @property
    def effective_max_power(self) -> float:
        """The configured max power, tightened by a HEMS cap; 0 when neither is set."""
        if self._hems_limit is None:
            return self.max_power
        if self.max_power > 0:
            return min(self.max_power, self._hems_limit)
        return self._hems_limit

    def validate_current(self, old: float, new: float) -> float:
        """How much of a change from ``old`` to ``new`` A this circuit and its ancestors allow."""
        allowed = _clamp(old, new, self.max_current, self.current)
        return self.parent.validate_current(old, allowed) if self.parent is not None else allowed

    def validate_power(self, old: float, new: float) -> float:
        """How much of a change from ``old`` to ``new`` W this circuit and its ancestors allow."""
        allowed = _clamp(old, new, self.effective_max_power, self.power)
        return self.parent.validate_power(old, allowed) if self.parent is not None else allowed

    def overloaded(self) -> bool:
        """Above a set limit right now (worth a log line; the validators already reduce requests)."""
        limit = self.effective_max_power
        return (limit > 0 and self.power > limit) or (self.max_current > 0 and self.current > self.max_current)

    # --- publishing ------------------------------------------------------------------------------------------

    def published(self) -> dict[str, Any]:
        """This circuit's entry in the state's ``circuits`` map; an unknown (+inf) load is published as null."""
        entry: dict[str, Any] = {
            "title": self.title or self.name,
            "power": _finite_or_none(self.power),
            "current": _finite_or_none(self.current),
            "maxPower": self.effective_max_power,
            "maxCurrent": self.max_current,
        }
        if self.parent is not None:
            entry["parent"] = self.parent.name
        return entry


def _clamp(old: float, new: float, limit: float, actual: float) -> float:
    """Allow an increase only as far as the headroom goes; an overloaded circuit (negative headroom) cuts even an
    unchanged request, by the overload, but never below 0."""
    if limit == 0:
        return new
    if math.isinf(actual):
        return min(new, old)  # the load is unknown: nothing may grow, but anything may shrink
    increase = max(0.0, new - old)
    headroom = limit - actual
    if increase > headroom:
        return min(new, max(0.0, old + headroom))
    return new


def _signed_max_current(reading: MeterReading) -> float:
    """The highest phase current, counting a phase that feeds back (negative phase power) as negative.

    A phase is made negative rather than flipped, so a meter that already signs its currents is not turned around.
    """
    assert reading.currents is not None
    currents = list(reading.currents)
    if reading.powers is not None:
        currents = [-abs(i) if p < 0 else i for i, p in zip(currents, reading.powers, strict=True)]
    return max(currents)


def _finite_or_none(value: float) -> float | None:
    # JSON has no infinity; null says "unknown", which is what +inf stands for here
    return value if math.isfinite(value) else None


def build_circuits(specs: Sequence[CircuitSpec]) -> dict[str, Circuit]:
    """Build the tree from specs in any order. No specs give no circuits; otherwise there must be exactly one root,
    every parent must exist and no circuit may be its own ancestor."""
    if not specs:
        return {}
    by_name = _index(specs)
    for spec in specs:
        _check_no_cycle(spec, by_name)
    roots = [spec.name for spec in specs if spec.parent is None]
    if len(roots) != 1:
        found = ", ".join(roots) if roots else "none"
        raise ValueError(f"circuits need exactly one root (a circuit without parent), found: {found}")
    circuits: dict[str, Circuit] = {}
    for spec in specs:
        _build(spec, by_name, circuits)
    # keep the caller's order, which is the configured one and so the order circuits are published in
    return {spec.name: circuits[spec.name] for spec in specs}


def _index(specs: Sequence[CircuitSpec]) -> dict[str, CircuitSpec]:
    by_name: dict[str, CircuitSpec] = {}
    for spec in specs:
        if spec.name in by_name:
            raise ValueError(f"circuit '{spec.name}' is defined twice")
        by_name[spec.name] = spec
    for spec in specs:
        if spec.parent is not None and spec.parent not in by_name:
            raise ValueError(f"circuit '{spec.name}' has unknown parent '{spec.parent}'")
    return by_name


def _check_no_cycle(spec: CircuitSpec, by_name: Mapping[str, CircuitSpec]) -> None:
    path = [spec.name]
    parent = spec.parent
    while parent is not None:
        path.append(parent)
        if parent == spec.name:
            raise ValueError(f"circuit cycle: {' → '.join(path)}")
        parent = by_name[parent].parent
        if len(path) > len(by_name) + 1:
            # a cycle further up that does not pass through this circuit; it is reported when its own member is checked
            return


def _build(spec: CircuitSpec, by_name: Mapping[str, CircuitSpec], circuits: dict[str, Circuit]) -> Circuit:
    """Build a circuit after its ancestors (the tree is acyclic by now, so the recursion ends at the root)."""
    if spec.name in circuits:
        return circuits[spec.name]
    parent = _build(by_name[spec.parent], by_name, circuits) if spec.parent is not None else None
    circuit = Circuit(
        spec.name,
        title=spec.title,
        max_current=spec.max_current,
        max_power=spec.max_power,
        timeout=spec.timeout,
        has_meter=spec.has_meter,
        parent=parent,
    )
    circuits[spec.name] = circuit
    return circuit


def root_of(circuits: Mapping[str, Circuit]) -> Circuit | None:
    """The circuit without parent, or None when there are no circuits."""
    return next((circuit for circuit in circuits.values() if circuit.parent is None), None)
