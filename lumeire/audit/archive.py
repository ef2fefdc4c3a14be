"""The archive file of a checkpoint: every entry it moved, as sealed canonical JSON lines.

Layout: ``MAGIC``, then chunks of about 1 MiB of lines, each written as a 4-byte big-endian
length and the AES-256-GCM seal (nonce, ciphertext, tag) under the archive key. The associated
data names the checkpoint, the chunk's index and whether it is the last, so chunks cannot be
reordered, dropped, cut off or moved between archives. Files live in the "audit_archive"
storage: a folder (``LUMEIRE_AUDIT_ARCHIVE_DIR``, 0700, files 0600) or the shared bucket (see
config/storage_url.py). Either way a file appears whole or not at all (written aside and
renamed, flushed to disk; or stored in one upload) before the entries it holds leave the
database, and it is read back as a stream, one chunk at a time.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from django.core.files.storage import Storage, storages

from lumeire.audit.signing import chunk_associated_data, open_chunk, seal_chunk
from lumeire.core.storage_backends import StagedWrite, is_local, read_exactly

MAGIC = b"LUMEIRE AUDIT ARCHIVE 1\n"
CHUNK_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")
# A chunk's seal is its clear text plus nonce and tag; anything far larger is not ours.
_MAX_SEALED = CHUNK_BYTES * 2 + 64 * 1024


class ArchiveError(Exception):
    """An archive file that is cut, altered, sealed with another key or not an archive."""


def archive_storage() -> Storage:
    return storages["audit_archive"]


def archive_dir(*, create: bool = False) -> Path:
    """The folder of a local archive storage: outside MEDIA_ROOT, never served by URL."""
    folder = Path(archive_storage().path(""))
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def archive_place() -> str:
    """Where archives are kept, as an operator would look for them."""
    if is_local(archive_storage()):
        return "LUMEIRE_AUDIT_ARCHIVE_DIR"
    return "the audit archive storage (LUMEIRE_STORAGE_URL)"


def archive_name_of(sequence: int) -> str:
    return f"audit-checkpoint-{int(sequence):08d}.sealed"


def archive_delete(name: str) -> None:
    """Remove an archive that no checkpoint refers to (its checkpoint did not commit)."""
    archive_storage().delete(name)


class ArchiveWriter:
    """Seals lines chunk by chunk into a staged file; ``finish`` publishes it under ``name``."""

    def __init__(self, name: str, *, sequence: int, key: bytes) -> None:
        self.name = name
        self._sequence = sequence
        self._key = key
        self._buffer = bytearray()
        self._index = 0
        self._digest = hashlib.sha256()
        self._out = StagedWrite(archive_storage(), name)
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
        """Seal the last chunk and publish the file whole (in a folder: flushed to disk and
        renamed, the rename synced, before the entries leave the database); return its SHA-256."""
        self._seal(last=True)
        self._out.commit()
        return self._digest.hexdigest()

    def discard(self) -> None:
        self._out.discard()


def stream_sha256(handle: BinaryIO) -> str:
    """The SHA-256 of what ``handle`` reads from where it stands to its end; closes it."""
    digest = hashlib.sha256()
    with handle:
        while block := handle.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    return stream_sha256(path.open("rb"))


def open_archive(name: str) -> BinaryIO:
    """The stored archive ``name``, open for reading; FileNotFoundError when there is none."""
    return archive_storage().open(name, "rb")


def archive_lines(source: Path | BinaryIO, *, sequence: int, key: bytes) -> Iterator[bytes]:
    """Yield the archive's lines one at a time, opening one chunk at a time; ArchiveError when
    the file is not an intact archive of checkpoint ``sequence`` under ``key``.

    ``source`` is a path or an open file (from ``open_archive``), closed at the end. A chunk is
    the last when nothing follows it, so a stream that cannot seek reads the same way.
    """
    handle = source.open("rb") if isinstance(source, Path) else source
    with handle:
        if read_exactly(handle, len(MAGIC)) != MAGIC:
            raise ArchiveError("it is not an audit archive file")
        rest = b""
        index = 0
        header = read_exactly(handle, _LENGTH.size)
        while True:
            if len(header) < _LENGTH.size:
                raise ArchiveError("it was cut short")
            length = _LENGTH.unpack(header)[0]
            if length > _MAX_SEALED:
                raise ArchiveError(f"chunk {index} has an impossible length")
            blob = read_exactly(handle, length)
            if len(blob) < length:
                raise ArchiveError("it was cut short")
            header = read_exactly(handle, _LENGTH.size)
            last = header == b""
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
