"""The composition root: configuration → devices → site → server → tasks, and their lifecycle."""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from surplus import __version__
from surplus.clock import Clock
from surplus.config.loader import LoadedConfig
from surplus.config.schema import Config, DeviceEntry
from surplus.core.site import Tariffs
from surplus.devices import protocols as p
from surplus.devices.mqtt import GLOBAL_SETTINGS as GLOBAL_MQTT
from surplus.devices.registry import BuildContext, Built, Kind, registry
from surplus.logs import get_logger
from surplus.runtime.controller import Controller
from surplus.runtime.setters import Setters
from surplus.runtime.statistics import Statistics
from surplus.runtime.wiring import Devices, Wiring, wire
from surplus.server.app import create_app
from surplus.server.context import ApiContext
from surplus.server.fast_state import FastState
from surplus.state import State
from surplus.store.database import Database, DatabaseError
from surplus.store.sessions import SessionStore
from surplus.store.settings import SettingsStore
from surplus.tariffs.base import Tariff
from surplus.tariffs.service import USAGES, Source, TariffService

log = get_logger("main")

#: everything must have stopped this long after SIGINT/SIGTERM
STOP_BUDGET = 4.0
#: how long start-up waits for a charger when closing sessions left open
STARTUP_READ_TIMEOUT = 5.0


class StartupError(Exception):
    """Start-up failed for a reason the user can fix; the message says how."""


def build_devices(loaded: LoadedConfig, context: BuildContext) -> Devices:
    """Build every configured device through the registry; errors name the file, line and key."""
    devices = Devices()
    context.shared_resources[GLOBAL_MQTT] = loaded.config.mqtt  # the default broker of `source: mqtt`
    sections: tuple[tuple[Kind, str, dict[str, Built]], ...] = (
        ("meter", "meters", devices.meters),
        ("charger", "chargers", devices.chargers),
        ("vehicle", "vehicles", devices.vehicles),
    )
    for kind, section, built in sections:
        for index, entry in enumerate(getattr(loaded.config, section)):
            built[entry.name] = _build(kind, entry, (section, index), loaded, context)
    tariffs = loaded.config.tariffs
    for usage in USAGES:
        configured = getattr(tariffs, usage)
        entries = configured if isinstance(configured, list) else [configured] if configured else []
        for index, entry in enumerate(entries):
            path: tuple[str | int, ...] = ("tariffs", usage, index) if usage == "solar" else ("tariffs", usage)
            named = entry.model_copy(update={"name": usage})
            devices.tariffs.setdefault(usage, []).append(_build("tariff", named, path, loaded, context))
    return devices


def _tariff(device: object) -> Tariff:
    assert isinstance(device, Tariff), "the registry builds tariffs for kind 'tariff'"
    return device


def _build(
    kind: Kind, entry: DeviceEntry, path: tuple[str | int, ...], loaded: LoadedConfig, context: BuildContext
) -> Built:
    try:
        return registry.build(kind, entry, path, loaded.source, context)
    except ValueError as error:
        raise loaded.source.error(path, str(error)) from None


def listen(host: str, port: int) -> socket.socket:
    """Bind the HTTP port ourselves, so a busy port is a clear message and port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise StartupError(
            f"cannot listen on {host}:{port}: {error.strerror}; choose another port with --port or network.port"
        ) from None
    sock.set_inheritable(True)
    return sock


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside our loop; the application, not uvicorn, handles signals."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Runtime:
    """The assembled application: what the server serves and what a replay drives."""

    state: State
    controller: Controller
    api: FastAPI
    tariffs: TariffService
    statistics: Statistics


async def assemble(
    loaded: LoadedConfig,
    clock: Clock,
    database: Database,
    devices: Devices,
    demo: bool = False,
    tariffs: Callable[[], Tariffs] | None = None,
) -> Runtime:
    """Everything but the network: state, settings, sessions, site, control loop, tariffs and the API.

    ``tariffs`` replaces the configured tariffs with given rates (a replay's scripted ones).
    """
    config = loaded.config
    state = State(loadpoints=len(config.loadpoints))
    state.publish_all(
        {
            "version": __version__,
            "system": f"{platform.system().lower()}/{platform.machine()}",
            "config": loaded.label,
            "database": str(database.path),
            "interval": config.interval,
            "siteTitle": config.site.title,
            "currency": config.tariffs.currency,
            "demoMode": demo,
            "startupCompleted": False,
            "apiReady": False,
            "forecast": {},
            "timezone": clock.now().strftime("%Z %z"),
        }
    )
    settings = await SettingsStore.load(database)
    sessions = SessionStore(database)
    wiring = wire(config, devices, settings)
    await _close_open_sessions(wiring, sessions)
    statistics = Statistics(clock, state, database)
    await statistics.refresh()
    service = TariffService(
        clock,
        state,
        {
            usage: [Source(usage, _tariff(built.device), built.params) for built in entries]
            for usage, entries in devices.tariffs.items()
        },
    )
    controller = Controller(
        clock,
        state,
        wiring.site,
        wiring.meters,
        wiring.chargers,
        wiring.vehicles,
        wiring.circuit_meters,
        config.interval,
        settings=settings,
        sessions=sessions,
        tariffs=tariffs or service.snapshot,
        statistics=statistics,
    )
    # settings are known before the first cycle: a client that connects early sees them at once
    state.publish_all(wiring.site.settings_published())
    for loadpoint in wiring.site.loadpoints:
        state.publish_all(loadpoint.settings_published(), loadpoint.index)
    setters = Setters(controller, state, clock)
    api = create_app(
        ApiContext(
            state=state,
            clock=clock,
            loop=controller,
            setters=setters,
            database=database,
            sessions=sessions,
            tariffs=controller.tariffs,
            tariff_rates=service.rates,
        )
    )
    return Runtime(state, controller, api, service, statistics)


@dataclass
class Application:
    loaded: LoadedConfig
    clock: Clock
    database_path: Path
    demo: bool = False
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    port: int | None = None

    @property
    def config(self) -> Config:
        return self.loaded.config

    def request_stop(self) -> None:
        self.stop_requested.set()

    async def serve(self) -> None:
        """Run until a stop is requested; every resource opened here is closed before returning."""
        database = await Database.open(self.database_path)
        devices = Devices()
        context = BuildContext(self.clock)
        try:
            devices = build_devices(self.loaded, context)
            await start_devices(devices)
            await self._run(database, devices)
        finally:
            # shared resources too: connections that devices opened (an MQTT broker's)
            await close_devices([*devices.all(), *context.shared_resources.values()])
            await database.close()

    async def _run(self, database: Database, devices: Devices) -> None:
        config = self.config
        runtime = await assemble(self.loaded, self.clock, database, devices, demo=self.demo)
        state, controller = runtime.state, runtime.controller
        app = runtime.api
        sock = listen(config.network.bind, config.network.port)
        self.port = sock.getsockname()[1]
        server = EmbeddedServer(
            uvicorn.Config(
                FastState(app, state), lifespan="off", log_config=None, access_log=False, timeout_graceful_shutdown=1
            )
        )
        serving = asyncio.create_task(server.serve(sockets=[sock]), name="http")
        await _wait_until_started(server, serving)
        runtime.tariffs.start()
        control = asyncio.create_task(controller.run(), name="control")
        stop = asyncio.create_task(self.stop_requested.wait(), name="stop")
        try:
            state.publish("apiReady", True)
            log.info("serving http://%s:%d", _display_host(config.network.bind), self.port)
            done, _ = await asyncio.wait({serving, control, stop}, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stop}:
                task.result()
        finally:
            control.cancel()
            stop.cancel()
            server.should_exit = True
            await asyncio.wait({serving, control}, timeout=STOP_BUDGET / 2)
            sock.close()
            await runtime.tariffs.stop()
            await controller.shutdown()
            await runtime.statistics.stop()


async def _wait_until_started(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    while not server.started:
        if serving.done():
            serving.result()
            raise StartupError("the HTTP server stopped during start-up")
        await asyncio.sleep(0.01)


def _display_host(bind: str) -> str:
    return "localhost" if bind in ("0.0.0.0", "::", "127.0.0.1") else bind


async def _close_open_sessions(wiring: Wiring, sessions: SessionStore) -> None:
    """Sessions a crash left open end where the next one started, or at the charge meter's reading now."""
    # every charger at once: start-up waits for the slowest, not for the sum of their timeouts
    readings = await asyncio.gather(*(handle.read(STARTUP_READ_TIMEOUT) for handle in wiring.chargers))
    for loadpoint, reading in zip(wiring.site.loadpoints, readings, strict=True):
        try:
            closed = await sessions.close_open(loadpoint.config.title, reading.energy)
        except DatabaseError as error:  # a full disk: charging goes on, the rows are closed at the next start
            log.error("%s: closing the sessions left open failed: %s", loadpoint.config.title, error)
            continue
        if closed:
            log.info("%s: closed %d session(s) left open by the last run", loadpoint.config.title, closed)


async def start_devices(devices: Devices) -> None:
    """Start the devices that connect or listen first, all at once: OCPP chargers wait for their station."""
    named = [*devices.meters.items(), *devices.chargers.items(), *devices.vehicles.items()]
    startable = [(name, built.device) for name, built in named if isinstance(built.device, p.Startable)]
    results = await asyncio.gather(*(device.start() for _, device in startable), return_exceptions=True)
    for (name, _), result in zip(startable, results, strict=True):
        if isinstance(result, Exception):  # the device fails its reads and shows in deviceErrors until it works
            log.error("%s: starting failed: %s", name, result)
        elif isinstance(result, BaseException):
            raise result


async def close_devices(devices: list[object]) -> None:
    for device in devices:
        if isinstance(device, p.Closable):
            try:
                async with asyncio.timeout(1):
                    await device.close()
            except Exception as error:  # closing must go on for the other devices
                log.warning("closing a device failed: %s", error)


def install_signal_handlers(app: Application) -> None:
    """First SIGINT/SIGTERM stops cleanly; a second one forces the exit."""
    loop = asyncio.get_running_loop()

    def on_signal(number: int) -> None:
        if app.stop_requested.is_set():
            log.warning("second %s: exiting now", signal.Signals(number).name)
            os._exit(130 if number == signal.SIGINT else 143)
        log.info("%s received: stopping", signal.Signals(number).name)
        app.request_stop()

    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, on_signal, number)
