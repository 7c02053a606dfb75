"""Users, API tokens, plugins, settings and the audit log."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.accounts import audit
from core.accounts.auth import create_api_token, revoke_api_token
from core.accounts.users import AccountError, create_user, set_disabled, set_password, set_role
from core.config import SETTINGS
from core.data.models import ApiToken, AuditEntry, User
from web.console.account_messages import account_error_text
from web.console.base import admin_required, bp, row_or_404
from web.context import appliance

AUDIT_PAGE = 100

#: the user page's buttons and the account change each one makes
USER_ACTIONS = {
    "disable": lambda user, by: set_disabled(user, True, by=by),
    "enable": lambda user, by: set_disabled(user, False, by=by),
    "make_admin": lambda user, by: set_role(user, "admin", by=by),
    "make_staff": lambda user, by: set_role(user, "staff", by=by),
}


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    if request.method == "POST":
        form = request.form
        try:
            user = create_user(form.get("email", ""), form.get("password", ""), form.get("role", "staff"), by=g.user)
        except AccountError as exc:
            flash(account_error_text(exc), "error")
        else:
            flash(_("User %(email)s created.", email=user.email), "ok")
            return redirect(url_for("console.users"), code=303)
    return render_template("console/users.html", users=list(User.select().order_by(User.email)))


@bp.post("/users/<user_id>")
@admin_required
def user_update(user_id: str):
    user = row_or_404(User, user_id)
    action = request.form.get("action")
    if action != "password" and action not in USER_ACTIONS:
        abort(400)
    try:
        if action == "password":
            set_password(user, request.form.get("password", ""), by=g.user)
            flash(_("Password set; %(email)s's sessions are signed out.", email=user.email), "ok")
        else:
            USER_ACTIONS[action](user, g.user)
            flash(_("%(email)s updated.", email=user.email), "ok")
    except AccountError as exc:
        flash(account_error_text(exc), "error")
    return redirect(url_for("console.users"), code=303)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    new_token = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:100]
        new_token = create_api_token(g.user, name, by=g.user)
        flash(_("Token created. Copy it now: it is not shown again."), "ok")
    rows = ApiToken.select().where(ApiToken.user == g.user).order_by(ApiToken.created_at.desc())
    response = render_template("console/tokens.html", tokens=list(rows), new_token=new_token)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<token_id>/revoke")
def token_revoke(token_id: str):
    if revoke_api_token(g.user, token_id, by=g.user):
        flash(_("Token revoked."), "ok")
    return redirect(url_for("console.tokens"), code=303)


@bp.get("/plugins")
def plugins():
    manager = appliance().plugins
    formats = {spec.name: spec for spec in manager.formats()}
    return render_template(
        "console/plugins.html", plugins=manager.infos, safe_mode=manager.safe_mode, formats=formats.values()
    )


@bp.get("/settings")
@admin_required
def settings():
    effective = appliance().settings.as_dict(mask_secrets=True)
    rows = [(s, effective[s.section][s.key]) for s in SETTINGS]
    return render_template("console/settings.html", rows=rows, source=appliance().settings.source)


@bp.get("/audit")
@admin_required
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    entries = audit.recent(AUDIT_PAGE + 1, (page - 1) * AUDIT_PAGE, request.args.get("action", ""))
    return render_template(
        "console/audit.html",
        entries=entries[:AUDIT_PAGE],
        page=page,
        more=len(entries) > AUDIT_PAGE,
        action=request.args.get("action", ""),
        total=AuditEntry.select().count(),
    )
