"""Where a point lies in a model and how its registers read, from pysunspec2's model definitions.

pysunspec2 lays a model out from its definition and its registers (the registers matter: a repeating group's
count follows from the model's length or from a count point). Values are decoded with pysunspec2's type table,
which also knows each type's "not implemented" value (int16 0x8000, uint16 0xFFFF, acc32 0, float NaN …): an
unimplemented point, or one whose scale factor is unimplemented, reads as 0.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sunspec2.device as sunspec_device  # type: ignore[import-untyped]
import sunspec2.mb as sunspec_mb  # type: ignore[import-untyped]

FLOAT_TYPES = frozenset({"float32", "float64"})


@dataclass(frozen=True)
class Point:
    name: str
    type: str
    #: registers from the model's ID register
    offset: int
    size: int
    #: the offset of the point's scale factor register, when the device reports it
    scale_offset: int | None = None
    #: a scale factor the definition fixes
    fixed_scale: int | None = None

    def decode(self, words: Sequence[int]) -> float | str:
        """The point's value in a model's registers, scaled; 0 (or "") when the device does not implement it."""
        info = sunspec_mb.point_type_info[self.type]
        try:
            raw = info.data_to(_bytes(words[self.offset : self.offset + self.size]))
        except (struct.error, UnicodeDecodeError):
            raise ValueError(f"{self.name}: its registers do not make a {self.type}") from None
        if isinstance(raw, str):
            return raw.strip("\x00 ") if info.is_impl(raw) else ""
        scale = self.scale(words)
        if raw is None or not info.is_impl(raw) or scale is None:
            return 0.0
        return _scaled(raw, scale)

    def encode(self, value: float, words: Sequence[int]) -> list[int]:
        """The registers that write ``value``, scaled by the factor the device reports now (in ``words``)."""
        info = sunspec_mb.point_type_info[self.type]
        scale = self.scale(words)
        if scale is None:
            raise ValueError(f"{self.name}: its scale factor is not implemented, so it cannot be written")
        number: float | int = value if self.type in FLOAT_TYPES else round(_scaled(value, -scale))
        try:
            data = info.to_data(number, self.size * 2)
        except (struct.error, OverflowError, TypeError):
            raise ValueError(f"{self.name}: {value:g} does not fit {self.type}") from None
        return [int.from_bytes(data[index : index + 2], "big") for index in range(0, len(data), 2)]

    def scale(self, words: Sequence[int]) -> int | None:
        """The scale factor (10 to the power of it multiplies the raw value); None when not implemented."""
        if self.scale_offset is None:
            return self.fixed_scale or 0
        (factor,) = struct.unpack(">h", _bytes(words[self.scale_offset : self.scale_offset + 1]))
        return None if factor == sunspec_mb.SUNS_UNIMPL_SUNSSF else int(factor)


class ModelLayout:
    """The points of one model instance on a device: its fixed part (block 0) and its repeating blocks."""

    def __init__(self, model_id: int, words: Sequence[int]) -> None:
        try:
            model = sunspec_device.Model(model_id, model_len=len(words) - 2, data=_bytes(words))
        except sunspec_device.ModelError as error:
            raise ValueError(f"model {model_id} does not match its definition: {error}") from None
        self._known = model.model_def is not None
        self._length = len(words)
        self._blocks: list[Any] = [model, *_repeating(model)]
        self._model = model

    def point(self, block: int, name: str) -> Point | None:
        """The point ``name`` of ``block``; None when the model has no such block or point."""
        if not self._known or block >= len(self._blocks):
            return None
        group = self._blocks[block]
        point = group.points.get(name)
        if point is None:
            return None
        scale_offset, fixed_scale = self._scale_of(group, point)
        # a device's model may be an older, shorter version of the definition: what lies beyond it is not there
        if point.offset + point.len > self._length or (scale_offset or 0) >= self._length:
            return None
        return Point(name, point.pdef["type"], point.offset, point.len, scale_offset, fixed_scale)

    def _scale_of(self, group: Any, point: Any) -> tuple[int | None, int | None]:
        """Where the point's scale factor is: in its own group, else in the model's fixed part (as pysunspec2)."""
        if point.sf is not None:
            factor = group.points.get(point.sf) or self._model.points.get(point.sf)
            return (factor.offset, None) if factor is not None else (None, None)
        return None, None if point.sf_value is None else int(point.sf_value)


def _repeating(model: Any) -> list[Any]:
    """The instances of the model's first repeating group, in order (model 160's MPPT modules)."""
    for group in model.groups.values():
        if isinstance(group, list):
            return group
    return []


def _bytes(words: Sequence[int]) -> bytes:
    return b"".join((word & 0xFFFF).to_bytes(2, "big") for word in words)


def _scaled(value: float, scale: int) -> float:
    # dividing by a power of ten keeps 650 × 10⁻² at 6.5 rather than 6.500000000000001
    return value * 10.0**scale if scale >= 0 else value / 10.0**-scale
