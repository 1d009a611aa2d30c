"""A simulated OCPP 1.6J charge point: connects to a central system and charges simulated cars.

It speaks the real protocol over a real websocket, so tests and the demo exercise the central system as a
wallbox would. Plugging a car in makes a connector ``Preparing`` and starts a transaction (or waits for a
RemoteStartTransaction); the car then draws min(profile limit, what the car takes) per phase, at 230 V, and
pauses (``SuspendedEVSE``) at a limit of 0. Meter values go out on :meth:`tick`/:meth:`report`, so a test
decides when, or every sample interval of the given clock with ``report_periodically``.

    station = SimulatedChargePoint("ws://127.0.0.1:8887", "wallbox", clock)
    await station.start()
    await station.plug(1, SimulatedCar(max_current=16))
    await station.tick(60)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.headers import build_authorization_basic
from websockets.typing import Subprotocol

from surplus.clock import Clock
from surplus.devices.ocpp.concurrency import Changes, Tasks
from surplus.devices.ocpp.configuration import items
from surplus.devices.ocpp.library import SUBPROTOCOL, Action, Measurand, Peer, after, call, call_result, on, timestamp
from surplus.logs import get_logger

VOLTAGE = 230.0
#: how long the station waits for the central system's answer (a test fails fast instead of hanging)
ANSWER_TIMEOUT = 5.0
MEASURANDS = frozenset(measurand.value for measurand in Measurand)
MAX_MEASURANDS = 8
Matcher = Callable[[dict[str, Any]], bool]


@dataclass
class SimulatedCar:
    max_current: float = 16.0
    phases: int = 3
    soc: float = 50.0
    #: kWh
    capacity: float = 60.0
    id_tag: str = "car-1"


@dataclass(frozen=True)
class Behaviour:
    """How the station behaves, including the ways real stations differ."""

    connectors: int = 1
    #: what a connector offers without any charging profile, A per phase
    max_current: float = 32.0
    reject_profiles: bool = False
    refused_measurands: frozenset[str] = frozenset()
    phase_switching: bool = False
    #: limits in watts only (ChargingScheduleAllowedChargingRateUnit = Power)
    watts: bool = False
    #: a plugged car waits for RemoteStartTransaction instead of starting a transaction itself
    wait_for_remote_start: bool = False
    boot_on_connect: bool = True
    #: report every connector's status after booting, as OCPP asks (some stations wait to be asked)
    status_on_boot: bool = True
    vendor: str = "Surplus"
    model: str = "Simulated"


@dataclass
class SimulatedConnector:
    number: int
    status: str = "Available"
    car: SimulatedCar | None = None
    transaction_id: int | None = None
    #: the limits of the installed profiles, A per phase (None: no such profile)
    default_limit: float | None = None
    transaction_limit: float | None = None
    profile_phases: int | None = None
    #: the energy register, Wh
    energy: float = 0.0

    def offered(self, station_max: float) -> float:
        for limit in (self.transaction_limit if self.transaction_id is not None else None, self.default_limit):
            if limit is not None:
                return min(limit, station_max)
        return station_max

    def phases(self) -> int:
        car_phases = self.car.phases if self.car is not None else 3
        return min(car_phases, self.profile_phases or 3)

    def current(self, station_max: float) -> float:
        if self.status != "Charging" or self.car is None:
            return 0.0
        return min(self.offered(station_max), self.car.max_current)

    def wanted_status(self, station_max: float) -> str:
        if self.car is None:
            return "Available"
        if self.transaction_id is None:
            return self.status if self.status == "Finishing" else "Preparing"
        if self.car.soc >= 100:
            return "SuspendedEV"
        return "Charging" if self.offered(station_max) > 0 else "SuspendedEVSE"


@dataclass(frozen=True)
class Message:
    """A call, with its payload in snake_case as the library hands it over."""

    action: str
    payload: dict[str, Any]


class SimulatedChargePoint:
    def __init__(
        self,
        url: str,
        station_id: str,
        clock: Clock,
        behaviour: Behaviour | None = None,
        user: str = "",
        password: str = "",
        report_periodically: bool = False,
    ) -> None:
        self.behaviour = behaviour or Behaviour()
        self.url = f"{url.rstrip('/')}/{station_id}"
        self.station_id = station_id
        self.connectors = {n: SimulatedConnector(n) for n in range(1, self.behaviour.connectors + 1)}
        #: the central system's calls, and the station's own calls the central system has answered
        self.received: list[Message] = []
        self.sent: list[Message] = []
        self.registration: str | None = None
        self.sampled: tuple[str, ...] = ("Energy.Active.Import.Register",)
        self.sample_interval = 60
        self.log = get_logger("sim-ocpp")
        self._clock = clock
        self._credentials = (user, password) if user else None
        self._periodic = report_periodically
        self._session: _Session | None = None
        self._tasks = Tasks(self.log)
        self._changes = Changes()

    # --- connection ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (raises websockets' InvalidStatus when refused, e.g. 401) and boot unless told not to."""
        headers = {"Authorization": build_authorization_basic(*self._credentials)} if self._credentials else None
        websocket = await connect(self.url, subprotocols=[Subprotocol(SUBPROTOCOL)], additional_headers=headers)
        session = _Session(self, websocket, self.log)
        self._session = session
        self._tasks.spawn(self._receive(session), f"sim ocpp {self.station_id}")
        if self._periodic:
            self._tasks.spawn(self._report_periodically(), f"sim ocpp meter {self.station_id}")
        if self.behaviour.boot_on_connect:
            await self.boot()

    async def stop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.websocket.close()
        await self._tasks.cancel()

    async def reconnect(self, reboot: bool = True) -> None:
        """Drop the connection and come back; a reboot also forgets the installed charging profiles."""
        await self.stop()
        if reboot:
            self.clear_profiles()
        await self.start()

    async def boot(self) -> str:
        answer = await self.send(call.BootNotification(self.behaviour.model, self.behaviour.vendor))
        self.registration = str(answer.status)
        if self.registration == "Accepted" and self.behaviour.status_on_boot:
            for number in self.connectors:
                await self._send_status(number)
        return self.registration

    # --- the cars --------------------------------------------------------------------------------------------

    async def plug(self, number: int = 1, car: SimulatedCar | None = None) -> None:
        connector = self.connectors[number]
        connector.car = car or SimulatedCar()
        connector.status = "Preparing"
        await self._send_status(number)
        if not self.behaviour.wait_for_remote_start:
            await self._start_transaction(number, connector.car.id_tag)

    async def unplug(self, number: int = 1) -> None:
        connector = self.connectors[number]
        if connector.transaction_id is not None:
            await self._stop_transaction(number)
        connector.car = None
        await self._update_status(number)

    async def announce(self, number: int, status: str, error_code: str = "NoError", at: datetime | None = None) -> None:
        """Report ``status`` as a station in trouble (Faulted, Unavailable …) would; ``at`` defaults to now."""
        self.connectors[number].status = status
        await self._send_status(number, error_code, at)

    async def tick(self, seconds: float) -> None:
        """Let ``seconds`` of charging pass, then report the meter values of every connector."""
        for connector in self.connectors.values():
            watts = self.power(connector.number)
            connector.energy += watts * seconds / 3600
            if connector.car is not None and connector.car.capacity > 0:
                gained = watts * seconds / 3600 / 1000 / connector.car.capacity * 100
                connector.car.soc = min(100.0, connector.car.soc + gained)
            await self._update_status(connector.number)
        await self.report()

    async def report(self, number: int | None = None, context: str = "Sample.Periodic") -> None:
        for connector in [self.connectors[number]] if number else list(self.connectors.values()):
            values = [{"timestamp": timestamp(self._clock.now()), "sampled_value": self._samples(connector, context)}]
            payload = call.MeterValues(connector.number, values, connector.transaction_id)
            await self.send(payload)

    async def send(self, payload: Any) -> Any:
        """Send any call to the central system and return its answer."""
        if self._session is None:
            raise ConnectionError(f"simulated station {self.station_id} is not connected")
        async with asyncio.timeout(ANSWER_TIMEOUT):
            answer = await self._session.send_call(payload)
        self.sent.append(Message(type(payload).__name__, asdict(payload)))
        self._changes.notify()
        return answer

    def power(self, number: int) -> float:
        connector = self.connectors[number]
        return connector.current(self.behaviour.max_current) * VOLTAGE * connector.phases()

    async def wait_for(self, action: str, matches: Matcher = lambda _: True, timeout: float = 3.0) -> dict[str, Any]:
        """The payload of the first call of ``action`` from the central system (so far or next) that ``matches``."""
        return await self._first(self.received, action, matches, timeout)

    async def wait_sent(self, action: str, matches: Matcher = lambda _: True, timeout: float = 3.0) -> dict[str, Any]:
        """The payload of the first call of ``action`` the central system has answered that ``matches``: by
        then the central system has handled it."""
        return await self._first(self.sent, action, matches, timeout)

    async def _first(self, log: list[Message], action: str, matches: Matcher, timeout: float) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((m.payload for m in log if m.action == action and matches(m.payload)), None)

        async with asyncio.timeout(timeout):
            await self._changes.until(lambda: found() is not None)
        payload = found()
        assert payload is not None
        return payload

    # --- what the central system asks ----------------------------------------------------------------------

    def record(self, action: str, payload: dict[str, Any]) -> None:
        self.received.append(Message(action, payload))
        self._changes.notify()

    def configuration(self) -> list[dict[str, Any]]:
        behaviour = self.behaviour
        values = {
            "NumberOfConnectors": str(behaviour.connectors),
            "ChargeProfileMaxStackLevel": "8",
            "MeterValuesSampledData": ",".join(self.sampled),
            "MeterValuesSampledDataMaxLength": str(MAX_MEASURANDS),
            "MeterValueSampleInterval": str(self.sample_interval),
            "SupportedFeatureProfiles": "Core,FirmwareManagement,Reservation,SmartCharging,RemoteTrigger",
            "ChargingScheduleAllowedChargingRateUnit": "Power" if behaviour.watts else "Current",
            "ConnectorSwitch3to1PhaseSupported": str(behaviour.phase_switching).lower(),
        }
        return [{"key": key, "readonly": key == "NumberOfConnectors", "value": value} for key, value in values.items()]

    def change_configuration(self, key: str, value: str) -> str:
        if key == "MeterValuesSampledData":
            wanted = items(value)
            refused = self.behaviour.refused_measurands
            if len(wanted) > MAX_MEASURANDS or any(m not in MEASURANDS or m in refused for m in wanted):
                return "Rejected"
            self.sampled = tuple(wanted)
            return "Accepted"
        if key == "MeterValueSampleInterval":
            if not value.isdigit():
                return "Rejected"
            self.sample_interval = int(value)
            return "Accepted"
        return "NotSupported"

    def set_profile(self, connector_id: int, profile: dict[str, Any]) -> str:
        if self.behaviour.reject_profiles and profile.get("charging_profile_purpose") == "TxDefaultProfile":
            return "Rejected"
        period = profile["charging_schedule"]["charging_schedule_period"][0]
        phases = period.get("number_phases")
        amps = float(period["limit"])
        if profile["charging_schedule"]["charging_rate_unit"] == "W":
            amps /= VOLTAGE * (phases or 3)
        targets = self.connectors.values() if connector_id == 0 else [self.connectors[connector_id]]
        for connector in targets:
            if profile.get("charging_profile_purpose") == "TxProfile":
                if connector.transaction_id is None or connector.transaction_id != profile.get("transaction_id"):
                    return "Rejected"
                connector.transaction_limit = amps
            else:
                connector.default_limit = amps
            connector.profile_phases = phases
        return "Accepted"

    def clear_profiles(self) -> None:
        for connector in self.connectors.values():
            connector.default_limit = connector.transaction_limit = connector.profile_phases = None

    def can_remote_start(self, connector_id: int | None) -> bool:
        connector = self.connectors.get(connector_id or 1)
        return connector is not None and connector.status == "Preparing" and connector.transaction_id is None

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.spawn(work, name)

    async def update_all(self) -> None:
        for number in self.connectors:
            await self._update_status(number)

    async def send_triggered(self, message: str, connector_id: int | None) -> None:
        numbers = [connector_id] if connector_id else list(self.connectors)
        if message == "BootNotification":
            await self.boot()
        elif message == "StatusNotification":
            for number in numbers:
                await self._send_status(number)
        elif message == "MeterValues":
            for number in numbers:
                await self.report(number, "Trigger")
        elif message == "Heartbeat":
            await self.send(call.Heartbeat())

    async def remote_start(self, connector_id: int | None, id_tag: str) -> None:
        await self._start_transaction(connector_id or 1, id_tag)

    async def remote_stop(self, transaction_id: int) -> None:
        for connector in self.connectors.values():
            if connector.transaction_id == transaction_id:
                await self._stop_transaction(connector.number)

    # --- internals -----------------------------------------------------------------------------------------

    async def _send_status(self, number: int, error_code: str = "NoError", at: datetime | None = None) -> None:
        taken = timestamp(at or self._clock.now())
        await self.send(call.StatusNotification(number, error_code, self.connectors[number].status, timestamp=taken))

    async def _update_status(self, number: int) -> None:
        connector = self.connectors[number]
        wanted = connector.wanted_status(self.behaviour.max_current)
        if wanted != connector.status:
            connector.status = wanted
            await self._send_status(number)

    async def _start_transaction(self, number: int, id_tag: str) -> None:
        connector = self.connectors[number]
        answer = await self.send(
            call.StartTransaction(number, id_tag, round(connector.energy), timestamp(self._clock.now()))
        )
        connector.transaction_id = int(answer.transaction_id)
        await self._update_status(number)

    async def _stop_transaction(self, number: int) -> None:
        connector = self.connectors[number]
        transaction_id, connector.transaction_id = connector.transaction_id, None
        connector.transaction_limit = None
        if transaction_id is None:
            return
        now = timestamp(self._clock.now())
        await self.send(call.StopTransaction(round(connector.energy), now, transaction_id, reason="Local"))
        connector.status = "Finishing"
        await self._send_status(number)

    def _samples(self, connector: SimulatedConnector, context: str) -> list[dict[str, Any]]:
        current = connector.current(self.behaviour.max_current)
        phases = connector.phases() if current else 0
        base = {"context": context}
        per_phase = [current if phase <= phases else 0.0 for phase in (1, 2, 3)]
        samples = {
            "Power.Active.Import": [{"value": f"{current * VOLTAGE * phases:.1f}", "unit": "W"}],
            "Energy.Active.Import.Register": [{"value": f"{connector.energy:.1f}", "unit": "Wh"}],
            "Current.Import": [
                {"value": f"{amps:.2f}", "unit": "A", "phase": f"L{n}"} for n, amps in enumerate(per_phase, 1)
            ],
            "Voltage": [{"value": f"{VOLTAGE:.1f}", "unit": "V", "phase": f"L{n}-N"} for n in (1, 2, 3)],
            "Current.Offered": [{"value": f"{connector.offered(self.behaviour.max_current):.1f}", "unit": "A"}],
        }
        if connector.car is not None:
            samples["SoC"] = [{"value": f"{connector.car.soc:.0f}", "unit": "Percent", "location": "EV"}]
        return [
            {**base, "measurand": measurand, **sample}
            for measurand in self.sampled
            for sample in samples.get(measurand, ())
        ]

    async def _receive(self, session: _Session) -> None:
        try:
            await session.receive()
        except ConnectionClosed:
            self.log.debug("simulated station %s: connection closed", self.station_id)
        finally:
            if self._session is session:
                self._session = None

    async def _report_periodically(self) -> None:
        while True:
            interval = self.sample_interval  # the central system may change it meanwhile
            await self._clock.sleep(interval)
            await self.tick(interval)


class _Session(Peer):
    """One connection of the simulated station: answers the central system and hands over to the station."""

    def __init__(self, station: SimulatedChargePoint, websocket: ClientConnection, log: logging.Logger) -> None:
        super().__init__(station.station_id, websocket, log)
        self.station = station
        self.websocket = websocket

    @on(Action.get_configuration)
    def on_get_configuration(self, key: list[str] | None = None, **_: Any) -> Any:
        self.station.record("GetConfiguration", {"key": key})
        entries = self.station.configuration()
        if key:
            known = {entry["key"] for entry in entries}
            return call_result.GetConfiguration(
                configuration_key=[entry for entry in entries if entry["key"] in key],
                unknown_key=[name for name in key if name not in known] or None,
            )
        return call_result.GetConfiguration(configuration_key=entries)

    @on(Action.change_configuration)
    def on_change_configuration(self, key: str, value: str, **_: Any) -> Any:
        self.station.record("ChangeConfiguration", {"key": key, "value": value})
        return call_result.ChangeConfiguration(status=self.station.change_configuration(key, value))

    @on(Action.change_availability)
    def on_change_availability(self, connector_id: int, type: str, **_: Any) -> Any:
        self.station.record("ChangeAvailability", {"connector_id": connector_id, "type": type})
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.trigger_message)
    def on_trigger_message(self, requested_message: str, connector_id: int | None = None, **_: Any) -> Any:
        self.station.record("TriggerMessage", {"requested_message": requested_message, "connector_id": connector_id})
        known = ("BootNotification", "StatusNotification", "MeterValues", "Heartbeat")
        return call_result.TriggerMessage(status="Accepted" if requested_message in known else "NotImplemented")

    @after(Action.trigger_message)
    def after_trigger_message(self, requested_message: str, connector_id: int | None = None, **_: Any) -> None:
        self.station.spawn(self.station.send_triggered(requested_message, connector_id), "sim ocpp trigger")

    @on(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any], **_: Any) -> Any:
        self.station.record("SetChargingProfile", {"connector_id": connector_id, **cs_charging_profiles})
        return call_result.SetChargingProfile(status=self.station.set_profile(connector_id, cs_charging_profiles))

    @after(Action.set_charging_profile)
    def after_set_charging_profile(self, **_: Any) -> None:
        self.station.spawn(self.station.update_all(), "sim ocpp profile")

    @on(Action.clear_charging_profile)
    def on_clear_charging_profile(self, **payload: Any) -> Any:
        self.station.record("ClearChargingProfile", payload)
        self.station.clear_profiles()
        return call_result.ClearChargingProfile(status="Accepted")

    @after(Action.clear_charging_profile)
    def after_clear_charging_profile(self, **_: Any) -> None:
        self.station.spawn(self.station.update_all(), "sim ocpp profile")

    @on(Action.remote_start_transaction)
    def on_remote_start(self, id_tag: str, connector_id: int | None = None, **_: Any) -> Any:
        self.station.record("RemoteStartTransaction", {"id_tag": id_tag, "connector_id": connector_id})
        accepted = self.station.can_remote_start(connector_id)
        return call_result.RemoteStartTransaction(status="Accepted" if accepted else "Rejected")

    @after(Action.remote_start_transaction)
    def after_remote_start(self, id_tag: str, connector_id: int | None = None, **_: Any) -> None:
        if self.station.can_remote_start(connector_id):
            self.station.spawn(self.station.remote_start(connector_id, id_tag), "sim ocpp remote start")

    @on(Action.remote_stop_transaction)
    def on_remote_stop(self, transaction_id: int, **_: Any) -> Any:
        self.station.record("RemoteStopTransaction", {"transaction_id": transaction_id})
        return call_result.RemoteStopTransaction(status="Accepted")

    @after(Action.remote_stop_transaction)
    def after_remote_stop(self, transaction_id: int, **_: Any) -> None:
        self.station.spawn(self.station.remote_stop(transaction_id), "sim ocpp remote stop")
