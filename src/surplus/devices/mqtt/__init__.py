"""MQTT: one shared connection per broker for the ``source: mqtt`` plugin.

The application puts the global ``mqtt:`` section (a :class:`surplus.config.schema.Mqtt`, or None) into
``BuildContext.shared_resources`` under :data:`GLOBAL_SETTINGS`; a source without its own ``broker`` uses it.
"""

GLOBAL_SETTINGS = "mqtt.global"
