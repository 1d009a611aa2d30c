"""The one store of published values.

The control loop publishes site values (``pvPower``) and loadpoint values (``chargePower`` of loadpoint 0);
``GET /api/state``, the websocket, MQTT and metrics are views of this store. Values are kept both as
published (for views that encode them their own way, such as MQTT) and in their JSON form (for the state
document). A change is what alters the JSON form, so float noise below the published precision is not a
change.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, cast

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

#: A published key: (loadpoint index or None for the site, key name)
StateKey = tuple[int | None, str]

FLOAT_DECIMALS = 3
#: immutable types, so an equal value published again is known unchanged without encoding it
_SCALARS = frozenset({type(None), bool, int, float, str, datetime, timedelta})
_ABSENT = object()
_IMMUTABLE: dict[type, bool] = {}


def _immutable(kind: type) -> bool:
    """Scalars and enums (a cached answer per type: it is asked hundreds of times per cycle)."""
    known = _IMMUTABLE.get(kind)
    if known is None:
        known = _IMMUTABLE[kind] = kind in _SCALARS or issubclass(kind, Enum)
    return known


def format_time(instant: datetime) -> str:
    """RFC 3339 as Go prints it: ``Z`` for UTC, fractions only when present."""
    text = instant.isoformat(timespec="milliseconds" if instant.microsecond else "seconds")
    return text[:-6] + "Z" if instant.utcoffset() == timedelta(0) else text


def to_json(value: Any) -> JsonValue:
    """The JSON form of a published value (floats rounded, times RFC 3339, durations in seconds)."""
    kind = type(value)
    if kind is float:  # the common cases first, by exact type: this runs for every changed value
        rounded = round(value, FLOAT_DECIMALS) if math.isfinite(value) else None
        return 0.0 if rounded == 0 else rounded
    if kind is str or kind is bool or kind is int or value is None:
        return cast(JsonValue, value)
    if kind is dict:
        return {str(k): to_json(v) for k, v in value.items()}
    if kind is list:
        return [to_json(v) for v in value]
    if isinstance(value, Enum):  # before str: a StrEnum is a str
        return to_json(value.value)
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        rounded = round(value, FLOAT_DECIMALS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, datetime):
        return None if value.year <= 1 else format_time(value)
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: to_json(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [to_json(v) for v in value]
    raise TypeError(f"cannot publish a value of type {type(value).__name__}")


@dataclass(eq=False)
class Subscription:
    """Changes since the subscriber last looked; a slow subscriber sees only the latest value per key."""

    _store: State
    _pending: dict[StateKey, JsonValue] = field(default_factory=dict)
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def _offer(self, key: StateKey, value: JsonValue) -> None:
        self._pending[key] = value
        self._ready.set()

    async def changes(self) -> dict[StateKey, JsonValue]:
        """Wait for at least one change and return all pending ones."""
        await self._ready.wait()
        batch, self._pending = self._pending, {}
        self._ready.clear()
        return batch

    def close(self) -> None:
        self._store._subscriptions.discard(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class State:
    def __init__(self, loadpoints: int = 0) -> None:
        self._raw: dict[StateKey, Any] = {}
        self._json: dict[StateKey, JsonValue] = {}
        self._loadpoints = loadpoints
        self._subscriptions: set[Subscription] = set()
        #: counts changes, so views can cache what they built from the store
        self.version = 0
        self._layout_cache: tuple[tuple[int, int], tuple[list[str], list[list[str]]]] | None = None

    @property
    def loadpoints(self) -> int:
        return self._loadpoints

    def publish(self, key: str, value: Any, loadpoint: int | None = None) -> bool:
        """Store a value; tell subscribers when its JSON form changed. Returns whether it changed."""
        self._check(loadpoint)
        return self._store((loadpoint, key), value)

    def publish_all(self, values: Mapping[str, Any], loadpoint: int | None = None) -> None:
        self._check(loadpoint)
        raw = self._raw
        for key, value in values.items():
            state_key = (loadpoint, key)
            # the unchanged-scalar test of _store, inlined: a cycle publishes hundreds of values, most unchanged
            kind = type(value)
            if kind in _SCALARS or _immutable(kind):
                previous = raw.get(state_key, _ABSENT)
                if type(previous) is kind and previous == value:
                    continue
            self._store(state_key, value)

    def _check(self, loadpoint: int | None) -> None:
        if loadpoint is not None and not 0 <= loadpoint < self._loadpoints:
            raise IndexError(f"loadpoint {loadpoint} does not exist")

    def _store(self, state_key: StateKey, value: Any) -> bool:
        if type(value) in _SCALARS or _immutable(type(value)):
            previous = self._raw.get(state_key, _ABSENT)
            if type(previous) is type(value) and previous == value:
                return False  # most values do not change from one cycle to the next: skip encoding them
        encoded = to_json(value)
        self._raw[state_key] = value
        previous_json = self._json.get(state_key, _ABSENT)
        if type(previous_json) is type(encoded) and previous_json == encoded:  # 1 == True, yet not in JSON
            return False
        self._json[state_key] = encoded
        self.version += 1
        for subscription in self._subscriptions:
            subscription._offer(state_key, encoded)
        return True

    def get(self, key: str, loadpoint: int | None = None, default: Any = None) -> Any:
        """The value as published."""
        return self._raw.get((loadpoint, key), default)

    def items(self) -> list[tuple[StateKey, Any]]:
        """Every published value as published, for views with their own encoding."""
        return list(self._raw.items())

    def document(self) -> dict[str, JsonValue]:
        """The state document: site keys at the top, loadpoint keys in ``loadpoints[i]``, keys sorted."""
        site_keys, loadpoint_keys = self._layout()
        values = self._json
        loadpoints: JsonValue = [
            {key: values[(index, key)] for key in keys} for index, keys in enumerate(loadpoint_keys)
        ]
        return {key: loadpoints if key == "loadpoints" else values[(None, key)] for key in site_keys}

    def _layout(self) -> tuple[list[str], list[list[str]]]:
        """The document's sorted keys, sorted again only when a key appears (keys are never removed)."""
        size = (len(self._json), self._loadpoints)
        if self._layout_cache is None or self._layout_cache[0] != size:
            site = {"loadpoints"}
            loadpoints: list[list[str]] = [[] for _ in range(self._loadpoints)]
            for index, key in self._json:
                if index is None:
                    site.add(key)
                elif index < self._loadpoints:
                    loadpoints[index].append(key)
            self._layout_cache = (size, (sorted(site), [sorted(keys) for keys in loadpoints]))
        return self._layout_cache[1]

    def flat(self) -> dict[str, JsonValue]:
        """Every value under its websocket key: ``pvPower``, ``loadpoints.0.chargePower``."""
        return {flat_key(key): value for key, value in sorted(self._json.items(), key=_order)}

    def subscribe(self) -> Subscription:
        subscription = Subscription(self)
        self._subscriptions.add(subscription)
        return subscription


def flat_key(key: StateKey) -> str:
    index, name = key
    return name if index is None else f"loadpoints.{index}.{name}"


def _order(item: tuple[StateKey, JsonValue]) -> tuple[int, str]:
    (index, name), _ = item
    return (-1 if index is None else index, name)
