"""What a source talks to: one unit (device id) behind a shared connection, with the source's own timing."""

from __future__ import annotations

from collections.abc import Hashable

from surplus.devices.modbus.connection import Connection, Table, Timing
from surplus.devices.modbus.endpoint import Endpoint
from surplus.devices.modbus.pool import ConnectionPool


class UnitClient:
    def __init__(self, pool: ConnectionPool, endpoint: Endpoint, unit: int, timing: Timing) -> None:
        self._pool = pool
        self._connection: Connection | None = pool.acquire(endpoint)
        self.endpoint = endpoint
        self.unit = unit
        self.timing = timing

    def __str__(self) -> str:
        return f"{self.endpoint} unit {self.unit}"

    async def read(self, table: Table, address: int, count: int) -> list[int]:
        return await self._open().read_registers(table, self.unit, address, count, self.timing)

    async def read_shared(self, table: Table, address: int, count: int) -> list[int]:
        """Like :meth:`read`, but one request a second serves every caller that reads the same block."""
        key = (self.endpoint, self.unit, table, address, count)
        return await self._pool.blocks.read(key, lambda: self.read(table, address, count))

    async def read_coils(self, address: int, count: int) -> list[bool]:
        return await self._open().read_coils(self.unit, address, count, self.timing)

    async def write_register(self, address: int, word: int) -> None:
        self._forget_blocks()
        await self._open().write_register(self.unit, address, word, self.timing)

    async def write_registers(self, address: int, words: list[int]) -> None:
        self._forget_blocks()
        await self._open().write_registers(self.unit, address, words, self.timing)

    async def write_coil(self, address: int, state: bool) -> None:
        await self._open().write_coil(self.unit, address, state, self.timing)

    async def close(self) -> None:
        """Give the connection back to the pool (closed when no one else uses it)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await self._pool.release(connection)

    def _open(self) -> Connection:
        if self._connection is None:
            self._connection = self._pool.acquire(self.endpoint)
        return self._connection

    def _forget_blocks(self) -> None:
        """A write may change what a shared block read last; the next read asks the device again."""

        def mine(key: Hashable) -> bool:
            return isinstance(key, tuple) and key[:2] == (self.endpoint, self.unit)

        self._pool.blocks.forget(mine)
