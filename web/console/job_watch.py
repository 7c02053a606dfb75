"""Job changes seen in the database, for the live feed.

A job converted by a ``floorcast worker`` (another process, maybe another box)
publishes its progress on that process's bus, which this one never hears. The
job's row is shared, so each feed also looks at the rows of running and newly
finished jobs about once a second and reports what changed. A job this process
runs is reported by both paths; ``job.finished`` goes out once per job.
"""

from __future__ import annotations

import datetime as dt

from core.data.db import utcnow
from core.data.models import Job
from core.jobs import states

#: finished_at is written by another process's clock: look back this far
CLOCK_SLACK = dt.timedelta(seconds=5)


class JobWatch:
    def __init__(self):
        self.since = utcnow() - CLOCK_SLACK
        self.seen: dict[str, tuple] = {}
        self.finished: set[str] = set()

    def heard(self, message: dict) -> bool:
        """Whether a bus message should go out (a repeated ``job.finished`` should not)."""
        if message.get("type") != "job.finished":
            return True
        job_id = str(message.get("data", {}).get("id"))
        if job_id in self.finished:
            return False
        self.finished.add(job_id)
        return True

    def poll(self) -> list[dict]:
        """Messages for what changed in the job rows since the last poll."""
        now = utcnow()
        rows = Job.select(Job.id, Job.status, Job.stage, Job.progress, Job.eta_seconds).where(
            (Job.status == states.RUNNING) | (Job.finished_at >= self.since)
        )
        self.since = now - CLOCK_SLACK
        out = []
        for job in rows:
            job_id = str(job.id)
            if job.status == states.RUNNING:
                state = (job.stage, round(job.progress, 3))
                if self.seen.get(job_id) != state:
                    self.seen[job_id] = state
                    data = {"id": job_id, "stage": job.stage, "progress": round(job.progress, 4)}
                    out.append({"type": "job.progress", "data": {**data, "eta_seconds": job.eta_seconds}})
            elif job.status in states.FINAL and job_id not in self.finished:
                self.finished.add(job_id)
                self.seen.pop(job_id, None)
                out.append({"type": "job.finished", "data": {"id": job_id, "status": job.status}})
        return out
