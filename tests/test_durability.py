"""Sessions survive the process being killed, backups are consistent while running, a bad database is one line.

Real processes on the built-in demo (slow): scripted devices cannot be driven from outside a process.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.process import Running, run_once, running

pytestmark = pytest.mark.slow

DEMO = ["--demo", "--demo-speed", "60", "--port", "0"]
DEMO_INTERVAL = 10  # s on the demo's clock: demo.yaml's interval


def charging(app: Running, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """Poll the state until a loadpoint charges and has charged something; (index, its state)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for index, loadpoint in enumerate(app.get("/api/state").json()["loadpoints"]):
            if loadpoint.get("charging") and loadpoint.get("sessionEnergy", 0) > 0:
                return index, loadpoint
        time.sleep(0.1)
    raise AssertionError("no loadpoint started charging:\n" + app.output())


def sessions(path: Path) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(path)) as connection:  # closed: an open connection counts as "in use"
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM sessions ORDER BY id")]


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_session_survives_kill_9_while_charging(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    arguments = [*DEMO, "--database", str(database)]
    with running(arguments, cwd=tmp_path) as app:
        index, seen = charging(app)
        # a few cycles in, and enough to be listed (0.05 kWh); any moment would do for the row itself
        wanted, deadline = max(seen["sessionEnergy"], 100), time.monotonic() + 30
        while seen["sessionEnergy"] <= wanted and time.monotonic() < deadline:
            seen = app.get("/api/state").json()["loadpoints"][index]
        app.process.kill()  # SIGKILL: no handler, no clean-up, no checkpoint
        app.process.wait(timeout=10)
    one_cycle = seen["chargePower"] * DEMO_INTERVAL / 3600  # Wh
    [after_kill] = [row for row in sessions(database) if row["loadpoint"] == seen["title"]]
    assert after_kill["finished"] is not None
    assert after_kill["charged_kwh"] * 1000 >= seen["sessionEnergy"] - one_cycle
    assert integrity(database) == "ok"

    with running(arguments, cwd=tmp_path) as again:
        listed = again.get("/api/sessions").json()
        status, _ = again.stop(signal.SIGTERM)
        assert status == 0, again.output()
    assert "Traceback" not in again.output()
    assert [s["id"] for s in listed if s["id"] == after_kill["id"]] == [after_kill["id"]]
    [kept] = [row for row in sessions(database) if row["id"] == after_kill["id"]]
    assert kept == after_kill  # closed where the last cycle before the kill left it
    assert integrity(database) == "ok"


def test_backup_while_running_and_restore_once_stopped(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    copy = tmp_path / "copy.db"
    with running([*DEMO, "--database", str(database)], cwd=tmp_path) as app:
        charging(app)
        made = run_once(["backup", str(copy), "--database", str(database)])
        assert made.returncode == 0, made.stderr
        assert made.stderr.startswith(f"surplus backup: copied {database} to {copy} (")
        refused = run_once(["restore", str(copy), "--database", str(database)])
        assert refused.returncode == 1
        assert refused.stderr == (
            f"surplus restore: {database} is in use; stop Surplus (and anything else using it) before restoring\n"
        )
        status, _ = app.stop(signal.SIGTERM)
        assert status == 0
    assert integrity(copy) == "ok"
    copied = sessions(copy)
    assert copied, "the copy has the running session"
    later = {row["id"]: row for row in sessions(database)}
    for row in copied:  # one consistent earlier state: every row is there, later rows only grew
        assert later[row["id"]]["created"] == row["created"]
        assert later[row["id"]]["charged_kwh"] >= row["charged_kwh"]

    restored = run_once(["restore", str(copy), "--database", str(database)])
    assert restored.returncode == 0, restored.stderr
    assert sessions(database) == copied
    assert integrity(database) == "ok"


@pytest.mark.parametrize("where", ["parent is a file", "a directory"])
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_1(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    if where == "parent is a file":
        blocker.write_text("")
        path = blocker / "surplus.db"
    else:
        blocker.mkdir()
        path = blocker
    result = run_once([*DEMO, "--database", str(path)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("surplus: ")]
    assert line.startswith(f"surplus: cannot open database {path}: ")
    assert result.stderr.strip().splitlines()[-1] == line
