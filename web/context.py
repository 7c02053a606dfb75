"""Access to the appliance and the signed-in principal from request code, and
jobs and assets as this appliance shows them (its ``links``)."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_wtf.csrf import CSRFError

from core.accounts.auth import user_for_token
from core.appliance import Appliance
from core.data.models import Asset, Job, User
from core.jobs import serializers
from web.problems import Problem


def appliance() -> Appliance:
    return current_app.extensions["floorcast"]


def job_view(job: Job) -> dict:
    """A job as the API shows it (:func:`core.jobs.serializers.job_view`)."""
    return serializers.job_view(job, appliance().links)


def asset_view(asset: Asset | None) -> dict | None:
    """An asset as the API shows it (:func:`core.jobs.serializers.asset_view`)."""
    return serializers.asset_view(asset, appliance().links)


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return user_for_token(header[7:].strip())
    return None


def session_user() -> User | None:
    """The console user of this request's session cookie, if it is still valid: the
    user is active and the session's version matches (a password change, a disable
    or a role change bumps it)."""
    uid = session.get("uid")
    if not uid:
        return None
    try:
        user = User.get_or_none(User.id == uid)
    except ValueError:
        user = None
    if user is None or not user.is_active or session.get("sv") != user.session_version:
        session.clear()
        return None
    return user


def require_user(role: str | None = None) -> User:
    """The caller's user (bearer token, or the console's session cookie), or 401/403
    as problem+json. Cookie-authenticated changes must carry the CSRF token; bearer
    requests cannot be forged by another site and need none."""
    user = getattr(g, "user", None) or bearer_user()
    if user is None and "Authorization" not in request.headers:
        user = session_user()
        if user is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                current_app.extensions["csrf"].protect()
            except CSRFError as exc:
                raise Problem(403, "csrf_failed", f"{exc.description}: send the X-CSRFToken header") from exc
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
