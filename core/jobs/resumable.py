"""Resumable uploads: a file sent in chunks over several requests, surviving a
dropped connection.

An upload is announced with its name and total size; its bytes so far live in
``<data_dir>/tmp/uploads/<id>.part`` and the file's length is the offset to resume
from (bytes of a chunk cut off mid-way are kept: they are a valid prefix). A chunk
must start exactly at that offset. Once complete, the file becomes a plan and its
job is queued, as with a one-shot upload. Uploads untouched for
:func:`stale_after` (``[uploads] stale_hours``) are deleted with their bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from core.channels.publishing import ensure_channel
from core.data.db import utcnow
from core.data.models import Job, Plan, Upload, User
from core.errors import ConversionError, FloorcastError
from core.jobs.intake import store_plan, submit
from core.jobs.options import validate_before_sniff
from core.plugins.specs import FormatSpec

log = logging.getLogger("floorcast.uploads")

RECEIVE_PIECE = 16 * 1024


class UploadError(FloorcastError):
    """A refused upload operation; ``code`` says why, ``extra`` what a client needs
    to go on (``offset``: where the upload stands)."""

    def __init__(self, code: str, message: str, **extra):
        super().__init__(message, code=code, **extra)


def upload_dir(settings) -> Path:
    path = settings.tmp_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def part_path(settings, upload: Upload) -> Path:
    return upload_dir(settings) / f"{upload.id}.part"


def offset(settings, upload: Upload) -> int:
    try:
        return part_path(settings, upload).stat().st_size
    except FileNotFoundError:
        return 0


def create_upload(
    settings,
    user: User | None,
    filename: str,
    size: int,
    options: dict | None = None,
    channel: str | None = None,
    *,
    formats: Iterable[FormatSpec] = (),
) -> Upload:
    """Announce an upload of ``size`` bytes (refused beyond the upload limit).

    Its options are checked against core's and ``formats``' (the forced one's, else
    every one's: the bytes that choose it are not there yet); :func:`complete`
    checks them again against the format the file turns out to be."""
    cleanup_stale(settings)
    limit = int(settings["uploads"]["max_bytes"])
    if not isinstance(size, int) or size <= 0:
        raise UploadError("empty_file", "the file is empty")
    if size > limit:
        raise UploadError("too_large", f"the file is larger than the limit of {limit} bytes")
    try:
        options = validate_before_sniff(options, formats)
    except ConversionError as exc:
        raise UploadError(exc.code, exc.message) from exc
    channel = (channel or "").strip() or None
    if channel:
        try:
            ensure_channel(channel)
        except ValueError as exc:
            raise UploadError("invalid_channel", str(exc)) from exc
    upload = Upload.create(
        user=user, filename=(filename or "upload")[:255], size=size, options=options, channel=channel
    )
    part_path(settings, upload).touch()
    return upload


def get_upload(upload_id: str, user: User) -> Upload:
    """The upload, if ``user`` started it (admins see all)."""
    try:
        upload = Upload.get_or_none(Upload.id == upload_id)
    except ValueError:
        upload = None
    if upload is None or (user.role != "admin" and upload.user_id != user.id):
        raise UploadError("not_found", f"no upload {upload_id}")
    return upload


@contextlib.contextmanager
def _locked(path: Path):
    """One writer per upload at a time: a second chunk while one is running is refused."""
    with open(path, "ab") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UploadError("upload_busy", "another chunk of this upload is being received") from exc
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_chunk(settings, upload: Upload, start: int, length: int | None, stream: BinaryIO) -> int:
    """Append a chunk that starts at ``start`` (must be the current offset); returns
    the new offset. Bytes received before a connection drops are kept."""
    path = part_path(settings, upload)
    if not path.exists():
        raise UploadError("upload_gone", "this upload expired; start again")
    with _locked(path) as fh:
        current = fh.seek(0, 2)
        if start != current:
            raise UploadError("offset_mismatch", f"the upload is at byte {current}", offset=current)
        room = upload.size - current
        if length is not None and length > room:
            raise UploadError("too_large", f"the chunk goes past the announced size of {upload.size} bytes")
        try:
            to_read = room if length is None else length
            while to_read > 0:
                data = stream.read(min(RECEIVE_PIECE, to_read))
                if not data:
                    break
                fh.write(data)
                fh.flush()  # on disk before the next read, which may be the one a drop cuts short
                to_read -= len(data)
            if length is None and fh.tell() == upload.size and stream.read(1):
                raise UploadError("too_large", f"the data goes past the announced size of {upload.size} bytes")
        finally:
            fh.flush()
            Upload.update(updated_at=utcnow()).where(Upload.id == upload.id).execute()
        return fh.tell()


def complete(appliance, upload: Upload, user: User | None) -> tuple[Plan, Job]:
    """Turn a fully received upload into a plan and queue its job."""
    settings = appliance.settings
    path = part_path(settings, upload)
    received = offset(settings, upload)
    if received != upload.size:
        raise UploadError("incomplete", f"{received} of {upload.size} bytes received", offset=received)
    with _locked(path), open(path, "rb") as fh:
        try:
            plan = store_plan(appliance, fh, upload.filename, user)
            job = submit(appliance, plan, options=upload.options, channel=upload.channel, user=user)
        except ConversionError as exc:
            raise UploadError(exc.code, exc.message) from exc
    discard(settings, upload)
    return plan, job


def discard(settings, upload: Upload) -> None:
    part_path(settings, upload).unlink(missing_ok=True)
    Upload.delete().where(Upload.id == upload.id).execute()


def stale_after(settings) -> dt.timedelta:
    return dt.timedelta(hours=float(settings["uploads"]["stale_hours"]))


def cleanup_stale(settings, older_than: dt.timedelta | None = None) -> int:
    """Delete uploads untouched for ``older_than`` (default: :func:`stale_after`) and
    part files without an upload."""
    older_than = older_than or stale_after(settings)
    removed = 0
    for upload in Upload.select().where(Upload.updated_at < utcnow() - older_than):
        discard(settings, upload)
        removed += 1
    known = {str(u.id) for u in Upload.select(Upload.id)}
    cutoff = time.time() - older_than.total_seconds()
    for part in upload_dir(settings).glob("*.part"):
        with contextlib.suppress(OSError):
            if part.stem not in known and part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
    if removed:
        log.info("removed %d stale partial upload(s)", removed)
    return removed
