"""The export's file on disk: sealed with the customer's data key, chunk by chunk.

Each chunk is AES-256-GCM sealed by the vault's cipher with a Place naming the export, the
chunk's position and whether it is the last, so chunks cannot be reordered, dropped or moved to
another export. The download opens one chunk at a time while streaming. Shredding the customer's
key leaves the file unreadable like every other value of theirs.
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from lumeire.vault.cipher import Place, data_key_id_of, open_sealed, seal
from lumeire.vault.errors import VaultIntegrityError
from lumeire.vault.selectors import SHREDDED, data_key_for_reading
from lumeire.vault.services import data_key_for_writing

CHUNK_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")


def exports_dir() -> Path:
    """Outside MEDIA_ROOT and static files: nothing here is ever served by URL."""
    folder = Path(getattr(settings, "LUMEIRE_EXPORTS_DIR", settings.VAR_DIR / "exports"))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path_of(export_id: uuid.UUID) -> Path:
    return exports_dir() / f"{uuid.UUID(str(export_id))}.sealed"


def _place(export_id: uuid.UUID, index: int, last: bool) -> Place:
    return Place("exports_dataexport", f"file:{index}:{'last' if last else 'more'}", str(export_id))


def write_sealed(export_id: uuid.UUID, subject_id: uuid.UUID, content: bytes) -> int:
    """Seal ``content`` into the export's file (written aside, then renamed); return its size."""
    key_id, key = data_key_for_writing(subject_id)
    target = path_of(export_id)
    partial = target.with_suffix(".partial")
    chunks = [content[i : i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)] or [b""]
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for index, chunk in enumerate(chunks):
            place = _place(export_id, index, index == len(chunks) - 1)
            blob = seal(chunk, data_key=key, data_key_id=key_id, place=place)
            out.write(_LENGTH.pack(len(blob)) + blob)
    partial.replace(target)
    return target.stat().st_size


def open_for_download(export_id: uuid.UUID) -> BinaryIO | None:
    """Open the file and unlink it at once: the one open handle is the only way left to it."""
    target = path_of(export_id)
    try:
        handle = target.open("rb")
    except FileNotFoundError:
        return None
    target.unlink(missing_ok=True)
    return handle


def stream_opened(handle: BinaryIO, export_id: uuid.UUID, subject_id: uuid.UUID) -> Iterator[bytes]:
    """Yield the clear zip one opened chunk at a time; a cut or altered file raises."""
    try:
        index = 0
        while True:
            header = handle.read(_LENGTH.size)
            if len(header) < _LENGTH.size:
                raise VaultIntegrityError("The export file was cut short.")
            blob = handle.read(_LENGTH.unpack(header)[0])
            key = data_key_for_reading(data_key_id_of(blob), subject_id)
            if key is SHREDDED:
                raise VaultIntegrityError("The customer's data key was destroyed.")
            last = handle.peek(1) == b"" if hasattr(handle, "peek") else False
            yield open_sealed(blob, data_key=key, place=_place(export_id, index, last))
            if last:
                return
            index += 1
    finally:
        handle.close()


def delete_file(export_id: uuid.UUID) -> None:
    path_of(export_id).unlink(missing_ok=True)
    path_of(export_id).with_suffix(".partial").unlink(missing_ok=True)
