"""Chargers with their own protocol (go-e, KEBA, Shelly, Tesla Wall Connector) and what those drivers share."""
