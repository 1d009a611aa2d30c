"""SunSpec register maps for the Modbus simulator, built from pysunspec2's model definitions.

::

    simulator = ModbusSimulator()
    image = SunSpecImage(simulator.unit(1).holding, [1, 203])      # "SunS", common model, 3-phase meter
    image.update({"203:A_SF": -2, "203:W": -1500, "203:AphA": 6.5})
    await simulator.start()
    image.set("203:W", 2300)                                        # the device reports the new power now

A point is set in its engineering unit and stored with the scale factor the image has for it (set ``*_SF``
points first); ``None`` marks it as not implemented. Every point starts out not implemented, every scale
factor at 0. ``repeats`` gives the number of repeating blocks of a model (model 160's MPPT modules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sunspec2.device as sunspec_device  # type: ignore[import-untyped]

from surplus.devices.sim.modbus_server import Table
from surplus.devices.sunspec.device import END, MARKER
from surplus.devices.sunspec.selectors import parse

ImageValue = float | int | str | None
KEPT_TYPES = frozenset({"count", "pad"})
KEPT_POINTS = frozenset({"ID", "L"})


class SunSpecImage:
    def __init__(
        self, table: Table, models: Sequence[int], base: int = 40000, repeats: Mapping[int, int] | None = None
    ) -> None:
        self._table = table
        self._models: list[Any] = []
        self._addresses: list[int] = []
        address = base + len(MARKER)
        for model_id in models:
            model = _empty_model(model_id, (repeats or {}).get(model_id, 0))
            self._models.append(model)
            self._addresses.append(address)
            address += model.len
        table.set(base, MARKER)
        table.set(address, [END, 0])
        for index in range(len(self._models)):
            self._publish(index)

    def set(self, selector: str, value: ImageValue, instance: int = 0) -> None:
        """Set the point ``model:point`` or ``model:block:point`` of the ``instance``-th model of that id."""
        (target,) = parse(selector)
        index = self._index(target.model, instance)
        group = self._group(self._models[index], target.block, selector)
        point = group.points.get(target.point)
        if point is None:
            raise KeyError(f"model {target.model} has no point {target.point}")
        if value is None or isinstance(value, str) or not point.sf_required:
            point.value = value
        else:
            point.cvalue = value
        self._publish(index)

    def update(self, values: Mapping[str, ImageValue]) -> None:
        """Set several points, in order (scale factors before the points they scale)."""
        for selector, value in values.items():
            self.set(selector, value)

    def address(self, model: int, instance: int = 0) -> int:
        """Where the model's ID register is."""
        return self._addresses[self._index(model, instance)]

    def _index(self, model: int, instance: int) -> int:
        indices = [index for index, built in enumerate(self._models) if built.model_id == model]
        if instance >= len(indices):
            raise KeyError(f"the image has {len(indices)} instance(s) of model {model}")
        return indices[instance]

    def _group(self, model: Any, block: int, selector: str) -> Any:
        if block == 0:
            return model
        blocks = next((group for group in model.groups.values() if isinstance(group, list)), [])
        if block > len(blocks):
            raise KeyError(f"{selector}: model {model.model_id} has {len(blocks)} repeating blocks")
        return blocks[block - 1]

    def _publish(self, index: int) -> None:
        data = self._models[index].get_mb()
        words = [int.from_bytes(data[offset : offset + 2], "big") for offset in range(0, len(data), 2)]
        self._table.set(self._addresses[index], words)


def _empty_model(model_id: int, repeats: int) -> Any:
    """Model ``model_id`` with ``repeats`` repeating blocks: nothing implemented, scale factors 0."""
    definition = sunspec_device.get_model_def(model_id)["group"]
    length = _size(definition["points"]) - len(KEPT_POINTS)
    for group in definition.get("groups", []):
        count = group.get("count")
        copies = 1 if count is None else int(count) if str(count).isdigit() and int(count) else repeats
        length += copies * _size(group["points"])
    words = [model_id, length] + [0] * length
    offset = 0
    for point in definition["points"]:  # the count points say how many blocks follow
        if point["type"] == "count":
            words[offset] = repeats
        offset += int(point.get("size", 1))
    data = b"".join(word.to_bytes(2, "big") for word in words)
    model = sunspec_device.Model(model_id, model_len=length, data=data)
    _clear(model)
    return model


def _size(points: list[dict[str, Any]]) -> int:
    return sum(int(point.get("size", 1)) for point in points)


def _clear(group: Any) -> None:
    for name, point in group.points.items():
        kind = point.pdef["type"]
        if name not in KEPT_POINTS and kind not in KEPT_TYPES:
            point.value = 0 if kind == "sunssf" else None
    for member in group.groups.values():
        for nested in member if isinstance(member, list) else [member]:
            _clear(nested)
