"""The application as a user runs it: a real process, real HTTP, real signals, a real database file."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.process import clean_env, run_once, running

pytestmark = pytest.mark.slow


def balance(state: dict) -> float:
    """grid − (home + charging − pv − battery): zero when the published values are one energy balance."""
    charging = sum(lp.get("chargePower", 0.0) for lp in state["loadpoints"])
    return state["grid"]["power"] - (state["homePower"] + charging - state["pvPower"] - state["battery"]["power"])


def moved(first: dict, later: dict) -> bool:
    """PV, household and the grid-side balance all moved (grid itself may sit at 0 while the battery balances)."""
    grid_side = (later["grid"]["power"], later["battery"]["power"]) != (
        first["grid"]["power"],
        first["battery"]["power"],
    )
    return later["pvPower"] != first["pvPower"] and later["homePower"] != first["homePower"] and grid_side


def test_demo_serves_health_and_a_living_balanced_state_then_stops_cleanly(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    with running(["--demo", "--demo-speed", "60", "--port", "0", "--database", str(database)], cwd=tmp_path) as app:
        assert app.get("/api/health").status_code == 200
        first = app.get("/api/state").json()
        assert first["demoMode"] is True
        assert first["apiReady"] is True
        assert first["pvPower"] > 0  # the demo starts at 10:00 on a June day
        assert 0 < first["battery"]["soc"] <= 100
        assert first["battery"]["capacity"] == 10
        assert [lp["title"] for lp in first["loadpoints"]] == ["Carport", "Garage"]
        assert abs(balance(first)) < 1

        deadline = time.monotonic() + 20
        later = first
        while time.monotonic() < deadline:
            later = app.get("/api/state").json()
            if moved(first, later):
                break
            time.sleep(0.2)
        assert moved(first, later)
        assert abs(balance(later)) < 1

        status, seconds = app.stop(signal.SIGTERM)
        assert status == 0, app.output()
        assert seconds < 5
    assert "Traceback" not in app.output()
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"settings", "sessions"} <= tables


def test_sigint_stops_cleanly_too(tmp_path: Path) -> None:
    with running(["--demo", "--port", "0", "--database", str(tmp_path / "d.db")], cwd=tmp_path) as app:
        status, seconds = app.stop(signal.SIGINT)
    assert status == 0
    assert seconds < 5


def test_environment_sets_port_and_database(tmp_path: Path) -> None:
    database = tmp_path / "from-env.db"
    env = clean_env(EVCC_DATABASE_DSN=str(database), SURPLUS_PORT="0")
    with running(["--demo"], cwd=tmp_path, env=env) as app:
        assert app.get("/api/state").json()["database"] == str(database)
        app.stop()
    assert database.exists()


def test_a_broken_config_exits_1_with_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "evcc.yaml"
    config.write_text("chargers:\n  - name: wb\n    type: demo\nloadpoints:\n  - charger: wb\n    mode: fast\n")
    result = run_once(["--config", str(config)])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"surplus: config error in {config}, line 6, key 'loadpoints[0].mode': "
        "'fast' is not allowed; allowed values: off, now, minpv, pv"
    )


def test_an_unknown_device_type_names_the_line_and_the_allowed_types(tmp_path: Path) -> None:
    config = tmp_path / "evcc.yaml"
    config.write_text("meters:\n  - name: grid\n    type: teleporter\n")
    result = run_once(["--config", str(config), "--database", str(tmp_path / "x.db")])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "line 3, key 'meters[0].type': unknown meter type 'teleporter'; allowed types: custom, demo" in result.stderr


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with running(["--demo", "--port", "0", "--database", str(tmp_path / "a.db")], cwd=tmp_path) as first:
        result = run_once(
            ["--demo", "--bind", "127.0.0.1", "--port", str(first.port), "--database", str(tmp_path / "b.db")]
        )
        first.stop()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{first.port}" in result.stderr


def test_help_explains_every_option() -> None:
    result = run_once(["--help"])
    assert result.returncode == 0
    entries: dict[str, str] = {}
    current = ""
    for line in result.stdout.split("options:", 1)[1].splitlines():
        if line.startswith("  -"):
            flags, _, text = line.strip().partition("  ")
            current = flags
            entries[current] = text.strip()
        elif current and line.strip():
            entries[current] += " " + line.strip()
    for option in ("--config", "--demo", "--demo-speed", "--port", "--bind", "--database", "--log", "--version"):
        described = [text for flags, text in entries.items() if option in flags.replace(",", " ").split()]
        assert described and described[0], f"{option} has no explanation in:\n{result.stdout}"
