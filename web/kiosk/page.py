"""The kiosk page: ``/kiosk`` (the shell), its service worker, its ES modules and
three.js, all served by the box itself (no CDN).

Module URLs carry versions: ``/kiosk/static/<shell version>/...`` (a hash of the
page's own files) and ``/kiosk/vendor/three@<three version>/...``. They are cached
as immutable; ``/kiosk`` and ``/kiosk/sw.js`` are always revalidated, so a new
release is picked up at the kiosk's next load and a stale module never mixes in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, send_from_directory
from flask_babel import get_locale

from web.i18n import install as install_translations
from web.kiosk.i18n import page_messages

STATIC = Path(__file__).resolve().parent / "static"
SERVICE_WORKER = "sw.js"
# The three.js modules the kiosk imports, with everything they import in turn.
THREE_MODULES = (
    "build/three.module.js",
    "build/three.core.js",
    "examples/jsm/loaders/GLTFLoader.js",
    "examples/jsm/utils/BufferGeometryUtils.js",
    "examples/jsm/utils/SkeletonUtils.js",
    "examples/jsm/controls/OrbitControls.js",
    "examples/jsm/renderers/CSS2DRenderer.js",
)
THREE_SERVED = ("build/", "examples/jsm/")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
MISSING_THREE = (
    "The kiosk page needs three.js, which is not installed on this box "
    "(node_modules/three is missing). Run ./installer/install.sh to install it."
)


@dataclass(frozen=True)
class Shell:
    """What the page is made of and the versions its URLs carry."""

    version: str
    files: tuple[str, ...]  # the page's own modules and styles, relative to STATIC
    three_dir: Path
    three_version: str | None  # None: three.js is not installed

    @property
    def static_prefix(self) -> str:
        return f"/kiosk/static/{self.version}/"

    @property
    def vendor_prefix(self) -> str:
        return f"/kiosk/vendor/three@{self.three_version}/"

    def import_map(self) -> dict:
        return {
            "imports": {
                "three": self.vendor_prefix + "build/three.module.js",
                "three/addons/": self.vendor_prefix + "examples/jsm/",
            }
        }

    def precache(self) -> list[str]:
        """Every URL the page needs to start without the network."""
        own = [self.static_prefix + name for name in self.files]
        return ["/kiosk", *own, *(self.vendor_prefix + name for name in THREE_MODULES)]


def load_shell(node_modules: Path) -> Shell:
    """Read the page's files and three's version; the shell version hashes both."""
    three_dir = node_modules / "three"
    try:
        three_version = json.loads((three_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        three_version = None
    files = tuple(
        sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file() and p.name != SERVICE_WORKER)
    )
    digest = hashlib.sha256(f"three {three_version}\n".encode())
    templates = Path(__file__).resolve().parent / "templates"
    for path in [*(STATIC / f for f in files), STATIC / SERVICE_WORKER, *sorted(templates.rglob("*.html"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return Shell(digest.hexdigest()[:12], files, three_dir, three_version)


def _unavailable() -> Response:
    body = (
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=60>"
        f"<title>Floorcast kiosk unavailable</title><p>{MISSING_THREE}</p>"
    )
    response = Response(body, status=503, mimetype="text/html")
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


def create_blueprint(node_modules: Path) -> Blueprint:
    """The ``/kiosk`` page's routes; three.js is served from ``node_modules``."""
    shell = load_shell(node_modules)
    bp = Blueprint("kiosk_page", __name__, template_folder="templates")
    bp.record_once(lambda state: install_translations(state.app))  # the page's words: the console's catalogues

    @bp.get("/kiosk")
    def page():
        if shell.three_version is None:
            return _unavailable()
        html = render_template(
            "kiosk/page.html",
            static=shell.static_prefix,
            import_map=json.dumps(shell.import_map()),
            version=shell.version,
            lang=str(get_locale()),
            messages=page_messages(),
        )
        response = Response(html, mimetype="text/html")
        response.headers["Cache-Control"] = REVALIDATE
        # The service worker keeps a copy of the page only when it belongs to its own
        # shell version (a newer page would name files the worker has not cached).
        response.headers["X-Floorcast-Shell"] = shell.version
        return response

    @bp.get("/kiosk/sw.js")
    def service_worker():
        if shell.three_version is None:
            return _unavailable()
        # The worker learns what to cache from constants put in front of its code;
        # a new shell version changes its bytes, which makes browsers install it.
        version, files = json.dumps(shell.version), json.dumps(shell.precache())
        constants = f"const SHELL_VERSION = {version};\nconst SHELL_FILES = {files};\n"
        response = Response(constants + (STATIC / SERVICE_WORKER).read_text(), mimetype="text/javascript")
        response.headers["Cache-Control"] = REVALIDATE
        # Registered from /kiosk/sw.js but controlling /kiosk itself (one level up).
        response.headers["Service-Worker-Allowed"] = "/kiosk"
        return response

    @bp.get("/kiosk/static/<version>/<path:filename>")
    def static(version: str, filename: str):
        if version != shell.version or filename not in shell.files:
            abort(404)  # an old version's file: the cached page still has it, the box does not
        response = send_from_directory(STATIC, filename)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    @bp.get("/kiosk/vendor/three@<version>/<path:filename>")
    def three(version: str, filename: str):
        if shell.three_version is None or version != shell.three_version or not filename.startswith(THREE_SERVED):
            abort(404)
        response = send_from_directory(shell.three_dir, filename)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    return bp
