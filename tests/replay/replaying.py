"""Running a replay file in-process and reading its lines."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from surplus.replay import replay
from surplus.replay_file import load_replay


async def replayed(text: str, tmp_path: Path) -> list[dict[str, Any]]:
    """The output lines of the replay file ``text``, parsed."""
    path = tmp_path / "replay.yaml"
    path.write_text(text)
    out = io.StringIO()
    await replay(load_replay(path)[0], out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def commands(lines: list[dict[str, Any]], loadpoint: int = 0) -> list[list[dict[str, Any]]]:
    """Per entry, the commands the loadpoint's charger received."""
    return [line["charger"][loadpoint] for line in lines]


def values(lines: list[dict[str, Any]], key: str, loadpoint: int = 0) -> list[Any]:
    return [line["state"]["loadpoints"][loadpoint].get(key) for line in lines]
