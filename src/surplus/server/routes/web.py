"""The web UI: ``/`` and the files under ``/assets/``, from the package's ``web`` folder.

Caching: the page itself is always revalidated (``no-cache`` and an ETag), and it names every asset with a
content hash (``/assets/app.css?v=1a2b…``; JavaScript modules through an import map), so an asset asked for by
its current hash may be kept for a year, while one asked for without it is revalidated. A new version of
Surplus therefore reaches a browser with its next page load, and an unchanged one costs a 304.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import Response

from surplus.server.responses import error_response

ASSETS = "/assets/"
INDEX = "index.html"
#: the folder of the ES modules; a module imports another by its plain path, which the import map versions
MODULES = "js/"
#: where index.html wants the import map (it must precede the first module script)
IMPORT_MAP_MARK = "<!-- importmap -->"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
REVALIDATE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
#: an asset reference in index.html: "/assets/<path>" in quotes
REFERENCE = re.compile(r"""(["'])/assets/([A-Za-z0-9_./-]+)\1""")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    #: a short content hash: the version in asset URLs and the ETag
    version: str

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def _asset(body: bytes, name: str) -> Asset:
    media_type = MEDIA_TYPES.get(PurePosixPath(name).suffix, "application/octet-stream")
    return Asset(body, media_type, hashlib.sha256(body).hexdigest()[:16])


def _walk(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            found.update(_walk(entry, f"{prefix}{entry.name}/"))
        elif entry.is_file() and not entry.name.startswith("."):
            found[prefix + entry.name] = entry.read_bytes()
    return found


@dataclass(frozen=True)
class Site:
    page: Asset
    assets: dict[str, Asset]
    #: the Content-Security-Policy of the page; the import map is its one inline script, allowed by its hash
    policy: str


@cache
def packaged_site() -> Site:
    """The UI shipped in the package, read once per process however many applications it builds."""
    return load_site(files("surplus") / "web")


def load_site(folder: Traversable) -> Site:
    """Read a UI folder; the page is rendered with the versions of the assets it refers to."""
    files_found = _walk(folder)
    template = files_found.pop(INDEX).decode()
    assets = {path: _asset(body, path) for path, body in files_found.items()}

    def versioned(path: str) -> str:
        asset = assets.get(path)
        return f"{ASSETS}{path}?v={asset.version}" if asset else f"{ASSETS}{path}"

    modules = sorted(path for path in assets if path.startswith(MODULES) and path.endswith(".js"))
    imports = {f"{ASSETS}{path}": versioned(path) for path in modules}
    import_map = json.dumps({"imports": imports}, indent=1)
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    page = REFERENCE.sub(lambda match: f"{match.group(1)}{versioned(match.group(2))}{match.group(1)}", template)
    page = page.replace(IMPORT_MAP_MARK, f'<script type="importmap">{import_map}</script>', 1)
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'sha256-{digest}'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )
    return Site(_asset(page.encode(), INDEX), assets, policy)


def _unchanged(request: Request, asset: Asset) -> bool:
    """If-None-Match lists the ETag (weak comparison, as RFC 9110 wants for GET) or is ``*``."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or asset.etag in tags


def _answer(request: Request, asset: Asset, cache: str, extra: dict[str, str] | None = None) -> Response:
    headers = {"ETag": asset.etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff", **(extra or {})}
    if _unchanged(request, asset):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def router(site: Site | None = None) -> APIRouter:
    web = site or packaged_site()
    api = APIRouter(include_in_schema=False)

    @api.api_route("/", methods=["GET", "HEAD"])
    async def page(request: Request) -> Response:
        return _answer(request, web.page, REVALIDATE, {"Content-Security-Policy": web.policy})

    @api.api_route(ASSETS + "{path:path}", methods=["GET", "HEAD"])
    async def asset(request: Request, path: str) -> Response:
        found = web.assets.get(path)
        if found is None:
            return error_response(f"not found: {ASSETS}{path}", 404)
        current = request.query_params.get("v") == found.version
        return _answer(request, found, IMMUTABLE if current else REVALIDATE)

    return api
