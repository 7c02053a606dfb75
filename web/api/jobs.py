"""Jobs: status, list, cancel, retry."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from core.data.models import Job
from core.jobs import states
from core.jobs.queue import enqueue
from web.context import appliance, get_or_404, job_view, require_user
from web.problems import Problem

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Conversion jobs")


def _job(job_id: str) -> Job:
    return get_or_404(Job, job_id, "job")


@blp.route("/jobs")
class Jobs(MethodView):
    def get(self):
        """Jobs, newest first (``?limit=`` up to 500, default 50)."""
        require_user()
        from flask import request

        limit = min(max(int(request.args.get("limit", 50)), 1), 500)
        jobs = Job.select().order_by(Job.created_at.desc()).limit(limit)
        return {"items": [job_view(j) for j in jobs]}


@blp.route("/jobs/<job_id>")
class JobResource(MethodView):
    def get(self, job_id: str):
        """One job: status, stage, progress, error, asset."""
        require_user()
        return job_view(_job(job_id))


@blp.route("/jobs/<job_id>/cancel")
class JobCancel(MethodView):
    def post(self, job_id: str):
        """Cancel a queued or running job."""
        user = require_user()
        job = _job(job_id)
        if not states.cancel(job.id, user=user):
            raise Problem(409, "not_cancellable", f"the job is {job.status}")
        return job_view(_job(job_id))


@blp.route("/jobs/<job_id>/retry")
class JobRetry(MethodView):
    @blp.response(202)
    def post(self, job_id: str):
        """Run a failed or cancelled job again."""
        user = require_user()
        job = _job(job_id)
        if not states.retry(job.id, user=user):
            raise Problem(409, "not_retryable", f"the job is {job.status}")
        enqueue(appliance(), job.id)
        return job_view(_job(job_id))
