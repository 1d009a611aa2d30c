"""The connection keys every Modbus-based source and device accepts (evcc's ``modbus`` include).

Either ``uri: host:port`` (Modbus TCP; ``rtu: true`` for RTU frames over TCP, ``udp: true`` for datagrams) or
``device`` with ``baudrate`` and ``comset`` for a serial line; ``id`` is the unit (device id) asked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from pydantic import Field, model_validator

from surplus.config.schema import Duration, Section
from surplus.devices.modbus.connection import Timing
from surplus.devices.modbus.endpoint import Endpoint, network, serial
from surplus.devices.modbus.pool import pool
from surplus.devices.modbus.unit import UnitClient
from surplus.devices.registry import BuildContext


class ConnectionParams(Section):
    uri: str | None = None
    device: str | None = None
    baudrate: int | None = Field(None, gt=0)
    comset: str | None = None
    id: int = Field(1, ge=0, le=255)
    rtu: bool = False
    udp: bool = False
    timeout: Duration = timedelta(seconds=5)
    delay: Duration = timedelta(0)
    connect_delay: Duration = timedelta(0)

    @model_validator(mode="after")
    def _one_way_to_connect(self) -> Self:
        if (self.uri is None) == (self.device is None):
            raise ValueError("give either uri (host:port) or device (a serial port), not both or neither")
        if self.uri is not None and (self.baudrate is not None or self.comset is not None):
            raise ValueError("baudrate and comset belong to a serial device, not to a uri")
        if self.device is not None and (self.rtu or self.udp):
            raise ValueError("rtu and udp belong to a uri; a serial device always speaks RTU")
        if self.rtu and self.udp:
            raise ValueError("choose rtu (RTU frames over TCP) or udp, not both")
        if self.timeout <= timedelta(0):
            raise ValueError("timeout must be more than 0")
        self.endpoint()  # reports a malformed uri or comset here, at the key, rather than at the first read
        return self

    def endpoint(self) -> Endpoint:
        if self.device is not None:
            return serial(self.device, self.baudrate or 9600, self.comset or "8N1")
        assert self.uri is not None, "checked by the validator"
        return network(self.uri, "rtu" if self.rtu else "udp" if self.udp else "tcp")

    def timing(self) -> Timing:
        return Timing(self.timeout.total_seconds(), self.delay.total_seconds(), self.connect_delay.total_seconds())

    def client(self, context: BuildContext) -> UnitClient:
        """A client for the configured unit on the application's shared connection to the endpoint."""
        return UnitClient(pool(context), self.endpoint(), self.id, self.timing())
