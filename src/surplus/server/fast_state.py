"""The hottest route, ``GET /api/state`` without a query, answered before any routing.

Dashboards poll it several times a second; the document changes once per cycle, so it is served from bytes
built once per change. Everything else, including ``?jq=``, goes through the normal application.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from surplus.server.responses import json_body
from surplus.state import State

HEADERS = [(b"content-type", b"application/json")]


class FastState:
    def __init__(self, app: ASGIApp, state: State) -> None:
        self._app = app
        self._state = state
        self._version = -1
        self._body = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        plain = scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]
        if plain and scope["path"] == "/api/state":
            await self._send_document(send)
            return
        await self._app(scope, receive, send)

    async def _send_document(self, send: Send) -> None:
        if self._version != self._state.version:
            self._body = json_body(self._state.document())
            self._version = self._state.version
        headers = [*HEADERS, (b"content-length", str(len(self._body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self._body})
