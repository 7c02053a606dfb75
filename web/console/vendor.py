"""three.js for the model preview, served by the box from ``node_modules/three``
(installed from the npm registry, pinned by package-lock.json; no CDN).

URLs carry the version (``/console/vendor/three@0.187.0/...``) and are cached as
immutable."""

from __future__ import annotations

import json
from pathlib import Path

from flask import abort, current_app, send_from_directory

from web.console.base import bp

SERVED = ("build/", "examples/jsm/")


def three_dir() -> Path:
    return current_app.config["FLOORCAST_NODE_MODULES"] / "three"


def three_version() -> str | None:
    cache = current_app.extensions.setdefault("floorcast.console", {})
    if "three" not in cache:
        try:
            cache["three"] = json.loads((three_dir() / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            cache["three"] = None
    return cache["three"]


def import_map() -> str | None:
    """The page's import map, or None when three.js is not installed."""
    version = three_version()
    if version is None:
        return None
    prefix = f"/console/vendor/three@{version}/"
    return json.dumps(
        {"imports": {"three": prefix + "build/three.module.js", "three/addons/": prefix + "examples/jsm/"}}
    )


@bp.get("/vendor/three@<version>/<path:filename>")
def vendor(version: str, filename: str):
    if version != three_version() or not filename.startswith(SERVED) or not filename.endswith(".js"):
        abort(404)
    response = send_from_directory(three_dir(), filename, mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
