"""The one module that imports the untyped ``ocpp`` library, so the rest of the package stays type-checked.

Both sides of the protocol are built on :class:`Peer`: the central system's view of a connected station and
the simulated charge point. The library routes incoming calls to methods marked with :func:`on` and runs
methods marked with :func:`after` once the answer has been sent.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from ocpp.exceptions import OCPPError, UnknownCallErrorCodeError  # type: ignore[import-untyped]
from ocpp.exceptions import ValidationError as SchemaError
from ocpp.routing import after as _after  # type: ignore[import-untyped]
from ocpp.routing import on as _on
from ocpp.v16 import ChargePoint as _ChargePoint  # type: ignore[import-untyped]
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action, Measurand  # type: ignore[import-untyped]
from surplus.logs import TRACE

__all__ = [
    "Action",
    "CallErrorAnswer",
    "Measurand",
    "OCPPError",
    "Peer",
    "after",
    "call",
    "call_result",
    "on",
    "timestamp",
]

#: what a peer may answer that does not fit the protocol
GARBAGE: tuple[type[Exception], ...] = (SchemaError, UnknownCallErrorCodeError, TypeError, KeyError, ValueError)
SUBPROTOCOL = "ocpp1.6"
CALL_ERROR = 4

Handler = TypeVar("Handler", bound=Callable[..., Any])


def on(action: str) -> Callable[[Handler], Handler]:
    """Mark a method as the handler of an incoming ``action``; it returns the answer's payload."""
    return cast(Callable[[Handler], Handler], _on(action))


def after(action: str) -> Callable[[Handler], Handler]:
    """Mark a method to run once the answer to an incoming ``action`` has been sent."""
    return cast(Callable[[Handler], Handler], _after(action))


def timestamp(instant: datetime) -> str:
    """An OCPP date-time: UTC with a ``Z``."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class CallErrorAnswer(Exception):
    """The peer answered a call with a CallError; the message is its code and description."""


class _MessageLog(logging.LoggerAdapter[logging.Logger]):
    """The library logs every frame at info, a CallError answer as a warning; callers report those themselves."""

    def info(self, msg: object, *args: object, **kwargs: Any) -> None:
        self.log(TRACE, msg, *args, **kwargs)

    def warning(self, msg: object, *args: object, **kwargs: Any) -> None:
        self.log(logging.DEBUG, msg, *args, **kwargs)


def _call_error(raw_message: str) -> tuple[str, str] | None:
    """The unique id and ``code description`` of a CALLERROR frame (message type 4), None for other frames."""
    try:
        frame = json.loads(raw_message)
    except ValueError:
        return None
    if isinstance(frame, list) and len(frame) >= 4 and frame[0] == CALL_ERROR:
        return str(frame[1]), f"{frame[2]} {frame[3]}".strip()
    return None


class Peer(_ChargePoint):  # type: ignore[misc]  # the library's base class is untyped
    """One end of an OCPP 1.6J websocket: routes incoming calls to handlers and sends calls of its own."""

    def __init__(self, identity: str, connection: object, log: logging.Logger) -> None:
        # the library's own timeout is a fallback; callers bound each request themselves
        super().__init__(identity, connection, response_timeout=3600, logger=_MessageLog(log, {}))
        self._call_errors: dict[str, str] = {}

    async def send_call(self, payload: object) -> Any:
        """Send ``payload`` and return the answer. A CallError answer raises CallErrorAnswer; an answer that
        does not fit the protocol raises an OCPPError (or one of GARBAGE)."""
        unique_id = str(uuid.uuid4())
        answer = await self.call(payload, suppress=True, unique_id=unique_id)
        if answer is None:  # the library's way of saying CallError when told not to raise it
            raise CallErrorAnswer(self._call_errors.pop(unique_id, "CallError"))
        return answer

    async def route_message(self, raw_msg: str) -> None:
        """Keep what a CallError answer says before the library swallows it."""
        error = _call_error(raw_msg)
        if error is not None:
            self._call_errors[error[0]] = error[1]
        await super().route_message(raw_msg)

    async def receive(self) -> None:
        """Handle incoming messages until the connection closes (then the websocket error propagates)."""
        await self.start()
