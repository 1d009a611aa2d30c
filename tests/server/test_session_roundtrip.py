"""A session the control loop recorded, with vehicle, odometer, solar share, price and CO₂, in every export."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from surplus.core.types import ChargeStatus
from tests.server.harness import CONFIG, App, running
from tests.server.sessions_fixture import START

TARIFFS = """\
tariffs:
  currency: EUR
  grid: {type: fixed, price: 0.30}
  feedin: {type: fixed, price: 0.08}
  co2: {type: fixed, tariff: co2, price: 200}
"""
COLUMNS = "vehicle, odometer, charged_kwh, solar_percentage, price, price_per_kwh, co2_per_kwh"


async def record_a_session(app: App) -> None:
    """Tariffs known, the car charges at 11 kW for five minutes while the sun shines, then leaves."""
    service = app.runtime.tariffs
    for sources in service._sources.values():
        for source in sources:
            await service.refresh(source)
    wallbox = app.script.chargers["wallbox"]
    await app.client.post("/api/loadpoints/1/mode/now")
    await app.cycle()
    wallbox.status, wallbox.power = ChargeStatus.C, 11000
    for _ in range(10):
        await app.cycle()
    wallbox.status, wallbox.power = ChargeStatus.A, 0
    await app.cycle()


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def test_every_export_format_carries_the_whole_session(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    async with running(path, CONFIG + TARIFFS, start=START) as app:
        await record_a_session(app)
        [listed] = (await app.client.get("/api/sessions")).json()
        assert (await app.client.put(f"/api/session/{listed['id']}", json={"odometer": 23456.7})).status_code == 200
        exports: dict[str, Any] = {
            "json": (await app.client.get("/api/sessions")).json(),
            "json download": (await app.client.get("/api/sessions?format=json")).json(),
            "csv de": csv_rows((await app.client.get("/api/sessions?format=csv&lang=de")).content),
            "csv en": csv_rows((await app.client.get("/api/sessions?format=csv&lang=en")).content),
        }
    with sqlite3.connect(path) as connection:
        [stored] = connection.execute(f"SELECT {COLUMNS} FROM sessions").fetchall()
    vehicle, odometer, energy, solar, price, per_kwh, co2 = stored

    # what the loop recorded is consistent: effective price and CO₂ follow the solar share (core.md §6.2)
    assert vehicle == "Blue car"
    assert odometer == 23456.7
    assert energy > 0.5  # about 11 kW for 5 minutes
    share = solar / 100
    assert 0 < share < 1
    assert per_kwh == pytest.approx(0.30 * (1 - share) + 0.08 * share)
    assert price == pytest.approx(per_kwh * energy)
    assert co2 == pytest.approx(200 * (1 - share))

    for name in ("json", "json download"):
        [item] = exports[name]
        assert (item["vehicle"], item["odometer"], item["chargedEnergy"]) == (vehicle, odometer, energy), name
        assert (item["solarPercentage"], item["price"], item["pricePerKWh"], item["co2PerKWh"]) == (
            solar,
            price,
            per_kwh,
            co2,
        ), name
    for name in ("csv de", "csv en"):
        header, row = exports[name]
        cells = dict(zip(range(19), row, strict=True))
        assert (cells[4], cells[5]) == ("Blue car", "23457"), name  # odometer in whole km
        assert float(cells[8]) == pytest.approx(energy, abs=5e-5), name
        assert float(cells[13]) == pytest.approx(solar, abs=5e-5), name
        assert float(cells[14]) == pytest.approx(price, abs=5e-5), name
        assert float(cells[15]) == pytest.approx(per_kwh, abs=5e-5), name
        assert float(cells[16]) == pytest.approx(co2, abs=5e-5), name
        assert header[13] == ("Sonne (%)" if name == "csv de" else "Solar (%)")
