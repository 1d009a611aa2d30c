"""A device's JSON answer checked against the shape a driver expects, failures told as a DeviceError."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from surplus.devices.errors import DeviceError

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, what: str) -> M:
    """``data`` as ``model``; an answer of another shape is an error naming the first field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DeviceError(f"{what} answered unexpectedly: {where or 'the answer'}: {first['msg']}") from None
