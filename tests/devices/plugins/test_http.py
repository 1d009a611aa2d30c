"""``source: http`` against real servers on 127.0.0.1: requests, auth, the pipeline, errors and the cache."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest

from surplus.clock import VirtualClock
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import Readable, Writable, plugins
from surplus.devices.plugins.http_client import HttpStatusError, Unreachable
from surplus.devices.protocols import Closable
from surplus.devices.registry import BuildContext, NestedParamsError
from surplus.devices.sim.native_http import JsonDeviceFake
from tests.tariffs.building import refused_url
from tests.tariffs.fixture_server import Reply, Server

NOW = datetime(2026, 6, 1, 10, tzinfo=UTC)
TOKEN = "tok-9f8e7d6c5b4a"
PASSWORD = "pw-0a1b2c3d"


def http(context: BuildContext | None = None, **config: Any) -> Any:
    return plugins.build({"source": "http", **config}, context or BuildContext(VirtualClock(NOW)))


def headers(server: Server, index: int = -1) -> dict[str, str]:
    return {key.lower(): value for key, value in server.requests[index].headers.items()}


class PlugFake(JsonDeviceFake):
    """A smart plug answering its power, behind the auth the test chooses."""

    def handle(self, path: str, query: dict[str, str]) -> Any:
        return {"apower": 512.5}


async def test_a_read_sends_a_get_and_runs_the_answer_through_jq_and_scale(server: Server) -> None:
    server.routes["/status"] = Reply(json.dumps({"nrg": [230, 231, 229, 0, 6.1, 6.0, 5.9, 0, 0, 0, 0, 4150]}))
    source = http(uri=server.url + "/status?filter=nrg", jq=".nrg[11]", scale=0.001, headers={"X-Site": "home"})
    assert isinstance(source, Readable) and isinstance(source, Writable)
    assert await source.read() == pytest.approx(4.15)
    (request,) = server.requests
    assert (request.method, request.path, request.body) == ("GET", "/status?filter=nrg", b"")
    assert headers(server)["x-site"] == "home"


async def test_regex_and_xml_answers(server: Server) -> None:
    server.routes["/meter.txt"] = Reply("1-0:1.7.0(001.220*kW)\n1-0:2.7.0(000.000*kW)", content_type="text/plain")
    server.routes["/inverter.xml"] = Reply('<root><value name="P">1480</value></root>', content_type="text/xml")
    assert await http(uri=server.url + "/meter.txt", regex=r"1\.7\.0\(([\d.]+)", scale=1000).read() == 1220
    assert await http(uri=server.url + "/inverter.xml", jq='.root.value."#content"').read() == "1480"
    assert await http(uri=server.url + "/inverter.xml", jq=".root.value.attrname").read() == "P"


async def test_the_shared_clients_are_closed_with_the_other_shared_resources(server: Server) -> None:
    context = BuildContext(VirtualClock(NOW))
    server.routes["/p"] = Reply("42")
    assert await http(context, uri=server.url + "/p").read() == "42"
    clients = context.shared_resources["http-clients"]
    assert isinstance(clients, Closable)  # what the application and diagnose close at the end
    await clients.close()


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ({"type": "bearer", "token": TOKEN}, f"Bearer {TOKEN}"),
        (
            {"type": "basic", "user": "admin", "password": PASSWORD},
            "Basic " + base64.b64encode(b"admin:" + PASSWORD.encode()).decode(),
        ),
    ],
)
async def test_bearer_and_basic_auth(server: Server, auth: dict[str, str], expected: str) -> None:
    server.routes["/p"] = Reply("42")
    assert await http(uri=server.url + "/p", auth=auth).read() == "42"
    assert headers(server)["authorization"] == expected


async def test_digest_auth_answers_the_challenge() -> None:
    with PlugFake(auth="digest", user="admin", password=PASSWORD) as plug:
        source = http(
            uri=plug.url + "/rpc/Switch.GetStatus?id=0",
            jq=".apower",
            auth={"type": "digest", "user": "admin", "password": PASSWORD},
        )
        assert await source.read() == 512.5
        assert [h.get("authorization", "").split(" ")[0] for h in plug.headers] == ["", "Digest"]
        wrong = http(
            uri=plug.url + "/rpc/Switch.GetStatus", auth={"type": "digest", "user": "admin", "password": "nope"}
        )
        with pytest.raises(HttpStatusError, match=r"^127\.0\.0\.1 answered HTTP 401 Unauthorized$") as raised:
            await wrong.read()
        assert raised.value.status == 401


async def test_a_write_renders_the_value_into_uri_body_and_headers(server: Server) -> None:
    server.routes["/api/set"] = Reply("{}")
    source = http(
        uri=server.url + "/api/set?amp=${maxcurrent}",
        body='{"amp": ${maxcurrent:%.1f}, "unit": "A"}',
        headers={"X-Amps": "{{.maxcurrent}}"},
    )
    await source.write("maxcurrent", 10)
    (request,) = server.requests
    assert (request.method, request.path) == ("POST", "/api/set?amp=10")
    assert json.loads(request.body) == {"amp": 10.0, "unit": "A"}
    assert headers(server)["x-amps"] == "10"


async def test_a_write_without_body_is_a_get_unless_the_method_says_otherwise(server: Server) -> None:
    server.routes["/relay/0"] = Reply("{}")
    await http(uri=server.url + "/relay/0?turn=${enable}").write("enable", False)
    await http(uri=server.url + "/relay/0?turn=${enable}", method="post").write("enable", True)
    assert [(r.method, unquote(r.path)) for r in server.requests] == [
        ("GET", "/relay/0?turn=false"),
        ("POST", "/relay/0?turn=true"),
    ]


async def test_a_server_that_never_answers_is_an_error_within_the_timeout(silent_url: str) -> None:
    source = http(uri=silent_url + "/status", timeout="200ms")
    started = time.monotonic()
    with pytest.raises(Unreachable, match=r"^no answer from 127\.0\.0\.1 within 0\.2s$"):
        await source.read()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("reply", "config", "message"),
    [
        (Reply("<html><p>Bad Gateway</html>", content_type="text/html"), {"jq": ".power"}, "parse error (XML)"),
        (Reply("<html>Bad Gateway</html>", content_type="text/html"), {"jq": ".power"}, "gave no value (null)"),
        (Reply("Bad Gateway", content_type="text/html"), {"jq": ".power"}, "jq '.power' failed on the answer: parse"),
        (Reply(""), {}, "the answer is empty"),
    ],
)
async def test_garbage_answers_are_device_errors(
    server: Server, reply: Reply, config: dict[str, Any], message: str
) -> None:
    server.routes["/p"] = reply
    with pytest.raises(DeviceError) as raised:
        await http(uri=server.url + "/p", **config).read()
    assert message in str(raised.value)


async def test_errors_never_show_credentials(server: Server) -> None:
    server.routes["/p"] = Reply(json.dumps({"error": f"bad token {TOKEN}"}), status=403)
    server.routes["/echo"] = Reply(json.dumps({"user": PASSWORD}))
    uri = server.url + "/p?apikey=" + TOKEN
    with pytest.raises(HttpStatusError) as raised:
        await http(uri=uri, auth={"type": "bearer", "token": TOKEN}).read()
    assert str(raised.value) == "127.0.0.1 answered HTTP 403 Forbidden"
    echo = http(
        uri=server.url + "/echo", jq=".user | tonumber", auth={"type": "basic", "user": "u", "password": PASSWORD}
    )
    with pytest.raises(DeviceError) as raised:
        await echo.read()
    assert "jq '.user | tonumber' failed on the answer" in str(raised.value)
    assert PASSWORD not in str(raised.value) and "***" in str(raised.value)


async def test_a_device_that_comes_back_is_read_again_without_help() -> None:
    with PlugFake() as plug:
        source = http(uri=plug.url + "/status", jq=".apower")
        assert await source.read() == 512.5
        plug.stop()
        with pytest.raises(Unreachable, match=r"^cannot reach 127\.0\.0\.1"):
            await source.read()
        plug.start()
        assert await source.read() == 512.5


async def test_refused_connections_are_unreachable() -> None:
    with pytest.raises(Unreachable, match=r"cannot reach 127\.0\.0\.1"):
        await http(uri=refused_url() + "/p").read()


async def test_cached_answers_are_shared_until_they_are_too_old(server: Server) -> None:
    server.routes["/status"] = Reply(json.dumps({"power": 1200, "energy": 5400}))
    clock = VirtualClock(NOW)
    context = BuildContext(clock)
    power = http(context, uri=server.url + "/status", jq=".power", cache="10s")
    energy = http(context, uri=server.url + "/status", jq=".energy", scale=0.001, cache="10s")
    assert await asyncio.gather(power.read(), energy.read(), power.read()) == [1200, 5.4, 1200]
    assert len(server.requests) == 1
    clock.advance(9)
    assert await energy.read() == 5.4
    assert len(server.requests) == 1
    clock.advance(1)
    assert await power.read() == 1200
    assert len(server.requests) == 2


async def test_uncached_sources_ask_every_time_and_credentials_split_the_cache(server: Server) -> None:
    server.routes["/status"] = Reply('{"power": 1}')
    context = BuildContext(VirtualClock(NOW))
    plain = http(context, uri=server.url + "/status", jq=".power")
    await plain.read()
    await plain.read()
    bob = http(context, uri=server.url + "/status", cache="1m", auth={"type": "basic", "user": "bob", "password": "b"})
    eve = http(context, uri=server.url + "/status", cache="1m", auth={"type": "basic", "user": "eve", "password": "e"})
    await bob.read()
    await eve.read()
    await bob.read()
    assert len(server.requests) == 4


@pytest.mark.parametrize(
    ("config", "loc", "message"),
    [
        ({"uri": "http://x", "auth": {"type": "basic"}}, (), "basic auth needs a user"),
        ({"uri": "http://x", "auth": {"type": "digest", "password": "p"}}, (), "digest auth needs a user"),
        ({"uri": "http://x", "auth": {"type": "bearer"}}, (), "bearer auth needs a token"),
        ({"uri": "http://x", "auth": {"type": "oauth"}}, (), "'basic', 'bearer' or 'digest'"),
        ({"uri": "http://x", "method": "fetch"}, (), "'GET', 'POST', 'PUT', 'PATCH' or 'DELETE'"),
        ({"uri": "http://x", "timeout": "soon"}, (), "soon"),
        ({"uri": "http://x", "jq": "."}, None, ""),
        ({"url": "http://x"}, (), "unknown key 'url'"),
    ],
)
def test_config_mistakes(config: dict[str, Any], loc: tuple[str, ...] | None, message: str) -> None:
    if loc is None:
        http(**config)
        return
    with pytest.raises(NestedParamsError) as raised:
        http(**config)
    error = raised.value
    text = error.details["msg"] if error.details is not None else error.message
    assert message in text


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server's TLS context with a certificate nobody signed."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1"
    subprocess.run([*command.split(), "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    return tls


@pytest.fixture
async def self_signed_url(self_signed: ssl.SSLContext) -> AsyncIterator[str]:
    """An HTTPS server with that certificate, answering ``42`` to any request."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n42")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass  # the client refused the certificate
        finally:
            writer.close()

    listener = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=self_signed)
    try:
        yield f"https://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    finally:
        listener.close()
        await listener.wait_closed()


async def test_insecure_skips_the_certificate_check(self_signed_url: str) -> None:
    context = BuildContext(VirtualClock(NOW))
    with pytest.raises(Unreachable, match=r"cannot reach 127\.0\.0\.1: .*CERTIFICATE_VERIFY_FAILED"):
        await http(context, uri=self_signed_url + "/status", timeout="2s").read()
    assert await http(context, uri=self_signed_url + "/status", insecure=True, timeout="2s").read() == "42"
