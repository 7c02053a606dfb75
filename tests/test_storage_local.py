"""The storage contract, run against the built-in local backend.

``StorageContract`` is reusable: a backend plugin's tests subclass it and provide
a ``storage`` fixture."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from core.storage.base import TooLarge
from core.storage.local import LocalStorage


class StorageContract:
    def test_put_is_content_addressed_and_streams(self, storage):
        data = os.urandom(3 * 1024 * 1024 + 17)
        info = storage.put(io.BytesIO(data))
        assert info.key == hashlib.sha256(data).hexdigest() and info.size == len(data)
        assert storage.exists(info.key) and storage.size(info.key) == len(data)
        with storage.open(info.key) as fh:
            assert fh.read() == data
        assert storage.put(io.BytesIO(data)).key == info.key

    def test_range_reads(self, storage):
        info = storage.put(io.BytesIO(b"0123456789"))
        with storage.open(info.key, 2, 5) as fh:
            assert fh.read() == b"234"
        with storage.open(info.key, 7) as fh:
            assert fh.read() == b"789"

    def test_too_large_keeps_nothing(self, storage):
        with pytest.raises(TooLarge):
            storage.put(io.BytesIO(b"x" * 1000), max_bytes=999)
        assert list(storage.iterate()) == []

    def test_delete_and_iterate(self, storage):
        a = storage.put(io.BytesIO(b"a")).key
        b = storage.put(io.BytesIO(b"b")).key
        assert sorted(storage.iterate()) == sorted([a, b])
        storage.delete(a)
        storage.delete(a)  # deleting twice is fine
        assert not storage.exists(a) and list(storage.iterate()) == [b]

    def test_failed_stream_leaves_nothing(self, storage):
        class Exploding(io.RawIOBase):
            def __init__(self):
                self.n = 0

            def read(self, size=-1):
                self.n += 1
                if self.n > 2:
                    raise OSError("connection reset")
                return b"y" * 1024

        with pytest.raises(OSError):
            storage.put(Exploding())
        assert list(storage.iterate()) == []


class TestLocalStorage(StorageContract):
    @pytest.fixture
    def storage(self, tmp_path):
        return LocalStorage(tmp_path / "blobs")

    def test_no_temporary_files_left(self, storage):
        storage.put(io.BytesIO(b"z"))
        with pytest.raises(TooLarge):
            storage.put(io.BytesIO(b"z" * 10), max_bytes=5)
        assert list((storage.root / "tmp").iterdir()) == []

    def test_keys_are_validated(self, storage):
        assert not storage.exists("../../etc/passwd")
        with pytest.raises(KeyError):
            storage.open("../x")
