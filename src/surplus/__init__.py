"""Surplus: charge electric cars from solar surplus. API-compatible with evcc."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("surplus")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
