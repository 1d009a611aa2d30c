"""Configuration errors that name the file, the line and the key."""

from __future__ import annotations

from collections.abc import Sequence

Path = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``('loadpoints', 0, 'mode')`` → ``loadpoints[0].mode``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class ConfigError(Exception):
    """A problem with the configuration, phrased for the person who wrote it."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line:
            where.append(f"line {self.line}")
        if self.key:
            where.append(f"key '{self.key}'")
        prefix = ", ".join(where)
        return f"config error in {prefix}: {self.message}" if prefix else f"config error: {self.message}"
