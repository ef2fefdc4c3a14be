"""Checks that every wrapped data key opens and that stored ciphertexts still decrypt."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

from django.apps import apps
from django.db import models

from lumeire.vault.errors import VaultError
from lumeire.vault.fields import EncryptedFieldMixin, is_erased
from lumeire.vault.keyring import get_keyring, unwrap_data_key
from lumeire.vault.models import DataKey


def verify_data_keys() -> Counter[str]:
    """Count data keys by outcome: ``ok``, ``shredded``, ``failed``; ``old_master`` among the ok."""
    keyring = get_keyring()
    outcome: Counter[str] = Counter()
    for row in DataKey.objects.order_by("id").iterator(chunk_size=1000):
        if row.wrapped_key is None:
            outcome["shredded"] += 1
            continue
        try:
            unwrap_data_key(
                bytes(row.wrapped_key), row.subject_id, keyring.by_id(row.master_key_id)
            )
        except VaultError:
            outcome["failed"] += 1
            continue
        outcome["ok"] += 1
        if row.master_key_id != keyring.current.key_id:
            outcome["old_master"] += 1
    return outcome


def encrypted_models() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Each model with encrypted fields, and those fields' names."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if names:
            yield model, names


def verify_ciphertexts(*, sample: int | None = 200, seed: int | None = None) -> Counter[str]:
    """Open encrypted values (a random sample of rows per model, or all with ``sample=None``)."""
    outcome: Counter[str] = Counter()
    chooser = random.Random(seed)  # noqa: S311 - sampling, not security
    for model, names in encrypted_models():
        pks = list(model._base_manager.values_list("pk", flat=True))
        if sample is not None and len(pks) > sample:
            pks = chooser.sample(pks, sample)
        for start in range(0, len(pks), 500):
            for row in model._base_manager.filter(pk__in=pks[start : start + 500]):
                for name in names:
                    try:
                        value = getattr(row, name)
                    except VaultError:
                        outcome["failed"] += 1
                        continue
                    if value is None:
                        outcome["empty"] += 1
                    elif is_erased(value):
                        outcome["erased"] += 1
                    else:
                        outcome["ok"] += 1
    return outcome
