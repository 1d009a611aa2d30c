"""One connection per endpoint for the whole application, counted by its users and closed after the last.

Sources and devices that name the same ``uri`` and framing share one connection (a Modbus TCP device often
accepts only one or two clients; a serial line only one). The pool lives in the build context's shared
resources, so everything built for one application uses the same pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from surplus.clock import Clock
from surplus.devices.modbus.blocks import BlockCache
from surplus.devices.modbus.connection import Connection
from surplus.devices.modbus.endpoint import Endpoint
from surplus.devices.registry import BuildContext
from surplus.logs import get_logger

SHARED_KEY = "modbus.connections"


@dataclass
class _Shared:
    connection: Connection
    users: int = 0


class ConnectionPool:
    def __init__(self, clock: Clock) -> None:
        self._shared: dict[Endpoint, _Shared] = {}
        self._log = get_logger("modbus")
        self._clock = clock
        self.blocks = BlockCache(clock)

    def acquire(self, endpoint: Endpoint) -> Connection:
        """The connection to ``endpoint``, opened by its first request; give it back with :meth:`release`."""
        shared = self._shared.get(endpoint)
        if shared is None:
            shared = self._shared[endpoint] = _Shared(Connection(endpoint, self._clock, self._log))
        shared.users += 1
        return shared.connection

    async def release(self, connection: Connection) -> None:
        shared = self._shared.get(connection.endpoint)
        if shared is None or shared.connection is not connection:
            return
        shared.users -= 1
        if shared.users <= 0:
            del self._shared[connection.endpoint]
            await connection.close()

    async def close(self) -> None:
        """Close every connection (application shutdown)."""
        shared, self._shared = list(self._shared.values()), {}
        for entry in shared:
            await entry.connection.close()

    def users(self, endpoint: Endpoint) -> int:
        shared = self._shared.get(endpoint)
        return shared.users if shared is not None else 0


def pool(context: BuildContext) -> ConnectionPool:
    """The application's pool."""
    return context.shared(SHARED_KEY, lambda: ConnectionPool(context.clock))
