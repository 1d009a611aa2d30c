"""Finding, reading and checking the configuration file, and applying environment overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from surplus.config.errors import ConfigError
from surplus.config.schema import Config
from surplus.config.source import SourceMap, parse_yaml, read_yaml

CONFIG_NAMES = ("surplus.yaml", "evcc.yaml")
DEMO_CONFIG = "demo.yaml"

PORT_VARIABLES = ("SURPLUS_PORT", "EVCC_NETWORK_PORT")
DATABASE_VARIABLES = ("SURPLUS_DATABASE", "EVCC_DATABASE_DSN")


@dataclass(frozen=True)
class LoadedConfig:
    config: Config
    source: SourceMap
    path: Path | None

    @property
    def label(self) -> str:
        return str(self.path) if self.path else "(built-in demo)"


def search_paths(cwd: Path | None = None, home: Path | None = None) -> list[Path]:
    """Where evcc looks for its file, in order: the working directory, the home directory, /etc."""
    folders = [cwd or Path.cwd(), home or Path.home(), Path("/etc")]
    return [folder / name for folder in folders for name in CONFIG_NAMES]


def find_config(candidates: Iterable[Path]) -> Path | None:
    return next((path for path in candidates if path.is_file()), None)


def load_file(path: Path) -> LoadedConfig:
    data, source = read_yaml(path)
    return LoadedConfig(validate(data, source), source, path)


def load_text(text: str, file: str | None = None) -> LoadedConfig:
    data, source = parse_yaml(text, file)
    return LoadedConfig(validate(data, source), source, Path(file) if file else None)


def load_demo() -> LoadedConfig:
    text = resources.files("surplus.demo").joinpath(DEMO_CONFIG).read_text(encoding="utf-8")
    data, source = parse_yaml(text, "(built-in demo)")
    return LoadedConfig(validate(data, source), source, None)


def validate(data: Any, source: SourceMap) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise source.error((), "the file must be a mapping of sections (site:, meters:, loadpoints: …)")
    try:
        config = Config.model_validate(data)
    except ValidationError as error:
        raise describe(error.errors()[0], source) from None
    check_references(config, source)
    return config


def describe(error: ErrorDetails, source: SourceMap, prefix: Sequence[str | int] = ()) -> ConfigError:
    """One pydantic error → one sentence that says what is wrong and what is allowed.

    ``prefix`` is where the validated mapping stands in the file (for device entries validated later).
    """
    loc = [part for part in error["loc"] if not isinstance(part, str) or not _is_validator_label(part)]
    path = [*prefix, *loc]
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    shown = _show(value)
    if kind == "unknown_key":
        path.append(ctx["key"])
        message = f"unknown key; allowed keys: {ctx['allowed']}"
    elif kind == "missing":
        message = "this key is required"
    elif kind == "literal_error":
        message = f"{shown} is not allowed; allowed values: {_plain_choices(ctx['expected'])}"
    elif kind in ("int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"):
        whole = "a whole number" if kind.startswith("int") else "a number"
        message = f"{shown} is not {whole}"
    elif kind in ("bool_parsing", "bool_type"):
        message = f"{shown} is not a boolean; allowed values: true, false"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        limit = next(iter(ctx.values()))
        message = f"{shown} is out of range; allowed: {bound} {limit}"
    elif kind in ("string_type",):
        message = f"{shown} is not text"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = f"{shown} is not a mapping; write key: value pairs here"
    elif kind == "list_type":
        message = f"{shown} is not a list; write a list of items (- …) here"
    elif kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
    else:
        message = error["msg"]
    return source.error(path, message)


def _is_validator_label(part: str) -> bool:
    # pydantic adds labels such as "function-before[...]" or "literal['off']" for wrapped types
    return "[" in part or part in ("int", "float", "str", "bool", "list", "dict", "none")


def _plain_choices(expected: str) -> str:
    return expected.replace("'", "").replace(" or ", ", ")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    return f"'{value}'"


def check_references(config: Config, source: SourceMap) -> None:
    """Names must be unique and every reference must name something that exists."""
    devices = {
        "meters": _unique_names("meters", [m.name for m in config.meters], source),
        "chargers": _unique_names("chargers", [c.name for c in config.chargers], source),
        "vehicles": _unique_names("vehicles", [v.name for v in config.vehicles], source),
        "circuits": _unique_names("circuits", [c.name for c in config.circuits], source),
    }
    site_meters = config.site.meters
    _refer(devices, "meters", ("site", "meters", "grid"), site_meters.grid, source)
    for role in ("pv", "battery", "aux", "ext", "consumer"):
        for index, name in enumerate(getattr(site_meters, role)):
            _refer(devices, "meters", ("site", "meters", role, index), name, source)
    used_chargers: dict[str, int] = {}
    for index, loadpoint in enumerate(config.loadpoints):
        base = ("loadpoints", index)
        _refer(devices, "chargers", (*base, "charger"), loadpoint.charger, source)
        if loadpoint.charger in used_chargers:
            raise source.error(
                (*base, "charger"),
                f"charger '{loadpoint.charger}' already belongs to loadpoint {used_chargers[loadpoint.charger] + 1}; "
                "each loadpoint needs its own charger",
            )
        used_chargers[loadpoint.charger] = index
        _refer(devices, "meters", (*base, "meter"), loadpoint.meter, source)
        _refer(devices, "vehicles", (*base, "vehicle"), loadpoint.vehicle, source)
        _refer(devices, "circuits", (*base, "circuit"), loadpoint.circuit, source)
    _check_circuits(config, devices, source)


def _unique_names(section: str, names: Sequence[str], source: SourceMap) -> list[str]:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if not name:
            raise source.error((section, index), "every entry needs a name: (letters, digits and _ . : -)")
        if name in seen:
            raise source.error((section, index, "name"), f"the name '{name}' is used twice in {section}")
        seen.add(name)
    return list(names)


def _refer(
    devices: Mapping[str, Sequence[str]], section: str, path: tuple[str | int, ...], name: str | None, source: SourceMap
) -> None:
    names = devices[section]
    if name is None or name in names:
        return
    defined = ", ".join(names) if names else "none are defined"
    raise source.error(path, f"'{name}' is not defined in {section}; defined: {defined}")


def _check_circuits(config: Config, devices: Mapping[str, list[str]], source: SourceMap) -> None:
    parents = {circuit.name: circuit.parent for circuit in config.circuits}
    for index, circuit in enumerate(config.circuits):
        _refer(devices, "circuits", ("circuits", index, "parent"), circuit.parent, source)
        _refer(devices, "meters", ("circuits", index, "meter"), circuit.meter, source)
        seen = {circuit.name}
        parent = circuit.parent
        while parent is not None:
            if parent in seen:
                raise source.error(("circuits", index, "parent"), f"circuit '{circuit.name}' is its own ancestor")
            seen.add(parent)
            parent = parents.get(parent)
    roots = [c.name for c in config.circuits if c.parent is None]
    if config.circuits and len(roots) != 1:
        raise source.error(("circuits",), f"exactly one circuit must have no parent; found: {', '.join(roots)}")


def apply_overrides(
    config: Config, env: Mapping[str, str], port: int | None = None, database: str | None = None
) -> Config:
    """Command-line options win over environment variables, which win over the file."""
    if port is None:
        port = _env_port(env)
    if database is None:
        database = next((env[name] for name in DATABASE_VARIABLES if env.get(name)), None)
    updates: dict[str, Any] = {}
    if port is not None:
        updates["network"] = config.network.model_copy(update={"port": port})
    if database is not None:
        updates["database"] = config.database.model_copy(update={"dsn": database})
    return config.model_copy(update=updates)


def _env_port(env: Mapping[str, str]) -> int | None:
    for name in PORT_VARIABLES:
        value = env.get(name)
        if not value:
            continue
        if not value.isdigit() or not 0 <= int(value) <= 65535:
            raise ConfigError(
                f"environment variable {name}='{value}' is not a port number; allowed: 1-65535, or 0 for any free port"
            )
        return int(value)
    return None
