"""The audit log: append-only entries in a keyed hash chain, and the head that orders appends.

Entries hold who, what, which record and which fields (names, never values); the database and
the ORM both refuse to change or delete them (see ``protection.py``); old ones leave only through
a signed checkpoint (see ``checkpoints.py``). No foreign key: the log outlives the accounts it
names and the audit app imports no domain app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import ACTION_MAX_LENGTH, action_choices
from lumeire.audit.actions import AuditAction as AuditAction  # every app's actions, by name
from lumeire.audit.chain import GENESIS_HASH, HASHED_COLUMNS
from lumeire.audit.errors import AuditLogImmutableError
from lumeire.audit.signing import SIGNED_COLUMNS

REASON_MAX_LENGTH = 500


class RevealReason(models.TextChoices):
    """Why a staff member looked: the category a customer sees on "who looked at my data"."""

    ORDER_SUPPORT = "order_support", _("Order support")
    DELIVERY = "delivery", _("Delivery")
    FRAUD_REVIEW = "fraud_review", _("Fraud review")
    LEGAL_REQUEST = "legal_request", _("Legal request")
    CUSTOMER_REQUEST = "customer_request", _("Customer's own request")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused as single ones are: the log only grows."""

    def _noun(self) -> str:
        return getattr(self.model, "append_only_noun", "audit entries")

    def update(self, **kwargs):
        raise AuditLogImmutableError(f"{self._noun()} cannot be changed")

    def delete(self):
        raise AuditLogImmutableError(f"{self._noun()} cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogImmutableError(f"{self._noun()} cannot be changed")

    def update_or_create(self, defaults=None, create_defaults=None, **kwargs):
        raise AuditLogImmutableError(f"{self._noun()} are written by the audit services only")

    update.queryset_only = True
    delete.queryset_only = True

    def _raw_delete(self, using):
        raise AuditLogImmutableError(f"{self._noun()} cannot be deleted")

    def _update(self, values):
        raise AuditLogImmutableError(f"{self._noun()} cannot be changed")


class AuditEntry(models.Model):
    """One thing that happened to personal data or to who may see it; written by audit_record."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_id = models.UUIDField(_("actor"), null=True, blank=True)
    actor_roles = models.CharField(_("actor roles"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=ACTION_MAX_LENGTH, choices=action_choices)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target"), max_length=64, blank=True)
    subject_id = models.UUIDField(_("customer"), null=True, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason_category = models.CharField(
        _("reason category"), max_length=32, choices=RevealReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    client_ref = models.CharField(_("client reference"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    # The chain key the hash is an HMAC under (see chain.py); empty on plain (legacy) entries.
    key_id = models.CharField(_("key id"), max_length=32, blank=True, default="")
    entry_hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    append_only_noun = "audit entries"

    not_personal = {
        "actor_id": "a staff or customer account id, never a name",
        "subject_id": "the customer's account id, never a value of theirs",
        "client_ref": "a keyed hash of the client address, never the address",
    }

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ("-id",)
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["subject_id", "action"], name="audit_subject_action"),
            models.Index(fields=["actor_id"], name="audit_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["action"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"audit entry {self.pk}"

    def save(self, *args, **kwargs):
        """Only audit_record inserts (with force_insert); anything else is a change and refused."""
        if not (self._state.adding and kwargs.get("force_insert")):
            raise AuditLogImmutableError("audit entries are written by audit_record only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutableError("audit entries cannot be deleted")

    def hashed_row(self) -> tuple:
        return tuple(getattr(self, column) for column in HASHED_COLUMNS)


class AuditHead(models.Model):
    """The last entry's id and hash, one row locked per append so the chain never forks.

    It orders appends; it proves nothing (anyone with database access can edit it). What the
    log held is proved by the signed heads kept outside the database (``anchors.py``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head at entry {self.last_id}"


class AuditCheckpoint(models.Model):
    """A signed seal over a run of old entries that left the live table for an archive file.

    It records where the run starts and ends in the chain (ids and hashes), a digest of every
    entry hash in it, the archive file (name and SHA-256) and an HMAC by a key derived from the
    master key; ``audit_verify`` checks the signature, then continues the chain from
    ``last_hash``. Written once by ``audit_checkpoint``; the ORM and the database refuse changes.
    """

    sequence = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    entry_count = models.BigIntegerField()
    start_hash = models.CharField(max_length=64)  # the first entry's prev_hash
    last_hash = models.CharField(max_length=64)  # the last entry's entry_hash
    range_digest = models.CharField(max_length=64)
    archive_name = models.CharField(max_length=128)  # a file name in the archive folder, no path
    archive_sha256 = models.CharField(max_length=64)
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    append_only_noun = "audit checkpoints"

    not_personal = {
        "archive_name": "a file name made of the checkpoint's number, never a person's name",
    }

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        ordering = ("sequence",)
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_id__gte=1, last_id__gte=models.F("first_id")),
                name="audit_checkpoint_range",
            ),
        ]

    def __str__(self) -> str:
        return f"audit checkpoint {self.sequence} (entries {self.first_id}-{self.last_id})"

    def save(self, *args, **kwargs):
        """Only audit_checkpoint inserts (with force_insert); anything else is refused."""
        if not (self._state.adding and kwargs.get("force_insert")):
            raise AuditLogImmutableError("audit checkpoints are written by audit_checkpoint only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutableError("audit checkpoints cannot be deleted")

    def signed_columns(self) -> dict:
        return {name: getattr(self, name) for name in SIGNED_COLUMNS}
