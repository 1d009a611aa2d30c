"""Meters with their own protocol (Shelly)."""
