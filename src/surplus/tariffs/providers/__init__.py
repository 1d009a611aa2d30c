"""Tariff providers, one module each; they register themselves with the device registry (kind "tariff")."""
