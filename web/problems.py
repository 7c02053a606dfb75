"""RFC 9457 problem details: every API error is ``application/problem+json``.

``type`` is a stable machine-readable code (``about:blank`` only for plain HTTP
errors), ``title`` the HTTP reason, ``detail`` a human message.

Core raises domain errors (:class:`core.errors.FloorcastError`: a code, a message,
``extra`` facts) and knows nothing of HTTP; this module is the one place that says
which status each code answers with (:data:`STATUS`) and turns any domain error a
request raises into its problem (:func:`install_problems`).
"""

from __future__ import annotations

from types import MappingProxyType

from flask import Flask, Response, json
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from core.errors import FloorcastError
from core.kiosks.pairing import PairingError

#: the status a domain error's code answers with; any other code is 400, a request
#: refused as it was sent (an invalid option, channel or name, an empty file)
STATUS = MappingProxyType(
    {
        "forbidden": 403,
        "not_found": 404,
        "unknown_code": 404,
        "unknown_request": 404,
        "already_approved": 409,
        "not_approved": 409,
        "revoked": 409,
        "upload_busy": 409,
        "offset_mismatch": 409,
        "incomplete": 409,
        "duplicate_email": 409,
        "last_admin": 409,
        "expired": 410,
        "claimed": 410,
        "upload_gone": 410,
        "too_large": 413,
        "not_png": 415,
        "too_many_pairings": 429,
        "internal_error": 500,
        "config_error": 500,
        "plugin_error": 500,
        "storage_unavailable": 503,
    }
)

#: codes an error class gives another meaning: a pairing whose kiosk was revoked is
#: over (the kiosk pairs again), where a revoked kiosk's change is a conflict
CLASS_STATUS = MappingProxyType({(PairingError, "revoked"): 410})


def status_for(error: FloorcastError) -> int:
    """The HTTP status ``error`` answers with: its class's own word first, then its code's."""
    for cls in type(error).__mro__:
        if (cls, error.code) in CLASS_STATUS:
            return CLASS_STATUS[cls, error.code]
    return STATUS.get(error.code, 400)


class Problem(HTTPException):
    """Raise to answer with a problem document carrying an error ``code``."""

    def __init__(self, status: int, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code = status
        self.problem_code = code
        self.detail = detail
        self.extra = extra


def problem_response(status: int, code: str, detail: str, headers: dict | None = None, **extra) -> Response:
    title = HTTP_STATUS_CODES.get(status, "Error")
    body = {"type": f"urn:floorcast:problem:{code}", "title": title, "status": status, "code": code, "detail": detail}
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class ProblemApi(Api):
    """flask-smorest's Api answering errors as problem+json."""

    def handle_http_exception(self, error):
        if isinstance(error, Problem):
            return problem_response(error.code, error.problem_code, error.detail, **error.extra)
        data = getattr(error, "data", None) or {}
        extra = {}
        errors = data.get("errors") or data.get("messages")
        if errors:
            extra["errors"] = errors
        code = (error.name or "error").lower().replace(" ", "_")
        detail = data.get("message") or error.description or error.name
        return problem_response(error.code or 500, code, detail, headers=data.get("headers"), **extra)


def domain_problem(error: FloorcastError) -> Response:
    """The problem a domain error answers with: its code, its message as ``detail``
    and its ``extra`` facts as members."""
    return problem_response(status_for(error), error.code, error.message, **error.extra)


def install_problems(app: Flask) -> None:
    """Answer every domain error a request raises as its problem, so views call core
    without translating its errors by hand."""
    app.register_error_handler(FloorcastError, domain_problem)
