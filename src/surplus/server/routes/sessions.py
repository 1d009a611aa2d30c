"""``GET /api/sessions`` (JSON list, JSON or CSV download), ``PUT`` and ``DELETE /api/session/<id>``."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from datetime import UTC, tzinfo
from typing import Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.i18n import language
from surplus.server.responses import json_response
from surplus.server.session_export import csv_body, file_name, json_body
from surplus.store.database import DatabaseError
from surplus.store.session_history import YEARS, Period, stream_sessions
from surplus.store.sessions import EDITABLE, SessionStore

FORMATS = ("csv", "json")
_DIGITS = re.compile(r"[0-9]{1,18}")


def period(year: str | None, month: str | None) -> Period | None:
    """The year (and month) filter; a month without a year is ignored, as evcc does."""
    month_number = None
    if month:
        if not _DIGITS.fullmatch(month) or not 1 <= int(month) <= 12:
            raise RequestError(f"month: '{month}' is not a month; allowed: 1..12")
        month_number = int(month)
    if not year:
        return None
    if not _DIGITS.fullmatch(year) or int(year) not in YEARS:
        raise RequestError(f"year: '{year}' is not a year; allowed: {YEARS.start}..{YEARS.stop - 1}")
    return Period(int(year), month_number)


def session_id(text: str) -> int:
    if not _DIGITS.fullmatch(text) or int(text) < 1:
        raise RequestError(f"id: '{text}' is not a session id; it must be a whole number of 1 or more")
    return int(text)


def changes(body: bytes) -> dict[str, object]:
    """The columns a PUT body sets: any of vehicle and loadpoint (text) and odometer (km); null clears."""
    try:
        values = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        values = None
    if not isinstance(values, dict):
        raise RequestError(f"the body must be a JSON object with any of {', '.join(EDITABLE)}")
    result: dict[str, object] = {}
    for key in ("vehicle", "loadpoint"):
        if key in values:
            value = values[key]
            if value is not None and not isinstance(value, str):
                raise RequestError(f"{key}: must be a text or null, not {orjson.dumps(value).decode()}")
            result[EDITABLE[key]] = value or ""
    if "odometer" in values:
        result[EDITABLE["odometer"]] = _odometer(values["odometer"])
    if not result:
        raise RequestError("nothing to update")
    return result


def _odometer(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise RequestError(f"odometer: must be a number of km, 0 or more, or null; not {orjson.dumps(value).decode()}")
    return float(value)


async def _started(chunks: AsyncIterator[list[tuple[Any, ...]]]) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The first chunk is read before the answer starts, so a database that cannot be read is an error answer."""
    try:
        first = await anext(chunks, None)
    except DatabaseError as error:
        raise RequestError(f"cannot read the sessions: {error}", 500) from None

    async def rest() -> AsyncIterator[list[tuple[Any, ...]]]:
        if first is None:
            return
        yield first
        async for chunk in chunks:
            yield chunk

    return rest()


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["sessions"])

    def zone() -> tzinfo:
        return context.clock.now().tzinfo or UTC

    def store() -> SessionStore:
        if context.sessions is None:
            raise RequestError("database offline")
        return context.sessions

    @api.get(
        "/sessions",
        summary="Charging sessions, newest first: a JSON list, or a download (format=csv|json, lang, year, month)",
    )
    async def sessions(
        request: Request,
        kind: str | None = Query(None, alias="format"),
        lang: str | None = None,
        year: str | None = None,
        month: str | None = None,
    ) -> Response:
        if kind and kind not in FORMATS:
            raise RequestError(f"format: '{kind}' is not supported; supported formats: {', '.join(FORMATS)}")
        filtered = period(year, month)
        if context.database is None:
            raise RequestError("database offline")
        local = zone()
        chunks = await _started(stream_sessions(context.database, filtered, local))
        if kind == "csv":
            chosen = language(lang, request.headers.get("accept-language"))
            return StreamingResponse(
                csv_body(chunks, chosen, local), media_type="text/csv", headers=_attachment(filtered, "csv")
            )
        headers = _attachment(filtered, "json") if kind == "json" else None
        return StreamingResponse(json_body(chunks), media_type="application/json", headers=headers)

    @api.put("/session/{id}", summary="Change a session's vehicle, loadpoint or odometer (null clears)")
    async def update_session(id: str, request: Request) -> Response:
        row_id = session_id(id)
        edits = changes(await request.body())
        try:
            found = await store().edit(row_id, edits)
        except DatabaseError as error:
            raise RequestError(f"cannot change session {row_id}: {error}", 500) from None
        if not found:
            raise RequestError(f"session {row_id} not found", 404)
        return Response(status_code=200, media_type="application/json")

    @api.delete("/session/{id}", summary="Delete a session")
    async def delete_session(id: str) -> Response:
        row_id = session_id(id)
        try:
            found = await store().delete(row_id)
        except DatabaseError as error:
            raise RequestError(f"cannot delete session {row_id}: {error}", 500) from None
        if not found:
            raise RequestError(f"session {row_id} not found", 404)
        return json_response(None)

    return api


def _attachment(filtered: Period | None, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{file_name(filtered, extension)}"'}
