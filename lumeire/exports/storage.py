"""The export's file: sealed with the customer's data key, chunk by chunk, in the exports storage.

Each chunk is AES-256-GCM sealed by the vault's cipher with a Place naming the export, the
chunk's position and whether it is the last, so chunks cannot be reordered, dropped or moved to
another export. The file lives in the "exports" storage (a 0700 folder under var/, or the shared
bucket: see config/storage_url.py), sealed either way; the download opens one chunk at a time
while streaming. Shredding the customer's key leaves the file unreadable like every other value
of theirs.
"""

from __future__ import annotations

import contextlib
import re
import struct
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.core.files.storage import Storage, storages

from lumeire.core.storage_backends import StagedWrite, is_local, read_exactly
from lumeire.vault.cipher import Place, data_key_id_of, open_sealed, seal
from lumeire.vault.errors import VaultIntegrityError
from lumeire.vault.selectors import SHREDDED, data_key_for_reading
from lumeire.vault.services import data_key_for_writing

CHUNK_BYTES = 1024 * 1024
_LENGTH = struct.Struct(">I")
# A sealed chunk is its clear text plus a short header and tag; anything far larger is not ours.
_MAX_SEALED = CHUNK_BYTES + 64 * 1024
_NAME = re.compile(r"^(?P<id>[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})\.sealed$")


def export_storage() -> Storage:
    return storages["exports"]


def name_of(export_id: uuid.UUID) -> str:
    return f"{uuid.UUID(str(export_id))}.sealed"


def exports_dir() -> Path:
    """The local folder of the exports storage (outside MEDIA_ROOT, never served by URL)."""
    folder = Path(export_storage().location)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path_of(export_id: uuid.UUID) -> Path:
    """Where the export's file is in the local folder (only when the storage is one)."""
    return Path(export_storage().path(name_of(export_id)))


def _place(export_id: uuid.UUID, index: int, last: bool) -> Place:
    return Place("exports_dataexport", f"file:{index}:{'last' if last else 'more'}", str(export_id))


def write_sealed(export_id: uuid.UUID, subject_id: uuid.UUID, content: bytes) -> int:
    """Seal ``content`` into the export's file, which appears whole or not at all; return its
    size. A second build of the same export writes the same name again."""
    key_id, key = data_key_for_writing(subject_id)
    chunks = [content[i : i + CHUNK_BYTES] for i in range(0, len(content), CHUNK_BYTES)] or [b""]
    staged = StagedWrite(export_storage(), name_of(export_id))
    try:
        for index, chunk in enumerate(chunks):
            place = _place(export_id, index, index == len(chunks) - 1)
            blob = seal(chunk, data_key=key, data_key_id=key_id, place=place)
            staged.write(_LENGTH.pack(len(blob)) + blob)
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    return staged.size


class OpenedExport:
    """The export's file, open for its one download, read from the storage as a stream.

    One download: the export's row is marked downloaded before the file is opened, so no
    second request reaches the file whatever happens next; removing the file is cleanup. A
    local file is unlinked at once (the open handle still reads it, nothing else can). An
    object in a bucket is deleted when the stream ends or is cut, not at once: an S3-compatible
    server does not promise that a GET under way survives a DELETE of its object. If the node
    dies mid-stream, ``exports_purge_expired`` removes what is left (the row is no longer ready).
    """

    def __init__(self, export_id: uuid.UUID, handle: BinaryIO, *, deleted: bool) -> None:
        self.export_id = export_id
        self.handle = handle
        self._deleted = deleted

    def read(self, size: int) -> bytes:
        return read_exactly(self.handle, size)

    def close(self) -> None:
        try:
            self.handle.close()
        finally:
            if not self._deleted:
                self._deleted = True
                # Cleanup only (see the class): a failure here leaves it to the purge.
                with contextlib.suppress(OSError):
                    delete_file(self.export_id)


def open_for_download(export_id: uuid.UUID) -> OpenedExport | None:
    """Open the export's file for its one download; None when there is none."""
    store = export_storage()
    name = name_of(export_id)
    try:
        handle = store.open(name, "rb")
    except FileNotFoundError:
        return None
    if is_local(store):
        store.delete(name)
        return OpenedExport(export_id, handle, deleted=True)
    return OpenedExport(export_id, handle, deleted=False)


def stream_opened(
    opened: OpenedExport, export_id: uuid.UUID, subject_id: uuid.UUID
) -> Iterator[bytes]:
    """Yield the clear zip one opened chunk at a time; a cut or altered file raises.

    A chunk is the last when nothing follows it; each is read only once the one before has
    gone out, so memory holds about two chunks whatever the export's size.
    """
    try:
        index = 0
        header = opened.read(_LENGTH.size)
        while True:
            if len(header) < _LENGTH.size:
                raise VaultIntegrityError("The export file was cut short.")
            length = _LENGTH.unpack(header)[0]
            if length > _MAX_SEALED:
                raise VaultIntegrityError("The export file holds an impossible chunk length.")
            blob = opened.read(length)
            if len(blob) < length:
                raise VaultIntegrityError("The export file was cut short.")
            header = opened.read(_LENGTH.size)
            last = header == b""
            key = data_key_for_reading(data_key_id_of(blob), subject_id)
            if key is SHREDDED:
                raise VaultIntegrityError("The customer's data key was destroyed.")
            yield open_sealed(blob, data_key=key, place=_place(export_id, index, last))
            if last:
                return
            index += 1
    finally:
        opened.close()


def delete_file(export_id: uuid.UUID) -> None:
    """Remove the export's file if there is one (deleting a missing file is no error)."""
    store = export_storage()
    store.delete(name_of(export_id))
    if is_local(store):
        partial = Path(store.path(name_of(export_id)))
        partial.with_name(f".{partial.name}.partial").unlink(missing_ok=True)


def stored_export_ids() -> list[uuid.UUID]:
    """The exports that have a file in the storage (one listing, whatever their number)."""
    store = export_storage()
    try:
        _folders, names = store.listdir("")
    except FileNotFoundError:
        return []
    return [uuid.UUID(found["id"]) for name in names if (found := _NAME.match(name))]
