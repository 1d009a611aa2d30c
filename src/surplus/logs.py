"""Logging by area (``site``, ``lp-1``, ``db``, ``http`` …), with one level overall and per-area levels.

Lines look like evcc's: ``[lp-1   ] DEBUG 2026/06/01 10:00:30 charger enabled``. The timestamp comes
from the application's clock, so the demo and replays log their own time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TextIO

from surplus.clock import Clock

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

LEVELS: dict[str, int] = {
    "trace": TRACE,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "fatal": logging.CRITICAL,
}
LEVEL_NAMES = "trace, debug, info, warn, error, fatal"

ROOT = "surplus"
#: third-party loggers shown under one of our areas
FOREIGN_AREAS = {"uvicorn": "http"}


def get_logger(area: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{area}")


def area_of(logger_name: str) -> str:
    if logger_name.startswith(ROOT + "."):
        return logger_name[len(ROOT) + 1 :]
    top = logger_name.split(".", 1)[0]
    return FOREIGN_AREAS.get(top, top)


def parse_level(text: str) -> int:
    """A level name as evcc writes it; raises ValueError naming the allowed ones."""
    level = LEVELS.get(text.strip().lower())
    if level is None:
        raise ValueError(f"unknown log level '{text}'; allowed: {LEVEL_NAMES}")
    return level


def parse_log_spec(spec: str) -> tuple[int | None, dict[str, int]]:
    """``debug,site:trace,db:warn`` → (overall level, per-area levels). Either part may be absent."""
    overall: int | None = None
    areas: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if ":" in part:
            area, _, level = part.partition(":")
            if not area:
                raise ValueError(f"'{part}' names no area; write area:level, e.g. site:debug")
            areas[area.strip()] = parse_level(level)
        else:
            overall = parse_level(part)
    return overall, areas


class AreaFormatter(logging.Formatter):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    def format(self, record: logging.LogRecord) -> str:
        area = area_of(record.name)
        stamp = self._clock.now().strftime("%Y/%m/%d %H:%M:%S")
        line = f"[{area:<7}] {record.levelname} {stamp} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(
    clock: Clock,
    level: int = logging.INFO,
    areas: Mapping[str, int] | None = None,
    stream: TextIO | None = None,
) -> None:
    """Route our loggers and uvicorn's through one handler with area levels; replaces earlier setups."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(AreaFormatter(clock))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name, existing in logging.Logger.manager.loggerDict.items():
        if name.startswith(ROOT + ".") and isinstance(existing, logging.Logger):
            existing.setLevel(logging.NOTSET)
    logging.getLogger(ROOT).setLevel(level)
    for foreign, area in FOREIGN_AREAS.items():
        logging.getLogger(foreign).setLevel((areas or {}).get(area, max(level, logging.INFO)))
    for area, area_level in (areas or {}).items():
        get_logger(area).setLevel(area_level)
