"""The FastAPI application: routes, and errors as JSON that say what was wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from surplus.clock import Clock
from surplus.server.responses import error_response, json_response
from surplus.state import State

#: the loop counts as healthy while its last cycle is at most this many intervals old
HEALTHY_INTERVALS = 3


class LoopStatus(Protocol):
    @property
    def last_cycle(self) -> datetime | None: ...

    @property
    def interval(self) -> timedelta: ...


@dataclass(frozen=True)
class ApiContext:
    state: State
    clock: Clock
    loop: LoopStatus


def health(context: ApiContext) -> tuple[bool, str]:
    last = context.loop.last_cycle
    limit = context.loop.interval * HEALTHY_INTERVALS
    if last is None:
        return False, "no control cycle has completed yet"
    age = context.clock.now() - last
    if age > limit:
        return (
            False,
            f"the last control cycle ended {int(age.total_seconds())}s ago (limit {int(limit.total_seconds())}s)",
        )
    return True, "OK"


def create_app(context: ApiContext) -> FastAPI:
    app = FastAPI(title="Surplus", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")

    @app.get("/api/state")
    async def get_state() -> Response:
        return json_response(context.state.document())

    @app.get("/api/health")
    async def get_health() -> Response:
        healthy, reason = health(context)
        return PlainTextResponse(f"{reason}\n", status_code=200 if healthy else 503)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return error_response(f"not found: {request.url.path}", 404)
        if error.status_code == 405:
            return error_response(f"method {request.method} is not allowed for {request.url.path}", 405)
        return error_response(str(error.detail), error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {"msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error_response(f"{where}: {first['msg']}" if where else str(first["msg"]), 400)

    return app
