"""Publishing a succeeded job to its channel, exactly once.

The job is marked succeeded first (so it reads succeeded before kiosks hear of
it), then published; if the process dies in between, the watchdog finds the
succeeded job without a publication and publishes it. ``publication.job`` is
unique, so a second attempt returns the first publication.
"""

from __future__ import annotations

import logging

from peewee import JOIN

from core.channels.publishing import publish
from core.data.models import Job, Publication

log = logging.getLogger("floorcast.jobs")


def publish_for_job(appliance, job: Job):
    if not job.channel or job.asset_id is None or job.status != "succeeded":
        return None
    try:
        return publish(appliance, job.channel, job.asset, user=job.created_by, job=job, note="job")
    except Exception:
        log.exception("job %s: publishing to %s failed; the watchdog retries", job.id, job.channel)
        return None


def unpublished_jobs(limit: int = 50):
    return (
        Job.select()
        .join(Publication, on=(Publication.job == Job.id), join_type=JOIN.LEFT_OUTER)
        .where(
            Job.status == "succeeded", Job.channel.is_null(False), Job.asset.is_null(False), Publication.id.is_null()
        )
        .limit(limit)
    )
