"""What the central system knows about one connector of a station: status, transaction and meter values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from surplus.devices.ocpp.measurements import CURRENT, POWER, Reading

AVAILABLE = "Available"
PREPARING = "Preparing"
CHARGING = "Charging"
SUSPENDED_EV = "SuspendedEV"
SUSPENDED_EVSE = "SuspendedEVSE"
#: statuses in which a transaction runs even when its start was missed (a restart of ours)
IN_TRANSACTION = (CHARGING, SUSPENDED_EV, SUSPENDED_EVSE)


@dataclass(frozen=True)
class Transaction:
    id: int
    id_tag: str


@dataclass
class Connector:
    number: int
    status: str | None = None
    error_code: str = "NoError"
    #: the station's time of the status and of the newest meter reading, to drop ones that arrive late
    status_taken: datetime | None = None
    values_taken: datetime | None = None
    #: our clock when meter values last arrived, to tell stale values
    values_received: datetime | None = None
    values: dict[str, float] = field(default_factory=dict)
    transaction: Transaction | None = None
    #: the idTag to start a transaction with when a vehicle waits for one (remote start), None: don't
    remote_start_tag: str | None = None
    claimed: bool = False

    def report_status(self, status: str, error_code: str, taken: datetime | None) -> bool:
        """Apply a StatusNotification; False when it is older than the status already known."""
        if taken is not None and self.status_taken is not None and taken < self.status_taken:
            return False
        self.status, self.error_code = status, error_code
        if taken is not None:
            self.status_taken = taken
        if status == AVAILABLE:
            self.transaction = None
        return True

    def record(self, readings: Sequence[Reading], received: datetime, transaction_id: int | None = None) -> None:
        """Apply the readings of a MeterValues message; readings older than the newest known are dropped."""
        for reading in readings:
            if reading.taken is not None and self.values_taken is not None and reading.taken < self.values_taken:
                continue
            self.values.update(reading.values)
            self.values_received = received
            if reading.taken is not None:
                self.values_taken = reading.taken
        if transaction_id is not None and self.transaction is None and self.status in IN_TRANSACTION:
            self.transaction = Transaction(transaction_id, "")

    def stop(self) -> None:
        """The transaction ended: nothing flows any more, whatever the last sample said."""
        self.transaction = None
        for name in self.values:
            if name.startswith((POWER, CURRENT)):
                self.values[name] = 0.0

    def disconnected(self) -> None:
        """The station is gone; its status is asked again when it is back."""
        self.status = None

    @property
    def waits_for_remote_start(self) -> bool:
        return self.remote_start_tag is not None and self.status == PREPARING and self.transaction is None
