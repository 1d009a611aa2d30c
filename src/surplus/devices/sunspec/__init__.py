"""SunSpec over Modbus: the model chain of a device, points by ``model:point`` or ``model:block:point``.

Point offsets, types and scale factors come from pysunspec2's model definitions (:mod:`.models` is the one
module that imports it); the registers travel over :mod:`surplus.devices.modbus`.
"""
