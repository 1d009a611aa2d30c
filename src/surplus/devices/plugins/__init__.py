"""Plugin sources (``source: http``, ``modbus``, ``mqtt``, ``const``, …) that ``type: custom`` devices are made of."""
