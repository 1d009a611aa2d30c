"""An evcc user's evcc.db (fixtures/evcc.sql): its sessions are listed, its settings kept, nothing unknown touched."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.server.harness import running
from tests.server.sessions_fixture import START

FIXTURE = Path(__file__).parent / "fixtures" / "evcc.sql"
UNTOUCHED = ("configs", "fleet_notes")


def evcc_database(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript(FIXTURE.read_text())
    return path


def snapshot(path: Path) -> dict[str, Any]:
    """What must survive: the unknown tables (schema and rows), the extra column, the user's settings."""
    with sqlite3.connect(path) as connection:
        return {
            "schemas": connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE name IN (?, ?) ORDER BY name", UNTOUCHED
            ).fetchall(),
            "rows": {table: connection.execute(f"SELECT * FROM {table}").fetchall() for table in UNTOUCHED},
            "tags": connection.execute("SELECT id, tag FROM sessions ORDER BY id").fetchall(),
            "settings": connection.execute(
                "SELECT key, value FROM settings WHERE key IN ('lp1.mode', 'telemetry', 'mqtt', 'sponsorToken') "
                "ORDER BY key"
            ).fetchall(),
        }


EXPECTED = [
    {
        "id": 4,
        "created": "2024-01-20T17:45:00+01:00",
        "finished": "2024-01-20T19:45:00+01:00",
        "loadpoint": "Carport",
        "identifier": "",
        "vehicle": "blauer e-Golf",
        "odometer": 46002.4,
        "meterStart": 1030.02,
        "meterStop": 1038.52,
        "chargedEnergy": 8.5,
        "chargeDuration": 7200000000000,
        "socStart": None,
        "socEnd": None,
        "addedRange": None,
        "solarPercentage": None,
        "price": None,
        "pricePerKWh": None,
        "co2PerKWh": None,
        "referencePricePerKWh": None,
        "referenceCo2PerKWh": None,
    },
    {
        "id": 2,
        "created": "2023-07-14T18:30:00+02:00",
        "finished": "2023-07-15T06:10:00+02:00",
        "loadpoint": "Garage",
        "identifier": "04A1B2C3",
        "vehicle": "Model 3",
        "odometer": None,
        "meterStart": None,
        "meterStop": None,
        "chargedEnergy": 42.1,
        "chargeDuration": 18000000000000,
        "socStart": None,
        "socEnd": None,
        "addedRange": None,
        "solarPercentage": 0.0,
        "price": 12.63,
        "pricePerKWh": 0.3,
        "co2PerKWh": 410.0,
        "referencePricePerKWh": None,
        "referenceCo2PerKWh": None,
    },
    {
        "id": 1,
        "created": "2023-03-01T08:15:42.123+01:00",
        "finished": "2023-03-01T11:02:10.987+01:00",
        "loadpoint": "Carport",
        "identifier": "",
        "vehicle": "blauer e-Golf",
        "odometer": 45210.0,
        "meterStart": 1000.5,
        "meterStop": 1020.25,
        "chargedEnergy": 19.75,
        "chargeDuration": 9000000000000,
        "socStart": None,
        "socEnd": None,
        "addedRange": None,
        "solarPercentage": 62.5,
        "price": 3.2,
        "pricePerKWh": 0.162,
        "co2PerKWh": 250.3,
        "referencePricePerKWh": None,
        "referenceCo2PerKWh": None,
    },
]


async def test_an_evcc_database_is_listed_and_keeps_everything_else(tmp_path: Path) -> None:
    path = evcc_database(tmp_path / "evcc.db")
    before = snapshot(path)
    async with running(path, start=START) as app:
        assert (await app.client.get("/api/sessions")).json() == EXPECTED
        assert await app.state(".loadpoints[0].mode") == "minpv"  # the user's saved mode is back
        csv_lines = (await app.client.get("/api/sessions?format=csv&lang=de")).content.decode("utf-8-sig").splitlines()
        assert csv_lines[-1] == (
            "2023-03-01 08:15:42,2023-03-01 11:02:10,Carport,,blauer e-Golf,45210,1000.5,1020.25,19.75,2h30m0s,,,,"
            "62.5,3.2,0.162,250.3,,"
        )
        for _ in range(3):
            await app.cycle()
        total = await app.state(".statistics.total")
        # solar shares: 19.75 kWh at 62.5 %, 42.1 at 0 % and the unlisted 0.02 at 100 %
        assert total["chargedKWh"] == round(19.75 + 42.1 + 0.02, 3)
        assert total["solarPercentage"] == round((19.75 * 62.5 + 0.02 * 100) / (19.75 + 42.1 + 0.02), 3)
    assert snapshot(path) == before
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert "tag" in columns
    assert {"soc_start", "soc_end", "added_range", "reference_price_per_kwh", "reference_co2_per_kwh"} < set(columns)
