"""HTTP for the tariff providers: one client per provider, and every failure mapped to retry or not.

Secrets (tokens) never appear in an error message: messages are built from the host and status, and any text
taken from an answer passes through a :class:`Redactor` first. A secret that must travel in the query string
is added by :class:`SecretQuery` below httpx's own request log, so that log line never shows it either.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from surplus import __version__
from surplus.tariffs.base import PermanentTariffError, TariffError

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
USER_AGENT = f"surplus/{__version__}"
#: statuses that say "try again later" rather than "this request is wrong"
TRANSIENT = frozenset({408, 425, 429})
SNIPPET = 200

M = TypeVar("M", bound=BaseModel)


class Redactor:
    """Replaces each secret in a text with ``***``."""

    def __init__(self, *secrets: str) -> None:
        self._secrets = [secret for secret in secrets if secret]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


class SecretQuery(httpx.AsyncBaseTransport):
    """Adds query parameters on the way to the network, after httpx has recorded the request it logs."""

    def __init__(self, params: Mapping[str, str], inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._params = dict(params)
        self._inner = inner or transport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        outgoing = httpx.Request(
            request.method,
            request.url.copy_merge_params(self._params),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(outgoing)

    async def aclose(self) -> None:
        await self._inner.aclose()


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for all providers: loading the CA bundle is the slow part of making a client."""
    return httpx.create_ssl_context()


def transport() -> httpx.AsyncHTTPTransport:
    return httpx.AsyncHTTPTransport(verify=_tls())


def new_client(through: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A client with a timeout and our user agent; redirects are not followed (a moved API is an error)."""
    return httpx.AsyncClient(timeout=TIMEOUT, headers={"user-agent": USER_AGENT}, transport=through or transport())


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    redact: Redactor,
    detail: Callable[[httpx.Response], str | None] | None = None,
    **options: Any,
) -> httpx.Response:
    """One request; a 2xx answer is returned, anything else raised as TariffError or PermanentTariffError.

    ``detail`` extracts the provider's own explanation from an error answer (a GraphQL error, an XML reason).
    """
    try:
        response = await client.request(method, url, **options)
    except httpx.TimeoutException:
        raise TariffError(f"{provider}: no answer from {_host(url)} in time") from None
    except httpx.TransportError as error:
        reason = redact(str(error)) or type(error).__name__
        raise TariffError(f"{provider}: cannot reach {_host(url)}: {reason}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:  # a malformed URL and the like: retrying will not help
        raise PermanentTariffError(f"{provider}: {redact(str(error)) or type(error).__name__}") from None
    status = response.status_code
    if 200 <= status < 300:
        return response
    explanation = _explain(response, detail, redact)
    what = f"{provider}: {_host(url)} answered HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        raise PermanentTariffError(f"{what}; check the token{explanation}")
    if status in TRANSIENT or status >= 500:
        raise TariffError(what + explanation)
    raise PermanentTariffError(what + explanation)


def parse_json(response: httpx.Response, model: type[M], *, provider: str, redact: Redactor) -> M:
    """The answer validated against ``model``; anything else is a permanent error naming the first problem."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        problem = f"{where}: {first['msg']}" if where else first["msg"]
        raise PermanentTariffError(f"{provider}: unexpected answer ({redact(problem)})") from None


def _explain(response: httpx.Response, detail: Callable[[httpx.Response], str | None] | None, redact: Redactor) -> str:
    text: str | None = None
    if detail is not None:
        try:
            text = detail(response)
        except Exception:  # an error answer that does not parse explains nothing more
            text = None
    if text is None and "json" in response.headers.get("content-type", ""):
        text = response.text
    if not text:
        return ""
    text = " ".join(redact(text).split())
    if len(text) > SNIPPET:
        text = text[: SNIPPET - 1] + "…"
    return f": {text}"


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except httpx.InvalidURL:
        return "the server"
