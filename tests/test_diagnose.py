"""``surplus meter|charger|vehicle [NAME]`` prints every value a device reports, and each failure on its line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from surplus.cli import main
from surplus.diagnose import main as diagnose

CONFIG = """
meters:
  - name: grid
    type: custom
    power: {source: const, value: -1500.5}
    energy: {source: const, value: "1234.5"}
    currents:
      - {source: const, value: 6.5}
      - {source: const, value: 7}
      - {source: const, value: 8}
  - name: broken
    type: custom
    power: {source: calc, div: [{source: const, value: 1}, {source: const, value: 0}]}
    soc: {source: const, value: ErrNotAvailable}
vehicles:
  - name: car
    type: template
    template: offline
    title: Family car
    capacity: 50
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "evcc.yaml"
    path.write_text(CONFIG)
    return path


def test_a_meter_prints_each_value_with_its_unit(config: Path) -> None:
    out = io.StringIO()
    assert diagnose("meter", ["--config", str(config), "grid"], {}, out) == 0
    assert out.getvalue() == (
        "grid (meter)\n  Power:           -1500.5 W\n  Energy:          1234.5 kWh\n  Currents:        6.5 7 8 A\n"
    )


def test_failures_are_shown_per_value_and_the_rest_still_read(config: Path) -> None:
    out = io.StringIO()
    assert diagnose("meter", ["--config", str(config)], {}, out) == 0
    text = out.getvalue()
    assert "grid (meter)\n" in text and "\n\nbroken (meter)\n" in text
    assert "  Power:           error: DeviceError: calc: division by zero\n" in text
    assert "  Soc:             not available\n" in text


def test_a_vehicle_from_a_template(config: Path) -> None:
    out = io.StringIO()
    assert diagnose("vehicle", ["-c", str(config)], {}, out) == 0
    assert out.getvalue() == "car (vehicle)\n  Soc:             0 %\n"


def test_an_unknown_name_lists_the_configured_ones(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["meter", "--config", str(config), "pv"]) == 1
    assert capsys.readouterr().err == "surplus meter: no meter named 'pv'; configured: grid, broken\n"


def test_no_chargers_configured(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["charger", "--config", str(config)]) == 1
    assert "no chargers configured in" in capsys.readouterr().err


def test_a_config_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evcc.yaml"
    path.write_text("meters:\n  - name: grid\n    type: custom\n    power: {source: nope}\n")
    assert main(["meter", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("surplus meter: config error in") and "line 4, key 'meters[0].power.source'" in err
