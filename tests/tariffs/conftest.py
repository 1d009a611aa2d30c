"""One fixture HTTP server per test module; each test starts with no routes and no recorded requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tariffs.fixture_server import Server, serving


@pytest.fixture(scope="module")
def running() -> Iterator[Server]:
    """Shared by the module because stopping a server takes up to half a second."""
    with serving({}) as server:
        yield server


@pytest.fixture
def server(running: Server) -> Server:
    running.routes.clear()
    running.requests.clear()
    return running
