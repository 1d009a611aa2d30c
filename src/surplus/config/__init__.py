"""Configuration: the evcc.yaml schema, loading with line-accurate errors, and overrides."""

from surplus.config.errors import ConfigError
from surplus.config.loader import (
    LoadedConfig,
    apply_overrides,
    find_config,
    load_demo,
    load_file,
    search_paths,
)
from surplus.config.schema import Config

__all__ = [
    "Config",
    "ConfigError",
    "LoadedConfig",
    "apply_overrides",
    "find_config",
    "load_demo",
    "load_file",
    "search_paths",
]
