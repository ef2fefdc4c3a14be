"""The archive file of a checkpoint: every entry it moved, as sealed canonical JSON lines.

Layout: ``MAGIC``, then chunks of about 1 MiB of lines, each written as a 4-byte big-endian
length and the AES-256-GCM seal (nonce, ciphertext, tag) under the archive key. The associated
data names the checkpoint, the chunk's index and whether it is the last, so chunks cannot be
reordered, dropped, cut off or moved between archives. Files live in
``LUMEIRE_AUDIT_ARCHIVE_DIR`` (folder 0700, files 0600), are written aside and then renamed, and
are flushed to disk before the entries they hold leave the database.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.conf import settings

from lumeire.audit.signing import chunk_associated_data, open_chunk, seal_chunk

MAGIC = b"LUMEIRE AUDIT ARCHIVE 1\n"
CHUNK_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")
# A chunk's seal is its clear text plus nonce and tag; anything far larger is not ours.
_MAX_SEALED = CHUNK_BYTES * 2 + 64 * 1024


class ArchiveError(Exception):
    """An archive file that is cut, altered, sealed with another key or not an archive."""


def archive_dir(*, create: bool = False) -> Path:
    """Outside MEDIA_ROOT and static files: nothing here is ever served by URL."""
    folder = Path(
        getattr(settings, "LUMEIRE_AUDIT_ARCHIVE_DIR", settings.VAR_DIR / "audit-archive")
    )
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def archive_name_of(sequence: int) -> str:
    return f"audit-checkpoint-{int(sequence):08d}.sealed"


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ArchiveWriter:
    """Seals lines into ``<name>.partial`` chunk by chunk; ``finish`` renames it into place."""

    def __init__(self, folder: Path, name: str, *, sequence: int, key: bytes) -> None:
        self.target = folder / name
        self.partial = folder / f"{name}.partial"
        self._sequence = sequence
        self._key = key
        self._buffer = bytearray()
        self._index = 0
        self._digest = hashlib.sha256()
        descriptor = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._out = os.fdopen(descriptor, "wb")
        self._write(MAGIC)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._digest.update(data)

    def _seal(self, last: bool) -> None:
        aad = chunk_associated_data(self._sequence, self._index, last)
        blob = seal_chunk(self._key, bytes(self._buffer), aad)
        self._write(_LENGTH.pack(len(blob)) + blob)
        self._buffer.clear()
        self._index += 1

    def add(self, line: bytes) -> None:
        self._buffer += line
        if len(self._buffer) >= CHUNK_BYTES:
            self._seal(last=False)

    def finish(self) -> str:
        """Seal the last chunk, flush to disk, rename into place; return the file's SHA-256."""
        self._seal(last=True)
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        self.partial.replace(self.target)
        # The rename must reach the disk before the entries leave the database.
        fsync_dir(self.target.parent)
        return self._digest.hexdigest()

    def discard(self) -> None:
        if not self._out.closed:
            self._out.close()
        self.partial.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def archive_lines(path: Path, *, sequence: int, key: bytes) -> Iterator[bytes]:
    """Yield the archive's lines one at a time, opening one chunk at a time; ArchiveError when
    the file is not an intact archive of checkpoint ``sequence`` under ``key``."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise ArchiveError("it is not an audit archive file")
        rest = b""
        index = 0
        while True:
            header = handle.read(_LENGTH.size)
            if len(header) < _LENGTH.size:
                raise ArchiveError("it was cut short")
            length = _LENGTH.unpack(header)[0]
            if length > _MAX_SEALED:
                raise ArchiveError(f"chunk {index} has an impossible length")
            blob = handle.read(length)
            if len(blob) < length:
                raise ArchiveError("it was cut short")
            last = handle.tell() == size
            try:
                clear = open_chunk(key, blob, chunk_associated_data(sequence, index, last))
            except (InvalidTag, ValueError):
                raise ArchiveError(
                    f"chunk {index} does not open (altered, cut, out of place or sealed with "
                    "another key)"
                ) from None
            lines = (rest + clear).split(b"\n")
            rest = lines.pop()
            yield from lines
            if last:
                break
            index += 1
        if rest:
            raise ArchiveError("its last line is unfinished")
