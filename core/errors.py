"""Errors with a code, the stage they happened in and a human message.

Converters raise :class:`ConversionError`; the job runner records its fields on the
job verbatim, so the code is what scripts match on and the message is for people.
"""

from __future__ import annotations

STAGES = ("upload", "sniff", "parse", "geometry", "write", "store", "publish")

#: error codes a job can end with; permanent ones fail at once, transient ones retry
PERMANENT_CODES = {
    "unsupported_format",
    "corrupt_file",
    "empty_file",
    "too_large",
    "timeout",
    "out_of_memory",
    "no_geometry",
    "invalid_options",
    "converter_crashed",
    "password_protected",
    "too_many_pages",
    "page_too_large",
    "detector_unavailable",
}
TRANSIENT_CODES = {"storage_unavailable", "worker_lost"}


class FloorcastError(Exception):
    """Base class: every error Floorcast reports carries a machine-readable code."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ConversionError(FloorcastError):
    """A conversion failed for a reason the user can act on.

    ``stage`` is one of :data:`STAGES`; ``detail`` may name the entity, layer or
    page at fault (``{"layer": "A-WALL", "handle": "1F"}``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        stage: str | None = None,
        detail: dict | None = None,
    ):
        super().__init__(message, code=code)
        self.stage = stage
        self.detail = detail or {}

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "stage": self.stage,
            "message": self.message,
            "detail": self.detail or None,
        }


class ConfigError(FloorcastError):
    code = "config_error"


class PluginError(FloorcastError):
    code = "plugin_error"
