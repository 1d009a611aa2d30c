"""The OCPP 1.6J central system: one websocket server for all ``type: ocpp`` chargers of the application.

Stations connect to ``ws://<host>:<port>/<stationid>`` with subprotocol ``ocpp1.6``. The port is 8887 unless
the environment variable ``SURPLUS_OCPP_PORT`` says otherwise. The first charger to start opens the server,
the last to close shuts it.

Tests and embedders that want another address put their own instance into
``BuildContext.shared_resources[SHARED_KEY]`` before building the chargers, e.g.
``CentralSystem(clock, host="127.0.0.1", port=0)``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, basic_auth, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from surplus.clock import Clock
from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.library import SUBPROTOCOL
from surplus.devices.ocpp.link import Link
from surplus.devices.ocpp.station import Credentials, Station
from surplus.logs import get_logger

SHARED_KEY = "ocpp.central-system"
PORT_VARIABLE = "SURPLUS_OCPP_PORT"
DEFAULT_PORT = 8887
#: closing must fit into the second the application gives each device
CLOSE_TIMEOUT = 0.5


def port_from(environment: Mapping[str, str]) -> int:
    text = environment.get(PORT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or int(text) > 65535:
        raise ValueError(f"{PORT_VARIABLE}={text!r} is not a port; write a number from 0 to 65535")
    return int(text)


def station_id_of(path: str) -> str:
    """The last segment of the request path: stations are configured with ``…/ocpp/<id>`` as often as ``/<id>``."""
    segments = [segment for segment in urlsplit(path).path.split("/") if segment]
    return unquote(segments[-1]) if segments else ""


class CentralSystem:
    def __init__(self, clock: Clock, host: str = "0.0.0.0", port: int = DEFAULT_PORT) -> None:
        self.log = get_logger("ocpp")
        self._clock = clock
        self._host = host
        self._port = port
        self._stations: dict[str, Station] = {}
        #: the station of chargers configured without a stationid, until a station connects and takes it
        self._anonymous: Station | None = None
        self._transaction_ids = itertools.count(1)
        self._server: Server | None = None
        self._users = 0
        self._lock = asyncio.Lock()

    @classmethod
    def from_environment(cls, clock: Clock) -> CentralSystem:
        return cls(clock, port=port_from(os.environ))

    @property
    def port(self) -> int:
        """The port listened on (the chosen one when configured as 0); the configured one before start."""
        if self._server is None:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    def station(self, station_id: str) -> Station:
        """The station of a configured charger; an empty id stands for the first unknown station to connect."""
        if not station_id:
            if self._anonymous is None:
                self._anonymous = self._new_station("", configured=True)
            station = self._anonymous
        else:
            station = self._stations.get(station_id) or self._new_station(station_id, configured=True)
            self._stations[station_id] = station
        return station

    def _new_station(self, station_id: str, configured: bool) -> Station:
        return Station(station_id, self._clock, self.log, self._transaction_ids, configured)

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def acquire(self) -> None:
        """A charger starts using the server: it listens from the first one on."""
        async with self._lock:
            if self._server is None:
                self._server = await self._listen()
                self.log.info("listening for OCPP 1.6J stations on port %d", self.port)
            self._users += 1

    async def release(self) -> None:
        """A charger stops using the server: the last one closes it."""
        async with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0:
                await self._shut()

    async def close(self) -> None:
        async with self._lock:
            self._users = 0
            await self._shut()

    async def _listen(self) -> Server:
        try:
            return await serve(
                self._serve,
                self._host,
                self._port,
                subprotocols=[Subprotocol(SUBPROTOCOL)],
                process_request=self._authorize,
                close_timeout=CLOSE_TIMEOUT,
            )
        except OSError as error:
            raise DeviceError(
                f"cannot listen for OCPP stations on {self._host}:{self._port}: {error.strerror}; "
                f"choose another port with {PORT_VARIABLE}"
            ) from None

    async def _shut(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    # --- connections -------------------------------------------------------------------------------------

    def _credentials_for(self, station_id: str) -> Credentials | None:
        station = self._stations.get(station_id)
        if station is None:
            station = self._anonymous
        return station.credentials if station is not None and station.configured else None

    async def _authorize(self, connection: ServerConnection, request: Request) -> Response | None:
        station_id = station_id_of(request.path)
        if not station_id:
            return connection.respond(HTTPStatus.NOT_FOUND, "connect to ws://<host>:<port>/<stationid>\n")
        credentials = self._credentials_for(station_id)
        if credentials is None:
            return None
        refused = await basic_auth(realm="surplus OCPP", credentials=credentials)(connection, request)
        if refused is not None:
            self.log.warning("station %s: connection refused, wrong or missing user/password", station_id)
        return refused

    def _resolve(self, station_id: str) -> Station:
        """The station that connected: a configured one, the anonymous one it takes, or an unknown one."""
        station = self._stations.get(station_id)
        if station is not None:
            return station
        if self._anonymous is not None:
            station, self._anonymous = self._anonymous, None
            station.id = station_id
            self.log.info("%s takes the place of the charger configured without stationid", station)
        else:
            station = self._new_station(station_id, configured=False)
        self._stations[station_id] = station
        return station

    async def _serve(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None, "the handshake has been done"
        station = self._resolve(station_id_of(websocket.request.path))
        link = Link(station, websocket, self._clock)
        previous = station.attach(link)
        if previous is not None:
            self.log.info("%s connected again; closing its previous connection", station)
            await previous.close()
        self.log.info("%s connected", station)
        try:
            await link.serve()
        finally:
            station.detach(link)
            self.log.info("%s disconnected", station)
