"""From configuration and built devices to the core's objects: the one place that inspects capabilities."""

from __future__ import annotations

from dataclasses import dataclass, field

from surplus.config.schema import Config
from surplus.config.schema import Loadpoint as LoadpointConfigSection
from surplus.core.circuits import Circuit, CircuitSpec, build_circuits
from surplus.core.energy import select_source
from surplus.core.loadpoint import ChargerInfo, Loadpoint, LoadpointConfig
from surplus.core.settings import LoadpointSettings, SiteSettings
from surplus.core.site import Site
from surplus.core.types import ChargeMode, Feature
from surplus.core.vehicles import Coordinator, OnIdentify, VehicleInfo
from surplus.devices import protocols as p
from surplus.devices.registry import Built, VehicleParams
from surplus.runtime.controller import SiteDevices
from surplus.runtime.persistence import loadpoint_from_store, site_from_store, vehicle_from_store
from surplus.runtime.reading import ChargerHandle, MeterHandle, VehicleHandle
from surplus.store.settings import SettingsStore


@dataclass
class Devices:
    """Built devices by name."""

    meters: dict[str, Built] = field(default_factory=dict)
    chargers: dict[str, Built] = field(default_factory=dict)
    vehicles: dict[str, Built] = field(default_factory=dict)
    #: usage (grid, feedin, co2, planner, solar, temperature) → its tariffs (several only for solar)
    tariffs: dict[str, list[Built]] = field(default_factory=dict)

    def all(self) -> list[object]:
        built = [*self.meters.values(), *self.chargers.values(), *self.vehicles.values()]
        built += [b for usage in self.tariffs.values() for b in usage]
        return [b.device for b in built]


@dataclass
class Wiring:
    site: Site
    meters: SiteDevices
    chargers: list[ChargerHandle]
    vehicles: dict[str, VehicleHandle]
    circuit_meters: dict[str, MeterHandle]


def charger_info(device: object, meter: object | None) -> ChargerInfo:
    features = device.features() if isinstance(device, p.FeatureDescriber) else frozenset()
    limits = device.min_max_current() if isinstance(device, p.CurrentLimiter) else (0.0, 0.0)
    powers = device.min_max_power() if isinstance(device, p.PowerLimiter) else (0.0, 0.0)
    charge_meter = meter if meter is not None else device if isinstance(device, p.Meter) else None
    return ChargerInfo(
        phases1p3p=isinstance(device, p.PhaseSwitcher),
        coarse=not isinstance(device, p.ChargerMillis) or Feature.COARSE_CURRENT in features,
        physical_phases=device.phases() if isinstance(device, p.PhaseDescriber) else 0,
        min_current=limits[0],
        max_current=limits[1],
        min_power=powers[0],
        max_power=powers[1],
        features=frozenset(features),
        current_getter=isinstance(device, p.CurrentGetter),
        phase_getter=isinstance(device, p.PhaseGetter),
        identifier=isinstance(device, p.Identifier),
        can_wake_up=isinstance(device, p.Resurrector),
        energy_source=select_source(
            separate_meter=meter is not None,
            meter_has_total=isinstance(charge_meter, p.MeterEnergy),
            charger_is_rater=isinstance(device, p.ChargeRater),
        ),
    )


def vehicle_info(name: str, built: Built) -> VehicleInfo:
    device = built.device
    params = built.params
    assert isinstance(device, p.Vehicle)
    common = params if isinstance(params, VehicleParams) else VehicleParams()
    on_identify = common.on_identify
    return VehicleInfo(
        name=name,
        title=common.title or device.title() or name,
        capacity=common.capacity or device.capacity(),
        phases=common.phases,
        identifiers=tuple(common.identifiers),
        features=frozenset(common.features),
        on_identify=OnIdentify(
            mode=ChargeMode(on_identify.mode) if on_identify.mode else None,
            priority=on_identify.priority,
            min_current=on_identify.min_current,
            max_current=on_identify.max_current,
            max_power=on_identify.max_power,
        ),
        icon=common.icon,
        reports_status=isinstance(device, p.VehicleChargeState),
        can_wake_up=isinstance(device, p.Resurrector),
    )


def loadpoint_settings(section: LoadpointConfigSection, info: ChargerInfo) -> LoadpointSettings:
    """The configuration's starting values (evcc keeps these in the database; the file seeds them)."""
    settings = LoadpointSettings(mode=ChargeMode(section.mode or "off"), priority=section.priority)
    if section.min_current is not None:
        settings.min_current = section.min_current
    if section.max_current is not None:
        settings.max_current = section.max_current
    if section.phases is not None and (info.phases1p3p or section.phases != 0):
        settings.phases_configured = section.phases
    else:
        settings.phases_configured = 0 if info.phases1p3p else (info.physical_phases or 3)
    settings.enable_threshold = section.enable.threshold
    settings.enable_delay = section.enable.delay
    settings.disable_threshold = section.disable.threshold
    settings.disable_delay = section.disable.delay
    settings.soc_poll_mode = section.soc.poll.mode
    settings.soc_poll_interval = section.soc.poll.interval
    settings.soc_estimate = section.soc.estimate
    return settings


def site_settings(config: Config) -> SiteSettings:
    site = config.site
    return SiteSettings(
        title=site.title,
        voltage=site.voltage,
        residual_power=site.residual_power,
        priority_soc=site.priority_soc,
        buffer_soc=site.buffer_soc,
        buffer_start_soc=site.buffer_start_soc,
        battery_discharge_control=site.battery_discharge_control,
    )


def circuits(config: Config) -> dict[str, Circuit]:
    return build_circuits(
        [
            CircuitSpec(
                name=c.name,
                title=c.title,
                parent=c.parent,
                max_current=c.max_current,
                max_power=c.max_power,
                timeout=c.timeout,
                has_meter=c.meter is not None,
            )
            for c in config.circuits
        ]
    )


def wire(config: Config, devices: Devices, store: SettingsStore) -> Wiring:
    meters = {name: b.device for name, b in devices.meters.items()}

    def meter(name: str) -> MeterHandle:
        device = meters[name]
        assert isinstance(device, p.Meter)
        return MeterHandle(name, device, title=name)

    site_meters = config.site.meters
    site_devices = SiteDevices(
        grid=meter(site_meters.grid) if site_meters.grid else None,
        pv=[meter(name) for name in site_meters.pv],
        battery=[meter(name) for name in site_meters.battery],
        aux=[meter(name) for name in site_meters.aux],
        ext=[meter(name) for name in site_meters.ext],
    )
    vehicles = [vehicle_info(name, built) for name, built in devices.vehicles.items()]
    vehicle_settings = {v.name: vehicle_from_store(v.name, store) for v in vehicles}
    coordinator = Coordinator(vehicles)
    tree = circuits(config)
    settings = site_settings(config)
    site_from_store(settings, store)
    loadpoints: list[Loadpoint] = []
    chargers: list[ChargerHandle] = []
    for index, section in enumerate(config.loadpoints):
        charger = devices.chargers[section.charger].device
        charge_meter = meters[section.meter] if section.meter else None
        assert isinstance(charger, p.Charger)
        assert charge_meter is None or isinstance(charge_meter, p.Meter)
        info = charger_info(charger, charge_meter)
        lp_settings = loadpoint_settings(section, info)
        loadpoint_from_store(index + 1, lp_settings, store)
        loadpoints.append(
            Loadpoint(
                LoadpointConfig(
                    index=index,
                    title=section.title or f"Loadpoint {index + 1}",
                    charger=info,
                    name=f"lp-{index + 1}",
                    default_mode=ChargeMode(section.mode) if section.mode else None,
                    default_vehicle=section.vehicle,
                    circuit=section.circuit,
                ),
                lp_settings,
                coordinator,
                vehicle_settings=vehicle_settings,
                circuit=tree.get(section.circuit) if section.circuit else None,
                voltage=settings.voltage,
            )
        )
        chargers.append(ChargerHandle(section.charger, charger, meter=charge_meter))
    vehicle_handles = {}
    for name, built in devices.vehicles.items():
        assert isinstance(built.device, p.Vehicle)
        vehicle_handles[name] = VehicleHandle(name, built.device)
    return Wiring(
        site=Site(
            settings,
            loadpoints,
            tree,
            vehicle_settings,
            battery_configured=bool(site_meters.battery),
            battery_controllable=any(isinstance(meters[n], p.BatteryController) for n in site_meters.battery),
        ),
        meters=site_devices,
        chargers=chargers,
        vehicles=vehicle_handles,
        circuit_meters={c.name: meter(c.meter) for c in config.circuits if c.meter},
    )
