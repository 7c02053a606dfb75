"""sha256 of files and streams, read in chunks: the one hashing helper.

Content hashes name things everywhere in Floorcast: a plan by its source bytes, a
model and each of its tiles by theirs, and every blob in storage by its content
(so storage keys and the hashes the converter reports are the same strings). It
lives in the conversion kernel, which may import nothing outside it, and storage
imports it from here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

#: bytes read at a time: large enough to be fast, small enough to bound memory
CHUNK = 1024 * 1024


def stream_sha256(stream: BinaryIO, sink: Callable[[bytes], object] | None = None) -> tuple[str, int]:
    """(sha256 hex, size) of what ``stream`` holds from where it is to its end;
    each chunk read also goes to ``sink`` (to copy while hashing), which may
    raise to stop."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if sink is not None:
            sink(chunk)
        digest.update(chunk)
    return digest.hexdigest(), size


def file_sha256(path: str | Path) -> str:
    """The sha256 hex of a file's bytes."""
    with open(path, "rb") as fh:
        return stream_sha256(fh)[0]
