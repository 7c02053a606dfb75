"""Users, API tokens, plugins, settings and the audit log."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.accounts import audit
from core.accounts.auth import create_api_token, create_user, revoke_api_token, set_password, update_user
from core.config import SETTINGS
from core.data.models import ApiToken, AuditEntry, User
from web.console.base import admin_required, bp, row_or_404
from web.context import appliance

AUDIT_PAGE = 100


def _other_active_admins(user: User) -> int:
    return User.select().where(User.role == "admin", User.is_active == True, User.id != user.id).count()  # noqa: E712


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        role = request.form.get("role", "staff")
        if not email or "@" not in email:
            flash(_("Enter an email address."), "error")
        elif User.select().where(User.email == email).exists():
            flash(_("A user with this email already exists."), "error")
        else:
            try:
                user = create_user(email, request.form.get("password", ""), role)
            except ValueError:
                flash(_("A password needs at least 8 characters."), "error")
            else:
                audit.record(g.user, "user.create", str(user.id), email=user.email, role=user.role)
                flash(_("User %(email)s created.", email=user.email), "ok")
                return redirect(url_for("console.users"), code=303)
    return render_template("console/users.html", users=list(User.select().order_by(User.email)))


@bp.post("/users/<user_id>")
@admin_required
def user_update(user_id: str):
    user = row_or_404(User, user_id)
    action = request.form.get("action")
    if action in ("disable", "make_staff") and _other_active_admins(user) == 0 and user.role == "admin":
        flash(_("This is the last active administrator: make another one first."), "error")
    elif action == "password":
        try:
            set_password(user, request.form.get("password", ""))
        except ValueError:
            flash(_("A password needs at least 8 characters."), "error")
        else:
            audit.record(g.user, "user.password", str(user.id), email=user.email)
            flash(_("Password set; %(email)s's sessions are signed out.", email=user.email), "ok")
    elif action in ("disable", "enable", "make_admin", "make_staff"):
        changes = {
            "disable": {"is_active": False},
            "enable": {"is_active": True},
            "make_admin": {"role": "admin"},
            "make_staff": {"role": "staff"},
        }[action]
        update_user(user, **changes)
        audit.record(g.user, f"user.{action}", str(user.id), email=user.email)
        flash(_("%(email)s updated.", email=user.email), "ok")
    else:
        abort(400)
    return redirect(url_for("console.users"), code=303)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens():
    new_token = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:100]
        new_token = create_api_token(g.user, name)
        audit.record(g.user, "token.create", name)
        flash(_("Token created. Copy it now: it is not shown again."), "ok")
    rows = ApiToken.select().where(ApiToken.user == g.user).order_by(ApiToken.created_at.desc())
    response = render_template("console/tokens.html", tokens=list(rows), new_token=new_token)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/tokens/<token_id>/revoke")
def token_revoke(token_id: str):
    try:
        revoked = revoke_api_token(g.user, token_id)
    except ValueError:
        revoked = False
    if revoked:
        audit.record(g.user, "token.revoke", token_id)
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
