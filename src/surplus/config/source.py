"""Reading YAML into plain data with lower-cased keys, remembering where each key stood.

evcc matches configuration keys case-insensitively (``maxCurrent`` is ``maxcurrent``), so every mapping
key is lower-cased. The :class:`SourceMap` keeps the line of every key and list item and the spelling the
user wrote, so an error can point at the exact place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path as FilePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from surplus.config.errors import ConfigError, Path, format_path


@dataclass
class SourceMap:
    """Where each key of a loaded file stood, and how the user spelled it."""

    file: str | None = None
    lines: dict[Path, int] = field(default_factory=dict)
    spelling: dict[Path, str] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest part of ``path`` that the file contains."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None

    def display(self, path: Sequence[str | int]) -> str:
        shown: list[str | int] = []
        for depth, part in enumerate(path):
            shown.append(self.spelling.get(tuple(path[: depth + 1]), part) if isinstance(part, str) else part)
        return format_path(shown)

    def error(self, path: Sequence[str | int], message: str) -> ConfigError:
        """A ConfigError pointing at ``path``."""
        return ConfigError(message, file=self.file, line=self.line(path), key=self.display(path))


def _plain_scalar(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime):
        return datetime.fromisoformat(value.isoformat())  # ruamel's TimeStamp → a plain datetime
    if isinstance(value, date):
        return value
    return str(value)


def _normalise(node: Any, path: Path, source: SourceMap) -> Any:
    if isinstance(node, CommentedMap):
        result: dict[Any, Any] = {}
        for key, value in node.items():
            normal = key.lower() if isinstance(key, str) else _plain_scalar(key)
            child = (*path, normal) if isinstance(normal, str | int) else (*path, str(normal))
            line, _ = node.lc.key(key)
            if normal in result:
                shown = source.display(path)
                raise ConfigError(
                    f"key '{key}' appears twice (keys are case-insensitive)",
                    file=source.file,
                    line=line + 1,
                    key=f"{shown}.{key}" if shown else str(key),
                )
            source.lines[child] = line + 1
            if isinstance(key, str):
                source.spelling[child] = key
            result[normal] = _normalise(value, child, source)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            line, _ = node.lc.item(index)
            source.lines[child] = line + 1
            items.append(_normalise(value, child, source))
        return items
    return _plain_scalar(node)


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, SourceMap]:
    """YAML text → (plain data with lower-cased keys, source map). Syntax errors become ConfigErrors."""
    source = SourceMap(file=file)
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        line = mark.line + 1 if mark is not None else None
        column = f" (column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"YAML syntax: {problem}{column}", file=file, line=line) from None
    except YAMLError as error:
        raise ConfigError(f"YAML syntax: {error}", file=file) from None
    return _normalise(document, (), source), source


def read_yaml(path: FilePath) -> tuple[Any, SourceMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the file: {error.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", file=str(path)) from None
    return parse_yaml(text, str(path))
