"""Writes to the keystore: creating data keys, shredding them, and re-wrapping on rotation."""

from __future__ import annotations

import uuid

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from lumeire.vault.errors import VaultError
from lumeire.vault.keycache import data_key_cache
from lumeire.vault.keyring import get_keyring, new_data_key, unwrap_data_key, wrap_data_key
from lumeire.vault.models import DataKey
from lumeire.vault.selectors import SHREDDED, data_key_for_reading


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
        subject_attrs = {f.subject_field for f in fields if isinstance(f, EncryptedFieldMixin)}
        index_names = [f.attname for f in fields if isinstance(f, BlindIndexField)]
        if not index_names:
            continue
        for subject_attr in subject_attrs:
            lookup = "pk" if subject_attr == "pk" else subject_attr
            model._base_manager.filter(**{lookup: subject_id}).update(
                **{name: None for name in index_names}
            )


@transaction.atomic
def shred(subject_id: uuid.UUID) -> bool:
    """Destroy the subject's data key; every ciphertext of theirs becomes unreadable for good.

    Returns whether a live key was destroyed (False when there was none or it was already gone).
    """
    destroyed = (
        DataKey.objects.filter(subject_id=subject_id, wrapped_key__isnull=False).update(
            wrapped_key=None, master_key_id="", shredded_at=timezone.now()
        )
        > 0
    )
    _clear_blind_indexes(subject_id)
    data_key_cache.forget_subject(subject_id)
    transaction.on_commit(lambda: data_key_cache.forget_subject(subject_id))
    return destroyed


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
