"""Channels and their publication history: publish, roll back, tell the kiosks.

The publication row and its event are written in one transaction; the fan-out to
connected kiosks happens after the commit, so a kiosk never hears of a
publication the database does not have. A job publishes at most once (unique
``publication.job``); publishing again for the same job returns the first one.
A person's publish or rollback is audited with the publication, in the same
transaction; a job's is not (its publication row names the job).
"""

from __future__ import annotations

import logging

from peewee import IntegrityError, fn

from core.accounts import audit
from core.data.models import Asset, Channel, Event, Job, Publication, User
from core.jobs.serializers import asset_tiles

log = logging.getLogger("floorcast.publishing")


def ensure_channel(name: str) -> Channel:
    """Channels come into being on first use."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("a channel name has 1 to 64 characters")
    channel = Channel.get_or_none(Channel.name == name)
    if channel is not None:
        return channel
    try:
        with Channel._meta.database.atomic():
            return Channel.create(name=name)
    except IntegrityError:  # created meanwhile by someone else
        return Channel.get(Channel.name == name)


def publication_message(pub: Publication) -> dict:
    """The ``publish`` event as stored. A model with tiles has ``tile_count`` here;
    what a kiosk receives (:meth:`core.kiosks.hub.KioskHub.publish_for`) has its own
    signed ``url`` and, for such a model, ``tiles``: its manifest's signed URL."""
    asset = pub.asset
    data = {
        "channel": pub.channel.name,
        "version": pub.version,
        "asset": str(asset.id),
        "sha256": asset.sha256,
        "size": asset.size,
    }
    tiles = asset_tiles(asset)
    if tiles:
        data["tile_count"] = int(tiles.get("count") or 0)
    return {"type": "publish", "id": pub.event_id, "data": data}


def publish(
    appliance,
    channel_name: str,
    asset: Asset,
    *,
    user: User | None = None,
    job: Job | None = None,
    note: str = "publish",
) -> Publication:
    """Publish ``asset`` as the channel's next version; ``user`` is who did it."""
    entry = ("channel.publish", {"asset": str(asset.id)}) if job is None else None
    return _publish(appliance, channel_name, asset, user=user, job=job, note=note, audit_entry=entry)


def _publish(
    appliance,
    channel_name: str,
    asset: Asset,
    *,
    user: User | None,
    job: Job | None,
    note: str,
    audit_entry: tuple[str, dict] | None,
) -> Publication:
    db = Publication._meta.database
    channel = ensure_channel(channel_name)
    if job is not None:
        existing = Publication.get_or_none(Publication.job == job)
        if existing is not None:
            return existing
    for _attempt in range(8):
        try:
            with db.atomic():
                version = (
                    Publication.select(fn.MAX(Publication.version)).where(Publication.channel == channel).scalar() or 0
                ) + 1
                pub = Publication.create(
                    channel=channel, version=version, asset=asset, job=job, published_by=user, note=note
                )
                event = Event.create(type="publish", channel=channel.name, data={})
                pub.event = event
                pub.save()
                message = publication_message(pub)
                Event.update(data=message["data"]).where(Event.id == event.id).execute()
                if audit_entry is not None:
                    action, data = audit_entry
                    audit.record(user, action, channel.name, version=version, **data)
            break
        except IntegrityError:
            if job is not None:
                existing = Publication.get_or_none(Publication.job == job)
                if existing is not None:
                    return existing
            continue  # lost a race for the version number: try the next one
    else:
        raise RuntimeError(f"could not publish to {channel_name}: too much contention")
    delivered = appliance.bus.publish(f"channel:{channel.name}", message)
    log.info("published %s v%d (asset %s) to %d listener(s)", channel.name, pub.version, asset.id, delivered)
    return pub


def latest_publication(channel: Channel | str) -> Publication | None:
    query = Publication.select(Publication, Asset).join(Asset)
    if isinstance(channel, str):
        query = query.switch(Publication).join(Channel).where(Channel.name == channel)
    else:
        query = query.where(Publication.channel == channel)
    return query.order_by(Publication.version.desc()).first()


def rollback(appliance, channel_name: str, version: int, *, user: User | None = None) -> Publication:
    """Publish again the asset of an earlier version (a new version: history is kept)."""
    old = Publication.select().join(Channel).where(Channel.name == channel_name, Publication.version == version).first()
    if old is None:
        raise LookupError(f"channel {channel_name!r} has no version {version}")
    entry = ("channel.rollback", {"to_version": version})
    return _publish(
        appliance, channel_name, old.asset, user=user, job=None, note=f"rollback to v{version}", audit_entry=entry
    )
