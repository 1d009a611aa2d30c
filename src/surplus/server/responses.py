"""JSON bodies as evcc writes them: bare values, times as Go prints them, ending in a newline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import Response

from surplus.state import format_time


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def json_body(value: Any) -> bytes:
    return orjson.dumps(value, default=_encode, option=orjson.OPT_PASSTHROUGH_DATETIME) + b"\n"


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(content=json_body(value), status_code=status, media_type="application/json", headers=headers)


def error_response(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)
