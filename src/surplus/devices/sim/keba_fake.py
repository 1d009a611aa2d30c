"""A simulated KEBA P30 answering UDP on 127.0.0.1 (facts from KEBA's UDP programmer's guide).

It answers ``report 1|2|3|100`` with JSON and ``ena``, ``curr``, ``start`` and ``x2`` with ``TCH-OK :done``
(``TCH-ERR`` for a value it refuses), and its state follows those commands: a plugged car (``plug = 7``)
charges with the offered current on the active phases while the box is enabled (and, with ``auth_required``,
authorised by ``start``). A real box answers to port 7090 of the sender; ``reply_port`` does the same for the
demo, and by default the fake answers to the port a command came from.

Faults: ``silent`` drops commands, ``garbage`` answers bytes that mean nothing, ``chatty`` sends a broadcast
(``{"State": …}``) before each answer, as boxes do when their state changes.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any, Self


class KebaFake(asyncio.DatagramProtocol):
    def __init__(self, reply_port: int | None = None, serial: str = "17171717") -> None:
        self.reply_port = reply_port
        self.serial = serial
        self.plug = 0
        self.enabled = True
        self.auth_required = False
        self.authorised_tag = ""
        self.current_ma = 32000
        self.three_phases = True
        self.failed = False
        self.voltage = 230.0
        self.energy_wh = 0.0
        self.session_wh = 0.0
        self.silent = False
        self.garbage = False
        self.chatty = False
        #: every command received, in order
        self.commands: list[str] = []
        self._transport: asyncio.DatagramTransport | None = None
        self._port = 0

    @property
    def address(self) -> str:
        """``host:port`` for the charger's ``uri``."""
        return f"127.0.0.1:{self._port}"

    async def start(self) -> Self:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", self._port))
        self._port = self._transport.get_extra_info("sockname")[1]
        return self

    def stop(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def enabled_sys(self) -> bool:
        return self.enabled and (not self.auth_required or bool(self.authorised_tag))

    @property
    def state(self) -> int:
        """1 not ready, 2 ready, 3 charging, 4 error."""
        if self.failed:
            return 4
        if self.plug < 7:
            return 1
        return 3 if self.enabled_sys and self.current_ma >= 6000 else 2

    def currents_ma(self) -> list[float]:
        drawn = float(self.current_ma) if self.state == 3 else 0.0
        return [drawn, drawn if self.three_phases else 0.0, drawn if self.three_phases else 0.0]

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        command = data.decode("ascii", "replace").strip()
        self.commands.append(command)
        if self.silent or self._transport is None:
            return
        destination = (str(addr[0]), self.reply_port or int(addr[1]))
        if self.chatty:
            self._transport.sendto(json.dumps({"State": self.state}).encode(), destination)
        answer = b"\x07\x00garbage" if self.garbage else self._answer(command).encode()
        self._transport.sendto(answer, destination)

    def _answer(self, command: str) -> str:
        word, *arguments = command.split()
        if word == "report" and arguments:
            report = self._report(arguments[0])
            return json.dumps(report) if report is not None else "TCH-ERR :unknown report"
        if word == "ena" and arguments in (["0"], ["1"]):
            self.enabled = arguments == ["1"]
        elif word == "curr" and arguments and arguments[0].isdigit() and 6000 <= int(arguments[0]) <= 63000:
            self.current_ma = int(arguments[0])
        elif word == "start" and arguments:
            self.authorised_tag = arguments[0]
        elif word == "x2" and arguments in (["0"], ["1"]):
            self.three_phases = arguments == ["1"]
        else:
            return "TCH-ERR :invalid command"
        return "TCH-OK :done"

    def _report(self, number: str) -> dict[str, Any] | None:
        common = {"ID": number, "Serial": self.serial, "Sec": 1234}
        if number == "1":
            return {**common, "Product": "KC-P30-ES240022-E0R", "Firmware": "P30 v 3.10.16"}
        if number == "2":
            return {
                **common,
                "State": self.state,
                "Error1": 0,
                "Error2": 0,
                "Plug": self.plug,
                "AuthON": int(self.auth_required),
                "Enable sys": int(self.enabled_sys),
                "Enable user": int(self.enabled),
                "Max curr": self.current_ma,
                "Curr user": self.current_ma,
                "Curr HW": 32000,
                "X2 phaseSwitch": int(self.three_phases),
            }
        if number == "3":
            currents = self.currents_ma()
            power_mw = sum(current * self.voltage for current in currents)
            voltages = {f"U{n}": round(self.voltage) for n in (1, 2, 3)}
            return {
                **common,
                **voltages,
                **{f"I{n}": round(current) for n, current in enumerate(currents, start=1)},
                "P": round(power_mw),
                "PF": 1000,
                "E pres": round(self.session_wh * 10),
                "E total": round(self.energy_wh * 10),
            }
        if number == "100":
            return {**common, "Session ID": 1, "RFID tag": self.authorised_tag or "0" * 16, "RFID class": "0" * 20}
        return None
