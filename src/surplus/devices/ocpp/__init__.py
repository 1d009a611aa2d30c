"""OCPP 1.6J: the built-in central system and the ``type: ocpp`` charger (devices.md §2.2).

``central`` listens for stations, ``link`` is one station's websocket, ``station`` and ``connector`` hold
what the stations reported, ``setup`` configures a station after it (re)connects, ``charger`` is the device.
"""
