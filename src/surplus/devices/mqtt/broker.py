"""Where an MQTT broker is and how to log in, taken from the ``mqtt:`` keys (``broker``, ``user``, ``cacert``…)."""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import astuple, dataclass, field

from surplus.config.schema import BROKER_PATTERN, MqttBroker

TLS_SCHEMES = frozenset({"ssl", "tls", "mqtts"})
PLAIN_PORT = 1883
TLS_PORT = 8883


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool = False
    user: str = ""
    password: str = field(default="", repr=False)
    client_id: str = ""
    insecure: bool = False
    ca_cert: str = field(default="", repr=False)

    @classmethod
    def of(cls, settings: MqttBroker) -> Broker:
        """The broker of validated settings (the schema has checked the address)."""
        match = BROKER_PATTERN.match(settings.broker)
        if match is None:
            raise ValueError(f"'{settings.broker}' is not a broker address")
        tls = (match["scheme"] or "tcp").lower() in TLS_SCHEMES
        return cls(
            host=match["host"].strip("[]"),
            port=int(match["port"] or (TLS_PORT if tls else PLAIN_PORT)),
            tls=tls,
            user=settings.user,
            password=settings.password.get_secret_value(),
            client_id=settings.client_id,
            insecure=settings.insecure,
            ca_cert=settings.ca_cert,
        )

    @property
    def address(self) -> str:
        """The broker as messages name it: never the user's password."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'tls://' if self.tls else ''}{host}:{self.port}"

    @property
    def key(self) -> str:
        """One connection per distinct broker and login; a digest, so the password never sits in a key."""
        digest = hashlib.sha256(repr(astuple(self)).encode()).hexdigest()[:16]
        return f"mqtt:{self.address}:{digest}"

    def tls_context(self) -> ssl.SSLContext | None:
        """TLS for tls:// brokers: verified against ``cacert`` (PEM text) or the system's CAs, unless insecure."""
        if not self.tls:
            return None
        try:
            context = ssl.create_default_context(cadata=self.ca_cert or None)
        except ssl.SSLError as error:
            raise ValueError(f"cacert is not a PEM certificate: {error.reason or error}") from None
        if self.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
