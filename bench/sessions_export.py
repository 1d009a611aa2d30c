"""Exporting 100,000 charging sessions as CSV through the real route, against a 3 s target.

Fills a temporary database, then calls ``GET /api/sessions?format=csv&lang=de`` on the assembled application
(in-process ASGI, the bytes are counted and dropped as they arrive, as a client would save them). Prints the
time, and the peak memory allocated during a second export (tracemalloc, which slows Python down, so it is
not timed) as a share of the file's size.

    .venv/bin/python bench/sessions_export.py
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from surplus.app import assemble, build_devices
from surplus.clock import VirtualClock
from surplus.config import load_demo
from surplus.devices.registry import BuildContext
from surplus.store.database import STREAM_CHUNK, Database
from surplus.store.sessions import COLUMNS, db_time

SESSIONS = 100_000
TARGET = 3.0
START = datetime(2026, 6, 1, 12, tzinfo=UTC)


def rows() -> list[tuple[Any, ...]]:
    """Sessions every 8 hours back from START, with every column set as a real one would have it."""
    chance = random.Random(7)
    made = []
    for index in range(SESSIONS):
        created = START - timedelta(hours=8 * (SESSIONS - index))
        minutes = chance.randint(20, 600)
        energy = chance.uniform(0.5, 60)
        solar = chance.uniform(0, 100)
        per_kwh = chance.uniform(0.05, 0.45)
        made.append(
            (
                db_time(created),
                db_time(created + timedelta(minutes=minutes)),
                chance.choice(["Carport", "Garage"]),
                chance.choice(["", "04A1B2C3"]),
                chance.choice(["blauer e-Golf", "Van, big", "Škoda Enyaq"]),
                10_000 + index * 12.3,
                1000 + index * 20.0,
                1000 + index * 20.0 + energy,
                energy,
                minutes * 60 * 1_000_000_000,
                chance.uniform(5, 50),
                chance.uniform(50, 100),
                chance.uniform(10, 300),
                solar,
                energy * per_kwh,
                per_kwh,
                chance.uniform(50, 500),
                0.3,
                380.0,
            )
        )
    return made


async def fill(database: Database) -> None:
    made = rows()
    placeholders = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    await database.run(lambda connection: connection.executemany(sql, made))


async def export(app: Any) -> int:
    """One GET through the ASGI app; returns the bytes received."""
    received = 0
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal received
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message
        elif message["type"] == "http.response.body":
            received += len(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/sessions",
        "raw_path": b"/api/sessions",
        "query_string": b"format=csv&lang=de",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
        "root_path": "",
    }
    await app(scope, receive, send)
    return received


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sessions.db"
        database = await Database.open(path)
        started = time.perf_counter()
        await fill(database)
        filled = time.perf_counter() - started
        clock = VirtualClock(START)
        loaded = load_demo()
        runtime = await assemble(loaded, clock, database, build_devices(loaded, BuildContext(clock)))
        try:
            started = time.perf_counter()
            size = await export(runtime.api)
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            await export(runtime.api)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            await database.close()
    verdict = "ok" if elapsed < TARGET else "SLOW"
    print(f"sessions CSV export: {SESSIONS} sessions, {size / 1e6:.1f} MB (database filled in {filled:.1f} s)")
    print(f"  {elapsed:.2f} s ({SESSIONS / elapsed:,.0f} sessions/s); target {TARGET:g} s: {verdict}")
    print(
        f"  peak memory allocated while exporting: {peak / 1e6:.2f} MB, {100 * peak / size:.0f} % of the file "
        f"(streamed: one chunk of {STREAM_CHUNK} rows at a time, whatever the number of sessions)"
    )


if __name__ == "__main__":
    asyncio.run(main())
