"""Whatever a client puts into a path, the answer is never a server error."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.harness import App, running

SPECIAL = [
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "-1",
    "0",
    "99999999999999999999999",
    "1.5",
    "٣",
    "true",
    "tf",
    "null",
    "..",
    "%",
    "2050-09-04T05:00:00.000Z",
    "2020-01-01T00:00:00Z",
    "🚗",
    " ",
]
segments = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=30))
PARAMETER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.AbstractEventLoop, App]]:
    """One application for all examples, on a loop of its own (hypothesis drives plain functions)."""
    loop = asyncio.new_event_loop()
    context = running(Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db")
    started = loop.run_until_complete(context.__aenter__())
    try:
        yield loop, started
    finally:
        loop.run_until_complete(context.__aexit__(None, None, None))
        loop.close()


def routes_with_parameters(app: App) -> list[tuple[str, str]]:
    paths = app.runtime.api.openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() if PARAMETER.search(path) for method in item]


def test_every_parameterised_route_is_probed(app: tuple[asyncio.AbstractEventLoop, App]) -> None:
    assert len(routes_with_parameters(app[1])) > 30


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_no_path_value_gives_a_server_error(app: tuple[asyncio.AbstractEventLoop, App], data: st.DataObject) -> None:
    loop, running_app = app
    method, template = data.draw(st.sampled_from(routes_with_parameters(running_app)))
    values = iter(data.draw(st.lists(segments, min_size=4, max_size=4)))
    path = PARAMETER.sub(lambda _: quote(next(values), safe="") or "x", template)
    response = loop.run_until_complete(running_app.client.request(method, path))
    assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith(("application/json", "text/plain"))
