"""The console blueprint, who may see what, and CSRF on every change.

Pages need a signed-in user (session cookie, see :func:`web.context.session_user`);
admin pages answer 403 to staff. Every POST to the console carries the CSRF token
(a hidden ``csrf_token`` field, or the ``X-CSRFToken`` header from scripts) and is
refused with 403 without it.
"""

from __future__ import annotations

import functools
import json

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf

from web.console.i18n import js_messages
from web.context import session_user

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

#: endpoints reachable without signing in
PUBLIC = {"console.login", "console.static", "console.vendor", "console.language"}


@bp.before_request
def guard():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        current_app.extensions["csrf"].protect()
    if request.endpoint in PUBLIC:
        return None
    g.user = session_user()
    if g.user is None:
        if request.endpoint == "console.feed":
            abort(401)
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    return None


def row_or_404(model, key):
    """The ``model`` row whose id is ``key``; 404 when there is none or ``key`` is
    not an id at all (not a UUID)."""
    try:
        row = model.get_or_none(model.id == key)
    except ValueError:
        row = None
    if row is None:
        abort(404)
    return row


def admin_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@bp.app_context_processor
def console_context():
    if not request.blueprint == "console":
        return {}
    return {
        "lang": str(get_locale()),
        "csrf_token": generate_csrf,
        "current_user": getattr(g, "user", None),
        "js_messages": lambda: json.dumps(js_messages(), ensure_ascii=False),
    }


def _error_page(status: int, message: str):
    return render_template("console/error.html", status=status, message=message), status


@bp.errorhandler(CSRFError)
def csrf_refused(exc):
    return _error_page(403, _("The form expired or did not come from this console. Reload the page and try again."))


@bp.errorhandler(403)
def forbidden(_exc):
    return _error_page(403, _("Only administrators may open this page."))


@bp.errorhandler(404)
def not_found(_exc):
    return _error_page(404, _("There is nothing here."))


@bp.errorhandler(429)
def too_many(_exc):
    return _error_page(429, _("Too many attempts. Wait a minute and try again."))
