"""The home battery in the energy balance: site power, battery boost and battery mode control (core.md §2.2–§2.5).

Everything here is pure: no I/O and no clock; the caller passes ``now`` where time matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from surplus.core.settings import SiteSettings
from surplus.core.timer import Timer
from surplus.core.types import BatteryMode

#: residual power forced while the battery is below prioritySoc and no positive residual is set (W)
PRIORITY_SOC_RESIDUAL = 100.0
#: smallest step battery boost asks for beyond the battery's discharge (W)
MIN_BOOST_DELTA = 100.0
#: an external battery mode not refreshed within this reverts to unknown
EXTERNAL_MODE_WATCHDOG = timedelta(minutes=1)

_MODIFIED_MODES = (BatteryMode.HOLD, BatteryMode.CHARGE, BatteryMode.HOLDCHARGE)


@dataclass(frozen=True)
class SitePower:
    """The site's energy balance as the PV algorithm sees it."""

    #: W; < 0 = surplus available for charging, > 0 = import
    site_power: float
    #: soc > bufferSoc: a charging PV loadpoint may keep drawing from the battery
    battery_buffered: bool
    #: soc ≥ bufferStartSoc: a PV loadpoint may start charging from the battery
    battery_start: bool
    #: adding this to ``site_power`` undoes the prioritySoc adjustments (used while battery boost is on)
    priority_adjustment: float


def site_power(
    *,
    grid_power: float,
    battery_power: float,
    excess_dc_power: float,
    aux_power: float,
    flexible_power: float,
    battery_configured: bool,
    battery_soc: float,
    settings: SiteSettings,
) -> SitePower:
    """§2.2: the power available to (or missing for) the loadpoints.

    Below prioritySoc the battery's charging power (and the excess DC feeding it) is hidden from the loadpoints and
    a residual of at least 100 W is kept; otherwise battery charging counts as surplus.
    ``site_power + priority_adjustment`` always equals
    ``grid + battery + excess DC + residual setting − aux − flexible``.
    """
    residual = settings.residual_power
    adjustment = 0.0
    below_priority = battery_configured and battery_soc < settings.priority_soc
    if below_priority and residual <= 0:
        adjustment += residual - PRIORITY_SOC_RESIDUAL
        residual = PRIORITY_SOC_RESIDUAL

    battery = battery_power
    excess_dc = excess_dc_power
    buffered = start = False
    if battery_configured:
        if below_priority and battery < 0:
            adjustment += battery + excess_dc
            battery = excess_dc = 0.0
        else:
            buffered = settings.buffer_soc > 0 and battery_soc > settings.buffer_soc
            start = settings.buffer_start_soc > 0 and battery_soc >= settings.buffer_start_soc

    power = grid_power + battery + excess_dc + residual - aux_power - flexible_power
    return SitePower(site_power=power, battery_buffered=buffered, battery_start=start, priority_adjustment=adjustment)


class BoostState(IntEnum):
    """A loadpoint's battery boost, numbered as evcc publishes it."""

    DISABLED = 0
    START = 1
    CONTINUE = 2
    HOLD = 3

    @property
    def active(self) -> bool:
        """Boost counts as on (the site adds the priority adjustment back), including *hold*."""
        return self != BoostState.DISABLED


@dataclass(frozen=True)
class BoostResult:
    #: W to subtract from site power inside the PV calculation
    power: float
    #: the state after this call: START becomes CONTINUE once the loadpoint charges
    state: BoostState
    #: this call handled START: the loadpoint elapses its PV timer and, if it can switch phases, its phase timer
    started: bool


def boost_power(
    *,
    state: BoostState,
    charging: bool,
    battery_power: float,
    residual_power: float,
    coarse: bool,
    voltage: float,
    active_phases: int,
    effective_max_power: float,
    max_discharge_power: float,
) -> BoostResult:
    """§2.4: how much of the battery's power battery boost hands to the loadpoint.

    ``residual_power`` is the site setting (not the one forced by prioritySoc);
    ``max_discharge_power`` 0 means unlimited.
    """
    if state in (BoostState.DISABLED, BoostState.HOLD):
        return BoostResult(power=0.0, state=state, started=False)

    started = state == BoostState.START
    if started:
        delta = effective_max_power
        if charging:
            state = BoostState.CONTINUE
    else:
        delta = max(MIN_BOOST_DELTA, abs(residual_power))
        if coarse:
            delta += voltage * active_phases
    if max_discharge_power > 0:
        delta = min(delta, max(0.0, max_discharge_power - battery_power))
    return BoostResult(power=max(0.0, battery_power) + delta + residual_power, state=state, started=started)


def boost_hold(state: BoostState, limit: int, battery_soc: float) -> BoostState:
    """Boost stops draining the battery (hold) once its soc falls below the loadpoint's boost limit (< 100)."""
    if state in (BoostState.START, BoostState.CONTINUE) and limit < 100 and battery_soc < limit:
        return BoostState.HOLD
    return state


def grid_charge_active(limit: float | None, price: float | None) -> bool:
    """§1.2 step 11: charge the battery from the grid while the planner price (None: no current rate) ≤ the limit."""
    return limit is not None and price is not None and price <= limit


def max_discharge_power(limits: Sequence[float | None]) -> float:
    """§2.1: the batteries' summed discharge limits (W); 0 (unlimited) unless every battery reports one."""
    if not limits or any(limit is None for limit in limits):
        return 0.0
    return sum(limit or 0.0 for limit in limits)


@dataclass(frozen=True)
class BatteryInfo:
    """One battery meter as battery mode control needs it."""

    name: str
    #: the meter can be told a battery mode (evcc's BatteryController)
    controllable: bool = False
    #: this battery's own soc (%), None when unknown
    soc: float | None = None
    #: the highest soc the battery may be charged to (evcc's BatterySocLimiter), None when not offered
    max_soc_limit: float | None = None

    def full_for_charge(self) -> bool:
        """Charging further would pass the battery's own limit: it gets *hold* instead of *charge*."""
        limit = self.max_soc_limit
        return limit is not None and 0 < limit < 100 and self.soc is not None and self.soc >= limit


@dataclass
class BatteryModeControl:
    """§2.5: the required battery mode each cycle, the external mode with its 1-minute watchdog, and what to send.

    Each cycle: ``required(...)``, then send ``commands(required, batteries)``, then ``confirm(required)`` when every
    send succeeded. On shutdown, send ``revert()``.
    """

    #: the internal (current) mode: what was last applied successfully
    mode: BatteryMode = BatteryMode.UNKNOWN
    #: batteryModeExternal; UNKNOWN when not set or expired
    external: BatteryMode = BatteryMode.UNKNOWN
    _watchdog: Timer = field(default_factory=Timer, init=False, repr=False)
    #: controllable batteries seen by the last ``commands`` call
    _controllable: tuple[str, ...] = field(default=(), init=False, repr=False)
    #: some battery may have been told a mode other than normal that is not yet confirmed undone
    _modified: bool = field(default=False, init=False, repr=False)

    def set_external(self, mode: BatteryMode, now: datetime) -> None:
        """API: set (or refresh) the external mode and restart its watchdog.

        UNKNOWN clears it; like an expiry, the next cycle then forces normal once.
        """
        self.external = mode
        self._watchdog.restart(now)

    def expire(self, now: datetime) -> None:
        """An external mode not refreshed within one minute reverts to unknown (the watchdog stays set)."""
        if self.external != BatteryMode.UNKNOWN and self._watchdog.expired(now, EXTERNAL_MODE_WATCHDOG):
            self.external = BatteryMode.UNKNOWN

    def required(
        self,
        now: datetime,
        *,
        battery_configured: bool,
        grid_charge_active: bool,
        discharge_control_active: bool,
        dimmed: bool = False,
    ) -> BatteryMode:
        """The mode to apply this cycle; UNKNOWN means no change (the battery may still be re-validated, see
        ``commands``). ``dimmed`` (HEMS) turns charging into hold."""
        if not battery_configured:
            return BatteryMode.UNKNOWN
        self.expire(now)
        mode = self._required(grid_charge_active, discharge_control_active)
        charging = mode == BatteryMode.CHARGE or (mode == BatteryMode.UNKNOWN and self.mode == BatteryMode.CHARGE)
        if dimmed and charging:
            return BatteryMode.HOLD
        return mode

    def _required(self, grid_charge_active: bool, discharge_control_active: bool) -> BatteryMode:
        if self.external == BatteryMode.UNKNOWN and self._watchdog.running:
            self._watchdog.reset()
            return BatteryMode.NORMAL
        if self.external != BatteryMode.UNKNOWN:
            return self._change_to(self.external)
        if grid_charge_active:
            return self._change_to(BatteryMode.CHARGE)
        if discharge_control_active:
            return self._change_to(BatteryMode.HOLD)
        if self.mode in _MODIFIED_MODES:
            return BatteryMode.NORMAL
        return BatteryMode.UNKNOWN

    def _change_to(self, mode: BatteryMode) -> BatteryMode:
        return mode if mode != self.mode else BatteryMode.UNKNOWN

    def commands(self, required: BatteryMode, batteries: Sequence[BatteryInfo]) -> list[tuple[str, BatteryMode]]:
        """(battery name, mode) to send to each controllable battery this cycle.

        Sent when ``required`` is known, and re-validated every cycle while the battery stays in charge: a battery at
        or above its own max soc limit gets *hold* instead of *charge*; one staying in charge below it gets nothing.
        """
        controllable = [b for b in batteries if b.controllable]
        self._controllable = tuple(b.name for b in controllable)
        if required == BatteryMode.UNKNOWN:
            if self.mode != BatteryMode.CHARGE:
                return []
            result = [(b.name, BatteryMode.HOLD) for b in controllable if b.full_for_charge()]
        elif required == BatteryMode.CHARGE:
            result = [(b.name, BatteryMode.HOLD if b.full_for_charge() else required) for b in controllable]
        else:
            result = [(b.name, required) for b in controllable]
        if any(mode != BatteryMode.NORMAL for _, mode in result):
            self._modified = True
        return result

    def confirm(self, required: BatteryMode) -> None:
        """Every command of this cycle was sent: the internal mode becomes ``required`` (unless UNKNOWN)."""
        if required == BatteryMode.UNKNOWN:
            return
        self.mode = required
        if required == BatteryMode.NORMAL:
            self._modified = False

    @property
    def modified(self) -> bool:
        """A battery may be in a mode other than normal because of us."""
        return self._modified or self.mode in _MODIFIED_MODES

    def revert(self) -> list[tuple[str, BatteryMode]]:
        """On shutdown: the controllable batteries to set back to normal (none when nothing was modified)."""
        if not self.modified:
            return []
        return [(name, BatteryMode.NORMAL) for name in self._controllable]
