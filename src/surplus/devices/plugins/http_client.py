"""HTTP for sources: shared clients, one request's errors as DeviceErrors, and a response cache.

Error messages name the host and the status, never the URL (it may carry a token in its query), and text taken
from an exception passes through :func:`redact` first.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

import httpx

from surplus import __version__
from surplus.clock import Clock
from surplus.devices.errors import DeviceError

USER_AGENT = f"surplus/{__version__}"


class Unreachable(DeviceError):
    """No answer in time, or no connection: worth trying again later."""


class HttpStatusError(DeviceError):
    """The server answered with a status other than 2xx."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None


@dataclass(frozen=True)
class Answer:
    content: bytes
    content_type: str


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@cache
def verified_tls() -> ssl.SSLContext:
    """Loading the CA bundle is the slow part of making a client (tens of ms on the event loop); every verifying
    client shares one."""
    return httpx.create_ssl_context()


class HttpClients:
    """One client per host and TLS setting, for all sources built with the same pool."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, bool], httpx.AsyncClient] = {}

    def client(self, url: httpx.URL, insecure: bool) -> httpx.AsyncClient:
        key = (f"{url.scheme}://{url.netloc.decode()}", insecure)
        if key not in self._clients:
            self._clients[key] = httpx.AsyncClient(
                verify=False if insecure else verified_tls(), headers={"user-agent": USER_AGENT}
            )
        return self._clients[key]

    async def close(self) -> None:
        """Close every client; the application does so at shutdown, as for every closable shared resource."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


async def send(
    clients: HttpClients,
    request: Request,
    *,
    auth: httpx.Auth | None,
    timeout: timedelta,
    insecure: bool,
    secrets: Iterable[str],
) -> Answer:
    """One request; a 2xx answer is returned, anything else raised as a DeviceError naming the host."""
    try:
        url = httpx.URL(request.url)
        host = url.host or "the server"
    except httpx.InvalidURL:
        raise DeviceError("the uri is not a valid URL") from None
    seconds = timeout.total_seconds()
    try:
        async with asyncio.timeout(seconds):
            response = await clients.client(url, insecure).request(
                request.method, url, headers=list(request.headers), content=request.body, auth=auth, timeout=seconds
            )
    except (TimeoutError, httpx.TimeoutException):
        raise Unreachable(f"no answer from {host} within {seconds:g}s") from None
    except httpx.TransportError as error:
        reason = redact(str(error), secrets) or type(error).__name__
        raise Unreachable(f"cannot reach {host}: {reason}") from None
    except httpx.HTTPError as error:
        raise DeviceError(f"request to {host} failed: {redact(str(error), secrets) or type(error).__name__}") from None
    if not 200 <= response.status_code < 300:
        status = f"{response.status_code} {response.reason_phrase}".rstrip()
        raise HttpStatusError(f"{host} answered HTTP {status}", response.status_code)
    return Answer(response.content, response.headers.get("content-type", ""))


@dataclass
class _Entry:
    at: datetime
    answer: Answer


@dataclass
class ResponseCache:
    """Answers kept for a while, shared by the sources that ask the same question; one request at a time each."""

    clock: Clock
    _entries: dict[object, _Entry] = field(default_factory=dict)
    _locks: dict[object, asyncio.Lock] = field(default_factory=dict)

    async def get(self, key: object, max_age: timedelta, fetch: Callable[[], Awaitable[Answer]]) -> Answer:
        """The cached answer while younger than ``max_age``; otherwise a new one (a request already on its way
        for the same key is waited for and shared)."""
        async with self._locks.setdefault(key, asyncio.Lock()):
            entry = self._entries.get(key)
            if entry is not None and self.clock.now() - entry.at < max_age:
                return entry.answer
            answer = await fetch()
            self._entries[key] = _Entry(self.clock.now(), answer)
            return answer
