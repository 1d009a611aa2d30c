from datetime import timedelta
from pathlib import Path

import pytest

from surplus.config import ConfigError, apply_overrides, find_config, load_file, search_paths
from surplus.config.durations import parse_duration
from surplus.config.loader import load_text

GOOD = """\
interval: 15s
log: debug
levels:
  site: trace
network:
  port: 8080
database:
  dsn: /tmp/surplus-test.db
site:
  title: Home
  meters:
    grid: grid
    pv: pv
  residualPower: 100
meters:
  - name: grid
    type: demo
    usage: grid
  - name: pv
    type: demo
    usage: pv
chargers:
  - name: wallbox
    type: demo
loadpoints:
  - title: Garage
    charger: wallbox
    mode: pv
    enable:
      threshold: -500
    disable:
      delay: 5m
    MaxCurrent: 20
"""


def load(text: str) -> object:
    return load_text(text, "evcc.yaml").config


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_text(text, "evcc.yaml")
    return caught.value


def test_a_good_file_loads_with_defaults_and_case_insensitive_keys() -> None:
    config = load_text(GOOD, "evcc.yaml").config
    assert config.interval == timedelta(seconds=15)
    assert config.network.port == 8080
    assert config.site.meters.pv == ["pv"]
    assert config.site.residual_power == 100
    loadpoint = config.loadpoints[0]
    assert loadpoint.mode == "pv"
    assert loadpoint.max_current == 20
    assert loadpoint.enable.threshold == -500
    assert loadpoint.enable.delay == timedelta(minutes=1)
    assert loadpoint.disable.delay == timedelta(minutes=5)
    assert config.meters[0].params == {"usage": "grid"}


def test_an_empty_file_is_a_valid_empty_configuration() -> None:
    config = load_text("", "evcc.yaml").config
    assert config.loadpoints == []
    assert config.interval == timedelta(seconds=30)


@pytest.mark.parametrize(
    ("text", "line", "key", "phrases"),
    [
        (
            "site:\n  title: x\nloadpoint:\n  - charger: x\n",
            3,
            "loadpoint",
            ["unknown key", "allowed keys:", "loadpoints"],
        ),
        (
            "chargers:\n  - name: wb\n    type: demo\nloadpoints:\n  - charger: wb\n    mode: fast\n",
            6,
            "loadpoints[0].mode",
            ["'fast' is not allowed", "allowed values: off, now, minpv, pv"],
        ),
        ("interval: 5x\n", 1, "interval", ["'5x' is not a duration", "e.g. 30s"]),
        ("network:\n  port: abc\n", 2, "network.port", ["'abc' is not a whole number"]),
        ("network:\n  port: 70000\n", 2, "network.port", ["out of range", "≤ 65535"]),
        ("site:\n  bufferSoc: 120\n", 2, "site.bufferSoc", ["out of range", "≤ 100"]),
        ("loadpoints:\n  - title: Garage\n", 2, "loadpoints[0].charger", ["this key is required"]),
        (
            "chargers:\n  - name: wb\n    type: demo\nloadpoints:\n  - charger: wallbox\n",
            5,
            "loadpoints[0].charger",
            ["'wallbox' is not defined in chargers; defined: wb"],
        ),
        (
            "meters:\n  - name: grid\n    type: demo\n  - name: grid\n    type: demo\n",
            4,
            "meters[1].name",
            ["used twice"],
        ),
        (
            "site:\n  meters:\n    grid: nowhere\n",
            3,
            "site.meters.grid",
            ["'nowhere' is not defined in meters", "none are defined"],
        ),
        ("log: loud\n", 1, "log", ["unknown log level 'loud'", "allowed: trace, debug"]),
        ("levels:\n  site: chatty\n", 2, "levels.site", ["unknown log level 'chatty'"]),
        ("site:\n  title: a\n  Title: b\n", 3, "site.Title", ["appears twice"]),
        ("database:\n  type: postgres\n", 2, "database.type", ["'postgres' is not allowed", "allowed values: sqlite"]),
        ("loadpoints: 5\n", 1, "loadpoints", ["not a list"]),
        ("meters:\n  - name: 'bad name'\n    type: demo\n", 2, "meters[0].name", ["not a valid name"]),
    ],
)
def test_each_kind_of_error_names_file_line_key_and_what_is_allowed(
    text: str, line: int, key: str, phrases: list[str]
) -> None:
    error = error_of(text)
    assert (error.file, error.line, error.key) == ("evcc.yaml", line, key), str(error)
    message = str(error)
    assert message.startswith(f"config error in evcc.yaml, line {line}, key '{key}': ")
    for phrase in phrases:
        assert phrase in message


def test_yaml_syntax_errors_name_the_line() -> None:
    error = error_of("site:\n  title: [unclosed\nmeters: []\n")
    assert error.line == 3
    assert "YAML syntax" in str(error)


def test_a_file_that_is_not_a_mapping_is_rejected() -> None:
    assert "must be a mapping" in str(error_of("- a\n- b\n"))


def test_circuits_need_one_root_and_no_cycles() -> None:
    cycle = error_of("circuits:\n  - name: a\n    parent: b\n  - name: b\n    parent: a\n")
    assert "its own ancestor" in str(cycle)
    two_roots = error_of("circuits:\n  - name: a\n  - name: b\n")
    assert "exactly one circuit must have no parent" in str(two_roots)


def test_a_charger_serves_one_loadpoint() -> None:
    error = error_of("chargers:\n  - name: wb\n    type: demo\nloadpoints:\n  - charger: wb\n  - charger: wb\n")
    assert error.line == 6
    assert "already belongs to loadpoint 1" in str(error)


def test_load_file_reads_from_disk_and_reports_missing_permissions(tmp_path: Path) -> None:
    path = tmp_path / "evcc.yaml"
    path.write_text(GOOD)
    assert load_file(path).config.network.port == 8080
    with pytest.raises(ConfigError, match="cannot read the file"):
        load_file(tmp_path / "missing.yaml")


def test_search_order_is_working_directory_home_then_etc(tmp_path: Path) -> None:
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    (home / "evcc.yaml").write_text("")
    candidates = search_paths(cwd=cwd, home=home)
    assert find_config(candidates) == home / "evcc.yaml"
    (cwd / "evcc.yaml").write_text("")
    assert find_config(candidates) == cwd / "evcc.yaml"
    (cwd / "surplus.yaml").write_text("")
    assert find_config(candidates) == cwd / "surplus.yaml"
    assert candidates[-1] == Path("/etc/evcc.yaml")


def test_environment_overrides_port_and_database_with_surplus_names_first() -> None:
    config = load_text(GOOD).config
    evcc = apply_overrides(config, {"EVCC_NETWORK_PORT": "9000", "EVCC_DATABASE_DSN": "/data/evcc.db"})
    assert (evcc.network.port, evcc.database.dsn) == (9000, "/data/evcc.db")
    ours = apply_overrides(
        config,
        {"EVCC_NETWORK_PORT": "9000", "SURPLUS_PORT": "9100", "SURPLUS_DATABASE": "/x.db", "EVCC_DATABASE_DSN": "/y"},
    )
    assert (ours.network.port, ours.database.dsn) == (9100, "/x.db")
    cli = apply_overrides(config, {"SURPLUS_PORT": "9100"}, port=9200, database="/cli.db")
    assert (cli.network.port, cli.database.dsn) == (9200, "/cli.db")
    untouched = apply_overrides(config, {})
    assert (untouched.network.port, untouched.database.dsn) == (8080, "/tmp/surplus-test.db")


@pytest.mark.parametrize("value", ["abc", "-1", "70000"])
def test_a_bad_port_in_the_environment_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match=f"SURPLUS_PORT='{value}' is not a port number; allowed: 1-65535, or 0"):
        apply_overrides(load_text("").config, {"SURPLUS_PORT": value})


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("1m", 60), ("1h30m", 5400), ("500ms", 0.5), ("1.5h", 5400), ("0", 0), (45, 45), ("2m30.5s", 150.5)],
)
def test_go_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "5", "m", "1x", "-1s", "1m-1s", "true", True])
def test_invalid_durations(text: object) -> None:
    with pytest.raises(ValueError, match=r"duration|negative"):
        parse_duration(text)
