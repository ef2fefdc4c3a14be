"""The erasure journal: a signed record of every destroyed data key, kept outside the database.

A database backup taken before an erasure still holds the wrapped key, and the master key that
opens it. The journal lists every destroyed key in a file of its own
(``LUMEIRE_ERASURE_JOURNAL_DIR/erasures.jsonl``, 0600, in a 0700 folder), so that after a
restore ``manage.py erasure_replay`` destroys again every key the restored database still holds.
Until it has, the system check ``vault.E020`` stops ``migrate`` and the store answers 503.

One JSON object a line::

    {"seq": 1, "at": "2026-12-07T19:40:00.123456Z", "subject": "<uuid>", "key": "<uuid>",
     "kid": "mk-…", "prev": "<mac of the line before, or empty>", "mac": "<hex>"}

``mac`` is HMAC-SHA256 of the other fields (canonical JSON) under a key derived with HKDF from
the master key ``kid``, which never enters the database; ``prev`` chains the lines, so an edited,
forged, removed or reordered line is detected (``vault.E021``). Cutting off the newest lines is
not detected by the chain alone; ``vault.W022`` notices a journal that lacks keys the live
database shows as destroyed.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from lumeire.vault.errors import VaultConfigurationError, VaultError
from lumeire.vault.keyring import Keyring, MasterKey, get_keyring

JOURNAL_FILE = "erasures.jsonl"
JOURNAL_INFO = b"lumeire erasure journal"
SIGNED_FIELDS = ("seq", "at", "subject", "key", "kid", "prev")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # sorts as text in time order


class ErasureJournalError(VaultError):
    """The journal could not be written: the erasure must not go ahead without its record."""


@dataclass(frozen=True)
class JournalRecord:
    """One destroyed data key, as the journal keeps it."""

    seq: int
    at: str
    subject_id: uuid.UUID
    data_key_id: uuid.UUID
    kid: str
    prev: str
    mac: str


@dataclass(frozen=True)
class JournalReading:
    """The verified lines of the journal, and what is wrong with the others."""

    records: tuple[JournalRecord, ...]
    problems: tuple[str, ...]

    @functools.cached_property
    def subject_ids(self) -> frozenset[uuid.UUID]:
        return frozenset(record.subject_id for record in self.records)

    def settled(self, seconds: float) -> JournalReading:
        """The lines older than ``seconds``: an erasure still committing is not a restore."""
        cutoff = (datetime.now(UTC) - timedelta(seconds=seconds)).strftime(TIME_FORMAT)
        return JournalReading(
            records=tuple(record for record in self.records if record.at <= cutoff),
            problems=self.problems,
        )


def journal_dir() -> Path:
    return Path(settings.LUMEIRE_ERASURE_JOURNAL_DIR)


def journal_path() -> Path:
    return journal_dir() / JOURNAL_FILE


def _signing_key(master: MasterKey) -> bytes:
    return _derived(master.secret)


@functools.cache
def _derived(secret: bytes) -> bytes:
    # Once per master key, not once per line: verifying a long journal stays cheap.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=JOURNAL_INFO).derive(secret)


def _mac(fields: dict[str, object], master: MasterKey) -> str:
    message = json.dumps(
        {name: fields[name] for name in SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    ).encode()
    return hmac.new(_signing_key(master), message, hashlib.sha256).hexdigest()


def _now_text() -> str:
    return datetime.now(UTC).strftime(TIME_FORMAT)


def _open_for_append() -> int:
    folder = journal_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a folder the store does not own stays as is
        os.chmod(folder, 0o700)
    fd = os.open(journal_path(), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _last_line(fd: int) -> str:
    """The last complete line; a torn one (a crash mid-write) is cut off first.

    A torn line cannot be a record: the erasure it belonged to never committed.
    """
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return ""
    tail_start = max(0, size - 4096)
    os.lseek(fd, tail_start, os.SEEK_SET)
    tail = os.read(fd, size - tail_start)
    if not tail.endswith(b"\n"):
        cut = tail.rfind(b"\n")
        keep = tail_start + cut + 1 if cut >= 0 else 0
        os.ftruncate(fd, keep)
        return _last_line(fd) if keep else ""
    lines = tail.rstrip(b"\n").split(b"\n")
    return lines[-1].decode("utf-8", "replace")


def _write_line(fd: int, fields: dict[str, object], *, sync: bool = True) -> None:
    os.write(fd, json.dumps(fields, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    if sync:
        os.fsync(fd)


def _locked_journal() -> int:
    """Open the journal and take its lock; one writer at a time across the store's processes.

    A reseal replaces the file: a writer that waited on the old one opens the new one.
    """
    while True:
        try:
            fd = _open_for_append()
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = os.stat(journal_path())
        except OSError as error:
            raise ErasureJournalError(
                f"The erasure journal in {journal_dir()} cannot be written ({error.strerror}). "
                "Set LUMEIRE_ERASURE_JOURNAL_DIR to a writable folder."
            ) from None
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) == (current.st_dev, current.st_ino):
            return fd
        os.close(fd)


def journal_append(*, subject_id: uuid.UUID, data_key_id: uuid.UUID) -> JournalRecord:
    """Record one destroyed key, durably, before the erasure commits.

    Raises ErasureJournalError when the journal cannot be written, so the erasure rolls back
    rather than happen without a record that a restore would need.
    """
    master = get_keyring().current
    fd = _locked_journal()
    try:
        previous = _last_line(fd)
        try:
            last = json.loads(previous) if previous else {}
        except ValueError:
            last = {}
        fields: dict[str, object] = {
            "seq": int(last.get("seq", 0)) + 1,
            "at": _now_text(),
            "subject": str(subject_id),
            "key": str(data_key_id),
            "kid": master.key_id,
            "prev": str(last.get("mac", "")),
        }
        fields["mac"] = _mac(fields, master)
        _write_line(fd, fields)
    except OSError as error:
        raise ErasureJournalError(
            f"The erasure journal could not be written ({error.strerror})."
        ) from None
    finally:
        os.close(fd)  # closing releases the lock
    return _record(fields)


def _record(fields: dict[str, object]) -> JournalRecord:
    return JournalRecord(
        seq=int(fields["seq"]),
        at=str(fields["at"]),
        subject_id=uuid.UUID(str(fields["subject"])),
        data_key_id=uuid.UUID(str(fields["key"])),
        kid=str(fields["kid"]),
        prev=str(fields["prev"]),
        mac=str(fields["mac"]),
    )


def _verify_line(line: str, number: int, keyring: Keyring, prev: str) -> JournalRecord | str:
    try:
        fields = json.loads(line)
        if not isinstance(fields, dict) or set(fields) != {*SIGNED_FIELDS, "mac"}:
            raise ValueError
        record = _record(fields)
    except (ValueError, TypeError, KeyError):
        return f"line {number} is not a journal record"
    try:
        master = keyring.by_id(record.kid)
    except VaultError:
        return f"line {number} is signed by master key {record.kid}, which is not configured"
    if not hmac.compare_digest(_mac(fields, master), record.mac):
        return f"line {number} fails its signature: it was edited or forged"
    if record.prev != prev or record.seq != number:
        return f"line {number} does not follow line {number - 1}: lines were removed or moved"
    return record


@dataclass(frozen=True)
class _Verified:
    """How far the journal was verified: its bytes up to ``length``, and the chain state there."""

    path: str
    inode: int
    length: int
    prefix_digest: bytes
    lines: int
    prev: str
    reading: JournalReading


def _verify_lines(
    lines: list[str], *, first_number: int, prev: str, keyring: Keyring
) -> tuple[list[JournalRecord], list[str], str]:
    records: list[JournalRecord] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=first_number):
        checked = _verify_line(line, number, keyring, prev)
        if isinstance(checked, str):
            problems.append(checked)
            # Keep checking the rest against what the line claims, so one bad line is one
            # problem; its claims are still not trusted.
            try:
                prev = str(json.loads(line).get("mac", ""))
            except (ValueError, AttributeError):
                prev = ""
            continue
        records.append(checked)
        prev = checked.mac
    return records, problems, prev


def _read(previous: _Verified | None) -> _Verified | JournalReading:
    """Verify the journal, only its new lines when the verified part is unchanged."""
    path = journal_path()
    try:
        with path.open("rb") as journal:
            inode = os.fstat(journal.fileno()).st_ino
            content = journal.read()
    except (FileNotFoundError, NotADirectoryError):
        return JournalReading(records=(), problems=())
    except OSError as error:
        return JournalReading(records=(), problems=(f"the journal cannot be read: {error}",))
    # Only whole lines: a line being written now is read next time.
    length = content.rfind(b"\n") + 1
    keyring = get_keyring()
    grown = (
        previous is not None
        and (previous.path, previous.inode) == (str(path), inode)
        and length >= previous.length
        and hashlib.sha256(content[: previous.length]).digest() == previous.prefix_digest
        and not previous.reading.problems
    )
    if grown:
        base = previous.reading
        start, first, prev = previous.length, previous.lines + 1, previous.prev
    else:
        base, start, first, prev = JournalReading(records=(), problems=()), 0, 1, ""
    new = content[start:length].decode("utf-8", "replace").splitlines()
    records, problems, prev = _verify_lines(new, first_number=first, prev=prev, keyring=keyring)
    reading = JournalReading(
        records=(*base.records, *records), problems=(*base.problems, *problems)
    )
    return _Verified(
        path=str(path),
        inode=inode,
        length=length,
        prefix_digest=hashlib.sha256(content[:length]).digest(),
        lines=first - 1 + len(new),
        prev=prev,
        reading=reading,
    )


def read_journal() -> JournalReading:
    """Read and verify the whole journal; a missing journal is an empty one."""
    read = _read(None)
    return read.reading if isinstance(read, _Verified) else read


_cached: tuple[tuple[str, int, int], _Verified | JournalReading] | None = None


def current_journal() -> JournalReading:
    """The verified journal, read again only when the file changes (one ``stat`` a call).

    The journal only grows: when it has, only the new lines are verified (the part already
    verified is checked unchanged by its digest), so a long journal stays cheap to follow.
    """
    global _cached
    path = journal_path()
    try:
        info = path.stat()
        stamp = (str(path), info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (str(path), 0, -1)
    if _cached is not None and _cached[0] == stamp:
        found = _cached[1]
    else:
        previous = _cached[1] if _cached is not None else None
        found = _read(previous if isinstance(previous, _Verified) else None)
        _cached = (stamp, found)
    return found.reading if isinstance(found, _Verified) else found


def journal_reseal() -> int:
    """Sign every verified line again under the current master key; return how many.

    Run once every data key is wrapped by the current master (``vault_rotate`` does), so the
    retired master can leave the configuration without the journal losing its proof. Refuses
    to reseal a journal that fails verification: that would launder a forged line.
    """
    if not journal_path().exists():
        return 0
    lock = _locked_journal()
    try:
        reading = read_journal()
        if reading.problems:
            raise VaultConfigurationError(
                "The erasure journal fails verification; restore it from its backup before "
                "resealing: " + "; ".join(reading.problems)
            )
        master = get_keyring().current
        fresh = journal_path().with_suffix(".reseal")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            prev = ""
            for record in reading.records:
                fields: dict[str, object] = {
                    "seq": record.seq,
                    "at": record.at,
                    "subject": str(record.subject_id),
                    "key": str(record.data_key_id),
                    "kid": master.key_id,
                    "prev": prev,
                }
                fields["mac"] = prev = _mac(fields, master)
                _write_line(fd, fields, sync=False)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(fresh, journal_path())
    finally:
        os.close(lock)
    return len(reading.records)
