"""The kiosk fleet page: status, pairing, rename, move, revoke (commands go through
the API from the page's script)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.data.models import Channel
from core.errors import fix_for
from core.kiosks.fleet import KioskError, list_kiosks, revoke, update_kiosk
from core.kiosks.pairing import approve
from web.console.base import admin_required, bp
from web.console.pages import channel_summary
from web.context import appliance


@bp.get("/kiosks")
def kiosks():
    current = {c["name"]: c["version"] for c in channel_summary()}
    return render_template(
        "console/kiosks.html",
        kiosks=list_kiosks(),
        current=current,
        channels=[c.name for c in Channel.select().order_by(Channel.name)],
    )


def _kiosk_error(exc: KioskError) -> None:
    fix = fix_for(exc.code)  # the catalogue's English: translated here, where it is shown
    flash(_(fix) if fix else exc.message, "error")


@bp.post("/kiosks/pair")
@admin_required
def kiosk_pair():
    try:
        kiosk = approve(
            request.form.get("code", ""),
            request.form.get("channel", "").strip(),
            request.form.get("name", "").strip() or None,
            user=g.user,
        )
    except KioskError as exc:
        _kiosk_error(exc)
    else:
        flash(_("Kiosk %(name)s paired to channel %(channel)s.", name=kiosk.name, channel=kiosk.channel.name), "ok")
    return redirect(url_for("console.kiosks"), code=303)


@bp.post("/kiosks/<kiosk_id>")
@admin_required
def kiosk_update(kiosk_id: str):
    try:
        if request.form.get("action") == "revoke":
            kiosk = revoke(kiosk_id, bus=appliance().bus, user=g.user)
            flash(_("Kiosk %(name)s revoked.", name=kiosk.name), "ok")
        else:
            kiosk = update_kiosk(
                kiosk_id,
                name=request.form.get("name") or None,
                channel=request.form.get("channel") or None,
                bus=appliance().bus,
                user=g.user,
            )
            flash(_("Kiosk %(name)s saved.", name=kiosk.name), "ok")
    except KioskError as exc:
        _kiosk_error(exc)
    return redirect(url_for("console.kiosks"), code=303)
