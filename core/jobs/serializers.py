"""Jobs and assets as the API, the event feed and notification plugins see them.

URLs come from the caller's :class:`~core.plugins.links.AssetLinks`
(``appliance.links``): where assets are served is the web layer's to say."""

from __future__ import annotations

from core.data.db import iso
from core.data.models import Asset, Job
from core.plugins.links import AssetLinks


def asset_tiles(asset: Asset) -> dict | None:
    """What a job stored of a big model's tiles (``{"manifest": <blob key>, "count",
    "bytes"}``, see :mod:`core.gltf.tiles`), or None for a model served whole only."""
    tiles = (asset.stats or {}).get("tiles")
    return tiles if isinstance(tiles, dict) and tiles.get("manifest") else None


def asset_view(asset: Asset | None, links: AssetLinks) -> dict | None:
    """An asset as the API shows it; ``tiles`` is the URL of its tile manifest when
    the model is big enough to have tiles, else null; ``preview`` the URL of the
    plan's PNG top view, null when none was drawn."""
    if asset is None:
        return None
    return {
        "id": str(asset.id),
        "sha256": asset.sha256,
        "size": asset.size,
        "url": links.content(asset.id),
        "tiles": links.tiles(asset.id) if asset_tiles(asset) else None,
        "preview": links.preview(asset.id) if asset.preview_key else None,
        "format": asset.format,
        "converter_version": asset.converter_version,
        "created_at": iso(asset.created_at),
    }


def job_view(job: Job, links: AssetLinks) -> dict:
    error = None
    if job.error_code:
        error = {"code": job.error_code, "stage": job.error_stage, "message": job.error_message}
        if job.error_detail:
            error["detail"] = job.error_detail
    return {
        "id": str(job.id),
        "status": job.status,
        "stage": job.stage,
        "progress": round(job.progress, 4),
        "eta_seconds": None if job.eta_seconds is None else round(job.eta_seconds, 1),
        "error": error,
        "asset": asset_view(job.asset, links) if job.asset_id else None,
        "plan": {
            "id": str(job.plan_id),
            "filename": job.plan.filename,
            "sha256": job.plan.sha256,
            "size": job.plan.size,
        },
        "channel": job.channel,
        "options": job.options,
        "format": job.format,
        "converter_version": job.converter_version,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }
