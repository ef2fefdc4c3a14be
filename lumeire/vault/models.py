"""The keystore: one wrapped data key per subject whose personal data the store holds."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class DataKey(models.Model):
    """A subject's data key, stored only wrapped by a master key.

    Shredding clears ``wrapped_key`` and keeps the row as a tombstone, so a ciphertext of that
    subject reads as erased rather than as an integrity failure.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject_id = models.UUIDField(unique=True, editable=False)
    wrapped_key = models.BinaryField(null=True, editable=False)
    master_key_id = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(wrapped_key__isnull=True, shredded_at__isnull=False))
                | (Q(wrapped_key__isnull=False, shredded_at__isnull=True)),
                name="datakey_wrapped_xor_shredded",
            )
        ]
        indexes = [models.Index(fields=["master_key_id"], name="datakey_master_key_idx")]

    def __str__(self) -> str:
        state = "shredded" if self.shredded_at else self.master_key_id
        return f"data key {self.id} ({state})"


class KeyFingerprint(models.Model):
    """A keyed digest of one key every node must share, recorded when the database is first
    migrated; a node whose key gives another digest refuses to serve (``keycheck.py``).

    The digest is an HMAC-SHA256 of a fixed label under the key: it tells whether two keys are
    the same and nothing else about them.
    """

    key = models.CharField(primary_key=True, max_length=40, editable=False)
    fingerprint = models.CharField(max_length=64, editable=False)
    recorded_at = models.DateTimeField(editable=False)

    def __str__(self) -> str:
        return f"fingerprint of {self.key}"
