"""Running one job: claim it, convert in the sandbox, store, finish, publish.

Called by the Huey task with only a job id; everything else comes from the jobs
table. Stages: sniff (here: which format, once per job, is there a reusable
asset), parse / geometry / write (in the child process, with the format named),
store, publish.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import IntegrityError

from core.config import converter_options
from core.convert.formats import SNIFF_BYTES, choose_format, format_named
from core.convert.result import TileSet
from core.data.models import Asset, Job
from core.errors import PERMANENT_CODES, ConversionError
from core.jobs import states
from core.jobs.progress import ProgressTracker
from core.jobs.sandbox import Limits, child_request, run_in_child
from core.jobs.serializers import job_view

if TYPE_CHECKING:  # pragma: no cover
    from core.plugins.specs import FormatSpec

log = logging.getLogger("floorcast.jobs")


class _Lost(Exception):
    """The job is no longer ours (cancelled, or taken back by the watchdog)."""


def run_job(appliance, job_id: str) -> None:
    settings = appliance.settings
    lease = int(settings["jobs"]["lease_seconds"])
    owner = states.new_lease_owner()
    if not states.claim(job_id, owner, lease):
        return  # a duplicate message, or the job is already final
    ctx = _JobContext(appliance, job_id, owner, lease)
    ctx.start_lease_keeper()
    try:
        ctx.run()
    finally:
        ctx.stop_lease_keeper()
        ctx.cleanup()
    job = Job.get_or_none(Job.id == job_id)
    if job is not None and job.status in states.FINAL:
        appliance.plugins.notify("floorcast_job_finished", job=job_view(job, appliance.links))


class _JobContext:
    def __init__(self, appliance, job_id: str, owner: str, lease: int):
        self.app, self.job_id, self.owner, self.lease = appliance, job_id, owner, lease
        self.tracker = ProgressTracker()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._last_write = 0.0
        self._last_check = 0.0
        self._tmp: list[str] = []

    # -- lease -------------------------------------------------------------------
    def start_lease_keeper(self) -> None:
        def keep() -> None:
            while not self._stop.wait(max(1.0, self.lease / 3)):
                if not states.renew(self.job_id, self.owner, self.lease):
                    self.lost.set()
                    return

        self._keeper = threading.Thread(target=keep, daemon=True, name=f"lease-{self.job_id}")
        self._keeper.start()

    def stop_lease_keeper(self) -> None:
        self._stop.set()

    def should_stop(self) -> bool:
        """Polled by the sandbox: stop once the job was cancelled or taken back."""
        now = time.monotonic()
        if not self.lost.is_set() and now - self._last_check >= 1.0:
            self._last_check = now
            if (
                not Job.select()
                .where(Job.id == self.job_id, Job.status == states.RUNNING, Job.lease_owner == self.owner)
                .exists()
            ):
                self.lost.set()
        return self.lost.is_set()

    # -- progress ----------------------------------------------------------------
    def progress(self, stage: str, fraction: float, message: str | None = None, force: bool = False) -> None:
        overall, eta = self.tracker.update(stage, fraction)
        now = time.monotonic()
        if not force and now - self._last_write < 0.5:
            return
        self._last_write = now
        if not states.update_running(self.job_id, self.owner, stage=stage, progress=overall, eta_seconds=eta):
            self.lost.set()
        self.app.bus.publish(
            "jobs",
            {
                "type": "job.progress",
                "data": {
                    "id": str(self.job_id),
                    "stage": stage,
                    "progress": round(overall, 4),
                    "eta_seconds": eta,
                    "message": message,
                },
            },
        )

    # -- the pipeline ------------------------------------------------------------
    def run(self) -> None:
        job = Job.get(Job.id == self.job_id)
        try:
            asset = self.convert(job)
        except _Lost:
            log.info("job %s is no longer ours; stopping", self.job_id)
            return
        except ConversionError as exc:
            self.fail_or_retry(job, exc)
            return
        except Exception as exc:  # storage down, database hiccup: transient, retried
            log.exception("job %s: unexpected error", self.job_id)
            self.fail_or_retry(job, ConversionError("internal_error", f"{type(exc).__name__}: {exc}"))
            return
        if not states.finish(
            self.job_id,
            self.owner,
            states.SUCCEEDED,
            asset=asset,
            stage="publish" if job.channel else "store",
            progress=1.0,
            eta_seconds=0,
        ):
            return
        self.app.bus.publish("jobs", {"type": "job.finished", "data": {"id": str(self.job_id), "status": "succeeded"}})
        if job.channel:
            from core.jobs.publish_pending import publish_for_job

            publish_for_job(self.app, Job.get(Job.id == self.job_id))

    def format_of(self, job: Job) -> FormatSpec:
        """The job's format: the one recorded on the job when intake chose it
        already, else chosen now from the plan's first bytes (or the ``format``
        option). The child runs it by name: a job chooses once."""
        formats = self.app.plugins.formats()
        if job.format:
            return format_named(formats, job.format)
        with self.app.storage.open(job.plan.sha256, 0, SNIFF_BYTES) as fh:
            head = fh.read(SNIFF_BYTES)
        return choose_format(formats, head, job.plan.filename, (job.options or {}).get("format"))

    def convert(self, job: Job) -> Asset:
        storage, plan = self.app.storage, job.plan
        self.progress("sniff", 0.0, force=True)
        fmt = self.format_of(job)
        states.update_running(self.job_id, self.owner, format=fmt.name, converter_version=fmt.version)
        self.progress("sniff", 1.0, f"format {fmt.name}")
        reuse = Asset.get_or_none(
            Asset.source_sha256 == plan.sha256,
            Asset.options_hash == job.options_hash,
            Asset.converter_version == fmt.version,
            Asset.format == fmt.name,
        )
        if reuse is not None and storage.exists(reuse.sha256):
            log.info("job %s reuses asset %s", self.job_id, reuse.id)
            return reuse
        source = storage.local_path(plan.sha256) or self._download(plan.sha256)
        out = self._tempfile(".glb")
        tiles = self._tempdir(".tiles")  # the child writes a big model's tiles here
        preview = self._tempfile(".png")
        request = child_request(
            self.app.settings,
            source=source,
            output=out,
            format_name=fmt.name,
            options=converter_options(self.app.settings, job.options),
            safe_mode=self.app.plugins.safe_mode,
            tiles_dir=tiles,
            preview=preview,
            source_sha256=plan.sha256,
        )
        try:
            result = run_in_child(request, Limits.of(self.app.settings), self.progress, should_stop=self.should_stop)
        except ConversionError as exc:
            if exc.code == "cancelled" or self.lost.is_set():
                raise _Lost() from exc
            raise
        if self.lost.is_set():
            raise _Lost()
        states.update_running(self.job_id, self.owner, report=result.report)
        self.progress("store", 0.0, force=True)
        with open(result.glb_path, "rb") as fh:
            blob = storage.put(fh)
        stats = dict(result.stats, warnings=result.warnings)
        if result.tiles is not None:
            stats["tiles"] = self._store_tiles(result.tiles)
        preview_key = None
        if result.preview_path:  # none when it could not be drawn: the warnings say why
            with open(result.preview_path, "rb") as fh:
                preview_key = storage.put(fh).key
        self.progress("store", 1.0, force=True)
        try:
            return Asset.create(
                sha256=blob.key,
                size=blob.size,
                source_sha256=plan.sha256,
                options_hash=job.options_hash,
                format=fmt.name,
                converter_version=result.converter_version,
                stats=stats,
                preview_key=preview_key,
            )
        except IntegrityError:  # the same conversion finished elsewhere meanwhile
            return Asset.get(
                Asset.source_sha256 == plan.sha256,
                Asset.options_hash == job.options_hash,
                Asset.converter_version == result.converter_version,
            )

    def fail_or_retry(self, job: Job, exc: ConversionError) -> None:
        fresh = Job.get(Job.id == self.job_id)
        permanent = exc.code in PERMANENT_CODES
        if not permanent and fresh.attempts < int(self.app.settings["jobs"]["max_attempts"]):
            if states.requeue(self.job_id, self.owner):
                from core.jobs.queue import enqueue

                delay = 2**fresh.attempts
                log.warning("job %s: %s (%s); retrying in %ds", self.job_id, exc.code, exc.message, delay)
                enqueue(self.app, self.job_id, delay=delay)
            return
        stage = exc.stage or fresh.stage
        if states.finish(
            self.job_id,
            self.owner,
            states.FAILED,
            error_code=exc.code,
            error_stage=stage,
            error_message=exc.message,
            error_detail=exc.detail or None,
        ):
            log.info("job %s failed: %s at %s: %s", self.job_id, exc.code, stage, exc.message)
            self.app.bus.publish("jobs", {"type": "job.finished", "data": {"id": str(self.job_id), "status": "failed"}})

    def _store_tiles(self, tiles: TileSet) -> dict:
        """Each tile and the manifest file, as the child wrote them, as blobs
        (content-addressed like the GLB); returns what the asset records: the
        manifest's key, tile count and bytes."""
        storage = self.app.storage
        for tile, path in tiles.files():
            with open(path, "rb") as fh:
                key = storage.put(fh).key
            if key != tile["key"]:  # the manifest names each tile by the key storage gives it
                raise RuntimeError(f"tile {tile['file']} was stored as {key}, its manifest says {tile['key']}")
        with open(tiles.manifest_path, "rb") as fh:
            blob = storage.put(fh)
        manifest = tiles.manifest
        return {"manifest": blob.key, "count": len(manifest["tiles"]), "bytes": manifest["bytes"]}

    # -- temporary files -----------------------------------------------------------
    def _tempfile(self, suffix: str) -> str:
        fd, path = tempfile.mkstemp(suffix=suffix, dir=self.app.settings.tmp_dir, prefix=f"job-{self.job_id}-")
        os.close(fd)
        self._tmp.append(path)
        return path

    def _tempdir(self, suffix: str) -> str:
        path = tempfile.mkdtemp(suffix=suffix, dir=self.app.settings.tmp_dir, prefix=f"job-{self.job_id}-")
        self._tmp.append(path)
        return path

    def _download(self, key: str) -> str:
        path = self._tempfile(".src")
        with self.app.storage.open(key) as src, open(path, "wb") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
        return path

    def cleanup(self) -> None:
        for path in self._tmp:
            if Path(path).is_dir():
                shutil.rmtree(path, ignore_errors=True)
                continue
            with contextlib.suppress(OSError):
                Path(path).unlink()
