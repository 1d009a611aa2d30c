"""``surplus backup FILE`` and ``surplus restore FILE``: copies of the database, safe while Surplus runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from surplus.config import ConfigError, apply_overrides
from surplus.store.backup import BackupError, Progress, backup, restore

#: databases smaller than this many pages are copied without progress lines
QUIET_PAGES = 4 * 1024


def parser(command: str) -> argparse.ArgumentParser:
    if command == "backup":
        cli = argparse.ArgumentParser(
            prog="surplus backup",
            description="Copy the database to FILE with SQLite's online backup. Safe while Surplus runs: the "
            "copy is one consistent state, checked before it replaces FILE.",
        )
        cli.add_argument("file", metavar="FILE", help="where to write the copy (replaced if it exists)")
    else:
        cli = argparse.ArgumentParser(
            prog="surplus restore",
            description="Replace the database with the backup in FILE. Stop Surplus first: restore refuses while "
            "the database is in use. The database it replaces is kept as <database>.before-restore.",
        )
        cli.add_argument("file", metavar="FILE", help="a backup made by 'surplus backup' (or an evcc.db)")
    cli.add_argument("-c", "--config", metavar="FILE", help="configuration file whose 'database' to use")
    cli.add_argument("--demo", action="store_true", help="the demo's database")
    cli.add_argument(
        "--database",
        metavar="FILE",
        help="the database file (default: as 'surplus' would use: SURPLUS_DATABASE, EVCC_DATABASE_DSN, the "
        "configuration's 'database', else the default file)",
    )
    return cli


def database_path(arguments: argparse.Namespace, env: Mapping[str, str]) -> Path:
    """The database the server would open with the same options and environment."""
    from surplus.cli import default_database, resolve_config

    loaded, demo = resolve_config(arguments)
    config = apply_overrides(loaded.config, env, database=arguments.database)
    return Path(config.database.dsn).expanduser() if config.database.dsn else default_database(demo)


def main(command: str, argv: Sequence[str], env: Mapping[str, str]) -> int:
    arguments = parser(command).parse_args(argv)
    name = f"surplus {command}"
    try:
        database = database_path(arguments, env)
    except ConfigError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    file = Path(arguments.file).expanduser()
    progress = _progress(name)
    try:
        if command == "backup":
            pages = backup(database, file, progress)
            print(f"{name}: copied {database} to {file} ({pages} pages)", file=sys.stderr)
        else:
            kept = database.with_name(database.name + ".before-restore")
            existed = database.is_file()
            pages = restore(file, database, progress, keep=kept)
            earlier = f"; the database it replaced is in {kept}" if existed else ""
            print(f"{name}: restored {database} from {file} ({pages} pages){earlier}", file=sys.stderr)
    except BackupError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    return 0


def _progress(name: str) -> Progress:
    def report(copied: int, total: int) -> None:
        if total >= QUIET_PAGES:
            print(f"{name}: {copied}/{total} pages ({100 * copied // total} %)", file=sys.stderr)

    return report
