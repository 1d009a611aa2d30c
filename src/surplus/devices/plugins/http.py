"""``source: http``: read a value from an HTTP answer, or write one by sending a request.

    power:
      source: http
      uri: http://192.168.1.5/solar_api/v1/GetPowerFlowRealtimeData.fcgi
      jq: .Body.Data.Site.P_Grid
      cache: 1s               # sources of the app asking the same question share one answer (and request)
    maxcurrent:
      source: http
      uri: http://192.168.1.7/api/set?amp=${maxcurrent}
      auth: {type: digest, user: admin, password: secret}

A read sends the request (GET, or POST when there is a body), runs the answer through the value pipeline
(``jq``, ``regex``…) and scales numbers. A write renders the value into the URI, body and headers first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Literal

import httpx
from pydantic import BeforeValidator, Field, SecretStr, model_validator

from surplus.config.schema import Duration
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins
from surplus.devices.plugins.http_client import Answer, HttpClients, Request, ResponseCache, redact, send
from surplus.devices.plugins.pipeline import Pipeline, PipelineParams, pipeline, scaled
from surplus.devices.plugins.placeholders import render
from surplus.devices.registry import DeviceParams

#: header and query values this long are taken for keys or tokens and kept out of messages
MIN_SECRET_LENGTH = 8

Method = Annotated[
    Literal["GET", "POST", "PUT", "PATCH", "DELETE"],
    BeforeValidator(lambda value: value.upper() if isinstance(value, str) else value),
]


class AuthParams(DeviceParams):
    type: Literal["basic", "bearer", "digest"]
    user: str = ""
    password: SecretStr = SecretStr("")
    token: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _complete(self) -> AuthParams:
        if self.type in ("basic", "digest") and not self.user:
            raise ValueError(f"{self.type} auth needs a user (and a password)")
        if self.type == "bearer" and not self.token.get_secret_value():
            raise ValueError("bearer auth needs a token")
        return self


class RequestParams(DeviceParams):
    """What a request is made of (the keys the custom tariff's http source shares)."""

    uri: str
    method: Method | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    timeout: Duration = timedelta(seconds=10)
    scale: float = 1.0


class HttpParams(PluginParams, PipelineParams, RequestParams):
    auth: AuthParams | None = None
    insecure: bool = False
    cache: Duration | None = None


class Http:
    def __init__(
        self,
        params: RequestParams,
        auth: AuthParams | None,
        clients: HttpClients,
        values: Pipeline,
        *,
        insecure: bool = False,
        cache: tuple[ResponseCache, timedelta] | None = None,
    ) -> None:
        self._params = params
        self._clients = clients
        self._pipeline = values
        self._insecure = insecure
        self._cache = cache
        self._auth_headers: dict[str, str] = {}
        self._auth: httpx.Auth | None = None
        self._auth_key: tuple[str, ...] = ()  # answers to other credentials are not shared
        self._secrets = _likely_secrets(params)
        if auth is not None:
            self._secrets += [auth.password.get_secret_value(), auth.token.get_secret_value()]
            self._auth_key = (auth.type, auth.user, auth.password.get_secret_value())
            if auth.type == "bearer":
                self._auth_headers["authorization"] = f"Bearer {auth.token.get_secret_value()}"
            elif auth.type == "basic":
                self._auth = httpx.BasicAuth(auth.user, auth.password.get_secret_value())
            else:
                self._auth = httpx.DigestAuth(auth.user, auth.password.get_secret_value())

    async def read(self) -> Value:
        request = self._request(self._params.uri, self._params.headers, self._params.body)
        if self._cache is None:
            answer = await self._send(request)
        else:
            responses, max_age = self._cache
            key = (request, self._insecure, self._auth_key)
            answer = await responses.get(key, max_age, lambda: self._send(request))
        try:
            value = self.process(answer)
        except DeviceError as error:  # libjq quotes the answer, which may echo a credential
            raise DeviceError(redact(str(error), self._secrets)) from None
        return scaled(value, self._params.scale)

    async def write(self, param: str, value: Value) -> None:
        values = {param: value}
        headers = {name: render(text, values) for name, text in self._params.headers.items()}
        body = render(self._params.body, values) if self._params.body is not None else None
        await self._send(self._request(render(self._params.uri, values), headers, body))

    def process(self, answer: Answer) -> Value:
        """The answer through the pipeline; XML is recognised by its content type, or by its first character."""
        kind = answer.content_type.lower()
        xml = True if "xml" in kind else False if "json" in kind else None
        return self._pipeline.process(answer.content, xml=xml)

    def _request(self, uri: str, headers: Mapping[str, str], body: str | None) -> Request:
        method = self._params.method or ("POST" if body is not None else "GET")
        return Request(method, uri, tuple(sorted({**headers, **self._auth_headers}.items())), body)

    async def _send(self, request: Request) -> Answer:
        return await send(
            self._clients,
            request,
            auth=self._auth,
            timeout=self._params.timeout,
            insecure=self._insecure,
            secrets=self._secrets,
        )


def _likely_secrets(params: RequestParams) -> list[str]:
    """What the request may carry that no message may show: the URL's password, and the header and query values
    long enough to be keys or tokens (shorter ones, such as ``id=0``, would blank out innocent text)."""
    values = list(params.headers.values())
    try:
        url = httpx.URL(params.uri)
    except httpx.InvalidURL:  # the request will fail without a word from the URL
        url = httpx.URL()
    values += [value for _, value in url.params.multi_items()]
    return [url.password or "", *(value for value in values if len(value) >= MIN_SECRET_LENGTH)]


@plugins.register("http", HttpParams, "a value from an HTTP answer, or a request that writes one")
def build(params: HttpParams, context: PluginContext) -> Http:
    clients = context.device.shared("http-clients", HttpClients)
    cache = None
    if params.cache is not None:
        clock = context.device.clock
        cache = (context.device.shared("http-cache", lambda: ResponseCache(clock)), params.cache)
    return Http(params, params.auth, clients, pipeline(params), insecure=params.insecure, cache=cache)
