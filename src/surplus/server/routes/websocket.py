"""``/ws``: the whole state flat on connect, then the changes; loadpoint keys count from 0."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from surplus.server.context import ApiContext
from surplus.state import JsonValue, StateKey, flat_key

#: a client that talks to us is breaking the protocol (evcc closes with "policy violation")
POLICY_VIOLATION = 1008


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(tags=["websocket"])

    @api.websocket("/ws")
    async def updates(socket: WebSocket) -> None:
        await socket.accept()
        # subscribe before the welcome, so nothing published in between is missed; a client that cannot keep
        # up gets the latest value per key instead of a growing queue
        with context.state.subscribe() as subscription:
            listener = asyncio.ensure_future(socket.receive())
            changed: asyncio.Future[dict[StateKey, JsonValue]] | None = None
            try:
                await socket.send_text(orjson.dumps(context.state.flat()).decode())
                while True:
                    changed = asyncio.ensure_future(subscription.changes())
                    done, _ = await asyncio.wait({changed, listener}, return_when=asyncio.FIRST_COMPLETED)
                    if listener in done:
                        message = listener.result()
                        if message.get("type") != "websocket.disconnect":
                            await socket.close(POLICY_VIOLATION)
                        return
                    batch = {flat_key(key): value for key, value in changed.result().items()}
                    await socket.send_text(orjson.dumps(batch).decode())
            except (WebSocketDisconnect, RuntimeError):
                return
            finally:  # cancelled too when the server stops: no task may be left waiting
                listener.cancel()
                if changed is not None:
                    changed.cancel()
                if socket.application_state != WebSocketState.DISCONNECTED:
                    with suppress(RuntimeError):
                        await socket.close()

    return api
