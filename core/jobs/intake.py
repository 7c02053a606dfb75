"""Submitting work: store an upload as a plan and queue a job for it."""

from __future__ import annotations

import hashlib
import json
from typing import BinaryIO

from core.channels.publishing import ensure_channel
from core.data.models import Job, Plan, User
from core.errors import ConversionError
from core.jobs import states
from core.jobs.queue import enqueue
from core.storage.base import TooLarge

#: option keys a job accepts; anything else is refused so typos do not go unnoticed
OPTION_KEYS = {
    "format",
    "units",
    "wall_height",
    "wall_thickness",
    "layers",
    "blocks",
    "level",
    "storey_height",
    "page",
    "scale",
}


def options_hash(options: dict) -> str:
    return hashlib.sha256(json.dumps(options, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def validate_options(options) -> dict:
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise ConversionError("invalid_options", "options must be a JSON object", stage="upload")
    unknown = set(options) - OPTION_KEYS
    if unknown:
        raise ConversionError(
            "invalid_options",
            f"unknown option(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(OPTION_KEYS))}",
            stage="upload",
        )
    return options


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


def submit(
    appliance, plan: Plan, *, options: dict | None = None, channel: str | None = None, user: User | None = None
) -> Job:
    options = validate_options(options)
    if channel:
        ensure_channel(channel)
    job = Job.create(
        plan=plan,
        options=options,
        options_hash=options_hash(options),
        channel=channel or None,
        created_by=user,
        status=states.QUEUED,
    )
    enqueue(appliance, job.id)
    return job
