"""Errors a device may raise that the control loop treats as expected rather than as faults."""


class DeviceError(Exception):
    """A device could not answer; the message says why (never a secret)."""


class NotAvailable(DeviceError):
    """The device lacks this capability or value right now; not logged as an error."""


class MustRetry(DeviceError):
    """The value is not ready yet; ask again next cycle."""


class Asleep(DeviceError):
    """The vehicle sleeps; wake it and ask again."""
