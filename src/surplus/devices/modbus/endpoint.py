"""Where a Modbus device is and how its requests are framed: the key under which a connection is shared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: ``tcp`` is Modbus TCP (MBAP header), ``rtu`` RTU frames over a TCP socket (serial gateways), ``udp`` Modbus
#: TCP frames in datagrams, ``serial`` RTU on a serial line
Framing = Literal["tcp", "rtu", "udp", "serial"]
DEFAULT_PORT = 502
COMSET = re.compile(r"^([5-8])([NEOMS])([12])$")
_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:/\s]+))(?::(?P<port>\d+))?$")


@dataclass(frozen=True)
class SerialLine:
    baudrate: int
    bytesize: int
    parity: str
    stopbits: int


@dataclass(frozen=True)
class Endpoint:
    framing: Framing
    host: str = ""
    port: int = DEFAULT_PORT
    serial: SerialLine | None = None
    device: str = ""

    def __str__(self) -> str:
        where = self.device if self.framing == "serial" else f"{self.host}:{self.port}"
        return where if self.framing == "tcp" else f"{where} ({self.framing})"


def network(uri: str, framing: Framing) -> Endpoint:
    """An endpoint from evcc's ``uri: host:port`` (port 502 when left out; IPv6 in brackets)."""
    text = uri.strip().removeprefix("tcp://")
    match = _HOST_PORT.match(text)
    if match is None:
        raise ValueError(f"'{uri}' is not a Modbus address; write host:port, e.g. 192.168.1.10:502")
    port = int(match["port"]) if match["port"] else DEFAULT_PORT
    if not 0 < port < 65536:
        raise ValueError(f"port {port} in '{uri}' is not between 1 and 65535")
    return Endpoint(framing, host=match["v6"] or match["host"], port=port)


def serial(device: str, baudrate: int, comset: str) -> Endpoint:
    """An endpoint on a serial line; ``comset`` is evcc's data bits, parity and stop bits, e.g. ``8N1``."""
    match = COMSET.match(comset.strip().upper())
    if match is None:
        raise ValueError(f"comset '{comset}' is not like 8N1, 8E1 or 8N2 (data bits, parity N/E/O, stop bits)")
    line = SerialLine(baudrate, int(match[1]), match[2], int(match[3]))
    return Endpoint("serial", serial=line, device=device)
