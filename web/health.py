"""Liveness and readiness probes for load balancers and systemd."""

from __future__ import annotations

from flask import Blueprint, jsonify

from web.context import appliance

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = appliance().readiness()
    ok = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), (200 if ok else 503)
