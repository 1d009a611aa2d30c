"""How the web UI is served: the page revalidated, assets versioned by content, 304s, and the files it refers to."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from surplus.server.routes import web
from tests.server.harness import running

WEB = Path(str(files("surplus") / "web"))
IMPORT = re.compile(r"""^\s*import\s[^'"]*?['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)
REFERENCE = re.compile(r"""(?:href|src)="(/assets/[^"?]+)\?v=([0-9a-f]+)\"""")
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(web.router())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://surplus") as http:
        yield http


async def test_the_page_is_revalidated_every_time(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    etag = page.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag)
    unchanged = await client.get("/", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert unchanged.headers["cache-control"] == "no-cache"
    # a weak validator of the same content and a list of candidates match too; another one does not
    assert (await client.get("/", headers={"If-None-Match": f'"other", W/{etag}'})).status_code == 304
    assert (await client.get("/", headers={"If-None-Match": '"other"'})).status_code == 200
    head = await client.head("/")
    assert head.status_code == 200 and head.headers["etag"] == etag


async def test_the_page_names_each_asset_by_its_content(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    references = REFERENCE.findall(page)
    assert {path for path, _ in references} >= {"/assets/app.css", "/assets/js/main.js", "/assets/early.js"}
    for path, version in references:
        asset = await client.get(path, params={"v": version})
        assert asset.status_code == 200, path
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.headers["etag"] == f'"{version}"'
        assert asset.headers["x-content-type-options"] == "nosniff"


async def test_every_module_is_in_the_import_map_with_its_version(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    match = IMPORT_MAP.search(page)
    assert match is not None
    imports = json.loads(match.group(1))["imports"]
    modules = sorted(f"/assets/{path.relative_to(WEB).as_posix()}" for path in (WEB / "js").rglob("*.js"))
    assert sorted(imports) == modules
    for plain, versioned in imports.items():
        assert versioned.startswith(plain + "?v=")
        module = await client.get(versioned)
        assert module.headers["content-type"] == "text/javascript; charset=utf-8"
        assert module.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_the_import_map_is_the_one_script_the_policy_allows_inline(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert page.text.count("<script>") == 0
    assert len(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", policy)) == 1


async def test_an_asset_without_its_current_version_is_revalidated(client: httpx.AsyncClient) -> None:
    plain = await client.get("/assets/app.css")
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "text/css; charset=utf-8"
    assert plain.headers["cache-control"] == "no-cache"
    stale = await client.get("/assets/app.css", params={"v": "0000000000000000"})
    assert stale.headers["cache-control"] == "no-cache"
    assert stale.content == plain.content
    again = await client.get("/assets/app.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_an_unknown_asset_is_a_404_that_says_so(client: httpx.AsyncClient) -> None:
    # files are looked up among those read at start-up: a path that leaves the folder finds nothing
    for path in ("/assets/missing.js", "/assets/%2e%2e/%2e%2e/pyproject.toml", "/assets/"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "not found" in response.json()["error"]


def test_a_changed_file_changes_its_version_and_the_page(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "index.html").write_text(
        '<link href="/assets/a.css"><!-- importmap --><script type="module" src="/assets/js/m.js"></script>'
    )
    (tmp_path / "a.css").write_text("body{}")
    (tmp_path / "js" / "m.js").write_text("import './n.js';")
    (tmp_path / "js" / "n.js").write_text("export {};")
    before = web.load_site(tmp_path)
    (tmp_path / "js" / "n.js").write_text("export const changed = 1;")
    after = web.load_site(tmp_path)
    assert before.assets["a.css"].version == after.assets["a.css"].version
    assert before.assets["js/n.js"].version != after.assets["js/n.js"].version
    assert before.page.etag != after.page.etag
    assert f'"/assets/js/n.js": "/assets/js/n.js?v={after.assets["js/n.js"].version}"' in after.page.body.decode()


def test_every_relative_import_names_a_file_that_is_served() -> None:
    for module in (WEB / "js").rglob("*.js"):
        for target in IMPORT.findall(module.read_text()):
            assert (module.parent / target).resolve().is_file(), f"{module.name} imports {target}"


async def test_the_application_serves_the_page(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        page = await app.client.get("/")
        assert page.status_code == 200
        assert '<script type="importmap">' in page.text
        # the UI is not part of the API's description
        assert "/" not in (await app.client.get("/api/openapi.json")).json()["paths"]
