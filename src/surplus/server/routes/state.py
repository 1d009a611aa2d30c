"""``GET /api/state[?jq=…]`` and ``GET /api/health``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jq
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.responses import json_response

#: the loop counts as healthy while its last cycle is at most this many intervals old
HEALTHY_INTERVALS = 3


#: libjq hands every query the process environment through ``env`` and ``$ENV`` (tokens, passwords); evcc's gojq
#: gives an empty object. The query runs inside this, which also refuses ``import`` and ``include`` (files).
SANDBOX = "def env: {{}}; {{}} as $ENV | ({query}\n)"


@lru_cache(maxsize=64)
def compiled(query: str) -> Any:
    try:
        return jq.compile(SANDBOX.format(query=query))
    except ValueError:
        pass
    try:  # the error as the query was written, not as it reads inside the sandbox
        jq.compile(query)
    except ValueError as error:
        raise RequestError(str(error).strip()) from None
    raise RequestError("jq: import and include are not allowed")


def run_jq(query: str, document: Any) -> Any:
    """evcc's rules: a leading ``.result`` is dropped (old clients), and exactly one result is the answer."""
    if query.startswith(".result"):
        query = query[len(".result") :] or "."
    program = compiled(query)
    try:
        results = program.input_value(document).all()
    except ValueError as error:
        raise RequestError(f"jq: query failed: {str(error).strip()}") from None
    if not results:
        raise RequestError("jq: empty result")
    if len(results) > 1:
        raise RequestError("jq: too many results")
    return _json_safe(results[0])


def _json_safe(value: Any) -> Any:
    """libjq hands back big numbers as Python ints of any size; JSON has only doubles for those."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return float(value)
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    return value


def health(context: ApiContext) -> tuple[bool, str]:
    last = context.loop.last_cycle
    limit = context.loop.interval * HEALTHY_INTERVALS
    if last is None:
        return False, "no control cycle has completed yet"
    age = context.clock.now() - last
    if age > limit:
        seconds, allowed = int(age.total_seconds()), int(limit.total_seconds())
        return False, f"the last control cycle ended {seconds}s ago (limit {allowed}s)"
    return True, "OK"


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["state"])

    @api.get("/state", summary="The full state document, or one value of it selected with jq")
    async def get_state(jq: str | None = None) -> Response:
        document = context.state.document()
        return json_response(run_jq(jq, document) if jq else document)

    @api.get("/health", summary="OK while the control loop completes cycles", response_class=PlainTextResponse)
    async def get_health() -> Response:
        healthy, reason = health(context)
        return PlainTextResponse(f"{reason}\n", status_code=200 if healthy else 503)

    return api
