"""Uploading plans: ``POST /api/v1/plans`` stores the file and queues its conversion."""

from __future__ import annotations

import json

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.jobs.intake import store_plan, submit
from core.jobs.options import validate_before_sniff
from web.context import appliance, job_view, require_user
from web.problems import Problem

blp = Blueprint("plans", __name__, url_prefix="/api/v1", description="Upload floor plans")


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
    channel = fields.String(metadata={"description": "publish to this channel when the job succeeds"})
    options = fields.String(metadata={"description": "conversion options as a JSON object"})


@blp.route("/plans")
class Plans(MethodView):
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": UploadSchema}}})
    @blp.response(202)
    def post(self):
        """Upload a plan (multipart field ``file``); answers with the queued job."""
        user = require_user()
        limit = int(appliance().settings["uploads"]["max_bytes"])
        if request.content_length is not None and request.content_length > limit + 1024 * 1024:
            raise Problem(413, "too_large", f"the upload is larger than the limit of {limit} bytes")
        upload = request.files.get("file")
        if upload is None:
            raise Problem(400, "missing_file", "send the plan as multipart form field 'file'")
        try:
            options = json.loads(request.form["options"]) if request.form.get("options") else {}
        except ValueError as exc:
            raise Problem(400, "invalid_options", f"options is not valid JSON: {exc}") from exc
        channel = (request.form.get("channel") or "").strip() or None
        try:
            # names and types first, so a bad option stores nothing; submit checks the
            # options again against the format the file's bytes choose
            options = validate_before_sniff(options, appliance().plugins.formats())
            plan = store_plan(appliance(), upload.stream, upload.filename or "upload", user)
            job = submit(appliance(), plan, options=options, channel=channel, user=user)
        except ValueError as exc:
            raise Problem(400, "invalid_channel", str(exc)) from exc
        finally:
            upload.close()
        return {
            "job": job_view(job),
            "plan": {"id": str(plan.id), "sha256": plan.sha256, "size": plan.size, "filename": plan.filename},
        }
