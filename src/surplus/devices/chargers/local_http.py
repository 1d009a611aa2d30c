"""JSON over HTTP to one device on the local network (go-e, Shelly, Tesla Wall Connector).

Every failure becomes a :class:`DeviceError` that names the device and its host: no answer in time, no
connection, an HTTP error status, an answer that is not JSON. Passwords and tokens never appear in a message:
they travel in headers or auth objects, never in the URL, and any text taken from an error passes through
:meth:`LocalHttp.redact` first. httpx keeps the connection and opens a new one by itself once the device is
back; how often a device that is away is asked again is :class:`~surplus.devices.chargers.snapshot.Snapshot`'s
business.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import httpx

from surplus.devices.errors import DeviceError
from surplus.devices.plugins.http_client import USER_AGENT, redact, verified_tls
from surplus.devices.registry import NestedParamsError

SNIPPET = 80


class HttpStatusError(DeviceError):
    """The device answered with an HTTP error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, status)
        self.status = status

    def __str__(self) -> str:
        return str(self.args[0])


def device_url(uri: str | None, host: str | None = None) -> str:
    """The base URL from a configured ``uri`` (``http://`` when it has no scheme) or ``host``.

    A mistake is a config error at ``uri`` (or at the entry when neither key is there).
    """
    if bool(uri) == bool(host):
        where = ("uri",) if uri else ()
        raise NestedParamsError(where, "give either uri (e.g. http://192.0.2.2) or host (e.g. 192.0.2.2)")
    text = (uri or host or "").strip().rstrip("/")
    if "://" not in text:
        text = "http://" + text
    key = "uri" if uri else "host"
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as error:
        raise NestedParamsError((key,), f"'{text}' is not a valid URL: {error}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise NestedParamsError((key,), f"'{text}' is not an http:// or https:// URL with a host")
    return text


class LocalHttp:
    def __init__(
        self,
        device: str,
        base_url: str,
        timeout: timedelta,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
    ) -> None:
        self._base = base_url
        self._timeout = timeout.total_seconds()
        #: credentials for the requests from now on (a Shelly's kind of auth is known once its generation is)
        self.auth = auth
        self._headers = {"user-agent": USER_AGENT, **(headers or {})}
        self._secrets = list(secrets)
        self._client: httpx.AsyncClient | None = None
        url = httpx.URL(base_url)
        self.where = f"{device} at {url.host}" + (f":{url.port}" if url.port else "")

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """GET ``path`` below the base URL; the answer's JSON, or a DeviceError saying what went wrong."""
        response = await self._get(path, params)
        try:
            return json.loads(response.content)
        except ValueError:
            shown = self._shown(response.text)
            raise DeviceError(f"{self.where} answered {path} with something that is not JSON: {shown!r}") from None

    async def _get(self, path: str, params: Mapping[str, str] | None) -> httpx.Response:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, headers=self._headers, verify=verified_tls())
        try:
            response = await self._client.get(self._base + path, params=params, auth=self.auth)
        except httpx.TimeoutException:
            raise DeviceError(f"{self.where}: no answer within {self._timeout:g}s") from None
        except httpx.ConnectError as error:
            raise DeviceError(f"{self.where}: cannot connect: {self._reason(error)}") from None
        except httpx.HTTPError as error:  # the connection dropped, the answer broke off
            raise DeviceError(f"{self.where}: the request failed: {self._reason(error)}") from None
        status = response.status_code
        if 200 <= status < 300:
            return response
        what = f"{self.where} answered {path} with HTTP {status} {response.reason_phrase}".rstrip()
        if status in (401, 403):
            what += "; check the user and password or token"
        elif detail := self._shown(response.text):
            what += f": {detail}"
        raise HttpStatusError(what, status)

    def _reason(self, error: Exception) -> str:
        return self.redact(str(error)) or type(error).__name__

    def _shown(self, text: str) -> str:
        """A short, redacted, one-line excerpt of a device's answer for a message."""
        text = " ".join(self.redact(text).split())
        return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
