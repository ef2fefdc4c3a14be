"""Writes to the keystore: creating data keys, shredding them, and re-wrapping on rotation."""

from __future__ import annotations

import logging
import time
import uuid

from django.apps import apps
from django.db import IntegrityError, OperationalError, connections, router, transaction
from django.utils import timezone

from lumeire.audit.services import audit_record
from lumeire.vault.audit_actions import VaultAuditAction
from lumeire.vault.errors import VaultError
from lumeire.vault.journal import journal_append
from lumeire.vault.keycache import data_key_cache
from lumeire.vault.keyring import get_keyring, new_data_key, unwrap_data_key, wrap_data_key
from lumeire.vault.models import DataKey
from lumeire.vault.selectors import (
    SHREDDED,
    data_key_for_reading,
    tombstones_missing_from_journal,
)

logger = logging.getLogger(__name__)

# How long the key table's rewrite waits for readers before settling for a plain vacuum.
SCRUB_LOCK_TIMEOUT = "5s"
# How long it waits first for transactions older than the erasure, which may still see the key.
SCRUB_WAIT_SECONDS = 10.0


class SubjectErasedError(VaultError):
    """New personal data cannot be written for a subject whose key was shredded."""


def data_key_for_writing(subject_id: uuid.UUID) -> tuple[uuid.UUID, bytes]:
    """Return ``(key id, clear key)`` of the subject, creating and wrapping one on first use."""
    row = DataKey.objects.filter(subject_id=subject_id).first()
    if row is None:
        master = get_keyring().current
        clear = new_data_key()
        try:
            with transaction.atomic():
                row = DataKey.objects.create(
                    subject_id=subject_id,
                    wrapped_key=wrap_data_key(clear, subject_id, master),
                    master_key_id=master.key_id,
                )
        except IntegrityError:
            # Another request created this subject's key first: use theirs.
            row = DataKey.objects.get(subject_id=subject_id)
        else:
            data_key_cache.put(row.id.bytes, subject_id, clear)
            return row.id, clear
    key = data_key_for_reading(row.id.bytes, subject_id)
    if key is SHREDDED:
        raise SubjectErasedError("This subject's personal data was erased; nothing can be added.")
    return row.id, key


def _clear_blind_indexes(subject_id: uuid.UUID) -> None:
    # A blind index would still answer "was this email a customer?" after erasure.
    from lumeire.vault.fields import BlindIndexField, EncryptedFieldMixin

    for model in apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [f for f in fields if isinstance(f, EncryptedFieldMixin)]
        subject_attrs = {f.subject_field for f in encrypted}
        subject_attrs |= {f.subject_fallback for f in encrypted if f.subject_fallback}
        index_names = [f.attname for f in fields if isinstance(f, BlindIndexField)]
        if not index_names:
            continue
        for subject_attr in subject_attrs:
            lookup = "pk" if subject_attr == "pk" else subject_attr
            model._base_manager.filter(**{lookup: subject_id}).update(
                **{name: None for name in index_names}
            )


@transaction.atomic
def shred(subject_id: uuid.UUID, *, journal: bool = True) -> bool:
    """Destroy the subject's data key; every ciphertext of theirs becomes unreadable for good.

    The erasure journal records the destroyed key before the transaction commits (a journal
    that cannot be written aborts the shred), so a restored backup can be brought back to this
    erasure; ``journal=False`` is for replaying a key the journal already lists. Call
    ``keystore_scrub`` after the commit to wipe the old key from the database files.
    Returns whether a live key was destroyed (False when there was none or it was already gone).
    """
    live = list(
        DataKey.objects.select_for_update()
        .filter(subject_id=subject_id, wrapped_key__isnull=False)
        .values_list("id", flat=True)
    )
    destroyed = (
        DataKey.objects.filter(id__in=live, wrapped_key__isnull=False).update(
            wrapped_key=None, master_key_id="", shredded_at=timezone.now()
        )
        > 0
    )
    _clear_blind_indexes(subject_id)
    data_key_cache.forget_subject(subject_id)
    transaction.on_commit(lambda: data_key_cache.forget_subject(subject_id))
    if destroyed and journal:
        for key_id in live:
            journal_append(subject_id=subject_id, data_key_id=key_id)
    return destroyed


def _older_transactions_still_open(cursor, started_at) -> bool:
    # A rewrite keeps every row version a snapshot may still see: one of a transaction in this
    # database that began before the scrub, or, through the rewrite's own snapshot, one that
    # any transaction still writing anywhere on the server began before it.
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND xact_start < %s AND (backend_xid IS NOT NULL "
        "OR (datname = current_database() AND backend_xmin IS NOT NULL))",
        [started_at],
    )
    return cursor.fetchone()[0] > 0


def _rewrite_key_table(cursor, table: str) -> str:
    cursor.execute("SELECT clock_timestamp()")
    started_at = cursor.fetchone()[0]
    waited = 0.0
    while _older_transactions_still_open(cursor, started_at) and waited < SCRUB_WAIT_SECONDS:
        time.sleep(0.1)
        waited += 0.1
    cursor.execute(f"SET lock_timeout = '{SCRUB_LOCK_TIMEOUT}'")
    try:
        cursor.execute(f"VACUUM FULL {table}")
    except OperationalError:
        cursor.execute(f"VACUUM {table}")
        logger.warning(
            "key store scrub: the key table was busy; vacuumed, rewrite left for later",
            extra={"event": "keystore_scrub_busy"},
        )
        return "vacuumed"
    finally:
        cursor.execute("RESET lock_timeout")
    if waited >= SCRUB_WAIT_SECONDS and _older_transactions_still_open(cursor, started_at):
        logger.warning(
            "key store scrub: a long transaction may have kept an old key version; the next "
            "scrub removes it",
            extra={"event": "keystore_scrub_busy"},
        )
        return "rewritten_while_busy"
    return "rewritten"


def keystore_scrub() -> str:
    """Wipe what is left of destroyed keys from the database files; return what was done.

    SQLite overwrites freed space at once (``secure_delete``, set on every connection); the old
    page versions in the write-ahead log go with a truncating checkpoint. PostgreSQL keeps a
    dead row version, wrapped key included, in the key table's file until a vacuum; a plain
    vacuum can leave its bytes in a page's free space, so the key table is rewritten
    (``VACUUM FULL``: a new file without them, the old one unlinked). A rewrite keeps the
    versions an open transaction may still see, so it first waits (``SCRUB_WAIT_SECONDS`` at
    most) for transactions older than the scrub to end. The rewrite locks the key table
    briefly; it waits at most ``SCRUB_LOCK_TIMEOUT`` for readers, else falls back to a plain
    vacuum and leaves the rewrite to the next scrub. Inside a transaction, the scrub runs
    after the commit. Returns "checkpointed" or "rewritten" when nothing can be left,
    "busy", "vacuumed" or "rewritten_while_busy" when the next scrub has to finish the work.
    """
    connection = connections[router.db_for_write(DataKey)]
    if connection.in_atomic_block:
        transaction.on_commit(keystore_scrub, using=connection.alias)
        return "deferred"
    table = connection.ops.quote_name(DataKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = (cursor.fetchone() or (0,))[0]
            if busy:
                logger.warning(
                    "key store scrub: a reader kept the write-ahead log; the next scrub retries",
                    extra={"event": "keystore_scrub_busy"},
                )
                return "busy"
            return "checkpointed"
        if connection.vendor == "postgresql":
            return _rewrite_key_table(cursor, table)
    return "unsupported"


def rotate_batch(*, batch_size: int = 500) -> int:
    """Re-wrap up to ``batch_size`` data keys under the current master key; return how many.

    Each batch is its own short transaction and each row is updated only if it still holds the
    wrapping that was read, so the store keeps serving and an interrupted run simply resumes.
    """
    from lumeire.vault.selectors import data_keys_to_rotate

    keyring = get_keyring()
    current = keyring.current
    rewrapped = 0
    with transaction.atomic():
        for row in data_keys_to_rotate().order_by("id")[:batch_size]:
            old_wrapped = bytes(row.wrapped_key)
            clear = unwrap_data_key(old_wrapped, row.subject_id, keyring.by_id(row.master_key_id))
            rewrapped += DataKey.objects.filter(
                id=row.id, master_key_id=row.master_key_id, wrapped_key=old_wrapped
            ).update(
                wrapped_key=wrap_data_key(clear, row.subject_id, current),
                master_key_id=current.key_id,
                rotated_at=timezone.now(),
            )
    return rewrapped


def journal_record_tombstones() -> int:
    """Add to the erasure journal every destroyed key the database shows and it lacks.

    For a store whose first erasures predate the journal; audited. Returns how many.
    """
    missing = tombstones_missing_from_journal()
    for row in missing:
        journal_append(subject_id=row.subject_id, data_key_id=row.id)
    if missing:
        with transaction.atomic():
            audit_record(
                actor=None,
                action=VaultAuditAction.ERASURE_JOURNAL_RECORDED,
                target_type="vault.datakey",
                reason=f"{len(missing)} destroyed data keys recorded in the erasure journal",
            )
    return len(missing)
