"""A real HTTP server on 127.0.0.1 for the simulated devices that answer JSON over HTTP (go-e, Shelly, TWC3).

A device fake subclasses :class:`JsonDeviceFake` and answers ``handle(path, query)`` from its state, which
the commands it receives change. The server runs in a thread, so tests and the demo use it from any event
loop. Faults are switched on by setting attributes: ``failure`` (an HTTP status to answer with), ``garbage``
(answer text that is not JSON), ``dropping`` (close the connection without an answer) and ``hanging`` (hold
every request until it is cleared or the fake stops).
``stop()`` and ``start()`` again serve on the same port, like a device that was switched off and on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

#: how long a hanging request is held at most, so a forgotten fault never blocks a thread for good
HANG_LIMIT = 30.0


class NoRoute(Exception):
    """The fake has nothing at this path: answered with 404."""


class JsonDeviceFake:
    def __init__(
        self,
        *,
        auth: Literal["basic", "digest"] | None = None,
        user: str = "admin",
        password: str = "",
        realm: str = "fake",
        public: frozenset[str] = frozenset(),
    ) -> None:
        self.auth = auth
        #: paths answered without credentials
        self.public = public
        self.user = user
        self.password = password
        self.realm = realm
        self.failure: int | None = None
        self.garbage = False
        self.dropping = False
        self._hanging = threading.Event()
        self._released = threading.Event()
        #: every request as path with query, in order, and its headers
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self._nonce = secrets.token_hex(8)
        self._port = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def handle(self, path: str, query: dict[str, str]) -> Any:
        """The JSON answer to a GET of ``path``; raise :class:`NoRoute` for an unknown path."""
        raise NoRoute(path)

    @property
    def hanging(self) -> bool:
        return self._hanging.is_set()

    @hanging.setter
    def hanging(self, hang: bool) -> None:
        if hang:
            self._released.clear()
            self._hanging.set()
        else:
            self._hanging.clear()
            self._released.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    fake._answer(self)
                except ConnectionError:  # the client gave up waiting (a hanging fake): nobody to answer
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests look at ``requests``."""

        server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._released.clear()
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        self.requests.append(request.path)
        self.headers.append({key.lower(): value for key, value in request.headers.items()})
        if self._hanging.is_set():
            self._released.wait(HANG_LIMIT)
        if urlsplit(request.path).path not in self.public and not self._authorised(request):
            self._reply(request, 401, b"Unauthorized", "text/plain", self._challenge())
            return
        if self.dropping:
            request.close_connection = True
            return
        if self.failure is not None:
            self._reply(request, self.failure, b'{"error": "simulated failure"}')
            return
        if self.garbage:
            self._reply(request, 200, b"<html>not json</html>", "text/html")
            return
        parts = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            with self.lock:
                answer = self.handle(parts.path, query)
        except NoRoute:
            self._reply(request, 404, b'{"error": "not found"}')
            return
        except ValueError as error:  # a command the device refuses
            self._reply(request, 400, json.dumps({"error": str(error)}).encode())
            return
        self._reply(request, 200, json.dumps(answer).encode())

    @staticmethod
    def _reply(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        challenge: str | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("content-type", content_type)
        request.send_header("content-length", str(len(body)))
        if challenge:
            request.send_header("www-authenticate", challenge)
        request.end_headers()
        request.wfile.write(body)

    def _challenge(self) -> str:
        if self.auth == "basic":
            return f'Basic realm="{self.realm}"'
        return f'Digest qop="auth", realm="{self.realm}", nonce="{self._nonce}", algorithm=SHA-256'

    def _authorised(self, request: BaseHTTPRequestHandler) -> bool:
        if self.auth is None:
            return True
        scheme, _, credentials = (request.headers.get("authorization") or "").partition(" ")
        if self.auth == "basic":
            expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return scheme.lower() == "basic" and secrets.compare_digest(credentials.strip(), expected)
        if scheme.lower() != "digest":
            return False
        fields = parse_keqv_list(parse_http_list(credentials))
        if fields.get("username") != self.user or fields.get("nonce") != self._nonce:
            return False
        return secrets.compare_digest(fields.get("response", ""), self._digest(fields, request.command))

    def _digest(self, fields: dict[str, str], method: str) -> str:
        """RFC 7616 with SHA-256 and qop=auth, as Shelly gen2 devices use it."""

        def sha(text: str) -> str:
            return hashlib.sha256(text.encode()).hexdigest()

        secret = sha(f"{self.user}:{self.realm}:{self.password}")
        target = sha(f"{method}:{fields.get('uri', '')}")
        nonce, count, client_nonce = fields.get("nonce", ""), fields.get("nc", ""), fields.get("cnonce", "")
        return sha(f"{secret}:{nonce}:{count}:{client_nonce}:{fields.get('qop', '')}:{target}")
