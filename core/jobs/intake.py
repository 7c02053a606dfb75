"""Submitting work: store an upload as a plan and queue a job for it.

The job's format is sniffed here from the plan's first bytes and recorded in
``Job.format`` (None when no format takes the file: the job then fails at sniff);
the upload's options are checked against that format's declaration. The job and
its ``plan.upload`` audit entry are written together."""

from __future__ import annotations

import hashlib
import json
from typing import BinaryIO

from core.accounts import audit
from core.channels.publishing import ensure_channel
from core.convert.formats import SNIFF_BYTES
from core.data.models import Job, Plan, User
from core.errors import ConversionError
from core.jobs import states
from core.jobs.options import sniffed_format, validate_options
from core.jobs.queue import enqueue
from core.plugins.specs import FormatSpec
from core.storage.base import TooLarge


def options_hash(options: dict) -> str:
    return hashlib.sha256(json.dumps(options, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def store_plan(appliance, stream: BinaryIO, filename: str, user: User | None) -> Plan:
    try:
        blob = appliance.storage.put(stream, max_bytes=int(appliance.settings["uploads"]["max_bytes"]))
    except TooLarge as exc:
        raise ConversionError(
            "too_large",
            f"the file is larger than the limit of {appliance.settings['uploads']['max_bytes']} bytes",
            stage="upload",
        ) from exc
    if blob.size == 0:
        raise ConversionError("empty_file", "the file is empty", stage="upload")
    return Plan.create(filename=filename[:255] or "upload", sha256=blob.key, size=blob.size, uploaded_by=user)


def _format_of(appliance, plan: Plan, options: object) -> FormatSpec | None:
    """The format the plan's first bytes choose (its options are checked against it)."""
    with appliance.storage.open(plan.sha256, 0, SNIFF_BYTES) as fh:
        head = fh.read(SNIFF_BYTES)
    return sniffed_format(appliance.plugins.formats(), head, plan.filename, options)


def submit(
    appliance, plan: Plan, *, options: dict | None = None, channel: str | None = None, user: User | None = None
) -> Job:
    spec = _format_of(appliance, plan, options)
    options = validate_options(options, spec, appliance.plugins.formats())
    if channel:
        ensure_channel(channel)
    with Job._meta.database.atomic():
        job = Job.create(
            plan=plan,
            options=options,
            options_hash=options_hash(options),
            channel=channel or None,
            created_by=user,
            format=spec.name if spec is not None else None,
            status=states.QUEUED,
        )
        audit.record(user, "plan.upload", str(plan.id), filename=plan.filename, size=plan.size, job=str(job.id))
    enqueue(appliance, job.id)
    return job
