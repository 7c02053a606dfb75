"""Built-in local storage: content-addressed files under ``<data_dir>/blobs``.

Registered as a plugin through the ``floorcast`` entry-point group like any other
backend. Writes go to a temporary file in the same folder, are fsynced, then
renamed into place, so a crash or a full disk never leaves a half blob under a key.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from core.plugin_api import BlobInfo, Storage, StorageBackendSpec, TooLarge, copy_hashing, hookimpl

KEY_RE = re.compile(r"^[0-9a-f]{64}$")


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise KeyError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> BlobInfo:
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp", prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                info = copy_hashing(stream, out.write, max_bytes)
                out.flush()
                os.fsync(out.fileno())
            final = self._path(info.key)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            return info
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def open(self, key: str, start: int = 0, end: int | None = None) -> BinaryIO:
        fh = open(self._path(key), "rb")
        if start:
            fh.seek(start)
        if end is None:
            return fh
        return _Limited(fh, end - start)

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).is_file()
        except KeyError:
            return False

    def delete(self, key: str) -> None:
        with contextlib.suppress(OSError):
            self._path(key).unlink()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def local_path(self, key: str) -> str | None:
        return str(self._path(key))

    def iterate(self) -> Iterator[str]:
        for path in self.root.glob("??/??/*"):
            if KEY_RE.match(path.name):
                yield path.name

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"{self.root} is not writable")


class _Limited:
    """A file object that stops after ``remaining`` bytes (range reads)."""

    def __init__(self, fh: BinaryIO, remaining: int):
        self._fh, self._remaining = fh, max(0, remaining)

    def read(self, n: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        n = self._remaining if n is None or n < 0 else min(n, self._remaining)
        data = self._fh.read(n)
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        self._fh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _factory(settings: dict) -> LocalStorage:
    root = settings["storage"]["local_dir"] or os.path.join(settings["paths"]["data_dir"], "blobs")
    return LocalStorage(root)


@hookimpl
def floorcast_register_storage_backends():
    return [StorageBackendSpec("local", _factory, "files under the data dir, content-addressed")]


__all__ = ["LocalStorage", "TooLarge"]
