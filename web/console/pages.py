"""Everyday pages: dashboard, upload, jobs, the model preview, channels."""

from __future__ import annotations

import shutil

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from peewee import fn

from core.channels.publishing import publish, rollback
from core.convert.scene import CATEGORIES
from core.data.models import Asset, Channel, Job, Kiosk, Plan, Publication
from core.errors import FIXES  # what to do about each code, shown under a failed job's message
from core.jobs.options import option_table
from core.jobs.progress import STAGE_SPANS
from core.jobs.resumable import stale_after
from core.jobs.serializers import asset_tiles
from web.console.base import bp, row_or_404
from web.context import appliance, job_view
from web.links import preview_path, tiles_path

STAGES = tuple(STAGE_SPANS)
UNITS = ("mm", "cm", "m", "in", "ft")
#: options the upload form has fields of its own for; the rest come from each format's declaration
FORM_FIELDS = {"format", "units", "level", "layers"}


def channel_summary() -> list[dict]:
    """Each channel with its current version and its kiosks online / offline."""
    latest = dict(
        Publication.select(Publication.channel, fn.MAX(Publication.version)).group_by(Publication.channel).tuples()
    )
    out = []
    for channel in Channel.select().order_by(Channel.name):
        kiosks = list(Kiosk.select().where(Kiosk.channel == channel, Kiosk.revoked_at.is_null()))
        online = sum(1 for k in kiosks if k.online)
        current = latest.get(channel.id)
        out.append(
            {
                "name": channel.name,
                "version": current,
                "online": online,
                "offline": len(kiosks) - online,
                "showing_current": sum(1 for k in kiosks if current is not None and k.shown_version == current),
            }
        )
    return out


def storage_summary() -> dict:
    """Bytes of stored plans and models (each blob once) and the data disk's free space."""
    plans = Plan.select(Plan.sha256, Plan.size).distinct().tuples()
    assets = Asset.select(Asset.sha256, Asset.size).distinct().tuples()
    blobs = dict(plans)
    blobs.update(dict(assets))
    settings = appliance().settings
    try:
        disk = shutil.disk_usage(settings.data_dir)
        free, total = disk.free, disk.total
    except OSError:
        free = total = None
    return {
        "used": sum(blobs.values()),
        "plans": Plan.select().count(),
        "models": Asset.select().count(),
        "free": free,
        "total": total,
    }


@bp.get("/")
def dashboard():
    jobs = Job.select().order_by(Job.created_at.desc()).limit(10)
    queue = {
        "queued": Job.select().where(Job.status == "queued").count(),
        "running": Job.select().where(Job.status == "running").count(),
    }
    return render_template(
        "console/dashboard.html",
        jobs=[job_view(j) for j in jobs],
        channels=channel_summary(),
        storage=storage_summary(),
        queue=queue,
    )


@bp.get("/upload")
def upload():
    formats = sorted({spec.name for spec in appliance().plugins.formats()})
    channels = [c.name for c in Channel.select().order_by(Channel.name)]
    return render_template(
        "console/upload.html",
        formats=formats,
        format_options=[
            dict(table, options=[o for o in table["options"] if o["name"] not in FORM_FIELDS])
            for table in option_table(appliance().plugins.formats(), appliance().settings)
            if table["name"]
        ],
        units=UNITS,
        categories=CATEGORIES,
        channels=channels,
        max_bytes=int(appliance().settings["uploads"]["max_bytes"]),
        stale_hours=round(stale_after(appliance().settings).total_seconds() / 3600),
    )


@bp.get("/jobs")
def jobs():
    rows = Job.select().order_by(Job.created_at.desc()).limit(100)
    return render_template("console/jobs.html", jobs=[job_view(j) for j in rows], stages=STAGES)


@bp.get("/jobs/<job_id>")
def job(job_id: str):
    row = row_or_404(Job, job_id)
    view = job_view(row)
    fix = FIXES.get(view["error"]["code"]) if view["error"] else None
    report = row.report or ((row.error_detail or {}).get("report") if isinstance(row.error_detail, dict) else None)
    return render_template(
        "console/job.html",
        job=view,
        report=report or {},
        fix=fix,
        stages=STAGES,
        spans=STAGE_SPANS,
        stats=(row.asset.stats if row.asset_id else None) or {},
    )


@bp.get("/models/<asset_id>")
def model(asset_id: str):
    asset = row_or_404(Asset, asset_id)
    job_row = Job.select().where(Job.asset == asset).order_by(Job.created_at.desc()).first()
    pubs = (
        Publication.select(Publication, Channel)
        .join(Channel)
        .where(Publication.asset == asset)
        .order_by(Publication.created_at.desc())
    )
    from web.console import vendor

    return render_template(
        "console/model.html",
        asset=asset,
        stats=asset.stats or {},
        tiles_url=tiles_path(asset.id) if asset_tiles(asset) else None,
        preview_url=preview_path(asset.id) if asset.preview_key else None,
        job=job_view(job_row) if job_row else None,
        publications=list(pubs),
        channels=[c.name for c in Channel.select().order_by(Channel.name)],
        categories=CATEGORIES,
        import_map=vendor.import_map(),
    )


@bp.post("/models/<asset_id>/publish")
def model_publish(asset_id: str):
    """The publish form without its script (still loading, or blocked): a plain post."""
    asset = row_or_404(Asset, asset_id)
    channel = request.form.get("channel", "").strip()
    try:
        pub = publish(appliance(), channel, asset, user=g.user)
    except ValueError as exc:
        flash(_("Could not publish") + f": {exc}", "error")
    else:
        published, to = _("Published"), _("to")  # the words the page's script shows for the same event
        flash(f"{published} v{pub.version} {to} {pub.channel.name}", "ok")
    return redirect(url_for("console.model", asset_id=asset_id), code=303)


@bp.get("/channels")
def channels():
    history = {}
    for channel in Channel.select().order_by(Channel.name):
        history[channel.name] = list(
            channel.publications.select(Publication, Asset).join(Asset).order_by(Publication.version.desc()).limit(50)
        )
    return render_template("console/channels.html", channels=channel_summary(), history=history)


@bp.post("/channels/<name>/rollback")
def channel_rollback(name: str):
    try:
        version = int(request.form.get("version", ""))
        pub = rollback(appliance(), name, version, user=g.user)
    except (ValueError, LookupError):
        flash(_("That version does not exist."), "error")
    else:
        flash(
            _("Rolled back: version %(version)s is live again as version %(new)s.", version=version, new=pub.version),
            "ok",
        )
    return redirect(url_for("console.channels") + f"#channel-{name}", code=303)
