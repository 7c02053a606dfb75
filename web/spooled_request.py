"""The app's request class: multipart file parts spool to the data disk, never
whole into memory.

Werkzeug keeps small parts in memory and spills larger ones to ``/tmp``; a 500 MB
plan must not land on a tmpfs, so file parts go straight to ``<data_dir>/tmp``.
(Resumable uploads are :mod:`web.api.resumable_uploads` and :mod:`core.jobs.resumable`.)
"""

from __future__ import annotations

import tempfile

from flask import Request, current_app


class SpooledRequest(Request):
    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        tmp_dir = current_app.extensions["floorcast"].settings.tmp_dir
        return tempfile.TemporaryFile("w+b", dir=tmp_dir, prefix="upload-")
