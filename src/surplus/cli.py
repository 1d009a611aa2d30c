"""Command line entry points. ``surplus`` runs the controller; errors end with one clear line and exit 1."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from surplus import __version__
from surplus.app import Application, StartupError, install_signal_handlers
from surplus.clock import Clock, RealClock, ScaledClock, demo_start
from surplus.config import (
    ConfigError,
    LoadedConfig,
    apply_overrides,
    find_config,
    load_demo,
    load_file,
    search_paths,
)
from surplus.config.schema import RESERVED_SECTIONS
from surplus.logs import configure, get_logger, parse_log_spec
from surplus.store.database import DatabaseError

log = get_logger("main")


def default_database(demo: bool) -> Path:
    """In the user's data directory; the demo keeps its own file so it never mixes with real sessions."""
    return user_data_path("surplus") / ("demo.db" if demo else "surplus.db")


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="surplus",
        description="Charge electric cars from solar surplus. Serves evcc's API on http://localhost:7070.",
        epilog="Subcommands: 'surplus replay FILE' runs a timeline on a virtual clock (see 'surplus replay -h'); "
        "'surplus backup FILE' copies the database, also while Surplus runs; 'surplus restore FILE' puts a copy "
        "back while Surplus is stopped; 'surplus meter|charger|vehicle [NAME]' reads configured devices once. "
        "Without --config, the first of ./surplus.yaml, ./evcc.yaml, ~/surplus.yaml, ~/evcc.yaml, "
        "/etc/surplus.yaml, /etc/evcc.yaml is used; with none of them, the demo starts.",
    )
    cli.add_argument("-c", "--config", metavar="FILE", help="configuration file (evcc.yaml format)")
    cli.add_argument("--demo", action="store_true", help="run the built-in simulated home instead of a config file")
    cli.add_argument(
        "--demo-speed",
        metavar="N",
        type=_positive_float,
        default=1.0,
        help="run the demo's clock N times faster than real time (default 1)",
    )
    cli.add_argument(
        "--port", type=_port, help="HTTP port (default 7070, 0 = any free port; also SURPLUS_PORT or EVCC_NETWORK_PORT)"
    )
    cli.add_argument(
        "--bind",
        metavar="ADDRESS",
        help="address to listen on (default 0.0.0.0, every interface; network.bind)",
    )
    cli.add_argument(
        "--database",
        metavar="FILE",
        help=f"SQLite database file (default {default_database(False)}; also SURPLUS_DATABASE or EVCC_DATABASE_DSN)",
    )
    cli.add_argument(
        "-l",
        "--log",
        metavar="LEVEL",
        help="log level overall and per area, e.g. debug or info,site:debug,db:trace",
    )
    cli.add_argument("--version", action="version", version=f"surplus {__version__}")
    return cli


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number; allowed: 1-65535, or 0 for any free port")
    return int(text)


def resolve_config(arguments: argparse.Namespace) -> tuple[LoadedConfig, bool]:
    """(configuration, demo?) from --demo, --config or the search path."""
    if arguments.demo:
        return load_demo(), True
    if arguments.config:
        path = Path(arguments.config).expanduser()
        if not path.is_file():
            raise ConfigError(f"configuration file {path} does not exist")
        return load_file(path), False
    found = find_config(search_paths())
    if found is None:
        return load_demo(), True
    return load_file(found), False


def replay_parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="surplus replay",
        description="Run the controller on a virtual clock with devices scripted by FILE; prints one JSON line "
        "per timeline entry.",
    )
    cli.add_argument("file", metavar="FILE", help="replay file (YAML: start, site, tariffs, loadpoints, timeline)")
    return cli


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    environment = os.environ if env is None else env
    if args[:1] == ["replay"]:
        from surplus import replay

        return replay.main(replay_parser().parse_args(args[1:]).file)
    if args[:1] in (["meter"], ["charger"], ["vehicle"]):
        from surplus import diagnose

        return diagnose.main(args[0], args[1:], environment)
    if args[:1] in (["backup"], ["restore"]):
        from surplus import backup_cli

        return backup_cli.main(args[0], args[1:], environment)
    arguments = parser().parse_args(args)
    try:
        loaded, demo = resolve_config(arguments)
        config = apply_overrides(loaded.config, environment, arguments.port, arguments.database)
        if arguments.bind:
            config = config.model_copy(update={"network": config.network.model_copy(update={"bind": arguments.bind})})
        loaded = LoadedConfig(config, loaded.source, loaded.path)
        overall, areas = parse_log_spec(arguments.log or "")
    except ConfigError as error:
        print(f"surplus: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"surplus: --log: {error}", file=sys.stderr)
        return 1

    clock: Clock = ScaledClock(demo_start(), arguments.demo_speed) if demo else RealClock()
    file_level, file_areas = parse_log_spec(config.log)
    file_areas.update(parse_log_spec(",".join(f"{a}:{lvl}" for a, lvl in config.levels.items()))[1])
    configure(clock, overall or file_level or logging.INFO, {**file_areas, **areas})
    _report_start(loaded, demo, arguments)

    database = Path(config.database.dsn).expanduser() if config.database.dsn else default_database(demo)
    app = Application(loaded, clock, database, demo=demo)
    try:
        run_loop(_serve(app))
    except (ConfigError, DatabaseError, StartupError) as error:
        print(f"surplus: {error}", file=sys.stderr)
        return 1
    log.info("stopped")
    return 0


def _report_start(loaded: LoadedConfig, demo: bool, arguments: argparse.Namespace) -> None:
    if demo and not arguments.demo:
        log.info("no configuration file found (looked in ., ~ and /etc); starting the demo")
    if demo:
        log.info("demo: a simulated home starting at 10:00, running %gx real time", arguments.demo_speed)
    else:
        log.info("using configuration %s", loaded.label)
    config = loaded.config
    for section in RESERVED_SECTIONS:
        if getattr(config, section) is not None:
            log.warning("'%s' is not supported yet and is ignored", section)
    for index, lp in enumerate(config.loadpoints):
        if lp.guard_duration is not None:
            log.warning("loadpoints[%d].guardDuration is deprecated and ignored", index)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """uvloop where it is installed (Linux, macOS): the same asyncio, several times faster at HTTP."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


async def _serve(app: Application) -> None:
    install_signal_handlers(app)
    await app.serve()
