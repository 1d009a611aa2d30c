"""What a station tells about itself in its GetConfiguration answer (OCPP 1.6 §9, standard and vendor keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: vendor keys that announce 1p/3p switching (ChargeAmps names it its own way)
PHASE_SWITCH_KEYS = ("connectorswitch3to1phasesupported", "acphaseswitchingsupported")


@dataclass(frozen=True)
class Features:
    stack_level: int = 0
    connectors: int = 1
    sampled: tuple[str, ...] = ()
    sampled_max_length: int | None = None
    sampled_read_only: bool = False
    phase_switching: bool = False
    #: the station takes charging limits in watts only
    watts: bool = False
    #: None: the station did not list its feature profiles
    profiles: frozenset[str] | None = None

    @property
    def smart_charging(self) -> bool:
        return self.profiles is None or "SmartCharging" in self.profiles

    @property
    def remote_trigger(self) -> bool:
        return self.profiles is None or "RemoteTrigger" in self.profiles


def items(text: str) -> list[str]:
    """A comma-separated configuration value as its items."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _integer(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def features(configuration_key: Sequence[Mapping[str, Any]] | None) -> Features:
    """The features of a station from the ``configurationKey`` list of its GetConfiguration answer."""
    values: dict[str, str] = {}
    read_only: set[str] = set()
    for entry in configuration_key or ():
        name = str(entry.get("key", "")).lower()
        values[name] = str(entry.get("value") or "")
        if entry.get("readonly"):
            read_only.add(name)
    units = set(items(values.get("chargingscheduleallowedchargingrateunit", "")))
    watts = bool(units & {"Power", "W"}) and not units & {"Current", "A"}
    profiles = values.get("supportedfeatureprofiles")
    return Features(
        stack_level=_integer(values.get("chargeprofilemaxstacklevel"), 0) or 0,
        connectors=_integer(values.get("numberofconnectors"), 1) or 1,
        sampled=tuple(items(values.get("metervaluessampleddata", ""))),
        sampled_max_length=_integer(values.get("metervaluessampleddatamaxlength"), None),
        sampled_read_only="metervaluessampleddata" in read_only,
        # a station limited by power decides its phases itself
        phase_switching=watts or any(values.get(name, "").lower() == "true" for name in PHASE_SWITCH_KEYS),
        watts=watts,
        profiles=frozenset(items(profiles)) if profiles is not None else None,
    )
