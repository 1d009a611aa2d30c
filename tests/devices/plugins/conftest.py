"""A fixture HTTP server shared per module (the tariff tests' one), and a server that never answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.tariffs.conftest import running, server

__all__ = ["running", "server", "silent_url"]


@pytest.fixture
async def silent_url() -> AsyncIterator[str]:
    """A URL whose server accepts the connection and the request, and then says nothing."""
    connections: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        await reader.read()

    listener = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in connections:
            writer.close()
        listener.close()
        await listener.wait_closed()
