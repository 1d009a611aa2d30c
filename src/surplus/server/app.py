"""The FastAPI application: evcc's routes, and every error as JSON that says what was wrong."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from surplus import __version__
from surplus.errors import RequestError
from surplus.logs import get_logger
from surplus.server.context import ApiContext
from surplus.server.responses import error_response
from surplus.server.routes import data, loadpoints, sessions, site, state, vehicles, web, websocket

log = get_logger("http")


def create_app(context: ApiContext) -> FastAPI:
    app = FastAPI(
        title="Surplus",
        version=__version__,
        summary="evcc-compatible API of a solar EV charging controller",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.include_router(state.router(context))
    app.include_router(websocket.router(context))
    app.include_router(web.router())
    if context.setters is not None:
        app.include_router(site.router(context))
        app.include_router(loadpoints.router(context))
        app.include_router(vehicles.router(context))
        app.include_router(data.router(context))
        app.include_router(sessions.router(context))

    @app.exception_handler(RequestError)
    async def request_error(request: Request, error: RequestError) -> Response:
        return error_response(error.message, error.status)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return error_response(f"not found: {request.url.path}", 404)
        if error.status_code == 405:
            return error_response(f"method {request.method} is not allowed for {request.url.path}", 405)
        return error_response(str(error.detail), error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        problems = error.errors()
        first = problems[0] if problems else {"msg": "invalid request", "loc": ()}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        message = str(first.get("msg", "invalid request"))
        return error_response(f"{where}: {message}" if where else message, 400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(f"internal error while handling {request.url.path}: {type(error).__name__}", 500)

    return app
