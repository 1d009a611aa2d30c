"""GET /api/sessions as JSON, JSON download and CSV (api.md §2.6), byte for byte against expected files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from tests.server.harness import running
from tests.server.sessions_fixture import EXPECTED, START, sessions_database

ALL_LISTED = [8, 7, 6, 5, 3, 2, 1]  # newest first; 4 charged less than 0.05 kWh


async def ids(client: httpx.AsyncClient, query: str) -> list[int]:
    response = await client.get("/api/sessions" + query)
    assert response.status_code == 200, response.text
    return [session["id"] for session in response.json()]


async def test_the_json_list_is_the_expected_bytes(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.get("/api/sessions")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert "content-disposition" not in response.headers
        assert response.content == (EXPECTED / "sessions.json").read_bytes()
        assert [session["id"] for session in response.json()] == ALL_LISTED


async def test_the_json_download_is_the_same_list_as_an_attachment(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.get("/api/sessions", params={"format": "json"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["content-disposition"] == 'attachment; filename="session.json"'
        assert response.content == (EXPECTED / "sessions.json").read_bytes()


@pytest.mark.parametrize("lang", ["de", "en"])
async def test_the_csv_is_the_expected_bytes(tmp_path: Path, lang: str) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.get("/api/sessions", params={"format": "csv", "lang": lang})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == 'attachment; filename="session.csv"'
        assert response.content == (EXPECTED / f"sessions-{lang}.csv").read_bytes()


async def test_the_csv_is_what_a_spreadsheet_reads(tmp_path: Path) -> None:
    """BOM, 19 columns on every line, quoted cells come back verbatim, one line per listed session."""
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        body = (await app.client.get("/api/sessions", params={"format": "csv", "lang": "en"})).content
        assert body.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in body
        lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert len(lines) == 1 + len(ALL_LISTED)
        assert {len(line) for line in lines} == {19}
        assert lines[0][:3] == ["Created", "Finished", "Charging point"]
        by_vehicle = {line[4]: line for line in lines[1:]}
        assert by_vehicle['Van, "big"'][3] == "RFID 0815"
        assert by_vehicle[" Guest"][3] == 'tag "7"'
        assert by_vehicle["Škoda Enyaq"][0] == "2024-01-01 00:30:00"  # stored in UTC, shown in Berlin time


@pytest.mark.parametrize(
    ("lang", "accept", "first"),
    [
        (None, "de-DE,de;q=0.9,en;q=0.8", "Startzeit"),
        (None, "en-GB", "Created"),
        ("en", "de-DE", "Created"),  # the query wins
        ("de-AT", None, "Startzeit"),
        ("DE", None, "Startzeit"),
        ("tlh", "de", "Created"),  # an unknown language is English
        (None, None, "Created"),
        (None, "*", "Created"),
    ],
)
async def test_the_caption_language(tmp_path: Path, lang: str | None, accept: str | None, first: str) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        params = {"format": "csv", **({"lang": lang} if lang else {})}
        headers = {"Accept-Language": accept} if accept else {}
        body = (await app.client.get("/api/sessions", params=params, headers=headers)).content.decode("utf-8-sig")
        assert body.split(",", 1)[0] == first


@pytest.mark.parametrize(
    ("query", "listed", "file"),
    [
        ("?year=2023", [2, 1], "session-2023.csv"),
        ("?year=2024", [8, 7, 6, 5, 3], "session-2024.csv"),
        ("?year=2024&month=1", [3], "session-2024-01.csv"),  # created 2023-12-31 23:30 UTC, 00:30 in Berlin
        ("?year=2023&month=12", [2], "session-2023-12.csv"),
        ("?year=2024&month=03", [6], "session-2024-03.csv"),
        ("?year=2022", [], "session-2022.csv"),
        ("?month=5", ALL_LISTED, "session.csv"),  # a month without a year is ignored, as evcc does
    ],
)
async def test_year_and_month_filter_on_local_time(tmp_path: Path, query: str, listed: list[int], file: str) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        assert await ids(app.client, query) == listed
        download = await app.client.get("/api/sessions" + query + "&format=csv")
        assert download.headers["content-disposition"] == f'attachment; filename="{file}"'
        assert download.content.count(b"\n") == 1 + len(listed)
        as_json = await app.client.get("/api/sessions" + query + "&format=json")
        assert as_json.headers["content-disposition"] == f'attachment; filename="{file.replace(".csv", ".json")}"'


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("?year=23x", "year: '23x' is not a year; allowed: 1900..9998"),
        ("?year=1899", "year: '1899' is not a year; allowed: 1900..9998"),
        ("?year=2024&month=13", "month: '13' is not a month; allowed: 1..12"),
        ("?year=2024&month=0", "month: '0' is not a month; allowed: 1..12"),
        ("?month=-1", "month: '-1' is not a month; allowed: 1..12"),
        ("?format=xlsx", "format: 'xlsx' is not supported; supported formats: csv, json"),
        ("?format=pdf&lang=de", "format: 'pdf' is not supported; supported formats: csv, json"),
    ],
)
async def test_bad_parameters_say_what_is_allowed(tmp_path: Path, query: str, error: str) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.get("/api/sessions" + query)
        assert (response.status_code, response.json()) == (400, {"error": error})


async def test_an_empty_history(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db", start=START) as app:
        assert (await app.client.get("/api/sessions")).content == b"[]\n"
        csv_body = (await app.client.get("/api/sessions?format=csv&lang=en")).content
        assert csv_body.count(b"\n") == 1
        assert csv_body.startswith(b"\xef\xbb\xbfCreated,Finished,")


async def test_a_database_that_cannot_be_read_is_a_json_error(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db", start=START) as app:
        await app.database.run(lambda connection: connection.execute("ALTER TABLE sessions RENAME TO gone"))
        response = await app.client.get("/api/sessions?format=csv")
        assert response.status_code == 500
        assert response.json()["error"].startswith("cannot read the sessions: database ")
        assert response.json()["error"].endswith("no such table: sessions")
