"""Access to the appliance and the signed-in principal from request code."""

from __future__ import annotations

from flask import current_app, g, request

from core.appliance import Appliance
from core.auth import user_for_token
from core.models import User
from web.problems import Problem


def appliance() -> Appliance:
    return current_app.extensions["floorcast"]


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return user_for_token(header[7:].strip())
    return None


def require_user(role: str | None = None) -> User:
    """The caller's user (bearer token), or 401/403 as problem+json."""
    user = getattr(g, "user", None) or bearer_user()
    if user is None:
        raise Problem(401, "unauthorized", "a valid bearer token is required")
    if role == "admin" and user.role != "admin":
        raise Problem(403, "forbidden", "this needs an admin")
    g.user = user
    return user


def get_or_404(model, key: str, what: str):
    """The row with primary key ``key`` or a 404 problem (also for malformed ids)."""
    try:
        row = model.get_or_none(model.id == key)
    except ValueError:
        row = None
    if row is None:
        raise Problem(404, "not_found", f"no {what} {key}")
    return row
