"""The watchdog: takes back jobs whose worker vanished, re-sends queue messages a
crash may have lost, publishes succeeded jobs whose publication went missing, and
once an hour deletes unfinished uploads past ``[uploads] stale_hours``.

Runs in every ``serve`` and ``worker`` process; every action is a guarded
transition, so several watchdogs on several boxes do not conflict.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from core.data.db import utcnow
from core.data.models import Job
from core.jobs import states
from core.jobs.publish_pending import publish_for_job, unpublished_jobs
from core.jobs.queue import enqueue
from core.jobs.resumable import cleanup_stale

log = logging.getLogger("floorcast.watchdog")


def _owner_is_dead(owner: str | None) -> bool:
    """A lease owner on this host whose process is gone is dead now, not at lease expiry."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def take_back_lost_jobs(appliance) -> int:
    now = utcnow()
    max_attempts = int(appliance.settings["jobs"]["max_attempts"])
    taken = 0
    for job in Job.select().where(Job.status == states.RUNNING):
        expired = job.lease_expires_at is None or job.lease_expires_at < now
        if not (expired or _owner_is_dead(job.lease_owner)):
            continue
        if job.attempts >= max_attempts:
            done = states.fail_lost(job.id, job.lease_owner, stage=job.stage, attempts=job.attempts)
        else:
            done = states.requeue(job.id, job.lease_owner)
            if done:
                enqueue(appliance, job.id)
        if done:
            taken += 1
            log.warning("took back job %s from %s (attempt %d)", job.id, job.lease_owner, job.attempts)
    return taken


def resend_queued(appliance, older_than_seconds: float) -> int:
    """Queue messages for queued jobs, in case a crash lost theirs (duplicates are harmless)."""
    cutoff = utcnow().timestamp() - older_than_seconds
    count = 0
    for job in Job.select(Job.id, Job.enqueued_at).where(Job.status == states.QUEUED):
        if job.enqueued_at.timestamp() <= cutoff:
            if states.mark_resent(job.id):
                enqueue(appliance, job.id)
                count += 1
    return count


def publish_missing(appliance) -> int:
    count = 0
    for job in unpublished_jobs():
        if publish_for_job(appliance, job) is not None:
            count += 1
    return count


UPLOAD_CLEANUP_SECONDS = 3600


def clean_uploads(appliance, *, startup: bool) -> int:
    """Stale partial uploads, at start-up and then hourly (a directory scan each time)."""
    last = appliance.chores_ran_at.get("clean_uploads")
    if not startup and last is not None and time.monotonic() - last < UPLOAD_CLEANUP_SECONDS:
        return 0
    appliance.chores_ran_at["clean_uploads"] = time.monotonic()
    return cleanup_stale(appliance.settings)


def sweep(appliance, *, startup: bool = False) -> dict:
    """One pass; at startup also re-sends the queue messages of all queued jobs."""
    result = {
        "taken_back": take_back_lost_jobs(appliance),
        "published": publish_missing(appliance),
        "resent": resend_queued(appliance, 0 if startup else 3600),
        "stale_uploads": clean_uploads(appliance, startup=startup),
    }
    if any(result.values()):
        log.info("watchdog: %s", result)
    return result
