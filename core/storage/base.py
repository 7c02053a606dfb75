"""The storage backend interface every backend implements.

Blobs are content-addressed: the key is the sha256 of the bytes, so the same file
uploaded twice is stored once and a key never changes meaning.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from core.convert.digest import stream_sha256


@dataclass(frozen=True)
class BlobInfo:
    key: str  # sha256 hex of the content
    size: int


class Storage(abc.ABC):
    """Streaming, atomic, content-addressed blob store."""

    name = "abstract"

    @abc.abstractmethod
    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> BlobInfo:
        """Store a stream, reading it in chunks; atomic (all or nothing).

        Raises :class:`TooLarge` past ``max_bytes`` without keeping anything."""

    @abc.abstractmethod
    def open(self, key: str, start: int = 0, end: int | None = None) -> BinaryIO:
        """A readable stream of bytes ``[start, end)`` of the blob."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove a blob; deleting a missing blob is not an error."""

    @abc.abstractmethod
    def size(self, key: str) -> int: ...

    def url(self, key: str, expires: int = 3600) -> str | None:
        """A presigned URL where the backend can make one, else None."""
        return None

    def local_path(self, key: str) -> str | None:
        """The blob's path on this machine where the backend keeps one, else None."""
        return None

    @abc.abstractmethod
    def iterate(self) -> Iterator[str]:
        """Every key in the store."""

    def ping(self) -> None:  # noqa: B027 - optional for backends
        """Raise if the backend is unreachable (used by ``/readyz``)."""


class TooLarge(Exception):
    pass


def copy_hashing(src: BinaryIO, write: Callable[[bytes], object], max_bytes: int | None) -> BlobInfo:
    """Copy ``src`` to ``write`` in chunks, returning the sha256 and size.

    Raises :class:`TooLarge` past ``max_bytes``, before that chunk is written."""
    copied = 0

    def guarded(chunk: bytes) -> None:
        nonlocal copied
        copied += len(chunk)
        if max_bytes is not None and copied > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
        write(chunk)

    key, size = stream_sha256(src, guarded)
    return BlobInfo(key, size)
