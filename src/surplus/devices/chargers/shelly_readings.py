"""What Shelly devices report, in either generation, as one reading (facts from Shelly's public API docs).

Gen1 (``GET /status``): ``relays[n].ison``; plugs and PM relays meter in ``meters[n]`` (``power`` W, ``total``
in watt-minutes); the EM and 3EM meter in ``emeters[n]`` (``power`` W, ``voltage``, ``current``, ``total`` and
``total_returned`` in Wh), the 3EM with one entry per phase.

Gen2 and later (JSON-RPC): a switch (``Switch.GetStatus`` or the ``switch:<n>`` part of ``Shelly.GetStatus``)
has ``output``, ``apower`` W, ``voltage``, ``current`` and ``aenergy.total`` Wh; a PM1 (``pm1:<n>``) the same
without the relay; the Pro 3EM has ``em:<n>`` (``a_act_power``, ``a_current``, ``a_voltage`` … for phases a, b,
c and ``total_act_power``) with its counters in ``emdata:<n>`` (``total_act``, ``total_act_ret`` Wh); the Pro EM
has ``em1:<n>`` (``act_power``, ``voltage``, ``current``) and ``em1data:<n>`` (``total_act_energy``,
``total_act_ret_energy`` Wh).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from surplus.devices.chargers.answers import validated
from surplus.devices.errors import DeviceError
from surplus.devices.protocols import Triple

WATT_MINUTES_PER_KWH = 60_000


@dataclass(frozen=True)
class ShellyReading:
    """One channel of a Shelly; None where the device does not measure the value."""

    on: bool | None
    power: float
    energy: float | None = None
    """kWh"""
    returned: float | None = None
    """kWh"""
    currents: Triple | None = None
    voltages: Triple | None = None
    powers: Triple | None = None


class _Relay(BaseModel):
    ison: bool


class _Meter(BaseModel):
    power: float
    total: float | None = None


class _EMeter(BaseModel):
    power: float
    voltage: float = 0.0
    current: float = 0.0
    total: float | None = None
    total_returned: float | None = None


class _Gen1Status(BaseModel):
    relays: list[_Relay] = Field(default_factory=list)
    meters: list[_Meter] = Field(default_factory=list)
    emeters: list[_EMeter] = Field(default_factory=list)


def _kwh(wh: float | None) -> float | None:
    return None if wh is None else wh / 1000


def _sum(values: list[float | None]) -> float | None:
    return None if any(value is None for value in values) else sum(value or 0.0 for value in values)


def _per_phase(values: list[float]) -> Triple:
    first, second, third = values
    return (first, second, third)


def gen1(data: Any, channel: int, three_phase: bool, where: str) -> ShellyReading:
    """A gen1 ``/status``; a 3EM (``three_phase``) reports its three emeters as one meter."""
    status = validated(_Gen1Status, data, where)
    on = status.relays[channel].ison if channel < len(status.relays) else None
    if three_phase and len(status.emeters) == 3:
        phases = status.emeters
        return ShellyReading(
            on=on,
            power=sum(phase.power for phase in phases),
            energy=_kwh(_sum([phase.total for phase in phases])),
            returned=_kwh(_sum([phase.total_returned for phase in phases])),
            currents=_per_phase([phase.current for phase in phases]),
            voltages=_per_phase([phase.voltage for phase in phases]),
            powers=_per_phase([phase.power for phase in phases]),
        )
    if channel < len(status.emeters):
        emeter = status.emeters[channel]
        return ShellyReading(on, emeter.power, _kwh(emeter.total), _kwh(emeter.total_returned))
    if channel < len(status.meters):
        meter = status.meters[channel]
        energy = None if meter.total is None else meter.total / WATT_MINUTES_PER_KWH
        return ShellyReading(on, meter.power, energy)
    raise DeviceError(f"{where} has no meter at channel {channel}")


class _Counter(BaseModel):
    total: float


class _Switch(BaseModel):
    """``switch:<n>`` and ``pm1:<n>``."""

    output: bool | None = None
    apower: float
    aenergy: _Counter | None = None
    ret_aenergy: _Counter | None = None


class _ThreePhase(BaseModel):
    """``em:<n>``."""

    a_act_power: float
    b_act_power: float
    c_act_power: float
    a_current: float
    b_current: float
    c_current: float
    a_voltage: float
    b_voltage: float
    c_voltage: float
    total_act_power: float


class _ThreePhaseCounters(BaseModel):
    """``emdata:<n>``."""

    total_act: float
    total_act_ret: float


class _OnePhase(BaseModel):
    """``em1:<n>``."""

    act_power: float


class _OnePhaseCounters(BaseModel):
    """``em1data:<n>``."""

    total_act_energy: float
    total_act_ret_energy: float


def gen2_switch(data: Any, where: str) -> ShellyReading:
    """A gen2 ``Switch.GetStatus`` (or a ``pm1`` part): the relay, its power and its counters."""
    switch = validated(_Switch, data, where)
    energy = _kwh(switch.aenergy.total) if switch.aenergy else None
    returned = _kwh(switch.ret_aenergy.total) if switch.ret_aenergy else None
    return ShellyReading(switch.output, switch.apower, energy, returned)


def gen2_meter(components: Any, channel: int, where: str) -> ShellyReading:
    """The meter at ``channel`` in a gen2 ``Shelly.GetStatus``: a 3EM, an EM, a switch or a PM1."""
    if not isinstance(components, dict):
        raise DeviceError(f"{where} answered Shelly.GetStatus with {type(components).__name__}, not an object")
    if f"em:{channel}" in components:
        em = validated(_ThreePhase, components[f"em:{channel}"], where)
        counters = components.get(f"emdata:{channel}")
        totals = validated(_ThreePhaseCounters, counters, where) if counters is not None else None
        return ShellyReading(
            on=None,
            power=em.total_act_power,
            energy=_kwh(totals.total_act) if totals else None,
            returned=_kwh(totals.total_act_ret) if totals else None,
            currents=(em.a_current, em.b_current, em.c_current),
            voltages=(em.a_voltage, em.b_voltage, em.c_voltage),
            powers=(em.a_act_power, em.b_act_power, em.c_act_power),
        )
    if f"em1:{channel}" in components:
        em1 = validated(_OnePhase, components[f"em1:{channel}"], where)
        counters = components.get(f"em1data:{channel}")
        data = validated(_OnePhaseCounters, counters, where) if counters is not None else None
        return ShellyReading(
            None,
            em1.act_power,
            _kwh(data.total_act_energy) if data else None,
            _kwh(data.total_act_ret_energy) if data else None,
        )
    for kind in ("switch", "pm1"):
        if f"{kind}:{channel}" in components:
            return gen2_switch(components[f"{kind}:{channel}"], where)
    looked = ", ".join(f"{kind}:{channel}" for kind in ("em", "em1", "switch", "pm1"))
    raise DeviceError(f"{where} has no meter at channel {channel} (looked for {looked})")
