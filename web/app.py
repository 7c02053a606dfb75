"""The Flask application factory: ``create_app(settings)`` builds everything."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, send_from_directory

from core.appliance import Appliance, create_appliance
from core.config import Settings
from core.kiosks.hub import KioskHub
from web.problems import ProblemApi, install_problems, problem_response
from web.ratelimit import install_rate_limits
from web.spooled_request import SpooledRequest

log = logging.getLogger("floorcast.web")

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"


def create_app(settings: Settings, appliance: Appliance | None = None) -> Flask:
    appliance = appliance or create_appliance(settings)
    app = Flask(__name__)
    app.request_class = SpooledRequest
    app.config.update(
        SECRET_KEY=settings["server"]["secret_key"] or None,
        # Room for the multipart envelope around a file of the largest allowed size.
        MAX_CONTENT_LENGTH=settings["uploads"]["max_bytes"] + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        API_TITLE="Floorcast",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/static/",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    app.extensions["floorcast"] = appliance
    hub = KioskHub(appliance)
    app.extensions["floorcast.hub"] = hub

    api = ProblemApi(app)
    install_problems(app)
    from web.api import assets, channels, jobs, kiosk_device, kiosks, pairings, plans, resumable_uploads

    for module in (plans, resumable_uploads, jobs, assets, channels, kiosks, pairings, kiosk_device):
        api.register_blueprint(module.blp)
    limiter = install_rate_limits(app, settings)

    from web import health
    from web.kiosk import page as kiosk_page

    app.register_blueprint(health.bp)
    app.register_blueprint(kiosk_page.create_blueprint(NODE_MODULES))

    from web import console

    console.install(app, settings, limiter, NODE_MODULES)

    @app.route("/api/docs/static/<path:filename>")
    def swagger_static(filename: str):
        return send_from_directory(NODE_MODULES / "swagger-ui-dist", filename)

    @app.errorhandler(413)
    def too_large(_error):
        limit = settings["uploads"]["max_bytes"]
        return problem_response(413, "too_large", f"the upload is larger than the limit of {limit} bytes")

    @app.errorhandler(404)
    def not_found(_error):
        return problem_response(404, "not_found", "no such resource")

    @app.teardown_appcontext
    def close_db(_exc):
        # Each request runs in its own greenlet, hence its own connection: give it back.
        if not appliance.db.is_closed():
            appliance.db.close()

    for spec in appliance.plugins.transports():
        try:
            spec.attach(app, hub)
        except Exception as exc:  # a broken transport plugin must not take the app down
            log.error("kiosk transport %s failed to attach: %s", spec.name, exc)
    return app
