"""Modbus for devices and sources: endpoints, a shared connection pool, register encodings, 1-s block reads.

This package is the only place that imports pymodbus (pinned; its API changes between minor releases), so an
upgrade touches these modules alone: :mod:`.connection` for the client, :mod:`.server` for the simulator's
server.
"""
