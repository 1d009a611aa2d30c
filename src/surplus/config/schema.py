"""The configuration file's shape (evcc.yaml), validated with pydantic.

Keys arrive lower-cased (see ``source.py``); a field ``residual_power`` is written ``residualPower`` in the
file. Device entries keep their type-specific keys for the device registry to validate.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from surplus.config.durations import parse_duration
from surplus.logs import parse_level, parse_log_spec

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_.:-]+$")
MODES = ("off", "now", "minpv", "pv")
Mode = Literal["off", "now", "minpv", "pv"]


def _alias(name: str) -> str:
    return name.replace("_", "")


def _as_list(value: Any) -> Any:
    """evcc lets a single name stand where a list of names is expected."""
    return [value] if isinstance(value, str) else value


NameList = Annotated[list[str], BeforeValidator(_as_list)]
Percent = Annotated[float, Field(ge=0, le=100)]


class Section(BaseModel):
    """A mapping with a fixed set of keys; an unknown key is an error naming the allowed ones."""

    model_config = ConfigDict(alias_generator=_alias, populate_by_name=True, extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = {field.alias or name for name, field in cls.model_fields.items()}
            names = set(cls.model_fields)  # code may construct with field names; files use the aliases
            for key in data:
                if key not in allowed and key not in names:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'; allowed keys: {allowed}",
                        {"key": str(key), "allowed": ", ".join(sorted(allowed))},
                    )
        return data


class DeviceEntry(BaseModel):
    """A meter, charger, vehicle or tariff: ``name``, ``type`` and type-specific keys."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = ""
    type: str

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if name and not NAME_PATTERN.match(name):
            raise ValueError(f"'{name}' is not a valid name; use letters, digits and _ . : -")
        return name

    @property
    def params(self) -> dict[str, Any]:
        """The type-specific keys."""
        return dict(self.model_extra or {})


class Network(Section):
    host: str = ""
    port: int = Field(7070, ge=1, le=65535)
    bind: str = "0.0.0.0"
    external_url: str = ""
    url_schema: str = Field("http", alias="schema")


class Database(Section):
    type: Literal["sqlite"] = "sqlite"
    dsn: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_path(cls, data: Any) -> Any:
        return {"dsn": data} if isinstance(data, str) else data


class SiteMeters(Section):
    grid: str | None = None
    pv: NameList = []
    battery: NameList = []
    aux: NameList = []
    ext: NameList = []
    consumer: NameList = []


class Site(Section):
    title: str = "Home"
    meters: SiteMeters = SiteMeters()
    residual_power: float = 0
    priority_soc: Percent = 0
    buffer_soc: Percent = 0
    buffer_start_soc: Percent = 0
    battery_discharge_control: bool = False
    max_grid_supply_while_battery_charging: float = 0
    voltage: float = Field(230, gt=0, le=400)


class EnableTimer(Section):
    threshold: float = 0
    delay: Duration = timedelta(minutes=1)


class DisableTimer(Section):
    threshold: float = 0
    delay: Duration = timedelta(minutes=3)


class SocPoll(Section):
    mode: Literal["charging", "connected", "always"] = "charging"
    interval: Duration = timedelta(minutes=60)


class SocSettings(Section):
    poll: SocPoll = SocPoll()
    estimate: bool | None = None


class LoadpointUi(Section):
    min_temp: float | None = None
    max_temp: float | None = None


class Loadpoint(Section):
    title: str = ""
    charger: str
    meter: str | None = None
    vehicle: str | None = None
    circuit: str | None = None
    mode: Mode | None = None
    priority: int = Field(0, ge=0)
    soc: SocSettings = SocSettings()
    enable: EnableTimer = EnableTimer()
    disable: DisableTimer = DisableTimer()
    ui: LoadpointUi = LoadpointUi()
    # evcc keeps these in the settings database; here they are the starting values until changed there
    phases: Literal[0, 1, 3] | None = None
    min_current: float | None = Field(None, gt=0)
    max_current: float | None = Field(None, gt=0)
    guard_duration: Duration | None = None


class Circuit(Section):
    name: str
    title: str = ""
    parent: str | None = None
    meter: str | None = None
    max_current: float = Field(0, ge=0)
    max_power: float = Field(0, ge=0)
    timeout: Duration = timedelta(minutes=1)


class Tariffs(Section):
    currency: str = "EUR"
    grid: DeviceEntry | None = None
    feedin: DeviceEntry | None = None
    co2: DeviceEntry | None = None
    planner: DeviceEntry | None = None
    solar: Annotated[list[DeviceEntry], BeforeValidator(lambda v: [v] if isinstance(v, dict) else v)] = []
    temperature: DeviceEntry | None = None


#: an MQTT broker address: host[:port], optionally behind a scheme; tls://, ssl:// and mqtts:// connect with TLS
BROKER_PATTERN = re.compile(
    r"^(?:(?P<scheme>tcp|mqtt|ssl|tls|mqtts)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+)(?::(?P<port>\d{1,5}))?$",
    re.IGNORECASE,
)


class MqttBroker(Section):
    """How to reach an MQTT broker; the global ``mqtt:`` section and each ``source: mqtt`` accept these keys."""

    broker: str = ""
    user: str = ""
    password: SecretStr = SecretStr("")
    client_id: str = ""
    insecure: bool = False
    ca_cert: str = Field("", repr=False)

    @field_validator("broker")
    @classmethod
    def _broker_address(cls, broker: str) -> str:
        match = BROKER_PATTERN.match(broker)
        if broker and (match is None or not 0 < int(match["port"] or 1883) <= 65535):
            raise ValueError(
                f"'{broker}' is not a broker address; write host:port, e.g. 192.168.1.10:1883 or tls://broker:8883"
            )
        return broker


class Mqtt(MqttBroker):
    """evcc's global ``mqtt:`` section: the default broker of ``source: mqtt`` and the root of published topics."""

    topic: str = "evcc"


def _log_spec(value: Any) -> Any:
    if isinstance(value, str):
        parse_log_spec(value)
    return value


def _level_name(value: Any) -> Any:
    if isinstance(value, str):
        parse_level(value)
    return value


class Config(Section):
    interval: Duration = timedelta(seconds=30)
    log: Annotated[str, BeforeValidator(_log_spec)] = "info"
    levels: dict[str, Annotated[str, BeforeValidator(_level_name)]] = {}
    network: Network = Network()
    database: Database = Database()
    site: Site = Site()
    meters: list[DeviceEntry] = []
    chargers: list[DeviceEntry] = []
    vehicles: list[DeviceEntry] = []
    loadpoints: list[Loadpoint] = []
    circuits: list[Circuit] = []
    tariffs: Tariffs = Tariffs()

    sponsortoken: Any = None
    plant: Any = None
    telemetry: Any = None
    metrics: Any = None
    profile: Any = None
    mcp: Any = None
    ocpp: Any = None
    mqtt: Mqtt | None = None
    influx: Any = None
    modbusproxy: Any = None
    javascript: Any = None
    go: Any = None
    eebus: Any = None
    hems: Any = None
    shm: Any = None
    messaging: Any = None

    @field_validator("interval")
    @classmethod
    def _positive_interval(cls, interval: timedelta) -> timedelta:
        if interval <= timedelta(0):
            raise ValueError("the interval must be longer than 0s, e.g. 30s")
        return interval


#: evcc sections this version reads but does not act on yet
RESERVED_SECTIONS = tuple(name for name, field in Config.model_fields.items() if field.annotation is Any)
