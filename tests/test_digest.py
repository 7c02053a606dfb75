"""core.convert.digest: the one sha256 helper, and storage hashing through it."""

from __future__ import annotations

import hashlib
import io

import pytest

from core.convert.digest import CHUNK, file_sha256, stream_sha256
from core.storage.base import TooLarge, copy_hashing


def test_files_and_streams_over_several_chunks_hash_like_hashlib(tmp_path):
    data = bytes(range(256)) * (CHUNK // 256) + b"tail"  # one chunk and a bit
    path = tmp_path / "f"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    copied = bytearray()
    assert stream_sha256(io.BytesIO(data), copied.extend) == (hashlib.sha256(data).hexdigest(), len(data))
    assert copied == data


def test_storage_copies_while_hashing_and_stops_past_its_limit():
    data = b"x" * (CHUNK + 10)
    out = bytearray()
    info = copy_hashing(io.BytesIO(data), out.extend, max_bytes=None)
    assert (info.key, info.size, bytes(out)) == (hashlib.sha256(data).hexdigest(), len(data), data)
    out.clear()
    with pytest.raises(TooLarge):
        copy_hashing(io.BytesIO(data), out.extend, max_bytes=CHUNK)
    assert len(out) == CHUNK  # the chunk past the limit is never written
