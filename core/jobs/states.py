"""Job states and the conditional transitions between them.

Every transition is one UPDATE guarded by the state (and, for a running job, the
lease owner) it starts from: whoever loses a race changes nothing, which is how a
job reaches exactly one final state even with duplicate queue messages, a
watchdog and a worker that comes back from the dead.

This module is the only writer of a job's row once it exists (a test greps the
tree for others). Cancel and retry are people's acts: their audit entry is
written with the transition, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from core.accounts import audit
from core.data.db import utcnow
from core.data.models import Job, User

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
FINAL = (SUCCEEDED, FAILED, CANCELLED)


def new_lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim(job_id, owner: str, lease_seconds: int) -> bool:
    """queued -> running for this owner."""
    now = utcnow()
    return bool(
        Job.update(
            status=RUNNING,
            lease_owner=owner,
            lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            started_at=now,
            error_code=None,
            error_stage=None,
            error_message=None,
            error_detail=None,
        )
        .where(Job.id == job_id, Job.status == QUEUED)
        .execute()
    )


def renew(job_id, owner: str, lease_seconds: int) -> bool:
    """Extend the lease; False when the job is no longer ours (cancelled, taken back)."""
    return bool(
        Job.update(lease_expires_at=utcnow() + dt.timedelta(seconds=lease_seconds))
        .where(Job.id == job_id, Job.status == RUNNING, Job.lease_owner == owner)
        .execute()
    )


def update_running(job_id, owner: str, **fields) -> bool:
    return bool(Job.update(**fields).where(Job.id == job_id, Job.status == RUNNING, Job.lease_owner == owner).execute())


def finish(job_id, owner: str, status: str, **fields) -> bool:
    """running (ours) -> a final state; False if someone else owns the job now."""
    assert status in FINAL
    return bool(
        Job.update(status=status, finished_at=utcnow(), lease_owner=None, lease_expires_at=None, **fields)
        .where(Job.id == job_id, Job.status == RUNNING, Job.lease_owner == owner)
        .execute()
    )


def requeue(job_id, owner: str | None) -> bool:
    """running -> queued (a transient failure, or a lease the watchdog took back)."""
    query = Job.update(status=QUEUED, lease_owner=None, lease_expires_at=None, enqueued_at=utcnow(), stage="upload")
    cond = (Job.id == job_id) & (Job.status == RUNNING)
    if owner is not None:
        cond &= Job.lease_owner == owner
    return bool(query.where(cond).execute())


def fail_lost(job_id, owner: str | None, *, stage: str, attempts: int) -> bool:
    """running (held by ``owner``) -> failed: its worker vanished ``attempts`` times,
    as many as ``[jobs] max_attempts`` allows (the watchdog's verdict)."""
    return bool(
        Job.update(
            status=FAILED,
            finished_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
            error_code="worker_lost",
            error_stage=stage,
            error_message=f"the worker running this job stopped {attempts} times",
        )
        .where(Job.id == job_id, Job.status == RUNNING, Job.lease_owner == owner)
        .execute()
    )


def mark_resent(job_id) -> bool:
    """A queued job's message was sent again (the watchdog): restart its resend clock."""
    return bool(Job.update(enqueued_at=utcnow()).where(Job.id == job_id, Job.status == QUEUED).execute())


def cancel(job_id, *, user: User | None = None) -> bool:
    """queued|running -> cancelled (a running converter notices at its next lease renewal)."""
    with Job._meta.database.atomic():
        done = bool(
            Job.update(status=CANCELLED, finished_at=utcnow(), lease_owner=None, lease_expires_at=None)
            .where(Job.id == job_id, Job.status.in_((QUEUED, RUNNING)))
            .execute()
        )
        if done:
            audit.record(user, "job.cancel", str(job_id))
    return done


def retry(job_id, *, user: User | None = None) -> bool:
    """failed|cancelled -> queued, as a fresh job: attempts, error and progress reset.

    The caller sends the queue message (the watchdog re-sends it if that is lost)."""
    with Job._meta.database.atomic():
        done = bool(
            Job.update(
                status=QUEUED,
                attempts=0,
                error_code=None,
                error_stage=None,
                error_message=None,
                error_detail=None,
                finished_at=None,
                progress=0,
                stage="upload",
                enqueued_at=utcnow(),
            )
            .where(Job.id == job_id, Job.status.in_((FAILED, CANCELLED)))
            .execute()
        )
        if done:
            audit.record(user, "job.retry", str(job_id))
    return done
