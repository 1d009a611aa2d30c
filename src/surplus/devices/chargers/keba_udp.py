"""The UDP side of KEBA P20/P30 boxes (KEBA's UDP programmer's guide): one socket for all boxes.

A box takes commands on UDP port 7090 and always answers to port 7090 of the sender, whatever port the command
came from. So one socket, bound to that port, serves every KEBA charger of the application: it sends the
commands and hands each answer to the request waiting for it, by the box's address. One request per box is on
the way at a time. Besides answers a box may send broadcasts (a bare ``{"State": 3}`` when something changes);
a :data:`Matcher` tells an answer from those and from garbage.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass

from surplus.devices.errors import DeviceError

#: KEBA's UDP port, on the box and on the controller
PORT = 7090

Address = tuple[str, int]
#: the answer (returned), something else the box sends (None: ignored), or garbage (raises DeviceError)
Matcher = Callable[[str], str | None]


@dataclass
class _Waiter:
    match: Matcher
    answer: asyncio.Future[str]


class KebaListener:
    """The shared socket; ``port`` is 7090 in production (a test or the demo may pick another, 0 for any)."""

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        #: the chargers using the socket; the last one to close it closes the socket
        self.users = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._waiting: dict[Address, _Waiter] = {}
        self._turns: dict[Address, asyncio.Lock] = {}
        #: the first requests of several chargers may come at once; one of them opens the socket
        self._opening = asyncio.Lock()

    async def request(self, box: Address, command: str, match: Matcher, timeout: float) -> str:
        """Send ``command`` to ``box`` and wait up to ``timeout`` s for the answer ``match`` picks."""
        transport = await self._open()
        async with self._turns.setdefault(box, asyncio.Lock()):
            waiter = _Waiter(match, asyncio.get_running_loop().create_future())
            self._waiting[box] = waiter
            try:
                transport.sendto(command.encode("ascii"), box)
                async with asyncio.timeout(timeout):
                    return await waiter.answer
            finally:
                del self._waiting[box]

    def received(self, data: bytes, sender: Address) -> None:
        waiter = self._waiting.get(sender[:2])
        if waiter is None or waiter.answer.done():
            return  # a broadcast or a late answer nobody waits for
        text = data.decode("latin-1").strip()
        try:
            answer = waiter.match(text)
        except DeviceError as error:
            waiter.answer.set_exception(error)
            return
        if answer is not None:
            waiter.answer.set_result(answer)

    async def _open(self) -> asyncio.DatagramTransport:
        async with self._opening:
            if self._transport is None or self._transport.is_closing():
                loop = asyncio.get_running_loop()
                try:
                    self._transport, _ = await loop.create_datagram_endpoint(
                        lambda: _Protocol(self), local_addr=("0.0.0.0", self.port), family=socket.AF_INET
                    )
                except OSError as error:
                    reason = error.strerror or error
                    raise DeviceError(f"KEBA: cannot listen on UDP port {self.port}: {reason}") from None
                self.port = self._transport.get_extra_info("sockname")[1]
            return self._transport

    def release(self) -> None:
        """One charger fewer; the last one closes the socket."""
        self.users -= 1
        if self.users <= 0 and self._transport is not None:
            self._transport.close()
            self._transport = None


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, listener: KebaListener) -> None:
        self._listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self._listener.received(data, (str(addr[0]), int(addr[1])))


async def resolve(host: str, port: int) -> Address:
    """The box's IPv4 address, as its answers arrive from it."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, family=socket.AF_INET, type=socket.SOCK_DGRAM)
    except OSError as error:
        raise DeviceError(f"KEBA at {host}: cannot resolve the host: {error.strerror or error}") from None
    address = infos[0][4]
    return (str(address[0]), int(address[1]))
