"""One charge point as the central system sees it, across its connections: connectors, features, requests.

A station outlives its websocket: it is made when a charger is configured (or when an unknown station
connects), a :class:`~surplus.devices.ocpp.link.Link` is attached while the station is connected, and
chargers read the station's state and send their commands through it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from surplus.clock import Clock
from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.concurrency import Changes
from surplus.devices.ocpp.configuration import Features
from surplus.devices.ocpp.connector import PREPARING, Connector, Transaction
from surplus.devices.ocpp.library import call
from surplus.devices.ocpp.measurements import readings

if TYPE_CHECKING:
    from surplus.devices.ocpp.link import Link

Credentials = tuple[str, str]
Resync = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Settings:
    """How the central system talks to a station, from the first charger configured for it."""

    meter_interval: timedelta = timedelta(seconds=10)
    #: the user's MeterValuesSampledData; items with a leading ``-`` are left out of the automatic choice
    meter_values: tuple[str, ...] = ()
    #: seconds to wait for an answer
    timeout: float = 60.0


class Station:
    def __init__(
        self,
        station_id: str,
        clock: Clock,
        log: logging.Logger,
        transaction_ids: Iterator[int],
        configured: bool = True,
    ) -> None:
        self.id = station_id
        self.configured = configured
        self.credentials: Credentials | None = None
        self.settings = Settings()
        self.link: Link | None = None
        #: set up on the current connection: features and measurands are known
        self.ready = False
        self.features = Features()
        self.measurands: tuple[str, ...] = ()
        self.connectors: dict[int, Connector] = {}
        self.changes = Changes()
        self.log = log
        self._clock = clock
        self._transaction_ids = transaction_ids
        self._resyncs: list[Resync] = []

    def __repr__(self) -> str:
        return f"station {self.id or '(any)'}"

    # --- configuration ---------------------------------------------------------------------------------

    def configure(self, credentials: Credentials | None, settings: Settings) -> None:
        """Called per charger; the first charger's settings apply, credentials must agree."""
        if any(connector.claimed for connector in self.connectors.values()):
            if credentials != self.credentials:
                raise ValueError(f"{self} is configured with different user/password by two chargers")
            return
        self.credentials, self.settings, self.configured = credentials, settings, True

    def claim(self, number: int, remote_start_tag: str | None) -> Connector:
        connector = self.connector(number)
        if connector.claimed:
            raise ValueError(f"{self} connector {number} is used by two chargers")
        connector.claimed = True
        connector.remote_start_tag = remote_start_tag
        return connector

    def connector(self, number: int) -> Connector:
        return self.connectors.setdefault(number, Connector(number))

    def on_ready(self, resync: Resync) -> None:
        """Run ``resync`` each time the station has been set up after a (re)connect."""
        self._resyncs.append(resync)

    # --- connection ------------------------------------------------------------------------------------

    def require_connection(self) -> Link:
        if self.link is None:
            raise DeviceError(f"{self} not connected")
        return self.link

    def attach(self, link: Link) -> Link | None:
        """``link`` is the station's connection now; returns the one it replaces."""
        previous, self.link = self.link, link
        self.ready = False
        self.changes.notify()
        return previous

    def detach(self, link: Link) -> None:
        if self.link is not link:
            return
        self.link = None
        self.ready = False
        for connector in self.connectors.values():
            connector.disconnected()
        self.changes.notify()

    async def set_ready(self, features: Features, measurands: Sequence[str]) -> None:
        self.features, self.measurands = features, tuple(measurands)
        self.ready = True
        self.changes.notify()
        for resync in self._resyncs:
            try:
                await resync()
            except DeviceError as error:
                self.log.warning("%s: restoring the charging limit failed: %s", self, error)

    async def request(self, payload: object, timeout: float | None = None) -> Any:
        """Send a call to the station and return its answer; DeviceError when it cannot answer."""
        return await self.require_connection().request(payload, self.settings.timeout if timeout is None else timeout)

    # --- messages from the station -----------------------------------------------------------------------

    def status(self, connector_id: int, status: str, error_code: str, taken: datetime | None) -> None:
        connector = self.connector(connector_id)
        before = connector.status
        if not connector.report_status(status, error_code, taken):
            return
        if connector.waits_for_remote_start and before != PREPARING and self.link is not None:
            self.link.tasks.spawn(self._remote_start(connector), f"ocpp remote start {self.id}")
        self.changes.notify()

    def meter_values(
        self, connector_id: int, meter_value: Sequence[Mapping[str, Any]], transaction_id: int | None
    ) -> None:
        self.connector(connector_id).record(readings(meter_value), self._clock.now(), transaction_id)
        self.changes.notify()

    def start_transaction(self, connector_id: int, id_tag: str) -> int:
        transaction = Transaction(next(self._transaction_ids), id_tag)
        self.connector(connector_id).transaction = transaction
        self.log.info("%s connector %d: transaction %d started by %s", self, connector_id, transaction.id, id_tag)
        self.changes.notify()
        return transaction.id

    def stop_transaction(self, transaction_id: int) -> None:
        for connector in self.connectors.values():
            if connector.transaction is not None and connector.transaction.id == transaction_id:
                connector.stop()
                self.log.info("%s connector %d: transaction %d stopped", self, connector.number, transaction_id)
                self.changes.notify()

    async def _remote_start(self, connector: Connector) -> None:
        tag = connector.remote_start_tag or ""
        try:
            answer = await self.request(call.RemoteStartTransaction(id_tag=tag, connector_id=connector.number))
        except DeviceError as error:
            self.log.warning("%s connector %d: remote start failed: %s", self, connector.number, error)
            return
        if answer.status != "Accepted":
            self.log.warning("%s connector %d: remote start %s", self, connector.number, str(answer.status).lower())
