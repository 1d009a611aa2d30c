"""The error a request (HTTP, MQTT) can cause: a message that says what was wrong and what is allowed."""


class RequestError(Exception):
    """Answered as ``{"error": message}`` with ``status`` (400 bad value, 404 unknown loadpoint or vehicle)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
