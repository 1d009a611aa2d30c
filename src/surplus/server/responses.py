"""JSON bodies as evcc writes them: bare values, ending in a newline."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import Response


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        content=orjson.dumps(value) + b"\n",
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def error_response(message: str, status: int = 400) -> Response:
    return json_response({"error": message}, status)
