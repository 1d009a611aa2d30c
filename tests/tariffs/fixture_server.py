"""A real HTTP server on 127.0.0.1 that answers with recorded provider payloads.

    with serving({"/v1/marketdata": Reply(body=json.dumps(...))}) as server:
        url = server.url + "/v1/marketdata"

Each route answers with its Reply; ``server.requests`` records what was asked (method, path with query,
headers, body) so tests can check the request a provider sends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    body: str | bytes = ""
    status: int = 200
    content_type: str = "application/json"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    url: str
    routes: dict[str, Reply | Callable[[Request], Reply]]
    requests: list[Request] = field(default_factory=list)


@contextmanager
def serving(routes: Mapping[str, Reply | Callable[[Request], Reply]]) -> Iterator[Server]:
    """Serve ``routes`` (path without query → reply, or a function of the request) until the block ends."""
    state = Server(url="", routes=dict(routes))

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length))
            state.requests.append(request)
            route = state.routes.get(urlsplit(self.path).path)
            if route is None:
                reply = Reply(body='{"error": "no such route"}', status=404)
            else:
                reply = route(request) if callable(route) else route
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests assert on ``requests`` instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
