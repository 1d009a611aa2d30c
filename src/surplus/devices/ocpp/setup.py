"""What the central system does after a station has booted or reconnected, so its state is known again.

Operative → read its configuration → choose what it samples and how often → ask for the statuses and meter
values it has not sent. A step the station refuses is logged and skipped: a station that cannot do one thing
can still charge.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.configuration import Features, features
from surplus.devices.ocpp.connector import Connector
from surplus.devices.ocpp.library import call
from surplus.devices.ocpp.measurements import DESIRED

if TYPE_CHECKING:
    from surplus.devices.ocpp.link import Link

SAMPLED_DATA = "MeterValuesSampledData"
SAMPLE_INTERVAL = "MeterValueSampleInterval"


async def set_up(link: Link) -> None:
    station = link.station
    await _ask(link, call.ChangeAvailability(connector_id=0, type="Operative"))
    answer = await _ask(link, call.GetConfiguration())
    found = features(answer.configuration_key if answer is not None else None)
    if not found.smart_charging:
        station.log.warning("%s does not list SmartCharging; setting the current may fail", station)
    measurands = await _choose_measurands(link, found)
    interval = int(station.settings.meter_interval.total_seconds())
    await _change(link, SAMPLE_INTERVAL, str(interval))
    connectors = _existing_connectors(link, found)
    if found.remote_trigger:
        await _trigger_missing(link, connectors)
    await station.set_ready(found, measurands)


def _existing_connectors(link: Link, found: Features) -> list[Connector]:
    """The connectors chargers use that the station has; using another one is a mistake worth telling."""
    station = link.station
    existing = []
    for connector in station.connectors.values():
        if connector.claimed and connector.number > found.connectors:
            station.log.warning("%s has %d connector(s), not %d", station, found.connectors, connector.number)
        elif connector.claimed:
            existing.append(connector)
    return existing


async def _trigger_missing(link: Link, claimed: list[Connector]) -> None:
    """Ask for each connector's status unless known, and for fresh meter values; wait for the statuses."""
    station = link.station
    for connector in claimed:
        if connector.status is None:
            await _ask(link, call.TriggerMessage(requested_message="StatusNotification", connector_id=connector.number))
        await _ask(link, call.TriggerMessage(requested_message="MeterValues", connector_id=connector.number))
    try:
        async with asyncio.timeout(station.settings.timeout):
            await station.changes.until(lambda: all(connector.status is not None for connector in claimed))
    except TimeoutError:
        station.log.warning("%s has not reported the status of all its connectors", station)


async def _choose_measurands(link: Link, found: Features) -> tuple[str, ...]:
    """Ask for the measurands the charger needs; the user's list wins, items with ``-`` are left out."""
    wanted = link.station.settings.meter_values
    chosen = [item for item in wanted if not item.startswith("-")]
    left_out = {item[1:] for item in wanted if item.startswith("-")}
    if found.sampled_read_only:
        return found.sampled
    if not chosen:
        chosen = [
            measurand
            for measurand in DESIRED
            if measurand not in left_out and await _change(link, SAMPLED_DATA, measurand)
        ]
        chosen = chosen[: found.sampled_max_length] if found.sampled_max_length else chosen
    if chosen and await _change(link, SAMPLED_DATA, ",".join(chosen)):
        return tuple(chosen)
    link.station.log.warning("%s keeps sampling %s", link.station, ",".join(found.sampled) or "nothing")
    return found.sampled


async def _change(link: Link, key: str, value: str) -> bool:
    answer = await _ask(link, call.ChangeConfiguration(key=key, value=value))
    return answer is not None and answer.status == "Accepted"


async def _ask(link: Link, payload: object) -> Any:
    """The station's answer, or None when it gave none (logged); raises when the connection is gone."""
    station = link.station
    try:
        return await link.request(payload, station.settings.timeout)
    except DeviceError as error:
        if station.link is not link:
            raise
        station.log.warning("%s: %s", station, error)
        return None
