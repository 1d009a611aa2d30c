"""``surplus meter|charger|vehicle [NAME]``: read configured devices once and print what they report.

Like evcc's diagnostic commands: every capability a device has is asked for in turn, each answer or error on a
line of its own, so a user can see which value of a new device is wrong before the controller uses it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from surplus.app import build_devices, close_devices
from surplus.clock import RealClock
from surplus.config import ConfigError, LoadedConfig, apply_overrides
from surplus.devices import protocols as p
from surplus.devices.registry import BuildContext, Built
from surplus.runtime.reading import attempt

SECTIONS = {"meter": "meters", "charger": "chargers", "vehicle": "vehicles"}
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Value:
    """One capability to ask for: the protocol that offers it, how to ask, and how to show the answer."""

    label: str
    protocol: type
    ask: Callable[[Any], Callable[[], Awaitable[Any]]]
    unit: str = ""


METER_VALUES = (
    Value("Power", p.Meter, lambda d: d.current_power, "W"),
    Value("Energy", p.MeterEnergy, lambda d: d.total_energy, "kWh"),
    Value("Return energy", p.MeterReturnEnergy, lambda d: d.return_energy, "kWh"),
    Value("Currents", p.PhaseCurrents, lambda d: d.currents, "A"),
    Value("Voltages", p.PhaseVoltages, lambda d: d.voltages, "V"),
    Value("Powers", p.PhasePowers, lambda d: d.powers, "W"),
    Value("Soc", p.Battery, lambda d: d.soc, "%"),
)
CHARGER_VALUES = (
    Value("Status", p.Charger, lambda d: d.status),
    Value("Enabled", p.Charger, lambda d: d.enabled),
    Value("Max current", p.CurrentGetter, lambda d: d.get_max_current, "A"),
    Value("Phases", p.PhaseGetter, lambda d: d.get_phases),
    Value("Charged energy", p.ChargeRater, lambda d: d.charged_energy, "kWh"),
    Value("Identifier", p.Identifier, lambda d: d.identify),
    *METER_VALUES,
)
VEHICLE_VALUES = (
    Value("Soc", p.Vehicle, lambda d: d.soc, "%"),
    Value("Range", p.VehicleRange, lambda d: d.range, "km"),
    Value("Odometer", p.VehicleOdometer, lambda d: d.odometer, "km"),
    Value("Limit soc", p.VehicleSocLimiter, lambda d: d.limit_soc, "%"),
    Value("Status", p.VehicleChargeState, lambda d: d.status),
    Value("Climater", p.VehicleClimater, lambda d: d.climater),
)
VALUES = {"meter": METER_VALUES, "charger": CHARGER_VALUES, "vehicle": VEHICLE_VALUES}


def parser(kind: str) -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog=f"surplus {kind}",
        description=f"Read the configured {kind}s (or the one named NAME) once and print what they report.",
    )
    cli.add_argument("name", metavar="NAME", nargs="?", help=f"the {kind} to read (default: all)")
    cli.add_argument("-c", "--config", metavar="FILE", help="configuration file (evcc.yaml format)")
    cli.add_argument("--demo", action="store_true", help="the demo's simulated devices")
    cli.add_argument(
        "--timeout", metavar="SECONDS", type=float, default=DEFAULT_TIMEOUT, help="wait at most this long per value"
    )
    return cli


def main(kind: str, argv: Sequence[str], env: Mapping[str, str], out: TextIO = sys.stdout) -> int:
    from surplus.cli import resolve_config, run_loop

    arguments = parser(kind).parse_args(argv)
    name = f"surplus {kind}"
    try:
        loaded, demo = resolve_config(arguments)
        config = apply_overrides(loaded.config, env)
        context = BuildContext(RealClock())
        devices = build_devices(LoadedConfig(config, loaded.source, loaded.path), context)
    except ConfigError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    if demo and not arguments.demo:
        print(
            f"{name}: no configuration file found (looked in ., ~ and /etc); reading the demo's devices",
            file=sys.stderr,
        )
    built: dict[str, Built] = getattr(devices, SECTIONS[kind])
    if arguments.name is not None:
        if arguments.name not in built:
            configured = ", ".join(built) or "none"
            print(f"{name}: no {kind} named '{arguments.name}'; configured: {configured}", file=sys.stderr)
            return 1
        built = {arguments.name: built[arguments.name]}
    if not built:
        print(f"{name}: no {kind}s configured in {loaded.label}", file=sys.stderr)
        return 1
    run_loop(_report(kind, built, arguments.timeout, out, list(context.shared_resources.values())))
    return 0


async def _report(kind: str, built: Mapping[str, Built], timeout: float, out: TextIO, shared: list[object]) -> None:
    """Each device in turn; then what the devices share (an MQTT connection, an OCPP server) is closed too."""
    try:
        await _report_devices(kind, built, timeout, out)
    finally:
        await close_devices(shared)


async def _report_devices(kind: str, built: Mapping[str, Built], timeout: float, out: TextIO) -> None:
    for index, (device_name, entry) in enumerate(built.items()):
        device = entry.device
        if index:
            print(file=out)
        print(f"{device_name} ({kind})", file=out)
        try:
            if isinstance(device, p.Startable):
                started = await attempt(device.start, timeout)
                if started.error:
                    print(f"  Start:           error: {started.error}", file=out)
            for value in VALUES[kind]:
                if isinstance(device, value.protocol):
                    outcome = await attempt(value.ask(device), timeout)
                    print(f"  {value.label + ':':16} {_shown(outcome.value, outcome.error, value.unit)}", file=out)
        finally:
            if isinstance(device, p.Closable):
                await attempt(device.close, timeout)


def _shown(value: Any, error: str | None, unit: str) -> str:
    if error is not None:
        return f"error: {error}"
    if value is None:
        return "not available"
    if isinstance(value, tuple):
        text = " ".join(f"{part:g}" if isinstance(part, float) else str(part) for part in value)
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip()
