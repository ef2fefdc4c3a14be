"""Irregular activity: signals raised by detection rules, the cases they open, and what staff did.

A case names its subject by account id or by a keyed hash of a client address, never by a value;
signals point at the store's own events by source and id (``event_refs``), never copy them. The
notes, the legal summary and opinion are free text staff write about a person, so they are
declared personal data with the case's own retention (``LUMEIRE_CASE_RETENTION_DAYS`` after
closing, ``LUMEIRE_DISMISSED_CASE_DAYS`` after a dismissal).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure, Purge

CASE_ROLES = frozenset({"compliance_officer", "legal_counsel"})
# The audit log's target type for every entry about a case (its target id is the reference).
CASE_AUDIT_TARGET = "compliance.case"


def _case_retention() -> Retention:
    return Retention(
        after=_("after the case is closed (sooner when it is dismissed)"),
        period=timedelta(days=int(getattr(settings, "LUMEIRE_CASE_RETENTION_DAYS", 5 * 365))),
    )


def _case_text(purpose) -> PersonalData:
    return PersonalData(
        Category.BEHAVIOURAL, purpose, _case_retention(), CASE_ROLES, PolicyClause.DEALINGS
    )


class Rule(models.TextChoices):
    """The detection rules; each has settings for its window and thresholds and can be off."""

    STUFFING_ADDRESS = "stuffing_address", _("Failed sign-ins on many accounts from one address")
    STUFFING_ACCOUNT = "stuffing_account", _("Failed sign-ins on one account from many addresses")
    CARD_TESTING_ACCOUNT = "card_testing_account", _("Many declined cards on one account")
    CARD_TESTING_ADDRESS = "card_testing_address", _("Many declined cards from one address")
    SHARED_IDENTITY = (
        "shared_identity",
        _("One national ID or residence number (iqama) behind several accounts"),
    )
    ORDER_VELOCITY = "order_velocity", _("More orders or order value than usual")
    AGE_RESTRICTED = "age_restricted", _("Repeated attempts to buy age-restricted goods")
    RECOVERY_FAILURES = "recovery_failures", _("Many wrong password recovery answers")
    DETAILS_PROBING = (
        "details_probing",
        _("Repeated sign-ups or changes naming details other accounts hold"),
    )


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UNDER_REVIEW = "under_review", _("Under review")
    LEGAL_REQUESTED = "legal_requested", _("Legal consultation requested")
    APPROVED = "approved", _("Approved for report")
    DISMISSED = "dismissed", _("Dismissed")
    REPORTED = "reported", _("Reported")
    CLOSED = "closed", _("Closed")


# A case in one of these still gathers new signals about its subject.
ACTIVE_STATUSES = frozenset(
    {CaseStatus.OPEN, CaseStatus.UNDER_REVIEW, CaseStatus.LEGAL_REQUESTED, CaseStatus.APPROVED}
)


def case_reference(pk: int) -> str:
    """CASE-000012: how pages and the audit log name a case, never by its subject."""
    return f"CASE-{pk:06d}"


class Case(models.Model):
    """Signals about one customer, or about one client address, gathered for review."""

    id = models.BigAutoField(primary_key=True)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="compliance_cases",
    )
    client_ref = models.CharField(max_length=64, blank=True, db_index=True)
    score = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_summary = models.TextField(blank=True)
    legal_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_requested_at = models.DateTimeField(null=True, blank=True)
    legal_opinion = models.TextField(blank=True)
    legal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_decided_at = models.DateTimeField(null=True, blank=True)
    # The report items (see report.REPORT_ITEMS) the legal counsel ticked when approving.
    report_items = models.JSONField(default=list, blank=True)
    authority = models.CharField(max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The vault subject whose data key seals this case's report files; shredded with the case.
    key_subject = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    personal_data = {
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Group irregular activity from one network address (a keyed hash of it)"),
            _case_retention(),
            CASE_ROLES,
            PolicyClause.DEALINGS,
        ),
        "legal_summary": _case_text(_("Ask the legal department whether to report a case")),
        "legal_opinion": _case_text(_("Record the legal department's decision on a case")),
    }
    not_personal = {"authority": "the name of the authority a report went to, not a person"}

    # Kept for the legal period whoever it names: a report to an authority must be defensible.
    erasure = Erasure(
        OnErasure.RETAIN,
        subject="subject",
        reason="Irregular-activity cases are kept for their legal period after closing",
    )
    purges = (
        Purge(
            "cases",
            after=_("after the case is closed (sooner when it is dismissed)"),
            period=timedelta(days=5 * 365),
            period_setting="LUMEIRE_CASE_RETENTION_DAYS",
            hook="lumeire.compliance.services.cases_purge_expired",
        ),
    )

    class Meta:
        ordering = ("-opened_at", "-id")
        indexes = [models.Index(fields=["status", "opened_at"], name="case_status_opened")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject__isnull=True, client_ref=""),
                name="case_has_a_subject_or_address",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return case_reference(self.pk) if self.pk else "CASE-new"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Signal(models.Model):
    """One rule firing: which rule, about whom, how strongly, and the events behind it."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signals")
    rule = models.CharField(max_length=32, choices=Rule.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_ref = models.CharField(max_length=64, blank=True)
    score = models.PositiveIntegerField()
    first_event_at = models.DateTimeField()
    last_event_at = models.DateTimeField()
    # [{"source": "accounts.signinevent", "id": 12, "at": "...", "what": "failure"}, ...]
    event_refs = models.JSONField(default=list)
    raised_at = models.DateTimeField(default=timezone.now)

    personal_data = {
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Tie a signal to the network address it came from (a keyed hash of it)"),
            _case_retention(),
            CASE_ROLES,
            PolicyClause.DEALINGS,
        ),
    }

    # Part of its case: kept, and purged, with it.
    erasure = Erasure(
        OnErasure.RETAIN,
        subject="subject",
        reason="Part of an irregular-activity case, kept and deleted with the case",
    )
    purges = ()

    class Meta:
        ordering = ("raised_at", "id")
        indexes = [models.Index(fields=["rule", "last_event_at"], name="signal_rule_last")]

    def __str__(self) -> str:
        return f"signal {self.pk} ({self.rule})"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    SIGNAL = "signal", _("New signal")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Note")
    REVEAL = "reveal", _("Personal value revealed")
    ACTION = "action", _("Protective action")
    ACTION_REVERSED = "action_reversed", _("Protective action reversed")
    REPORT = "report", _("Report generated")


class CaseEvent(models.Model):
    """One line of a case's timeline; notes are events with text."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)

    personal_data = {"text": _case_text(_("Notes staff write while reviewing a case"))}

    # Part of its case: kept, and purged, with it.
    erasure = Erasure(
        OnErasure.RETAIN,
        reason="Part of an irregular-activity case, kept and deleted with the case",
    )
    purges = ()

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class ActionKind(models.TextChoices):
    LOCK_ACCOUNT = "lock_account", _("Lock the account")
    CANCEL_ORDERS = "cancel_orders", _("Cancel unshipped orders")
    BLOCK_ADDRESS = "block_address", _("Block the network address")


# What can be undone. Cancelled orders stay cancelled: their stock went back on sale and any
# card payment was refunded.
REVERSIBLE_ACTIONS = frozenset({ActionKind.LOCK_ACCOUNT, ActionKind.BLOCK_ADDRESS})


class ProtectiveAction(models.Model):
    """A step taken from a case to protect the store or customers; reversed, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    client_ref = models.CharField(max_length=64, blank=True, db_index=True)
    until = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    # What the action changed, to undo it: order numbers cancelled, the account's former state.
    detail = models.JSONField(default=dict, blank=True)

    personal_data = {
        "client_ref": PersonalData(
            Category.BEHAVIOURAL,
            _("Refuse requests from a blocked network address (a keyed hash of it)"),
            _case_retention(),
            CASE_ROLES,
            PolicyClause.DEALINGS,
        ),
    }

    # Part of its case: kept, and purged, with it.
    erasure = Erasure(
        OnErasure.RETAIN,
        reason="Part of an irregular-activity case, kept and deleted with the case",
    )
    purges = ()

    class Meta:
        ordering = ("taken_at", "id")

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"

    @property
    def reversible(self) -> bool:
        """Whether this kind of action can be undone at all (in force or not)."""
        return self.kind in REVERSIBLE_ACTIONS

    @property
    def in_force(self) -> bool:
        if self.reversed_at is not None:
            return False
        return self.until is None or self.until > timezone.now()


class ReportFile(models.Model):
    """One file of a case's report package; the content is rebuilt on demand, its hash kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="report_files")
    kind = models.CharField(max_length=8)  # "json" or "pdf"
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(default=timezone.now)
    # The file, sealed with the case's own data key (see Case.key_subject).
    sealed = models.BinaryField()

    personal_data = {
        "sealed": _case_text(_("The report package sent to an authority, sealed")),
    }

    # Part of its case: kept, and purged, with it.
    erasure = Erasure(
        OnErasure.RETAIN,
        reason="Part of an irregular-activity case, kept and deleted with the case",
    )
    purges = ()

    class Meta:
        ordering = ("generated_at", "id")

    def __str__(self) -> str:
        return f"report {self.kind} of case {self.case_id}"


class DetectionCursor(models.Model):
    """Up to when the periodic sweep has read each event source (by the events' own time)."""

    source = models.CharField(max_length=64, primary_key=True)
    swept_to = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} swept to {self.swept_to}"
