"""Sessions as evcc exports them: the JSON list, and the CSV file (api.md §2.6), produced chunk by chunk."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import tzinfo
from typing import Any

import orjson

from surplus.server import csv_cells
from surplus.server.i18n import caption
from surplus.state import format_time
from surplus.store.session_history import NAMES, Period
from surplus.store.sessions import parse_db_time

ZERO_TIME = "0001-01-01T00:00:00Z"
BOM = "\ufeff"
#: the CSV's columns: every JSON field but the id, in the same order
CSV_FIELDS = NAMES[1:]
#: fields rounded to whole numbers in the CSV; other numbers keep 4 decimals
WHOLE = frozenset({"odometer", "socStart", "socEnd", "addedRange"})
TEXT = frozenset({"loadpoint", "identifier", "vehicle"})
TIMES = frozenset({"created", "finished"})

Rows = AsyncIterator[list[tuple[Any, ...]]]


def session_json(row: Sequence[Any]) -> dict[str, Any]:
    """One row (in :data:`NAMES` order) as evcc's session JSON."""
    values = dict(zip(NAMES, row, strict=True))
    for key in TIMES:
        instant = parse_db_time(values[key])
        values[key] = format_time(instant) if instant else ZERO_TIME
    for key in TEXT:
        values[key] = values[key] or ""
    values["chargedEnergy"] = values["chargedEnergy"] or 0.0
    if values["odometer"] is not None:
        values["odometer"] = round(values["odometer"], 1)
    return values


async def json_body(chunks: Rows) -> AsyncIterator[bytes]:
    """The JSON array, an element at a time: the same bytes as encoding the whole list at once."""
    first = True
    yield b"["
    async for rows in chunks:
        items = b",".join(orjson.dumps(session_json(row)) for row in rows)
        if items:
            yield items if first else b"," + items
            first = False
    yield b"]\n"


def _cell(field: str, zone: tzinfo) -> Callable[[Any], str]:
    if field in TIMES:
        return lambda value: csv_cells.local_time(value, zone)
    if field in TEXT:
        return csv_cells.text
    if field == "chargeDuration":
        return csv_cells.duration
    rounded = csv_cells.number(0 if field in WHOLE else 4)
    if field == "chargedEnergy":  # never null in evcc's JSON: 0
        return lambda value: rounded(value or 0.0)
    return rounded


def csv_header(lang: str) -> str:
    return ",".join(csv_cells.text(caption(lang, f"sessions.csv.{field.lower()}")) for field in CSV_FIELDS) + "\n"


async def csv_body(chunks: Rows, lang: str, zone: tzinfo) -> AsyncIterator[bytes]:
    """UTF-8 with BOM, ``,`` between cells, ``\\n`` after each line; captions in ``lang``, times in ``zone``."""
    cells = [(index, _cell(field, zone)) for index, field in enumerate(NAMES) if field in CSV_FIELDS]
    yield (BOM + csv_header(lang)).encode()
    async for rows in chunks:
        lines = [",".join([cell(row[index]) for index, cell in cells]) for row in rows]
        if lines:
            yield ("\n".join(lines) + "\n").encode()


def file_name(period: Period | None, extension: str) -> str:
    """``session[-YYYY[-MM]].<extension>``, as evcc names its downloads."""
    name = "session"
    if period is not None:
        name += f"-{period.year:04d}"
        if period.month is not None:
            name += f"-{period.month:02d}"
    return f"{name}.{extension}"
