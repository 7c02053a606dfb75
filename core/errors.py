"""Errors with a code, the stage they happened in and a human message, and the one
catalogue of every code.

Converters raise :class:`ConversionError`; the job runner records its fields on the
job verbatim, so the code is what scripts match on and the message is for people.
Every code a job or an API answer can carry is an :class:`ErrorCode` in
:data:`CATALOGUE`: whether a job that ends with it is retried, the stage it belongs
to and what the console tells people to do about it. Core errors know nothing of
HTTP: the web layer (``web/problems.py``) turns codes into statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

STAGES = ("upload", "sniff", "parse", "geometry", "write", "store", "publish")


@dataclass(frozen=True)
class ErrorCode:
    """One error code.

    ``permanent``: a job ending with it fails at once (a request refused with it
    fails again as sent); transient codes are retried. ``stage``: the one stage it
    is raised in, None where it may be any. ``fix``: what to do, in English as the
    console shows it (a message id: pages translate it where they show it).
    ``job``: a job can end with it (else only an API answer or a refused change).
    """

    code: str
    permanent: bool = True
    stage: str | None = None
    fix: str | None = None
    job: bool = False

    def __post_init__(self):
        if self.stage is not None and self.stage not in STAGES:
            raise ValueError(f"{self.code}: unknown stage {self.stage!r}")


def _job(code: str, fix: str | None = None, *, stage: str | None = None, permanent: bool = True) -> ErrorCode:
    return ErrorCode(code, permanent=permanent, stage=stage, fix=fix, job=True)


#: every code Floorcast reports, jobs' first
CATALOGUE: tuple[ErrorCode, ...] = (
    # a job's failure (the plans and uploads API refuse with the upload-stage ones)
    _job("unsupported_format", "Export the plan as DXF or PDF, or choose the format by hand.", stage="sniff"),
    _job("empty_file", "The file has no content: export it again."),
    # the format plugin's own word that it cannot read the file (a fault in its code is internal_error)
    _job(
        "corrupt_file",
        "The file is damaged or cut short: export it again from the CAD program and upload that.",
        stage="parse",
    ),
    _job("too_large", "Split the plan or raise the limits in the settings."),
    _job(
        "no_geometry",
        "No walls or rooms were found: check the layer mapping (which layer holds walls) and upload again.",
    ),
    _job("timeout", "The conversion took too long: simplify the drawing or raise the time limit."),
    _job("out_of_memory", "The conversion needed too much memory: simplify the drawing or raise the memory limit."),
    # the converter's process died (a signal, an abort in native code)
    _job("converter_crashed", "The converter failed on this file: retry, and report the file if it fails again."),
    _job("invalid_options", "An upload option is wrong: upload again with corrected options."),
    _job("password_protected", "Remove the password from the PDF and upload it again.", stage="parse"),
    _job("too_many_pages", "Choose one page of the document.", stage="parse"),
    _job("page_too_large", "The page is too large to render: choose another page or a scale.", stage="parse"),
    _job(
        "detector_unavailable",
        "No detector for scanned plans is installed: install one or upload a vector file.",
        stage="geometry",
    ),
    # retried (``[jobs] max_attempts``) before the job fails with them
    _job("detector_failed", stage="geometry", permanent=False),
    _job("worker_lost", "The worker stopped while converting: retry.", permanent=False),
    _job("storage_unavailable", permanent=False),
    # a fault in Floorcast's own code, a converter's included (its message names the
    # plugin, the stage and what it was working on): never blamed on the file
    _job(
        "internal_error",
        "Something went wrong on the box: retry, and tell the administrator if it happens again.",
        permanent=False,
    ),
    # the sandbox's word for a conversion stopped by a cancel: the job ends cancelled, not failed
    ErrorCode("cancelled"),
    # requests and changes refused
    ErrorCode("unauthorized"),
    ErrorCode("forbidden"),
    ErrorCode("csrf_failed"),
    ErrorCode("not_found"),
    ErrorCode("missing_file"),
    ErrorCode("invalid_channel", fix="A channel name has 1 to 64 characters."),
    ErrorCode("not_cancellable"),
    ErrorCode("not_retryable"),
    ErrorCode("asset_missing"),
    ErrorCode("no_tiles"),
    # resumable uploads
    ErrorCode("bad_content_range"),
    ErrorCode("offset_mismatch"),
    ErrorCode("upload_busy", permanent=False),
    ErrorCode("upload_gone"),
    ErrorCode("incomplete"),
    # kiosks and their pairing
    ErrorCode("invalid_code", fix="That is not a pairing code: it has 6 letters and digits, like ABC-123."),
    ErrorCode("unknown_code", fix="No kiosk is showing that code. Check the code on the kiosk's screen."),
    ErrorCode("expired", fix="That code has expired: restart pairing on the kiosk."),
    ErrorCode("already_approved", fix="That code was already approved."),
    ErrorCode("not_approved", permanent=False),
    ErrorCode("claimed"),
    ErrorCode("too_many_pairings", permanent=False),
    ErrorCode("invalid_name", fix="A kiosk name has 1 to 100 characters."),
    ErrorCode("revoked", fix="This kiosk was revoked."),
    ErrorCode("kiosk_revoked"),
    ErrorCode("invalid_command"),
    ErrorCode("unknown_request"),
    ErrorCode("not_png"),
    ErrorCode("no_screenshot"),
    # user accounts
    ErrorCode("account_error"),
    ErrorCode("invalid_email"),
    ErrorCode("invalid_role"),
    ErrorCode("weak_password"),
    ErrorCode("duplicate_email"),
    ErrorCode("last_admin"),
    # the box itself
    ErrorCode("config_error"),
    ErrorCode("plugin_error"),
)

_BY_CODE = MappingProxyType({entry.code: entry for entry in CATALOGUE})

#: codes a job can end with; permanent ones fail at once, transient ones retry
PERMANENT_CODES = frozenset(e.code for e in CATALOGUE if e.job and e.permanent)
TRANSIENT_CODES = frozenset(e.code for e in CATALOGUE if e.job and not e.permanent)

#: what to do about each code that has advice, as the console shows it
FIXES = MappingProxyType({e.code: e.fix for e in CATALOGUE if e.fix})


def error_code(code: str) -> ErrorCode | None:
    """The catalogue's entry for ``code``, None for a code it does not know."""
    return _BY_CODE.get(code)


def is_permanent(code: str) -> bool:
    """Whether a job failing with ``code`` fails at once; a code the catalogue does
    not know (a third-party plugin's) is retried like a transient one."""
    entry = _BY_CODE.get(code)
    return entry is not None and entry.job and entry.permanent


def fix_for(code: str | None) -> str | None:
    """What to do about ``code`` (English: translate it where it is shown), if known."""
    entry = _BY_CODE.get(code) if code else None
    return entry.fix if entry else None


class FloorcastError(Exception):
    """Base class: every error Floorcast reports carries a machine-readable code.

    ``extra`` holds facts a client can act on (the offset an upload is at): the
    API adds them to the problem it answers with."""

    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra
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
