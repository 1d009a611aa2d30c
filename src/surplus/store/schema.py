"""evcc's tables (api.md §9), created the way GORM's AutoMigrate does: missing tables and columns are added,
nothing else is touched, so an existing evcc.db keeps its data, extra tables and extra columns."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    primary_key: str

    def create_sql(self) -> str:
        columns = ", ".join(f"`{name}` {kind}" for name, kind in self.columns)
        return f"CREATE TABLE IF NOT EXISTS `{self.name}` ({columns}, PRIMARY KEY (`{self.primary_key}`))"


SETTINGS = Table("settings", (("key", "text"), ("value", "text")), primary_key="key")

SESSIONS = Table(
    "sessions",
    (
        ("id", "integer"),
        ("created", "datetime"),
        ("finished", "datetime"),
        ("loadpoint", "text"),
        ("identifier", "text"),
        ("vehicle", "text"),
        ("odometer", "real"),
        ("meter_start_kwh", "real"),
        ("meter_end_kwh", "real"),
        ("charged_kwh", "real"),
        ("charge_duration", "integer"),
        ("soc_start", "real"),
        ("soc_end", "real"),
        ("added_range", "real"),
        ("solar_percentage", "real"),
        ("price", "real"),
        ("price_per_kwh", "real"),
        ("co2_per_kwh", "real"),
        ("reference_price_per_kwh", "real"),
        ("reference_co2_per_kwh", "real"),
    ),
    primary_key="id",
)

TABLES = (SETTINGS, SESSIONS)


def migrate(connection: sqlite3.Connection) -> None:
    """Create missing tables and add missing columns, in one transaction."""
    with connection:
        for table in TABLES:
            connection.execute(table.create_sql())
            present = {row[1] for row in connection.execute(f"PRAGMA table_info(`{table.name}`)")}
            for name, kind in table.columns:
                if name not in present:
                    connection.execute(f"ALTER TABLE `{table.name}` ADD COLUMN `{name}` {kind}")
