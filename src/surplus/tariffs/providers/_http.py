"""HTTP for the tariff providers: one client per provider, and every failure mapped to retry or not.

Secrets (tokens) never appear in an error message: messages are built from the host and status, and any text
taken from an answer passes through a :class:`Redactor` first. A secret that must travel in the URL is put in
by a :class:`LateRewrite` transport (:class:`SecretQuery` for the query string) below httpx's own request log,
so that log line never shows it either.

:class:`HttpTariff` is what the HTTP providers have in common: their name in messages, their redactor, their
client, the clock and the log, and the request and parse calls that use them.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import timedelta
from functools import cache
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from surplus import __version__
from surplus.devices.registry import BuildContext
from surplus.tariffs.base import PermanentTariffError, TariffError, TariffKind

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


class LateRewrite(httpx.AsyncBaseTransport):
    """Changes a request's URL on the way to the network, after httpx has recorded the request it logs."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or transport()

    def rewrite(self, url: httpx.URL) -> httpx.URL:
        raise NotImplementedError

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        outgoing = httpx.Request(
            request.method,
            self.rewrite(request.url),
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._inner.handle_async_request(outgoing)

    async def aclose(self) -> None:
        await self._inner.aclose()


class SecretQuery(LateRewrite):
    """Adds query parameters on the way to the network, after httpx has recorded the request it logs."""

    def __init__(self, params: Mapping[str, str], inner: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(inner)
        self._params = dict(params)

    def rewrite(self, url: httpx.URL) -> httpx.URL:
        return url.copy_merge_params(self._params)


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


class HttpTariff:
    """The common part of a tariff provider that fetches over HTTP.

    ``provider`` names it in every error message; ``key`` (the token or API key, as ``_key``; empty without
    one) and any other ``secrets`` are redacted from them. The client is made on the first request and kept
    until :meth:`close` (called at shutdown, as for every closable device); a provider with ``client_per_fetch``
    gets a new client for each request instead, closed right after it. :meth:`_transport` is where a provider
    puts its key into the URL below httpx's request log (a :class:`LateRewrite`).
    """

    #: what the rates are: the price providers publish a day-ahead forecast
    tariff_kind: ClassVar[TariffKind] = TariffKind.PRICE_FORECAST
    client_per_fetch: ClassVar[bool] = False

    def __init__(
        self,
        provider: str,
        context: BuildContext,
        *secrets: str,
        key: SecretStr | None = None,
        interval: timedelta = timedelta(hours=1),
    ) -> None:
        self._provider = provider
        self._clock = context.clock
        self._log = context.log
        self._key = key.get_secret_value() if key is not None else ""
        self._redact = Redactor(self._key, *secrets)
        self._interval = interval
        self._client: httpx.AsyncClient | None = None

    def kind(self) -> TariffKind:
        return self.tariff_kind

    def interval(self) -> timedelta:
        return self._interval

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport of a new client: None for the plain network."""
        return None

    async def _send(
        self,
        method: str,
        url: str,
        *,
        detail: Callable[[httpx.Response], str | None] | None = None,
        **options: Any,
    ) -> httpx.Response:
        """:func:`send` with this provider's client, name and redactor."""
        session: AbstractAsyncContextManager[httpx.AsyncClient]
        if self.client_per_fetch:
            session = new_client(self._transport())
        else:
            if self._client is None:
                self._client = new_client(self._transport())
            session = nullcontext(self._client)
        async with session as client:
            return await send(
                client, method, url, provider=self._provider, redact=self._redact, detail=detail, **options
            )

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        """:func:`parse_json` with this provider's name and redactor."""
        return parse_json(response, model, provider=self._provider, redact=self._redact)

    async def _get_json(self, url: str, model: type[M], **options: Any) -> M:
        """A GET whose answer is validated against ``model``; ``options`` go to :meth:`_send`."""
        return self._parse(await self._send("GET", url, **options), model)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def plain_number(value: float, decimals: int) -> str:
    """A number for a URL, rounded to ``decimals``: no exponent, no trailing zeros (52.5 → "52.5", 25.0 → "25")."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


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
