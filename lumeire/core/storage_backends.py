"""The storages the store's files live in: a private folder on this machine, or a shared bucket.

``config/storage_url.py`` picks them from ``LUMEIRE_STORAGE_URL``. Whatever the backend, the
store writes a file whole or not at all (``StagedWrite``) and reads it as a stream, a block at
a time: a sealed export or an audit archive is never held in memory whole, and a reader never
sees half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class PrivateFolderStorage(FileSystemStorage):
    """A folder of this machine for files never served by URL (exports, audit archives).

    The folder is read from a setting at every use (``setting``, else ``VAR_DIR/folder``), so a
    test or a deployment that moves it needs nothing else. Files 0600, folders 0700; a name is
    written again in place (names are unique: ids and sequence numbers).
    """

    def __init__(self, *, setting: str, folder: str, **kwargs: object) -> None:
        self.setting = setting
        self.folder = folder
        super().__init__(
            file_permissions_mode=PRIVATE_FILE_MODE,
            directory_permissions_mode=PRIVATE_FOLDER_MODE,
            allow_overwrite=True,
            **kwargs,
        )

    @property
    def base_location(self) -> str:
        return str(getattr(settings, self.setting, None) or Path(settings.VAR_DIR) / self.folder)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("These files are never served by URL.")


class ObjectStream:
    """An object's body as it arrives from the bucket, read a block at a time."""

    def __init__(self, body, size: int) -> None:
        self._body = body
        self.size = size
        self.closed = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            return self._body.read(None if size is None or size < 0 else size)
        except (BotoCoreError, OSError, ValueError) as error:
            raise OSError(f"the stored file could not be read to its end ({error})") from None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._body.close()


class BucketStorage(S3Storage):
    """An S3-compatible bucket whose objects are read as streams.

    django-storages' own reader copies a whole object into memory before the first byte;
    here a read opens the object's body and hands it on as it arrives. Transport failures
    surface as ``OSError`` (a missing object as ``FileNotFoundError``), as a folder's would.
    """

    # A shared bucket that stops answering must not hold a request for botocore's 60 s.
    client_timeouts = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.client_config = self.client_config.merge(self.client_timeouts)

    def _open(self, name: str, mode: str = "rb") -> File:
        if set(mode) & set("wa+"):
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            response = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"No stored file {name}") from None
            raise OSError(f"the storage refused to read {name} ({error})") from None
        except BotoCoreError as error:
            raise OSError(f"the storage could not be reached ({error})") from None
        return File(ObjectStream(response["Body"], int(response["ContentLength"])), name=name)

    def _save(self, name: str, content) -> str:
        try:
            return super()._save(name, content)
        except (BotoCoreError, ClientError) as error:
            raise OSError(f"the storage could not store {name} ({error})") from None

    def delete(self, name: str) -> None:
        try:
            super().delete(name)
        except (BotoCoreError, ClientError) as error:
            raise OSError(f"the storage could not delete {name} ({error})") from None


class MediaBucketStorage(BucketStorage):
    """Product and category photos in the bucket, addressed through the store's media view.

    The pages link to ``MEDIA_URL``, never to the bucket: the bucket stays private, the pages'
    ``img-src 'self'`` holds, and every node answers for every photo.
    """

    def url(self, name: str | None, *args: object, **kwargs: object) -> str:
        return f"{settings.MEDIA_URL}{filepath_to_uri(clean_name(name or ''))}"


class PrivateBucketStorage(BucketStorage):
    """Exports and audit archives in the bucket: read only by the store, never by URL."""

    def url(self, name: str | None, *args: object, **kwargs: object) -> str:
        raise ValueError("These files are never served by URL.")


def is_local(storage: Storage) -> bool:
    """Whether ``storage`` keeps its files in a folder of this machine."""
    return isinstance(storage, FileSystemStorage)


class StagedWrite:
    """A file written aside and published whole by ``commit``, or not at all by ``discard``.

    In a folder: written as a hidden ``.partial`` file beside its target, flushed to disk and
    renamed into place (a rename is atomic, and the folder is synced so the rename survives a
    crash). Elsewhere: spooled to an anonymous temporary file, then stored in one upload, which
    an S3-compatible store publishes atomically when it completes.
    """

    def __init__(self, storage: Storage, name: str) -> None:
        self.storage = storage
        self.name = name
        self.size = 0
        self._target: Path | None = None
        self._partial: Path | None = None
        if is_local(storage):
            self._target = Path(storage.path(name))
            self._target.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
            self._partial = self._target.with_name(f".{self._target.name}.partial")
            descriptor = os.open(
                self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE
            )
            self.file: BinaryIO = os.fdopen(descriptor, "wb")
        else:
            self.file = tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def commit(self) -> None:
        """Publish the file under its name; raises (and publishes nothing) on failure."""
        try:
            if self._target is not None:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
                self._partial.replace(self._target)
                fsync_dir(self._target.parent)
                return
            self.file.flush()
            self.file.seek(0)
            stored = self.storage.save(self.name, File(self.file, name=self.name))
            if stored != self.name:
                self.storage.delete(stored)
                raise OSError(f"the storage renamed {self.name} to {stored}")
        except BaseException:
            self.discard()
            raise
        finally:
            self.file.close()

    def discard(self) -> None:
        """Leave nothing behind."""
        self.file.close()
        if self._partial is not None:
            with contextlib.suppress(FileNotFoundError):
                self._partial.unlink()


def read_exactly(handle: BinaryIO, size: int) -> bytes:
    """``size`` bytes, fewer only at the end: a network stream may return less per read."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        part = handle.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
