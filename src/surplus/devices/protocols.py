"""Device capabilities as small protocols, mirroring evcc's ``api`` package (core.md §7).

A device implements the required protocol of its kind and any optional ones. The application checks the
optional ones once, when it wires devices to the site, and hands the core plain facts ("this charger can
switch phases"); the core never inspects device objects.

Reads are coroutines because most devices answer over a network. Static facts (physical phases, features,
capacity) are plain methods.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from surplus.core.types import BatteryMode, ChargeStatus, Feature

Triple = tuple[float, float, float]


# --- meters -------------------------------------------------------------------------------------------


@runtime_checkable
class Meter(Protocol):
    async def current_power(self) -> float:
        """W; grid: + import, battery: + discharge, PV: + production."""
        ...


@runtime_checkable
class MeterEnergy(Protocol):
    async def total_energy(self) -> float:
        """Imported (or produced) energy counter, kWh."""
        ...


@runtime_checkable
class MeterReturnEnergy(Protocol):
    async def return_energy(self) -> float:
        """Exported energy counter, kWh."""
        ...


@runtime_checkable
class PhaseCurrents(Protocol):
    async def currents(self) -> Triple:
        """A per phase L1..L3."""
        ...


@runtime_checkable
class PhaseVoltages(Protocol):
    async def voltages(self) -> Triple:
        """V per phase L1..L3."""
        ...


@runtime_checkable
class PhasePowers(Protocol):
    async def powers(self) -> Triple:
        """Signed W per phase L1..L3."""
        ...


@runtime_checkable
class Battery(Protocol):
    async def soc(self) -> float:
        """State of charge, %."""
        ...


@runtime_checkable
class BatteryCapacity(Protocol):
    def capacity(self) -> float:
        """kWh."""
        ...


@runtime_checkable
class BatteryController(Protocol):
    async def set_battery_mode(self, mode: BatteryMode) -> None: ...


@runtime_checkable
class MaxACPower(Protocol):
    def max_ac_power(self) -> float:
        """W a hybrid inverter can deliver on its AC side; DC beyond it can only go into the battery."""
        ...


# --- chargers -----------------------------------------------------------------------------------------


@runtime_checkable
class Charger(Protocol):
    async def status(self) -> ChargeStatus: ...

    async def enabled(self) -> bool: ...

    async def enable(self, enable: bool) -> None: ...

    async def max_current(self, current: int) -> None:
        """Offer ``current`` A per phase (whole amperes)."""
        ...


@runtime_checkable
class ChargerMillis(Protocol):
    async def max_current_millis(self, current: float) -> None:
        """Offer ``current`` A per phase with fractions (chargers that are not coarse)."""
        ...


@runtime_checkable
class PhaseSwitcher(Protocol):
    async def phases_1p3p(self, phases: int) -> None: ...


@runtime_checkable
class PhaseGetter(Protocol):
    async def get_phases(self) -> int: ...


@runtime_checkable
class PhaseDescriber(Protocol):
    def phases(self) -> int:
        """Physically connected phases (1 or 3)."""
        ...


@runtime_checkable
class CurrentGetter(Protocol):
    async def get_max_current(self) -> float: ...


@runtime_checkable
class ChargeRater(Protocol):
    async def charged_energy(self) -> float:
        """Energy of the current session, kWh."""
        ...


@runtime_checkable
class Identifier(Protocol):
    async def identify(self) -> str: ...


@runtime_checkable
class Resurrector(Protocol):
    """A charger or vehicle that can wake a sleeping vehicle."""

    async def wake_up(self) -> None: ...


@runtime_checkable
class CurrentLimiter(Protocol):
    def min_max_current(self) -> tuple[float, float]:
        """The charger's own current range (A)."""
        ...


@runtime_checkable
class PowerLimiter(Protocol):
    def min_max_power(self) -> tuple[float, float]:
        """The charger's own power range (W), for chargers that are set by power."""
        ...


@runtime_checkable
class FeatureDescriber(Protocol):
    def features(self) -> frozenset[Feature]: ...


# --- vehicles -----------------------------------------------------------------------------------------


@runtime_checkable
class Vehicle(Protocol):
    def title(self) -> str: ...

    def capacity(self) -> float:
        """kWh; 0 if unknown."""
        ...

    async def soc(self) -> float: ...


@runtime_checkable
class VehicleChargeState(Protocol):
    async def status(self) -> ChargeStatus: ...


@runtime_checkable
class VehicleRange(Protocol):
    async def range(self) -> float:
        """km."""
        ...


@runtime_checkable
class VehicleSocLimiter(Protocol):
    async def limit_soc(self) -> float:
        """The charge limit set in the vehicle, %."""
        ...


@runtime_checkable
class VehicleClimater(Protocol):
    async def climater(self) -> bool: ...


@runtime_checkable
class VehicleOdometer(Protocol):
    async def odometer(self) -> float:
        """km."""
        ...


# --- lifecycle ----------------------------------------------------------------------------------------


@runtime_checkable
class Startable(Protocol):
    """A device that connects or listens before use (sockets, subscriptions)."""

    async def start(self) -> None: ...


@runtime_checkable
class Closable(Protocol):
    """A device that holds resources to release on shutdown."""

    async def close(self) -> None: ...
