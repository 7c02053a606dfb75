"""Signing in and out, the language switch, and the user's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from core.accounts import audit
from core.accounts.auth import authenticate, check_password
from core.accounts.users import AccountError, set_password
from core.data.models import User
from web.console.account_messages import account_error_text
from web.console.base import bp
from web.i18n import LANGUAGES


def start_session(user: User) -> None:
    session.clear()
    session.permanent = True
    session["uid"] = str(user.id)
    session["sv"] = user.session_version


def _safe_next(target: str | None) -> str:
    """Only paths inside the console: never an open redirect."""
    if target and target.startswith("/console") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("console.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        email = request.form.get("email", "")
        user = authenticate(email, request.form.get("password", ""))
        if user is not None:
            start_session(user)
            audit.record(user, "session.login", str(user.id))
            return redirect(_safe_next(request.form.get("next")), code=303)
        error = _("Wrong email or password.")
    return render_template("console/login.html", error=error, next=request.values.get("next", "")), (
        401 if error else 200
    )


@bp.post("/logout")
def logout():
    audit.record(g.user, "session.logout", str(g.user.id))
    session.clear()
    return redirect(url_for("console.login"), code=303)


@bp.get("/language/<code>")
def language(code: str):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")), code=303)


@bp.route("/account", methods=["GET", "POST"])
def account():
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new, confirm = request.form.get("new_password", ""), request.form.get("confirm_password", "")
        if not check_password(g.user, current):
            flash(_("The current password is wrong."), "error")
        elif new != confirm:
            flash(_("The new passwords do not match."), "error")
        else:
            try:
                set_password(g.user, new, by=g.user)
            except AccountError as exc:
                flash(account_error_text(exc), "error")
            else:
                # Every other session of this user ends; this one carries on.
                start_session(User.get_by_id(g.user.id))
                flash(_("Password changed. Your other sessions are signed out."), "ok")
                return redirect(url_for("console.account"), code=303)
    return render_template("console/account.html")
