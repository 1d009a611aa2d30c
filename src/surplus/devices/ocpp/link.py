"""One websocket connection of a station: answers the station's calls and carries the central system's.

The handlers only update the :class:`~surplus.devices.ocpp.station.Station`; anything that needs to ask
the station something (the setup after a boot, a remote start) runs as a task of the link, because the
library reads the next message only after a handler has returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from surplus.clock import Clock
from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.concurrency import Tasks
from surplus.devices.ocpp.library import (
    GARBAGE,
    Action,
    CallErrorAnswer,
    OCPPError,
    Peer,
    after,
    call,
    call_result,
    on,
    timestamp,
)
from surplus.devices.ocpp.measurements import parse_time
from surplus.devices.ocpp.setup import set_up
from surplus.devices.ocpp.station import Station

#: notifications the central system only acknowledges
ACKNOWLEDGED = (
    Action.diagnostics_status_notification,
    Action.firmware_status_notification,
    Action.signed_firmware_status_notification,
    Action.security_event_notification,
    Action.log_status_notification,
)
#: how long a station may take to send its BootNotification after connecting before it is asked for one
BOOT_GRACE = 5.0
HEARTBEAT_INTERVAL = 60
ACCEPTED = {"status": "Accepted"}


def _acknowledgement(action: str) -> Callable[..., Any]:
    """A handler answering ``action`` with its empty result."""

    def acknowledge(**_: Any) -> Any:
        return getattr(call_result, action)()

    return acknowledge


class CallRefused(DeviceError):
    """The station answered a call with a CallError (NotSupported, NotImplemented …)."""


class Link(Peer):
    def __init__(self, station: Station, websocket: ServerConnection, clock: Clock) -> None:
        super().__init__(station.id, websocket, station.log)
        self.station = station
        self.tasks = Tasks(station.log)
        self._websocket = websocket
        self._clock = clock
        self._booted = asyncio.Event()
        self._setup: asyncio.Task[None] | None = None
        self.route_map.update({action: {"_on_action": _acknowledgement(action)} for action in ACKNOWLEDGED})

    async def serve(self) -> None:
        """Handle the station's messages until the connection closes."""
        self.tasks.spawn(self._watch_boot(), f"ocpp boot {self.station.id}")
        try:
            await self.receive()
        except ConnectionClosed:
            pass
        finally:
            await self.tasks.cancel()

    async def close(self) -> None:
        await self._websocket.close()

    async def request(self, payload: object, timeout: float) -> Any:
        """The station's answer to ``payload``; a DeviceError saying why when there is none."""
        action = type(payload).__name__
        try:
            async with asyncio.timeout(timeout):
                return await self.send_call(payload)
        except TimeoutError:
            raise DeviceError(f"{self.station}: no answer to {action} within {timeout:g}s") from None
        except ConnectionClosed:
            raise DeviceError(f"{self.station} not connected") from None
        except CallErrorAnswer as error:
            raise CallRefused(f"{self.station} refused {action}: {error}") from None
        except (OCPPError, *GARBAGE) as error:
            raise DeviceError(f"{self.station} answered {action} with an invalid message: {error}") from None

    def restart_setup(self) -> None:
        if self._setup is not None:
            self._setup.cancel()
        self._setup = self.tasks.spawn(self._set_up(), f"ocpp setup {self.station.id}")

    async def _set_up(self) -> None:
        try:
            await set_up(self)
        except DeviceError as error:  # the connection is gone; the next one sets the station up again
            self.station.log.info("%s: setup stopped: %s", self.station, error)

    async def _watch_boot(self) -> None:
        """A station that reconnects without rebooting sends no BootNotification: ask for one, then go on."""
        if await self._booted_within(BOOT_GRACE):
            return
        try:
            await self.request(call.TriggerMessage(requested_message="BootNotification"), self.station.settings.timeout)
        except DeviceError as error:
            self.station.log.debug("%s: asking for a BootNotification failed: %s", self.station, error)
        if await self._booted_within(self.station.settings.timeout):
            return
        self.station.log.info("%s has not booted; setting it up anyway", self.station)
        if self.station.configured:
            self.restart_setup()

    async def _booted_within(self, seconds: float) -> bool:
        booted = asyncio.ensure_future(self._booted.wait())
        elapsed = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait({booted, elapsed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            booted.cancel()
            elapsed.cancel()
        return self._booted.is_set()

    # --- calls from the station ----------------------------------------------------------------------------

    @on(Action.boot_notification)
    def on_boot(self, charge_point_vendor: str, charge_point_model: str, **_: Any) -> Any:
        self._booted.set()
        station = self.station
        if station.configured:
            station.log.info("%s booted: %s %s", station, charge_point_vendor, charge_point_model)
        else:
            station.log.warning(
                "unknown %s (%s %s) connected; add a charger with stationid: %s to use it",
                station,
                charge_point_vendor,
                charge_point_model,
                station.id,
            )
        status = "Accepted" if station.configured else "Pending"
        now = timestamp(self._clock.now())
        return call_result.BootNotification(current_time=now, interval=HEARTBEAT_INTERVAL, status=status)

    @after(Action.boot_notification)
    def after_boot(self, **_: Any) -> None:
        if self.station.configured:
            self.restart_setup()

    @on(Action.heartbeat)
    def on_heartbeat(self, **_: Any) -> Any:
        return call_result.Heartbeat(current_time=timestamp(self._clock.now()))

    @on(Action.authorize)
    def on_authorize(self, **_: Any) -> Any:
        return call_result.Authorize(id_tag_info=ACCEPTED)

    @on(Action.status_notification)
    def on_status(self, connector_id: int, error_code: str, status: str, timestamp: str | None = None, **_: Any) -> Any:
        self.station.status(connector_id, status, error_code, parse_time(timestamp))
        return call_result.StatusNotification()

    @on(Action.meter_values)
    def on_meter_values(
        self, connector_id: int, meter_value: list[dict[str, Any]], transaction_id: int | None = None, **_: Any
    ) -> Any:
        self.station.meter_values(connector_id, meter_value, transaction_id)
        return call_result.MeterValues()

    @on(Action.start_transaction)
    def on_start_transaction(self, connector_id: int, id_tag: str, **_: Any) -> Any:
        transaction_id = self.station.start_transaction(connector_id, id_tag)
        return call_result.StartTransaction(transaction_id=transaction_id, id_tag_info=ACCEPTED)

    @on(Action.stop_transaction)
    def on_stop_transaction(self, transaction_id: int, **_: Any) -> Any:
        self.station.stop_transaction(transaction_id)
        return call_result.StopTransaction()

    @on(Action.data_transfer)
    def on_data_transfer(self, **_: Any) -> Any:
        return call_result.DataTransfer(status="Accepted")
