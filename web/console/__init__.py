"""The web console at ``/console``: server-rendered pages with small ES modules.

:func:`install` adds it to the app: session cookies, CSRF protection, translations
(:mod:`web.i18n`), the login rate limit, the pages, the live feed (``/console/ws``)
and three.js for the preview.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from pathlib import Path

from flask import Flask, redirect
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from core.config import Settings
from web.i18n import install as install_translations

log = logging.getLogger("floorcast.console")


def install(app: Flask, settings: Settings, limiter: Limiter, node_modules: Path) -> None:
    from web.console import admin, auth, feed, kiosks, pages, vendor  # noqa: F401  (routes)
    from web.console.base import bp

    if not app.secret_key:
        log.warning("no [server] secret_key: console sessions end when the process restarts")
        app.secret_key = secrets.token_urlsafe(32)
    app.config.update(
        SESSION_COOKIE_NAME="floorcast_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=str(settings["server"]["public_url"]).lower().startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=float(settings["console"]["session_hours"])),
        # The console checks CSRF itself (web.console.base, web.context): the API's
        # bearer requests and the kiosks' endpoints must not need a token.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session: pages stay open all day
        WTF_CSRF_SSL_STRICT=False,  # behind a TLS proxy the Referer check adds nothing over SameSite
        FLOORCAST_NODE_MODULES=node_modules,
    )
    CSRFProtect(app)
    install_translations(app)
    app.register_blueprint(bp)
    feed.attach(app)
    app.view_functions["console.login"] = limiter.limit(
        settings["console"]["login_rate"],  # failed sign-ins only: successes are free
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=lambda response: response.status_code != 303,
    )(app.view_functions["console.login"])

    @app.get("/")
    def root():
        return redirect("/console/", code=302)
