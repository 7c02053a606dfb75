"""RFC 9457 problem details: every API error is ``application/problem+json``.

``type`` is a stable machine-readable code (``about:blank`` only for plain HTTP
errors), ``title`` the HTTP reason, ``detail`` a human message.
"""

from __future__ import annotations

from flask import Response, json
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES


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
