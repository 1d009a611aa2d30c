"""``type: template``: a named device description with typed parameters, rendered into a device configuration.

Users write ``type: template, template: go-e-v3, host: 192.168.1.30`` instead of the full ``type: go-e`` or
``type: custom`` configuration. The template files under ``definition/<class>/`` are this project's own.
"""
