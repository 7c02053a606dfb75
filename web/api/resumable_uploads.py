"""Resumable uploads for large plans (the console uses them; scripts may too).

``POST /uploads {"filename", "size", "options", "channel"}`` -> 201 ``{"id", "offset"}``;
``PUT /uploads/<id>`` with ``Content-Range: bytes START-END/SIZE`` appends a chunk
(START must be the current offset, else 409 with ``offset``) -> ``{"offset"}``;
``HEAD`` / ``GET /uploads/<id>`` tell the offset (``Upload-Offset`` header);
``POST /uploads/<id>/complete`` -> 202 ``{"job", "plan"}`` as ``POST /plans``.
"""

from __future__ import annotations

import re

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.jobs.resumable import complete, create_upload, discard, get_upload, offset, write_chunk
from web.context import appliance, job_view, require_user
from web.problems import Problem

blp = Blueprint("uploads", __name__, url_prefix="/api/v1", description="Resumable uploads")

CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


class CreateSchema(Schema):
    filename = fields.String(required=True)
    size = fields.Integer(required=True, metadata={"description": "total bytes of the file"})
    options = fields.Dict(load_default=dict, metadata={"description": "conversion options, as for POST /plans"})
    channel = fields.String(load_default=None, allow_none=True, metadata={"description": "publish there on success"})


def upload_view(upload, received: int) -> dict:
    return {
        "id": str(upload.id),
        "filename": upload.filename,
        "size": upload.size,
        "offset": received,
        "options": upload.options,
        "channel": upload.channel,
        "url": f"/api/v1/uploads/{upload.id}",
    }


def _with_offset(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    response.headers["Upload-Offset"] = str(body["offset"])
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/uploads")
class Uploads(MethodView):
    @blp.arguments(CreateSchema)
    @blp.response(201)
    def post(self, body):
        """Announce an upload; 413 when ``size`` is over the upload limit."""
        user = require_user()
        settings = appliance().settings
        upload = create_upload(
            settings,
            user,
            body["filename"],
            body["size"],
            body["options"],
            body["channel"],
            formats=appliance().plugins.formats(),
        )
        return _with_offset(upload_view(upload, 0), 201)


@blp.route("/uploads/<upload_id>")
class UploadResource(MethodView):
    @blp.doc(responses={200: {"headers": {"Upload-Offset": {"schema": {"type": "integer"}}}}})
    def get(self, upload_id: str):
        """Where the upload stands (also as ``HEAD``: the ``Upload-Offset`` header)."""
        user = require_user()
        upload = get_upload(upload_id, user)
        return _with_offset(upload_view(upload, offset(appliance().settings, upload)))

    @blp.doc(requestBody={"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
    def put(self, upload_id: str):
        """Append a chunk: ``Content-Range: bytes START-END/SIZE``, START = the current offset."""
        user = require_user()
        settings = appliance().settings
        upload = get_upload(upload_id, user)
        start, length = 0, request.content_length
        header = request.headers.get("Content-Range")
        if header:
            match = CONTENT_RANGE.match(header.strip())
            if not match:
                raise Problem(400, "bad_content_range", "Content-Range must be 'bytes START-END/SIZE'")
            start, end = int(match[1]), int(match[2])
            if end < start or (match[3] != "*" and int(match[3]) != upload.size):
                raise Problem(400, "bad_content_range", f"the range does not fit an upload of {upload.size} bytes")
            length = end - start + 1
            if request.content_length is not None and request.content_length != length:
                raise Problem(400, "bad_content_range", "Content-Range and Content-Length disagree")
        else:
            start = offset(settings, upload)
        received = write_chunk(settings, upload, start, length, request.stream)
        return _with_offset(upload_view(upload, received))

    @blp.response(204)
    def delete(self, upload_id: str):
        """Abandon the upload and delete what was received."""
        user = require_user()
        discard(appliance().settings, get_upload(upload_id, user))


@blp.route("/uploads/<upload_id>/complete")
class UploadComplete(MethodView):
    @blp.response(202)
    def post(self, upload_id: str):
        """Every byte is there: store the plan and queue its conversion (409 while incomplete)."""
        user = require_user()
        upload = get_upload(upload_id, user)
        plan, job = complete(appliance(), upload, user)
        return {
            "job": job_view(job),
            "plan": {"id": str(plan.id), "sha256": plan.sha256, "size": plan.size, "filename": plan.filename},
        }
