"""Working a case: review, notes, protective actions, legal consultation and the report.

Every step checks the actor's permission here, not only in the page (both read the table of
steps in ``steps.py``), and writes the case's timeline and the audit log in the same
transaction. The rule that matters most: the legal counsel who approves or dismisses a case is
never the person who asked for the consultation, and only an approved case can produce a
report, whoever calls.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.models import Customer, User
from lumeire.accounts.services.signin import api_tokens_revoke_all
from lumeire.audit.models import RevealReason
from lumeire.audit.services import audit_record
from lumeire.compliance.audit_actions import CaseAuditAction
from lumeire.compliance.errors import CaseConflict, CaseError, CaseErrorCode
from lumeire.compliance.models import (
    CASE_AUDIT_TARGET,
    ActionKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ProtectiveAction,
    ReportFile,
    case_reference,
)
from lumeire.compliance.steps import (
    ENDS,
    SIMPLE_MOVES,
    CaseStep,
    may_take_step,
    require_step,
    transition_permission,
)
from lumeire.compliance.steps import TRANSITIONS as TRANSITIONS  # also read as services.TRANSITIONS
from lumeire.orders.models import Order, OrderStatus
from lumeire.orders.services import order_transition
from lumeire.staff.access import Permission, has_permission, may_reveal, require
from lumeire.staff.services import reveal_record, reveal_refused_record

S = CaseStatus
P = Permission

NOTE_MAX = 4000
TARGET = CASE_AUDIT_TARGET


def _invalid(field: str, message: str) -> CaseError:
    return CaseError(CaseErrorCode.INVALID, message, field_errors={field: [message]})


def _text(value: str, field: str, *, minimum: int = 1) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        if minimum > 1:
            message = _("Write at least %(count)d characters.") % {"count": minimum}
        else:
            message = _("This cannot be empty.")
        raise _invalid(field, message)
    if len(value) > NOTE_MAX:
        raise _invalid(field, _("Keep it under %(count)d characters.") % {"count": NOTE_MAX})
    return value


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _timeline(case: Case, actor, kind: CaseEventKind, **values) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, **values)


def _audit(actor, action: CaseAuditAction, case: Case, **values) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type=TARGET,
        target_id=case.reference,
        subject_id=case.subject_id,
        **values,
    )


def _not_allowed(current: str, to: str) -> CaseConflict:
    target = CaseStatus(to).label.lower() if to in CaseStatus.values else str(to)[:20]
    return CaseConflict(
        CaseErrorCode.TRANSITION_NOT_ALLOWED,
        _("A case that is %(current)s cannot become %(target)s.")
        % {"current": CaseStatus(current).label.lower(), "target": target},
    )


def _move(*, actor, case: Case, to: CaseStatus, text: str = "") -> Case:
    """Check the table and the actor, then change the status and record it."""
    needed = transition_permission(case.status, to)
    if needed is None:
        raise _not_allowed(case.status, to)
    require(actor, needed)
    now = timezone.now()
    previous = case.status
    case.status = to
    case.updated_at = now
    if to in ENDS:
        case.ended_at = now
    case.save()
    _timeline(case, actor, CaseEventKind.STATUS, from_status=previous, to_status=to, text=text)
    _audit(
        actor, CaseAuditAction.CASE_CHANGED, case, fields=["status"], reason=f"{previous} -> {to}"
    )
    return case


@transaction.atomic
def case_transition(*, actor, case: Case, to: str, note: str = "") -> Case:
    """Start a review, dismiss a case under review, or close a reported case."""
    require_step(actor, CaseStep.MOVE)
    case = _locked(case)
    needed = transition_permission(case.status, to)
    if needed is None:
        raise _not_allowed(case.status, to)
    target = CaseStatus(to)
    if (CaseStatus(case.status), target) not in SIMPLE_MOVES:
        # A legal decision or a report carries data: only its own service makes that move.
        require(actor, needed)
        raise CaseError(
            CaseErrorCode.TRANSITION_NOT_ALLOWED, _("Use the case's own form for this step.")
        )
    if target == S.DISMISSED:
        note = _text(note, "note", minimum=10)
    if target == S.UNDER_REVIEW and case.assignee_id is None:
        case.assignee = actor
    return _move(actor=actor, case=case, to=target, text=note)


@transaction.atomic
def case_assign(*, actor, case: Case, assignee: User) -> Case:
    """Give a case to a compliance officer (the page assigns it to whoever asks)."""
    require_step(actor, CaseStep.ASSIGN)
    if not has_permission(assignee, P.CASES_WORK):
        raise _invalid("assignee", _("Only a compliance officer can be assigned a case."))
    case = _locked(case)
    if case.status in ENDS:
        raise CaseConflict(CaseErrorCode.TRANSITION_NOT_ALLOWED, _("This case has ended."))
    case.assignee = assignee
    case.updated_at = timezone.now()
    case.save(update_fields=["assignee", "updated_at"])
    _timeline(case, actor, CaseEventKind.ASSIGNED)
    _audit(actor, CaseAuditAction.CASE_CHANGED, case, fields=["assignee"])
    return case


@transaction.atomic
def case_note_add(*, actor, case: Case, text: str) -> CaseEvent:
    """A note on the timeline; compliance officers and legal counsel both write them."""
    require_step(actor, CaseStep.NOTE)
    text = _text(text, "text")
    case = _locked(case)
    event = _timeline(case, actor, CaseEventKind.NOTE, text=text)
    _audit(actor, CaseAuditAction.CASE_NOTE, case, fields=["text"])
    return event


def case_viewed_record(*, actor, case: Case) -> None:
    """Opening a case is itself recorded: cases are personal data about their subject."""
    require_step(actor, CaseStep.OPEN)
    _audit(actor, CaseAuditAction.CASE_VIEWED, case)


@transaction.atomic
def case_legal_request(*, actor, case: Case, summary: str) -> Case:
    """A compliance officer asks the legal department, with a summary of the case."""
    require_step(actor, CaseStep.LEGAL_REQUEST)
    summary = _text(summary, "summary", minimum=20)
    case = _locked(case)
    case.legal_summary = summary
    case.legal_requested_by = actor
    case.legal_requested_at = timezone.now()
    _move(actor=actor, case=case, to=S.LEGAL_REQUESTED)
    _audit(actor, CaseAuditAction.LEGAL_REQUESTED, case, fields=["legal_summary"])
    return case


@transaction.atomic
def case_legal_decide(
    *, actor, case: Case, approve: bool, opinion: str, report_items: list[str] | tuple = ()
) -> Case:
    """A legal counsel, never the one who asked, approves the report or dismisses the case."""
    from lumeire.compliance.report import REPORT_ITEMS

    require_step(actor, CaseStep.LEGAL_DECISION)
    opinion = _text(opinion, "opinion", minimum=20)
    case = _locked(case)
    if case.status != S.LEGAL_REQUESTED:
        raise CaseConflict(
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            _("Only a case waiting for legal consultation can be decided."),
        )
    if case.legal_requested_by_id is None or case.legal_requested_by_id == actor.pk:
        raise CaseError(
            CaseErrorCode.SAME_PERSON,
            _(
                "The person who asked for the consultation cannot decide it: another legal "
                "counsel must."
            ),
            status_code=403,
        )
    items = list(dict.fromkeys(str(item) for item in report_items))
    unknown = [item for item in items if item not in REPORT_ITEMS]
    if unknown:
        raise _invalid("report_items", _("Tick only the listed kinds of data."))
    case.legal_opinion = opinion
    case.legal_decided_by = actor
    case.legal_decided_at = timezone.now()
    case.report_items = items if approve else []
    _move(actor=actor, case=case, to=S.APPROVED if approve else S.DISMISSED)
    _audit(
        actor,
        CaseAuditAction.LEGAL_DECIDED,
        case,
        fields=["legal_opinion", *case.report_items],
        reason="approved" if approve else "dismissed",
    )
    return case


def _require_approved(case: Case) -> None:
    if case.status != S.APPROVED or case.legal_decided_by_id is None:
        raise CaseConflict(
            CaseErrorCode.NOT_APPROVED,
            _("Only a case the legal department approved can produce a report."),
        )
    if case.legal_decided_by_id == case.legal_requested_by_id:
        raise CaseError(
            CaseErrorCode.SAME_PERSON,
            _("This case was approved by the person who asked for the consultation."),
            status_code=403,
        )


@transaction.atomic
def case_report_generate(*, actor, case: Case) -> list[ReportFile]:
    """Build the report package (JSON and PDF), seal it, and record each file's SHA-256."""
    require_step(actor, CaseStep.REPORT)
    case = _locked(case)
    _require_approved(case)
    from lumeire.compliance.report import build_report, seal_report_file

    files = []
    for kind, content in build_report(case, generated_by=actor).items():
        record = seal_report_file(case=case, kind=kind, content=content, generated_by=actor)
        files.append(record)
        audit_record(
            actor=actor,
            action=CaseAuditAction.REPORT_GENERATED,
            target_type=f"compliance.report{kind}",
            target_id=record.sha256,
            subject_id=case.subject_id,
            fields=list(case.report_items),
            reason=case.reference,
        )
    _timeline(case, actor, CaseEventKind.REPORT, text=", ".join(f.sha256 for f in files))
    return files


def case_report_file_open(*, actor, case: Case, file: ReportFile) -> bytes:
    """The content of one report file for download; the download is audited."""
    from lumeire.compliance.report import open_report_file

    require_step(actor, CaseStep.REPORT)
    if file.case_id != case.pk:
        raise CaseError(CaseErrorCode.NO_REPORT, _("This file is not part of this case."))
    with transaction.atomic():
        content = open_report_file(case=case, file=file)
        audit_record(
            actor=actor,
            action=CaseAuditAction.REPORT_DOWNLOADED,
            target_type=f"compliance.report{file.kind}",
            target_id=file.sha256,
            subject_id=case.subject_id,
            reason=case.reference,
        )
    return content


@transaction.atomic
def case_mark_reported(*, actor, case: Case, authority: str, sent_at: datetime) -> Case:
    """Record who sent the report, to which authority and when; the customer is not told."""
    require_step(actor, CaseStep.MARK_REPORTED)
    authority = _text(authority, "authority", minimum=3)[:200]
    case = _locked(case)
    _require_approved(case)
    if not case.report_files.exists():
        raise CaseConflict(CaseErrorCode.NO_REPORT, _("Generate the report before sending it."))
    if sent_at > timezone.now() + timedelta(minutes=5):
        raise _invalid("sent_at", _("The report cannot have been sent in the future."))
    case.authority = authority
    case.reported_by = actor
    case.reported_at = timezone.now()
    case.sent_at = sent_at
    _move(actor=actor, case=case, to=S.REPORTED, text=authority)
    _audit(actor, CaseAuditAction.REPORT_SENT, case, fields=["authority", "sent_at"])
    return case


# --- Reveal from within a case -----------------------------------------------------------------

CASE_REVEAL_FIELDS: dict[str, tuple[type, str]] = {
    "identity_number": (Customer, "identity_number"),
    "date_of_birth": (Customer, "date_of_birth"),
    "full_name": (Customer, "full_name"),
    "email": (User, "email"),
}


def case_revealable_fields(actor) -> list[str]:
    """The subject's fields this staff member's roles may see in clear (from the inventory)."""
    if not may_take_step(actor, CaseStep.REVEAL):
        return []
    return [
        name
        for name, (model, field) in CASE_REVEAL_FIELDS.items()
        if may_reveal(actor, model, field)
    ]


def case_reveal_forged(actor, field: str) -> bool:
    """Whether asking for ``field`` is a reveal no case page offered this actor: their roles see
    no value of a case's subject, or not this one (an unknown name is only a bad form)."""
    allowed = case_revealable_fields(actor)
    return not allowed or (field in CASE_REVEAL_FIELDS and field not in allowed)


def case_reveal_refused_record(*, actor, case_id: int | None, field: str, client: str = "") -> None:
    """Record a forged reveal (see ``case_reveal_forged``) before it is refused.

    Only a field name the case knows goes to the log, never what was typed; the case is named
    by its reference, and its subject only for those who may open cases anyway.
    """
    subject_id = None
    if case_id is not None and may_take_step(actor, CaseStep.OPEN):
        subject_id = Case.objects.filter(pk=case_id).values_list("subject_id", flat=True).first()
    reveal_refused_record(
        actor=actor,
        target_type=TARGET,
        target_id=case_reference(case_id) if case_id is not None else "",
        subject_id=subject_id,
        fields=[field] if field in CASE_REVEAL_FIELDS else [],
        client=client,
    )


@transaction.atomic
def case_reveal(*, actor, case: Case, field: str, client: str = "") -> str:
    """Show one of the subject's values in clear; the reason recorded is the case itself."""
    require_step(actor, CaseStep.REVEAL)
    if field not in case_revealable_fields(actor):
        raise CaseError(
            CaseErrorCode.INVALID, _("Your role cannot see this value."), status_code=403
        )
    if case.subject_id is None:
        raise CaseError(
            CaseErrorCode.NO_SUBJECT, _("This case is about an address, not an account.")
        )
    model, attribute = CASE_REVEAL_FIELDS[field]
    holder = (
        Customer.objects.filter(user_id=case.subject_id).first()
        if model is Customer
        else User.objects.filter(pk=case.subject_id).first()
    )
    value = getattr(holder, attribute, None) if holder is not None else None
    reveal_record(
        actor=actor,
        target_type=TARGET,
        target_id=case.reference,
        subject_id=case.subject_id,
        fields=[field],
        reason_category=RevealReason.FRAUD_REVIEW,
        reason=case.reference,
        client=client,
    )
    _timeline(case, actor, CaseEventKind.REVEAL, text=field)
    return "" if value is None else str(value)


# --- Protective actions ------------------------------------------------------------------------

UNSHIPPED = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.PACKED)


def _action_allowed(actor, case: Case) -> None:
    require_step(actor, CaseStep.ACTION)
    if case.status in ENDS or case.status == S.REPORTED:
        raise CaseConflict(
            CaseErrorCode.TRANSITION_NOT_ALLOWED, _("Protective actions need a case in progress.")
        )


def _action_record(actor, case: Case, action: ProtectiveAction, kind: CaseEventKind) -> None:
    _timeline(case, actor, kind, to_status=action.kind)
    _audit(actor, CaseAuditAction.CASE_ACTION, case, fields=[action.kind], reason=str(kind))


def _subject_required(case: Case) -> User:
    if case.subject_id is None:
        raise CaseError(
            CaseErrorCode.NO_SUBJECT, _("This case is about an address, not an account.")
        )
    return User.objects.select_for_update().get(pk=case.subject_id)


@transaction.atomic
def action_lock_account(*, actor, case: Case) -> ProtectiveAction:
    """Stop the account signing in (its sessions and API tokens end) until the lock is lifted."""
    case = _locked(case)
    _action_allowed(actor, case)
    user = _subject_required(case)
    action = ProtectiveAction.objects.create(
        case=case,
        kind=ActionKind.LOCK_ACCOUNT,
        taken_by=actor,
        detail={"was_active": user.is_active},
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_tokens_revoke_all(user=user)
    _action_record(actor, case, action, CaseEventKind.ACTION)
    return action


@transaction.atomic
def action_cancel_orders(*, actor, case: Case) -> ProtectiveAction:
    """Cancel the subject's orders that have not left the warehouse (money back, stock back)."""
    case = _locked(case)
    _action_allowed(actor, case)
    _subject_required(case)
    numbers = []
    orders = Order.objects.filter(customer_id=case.subject_id, status__in=UNSHIPPED)
    for order in orders.order_by("placed_at"):
        order_transition(
            actor=None, order=order, to=OrderStatus.CANCELLED, note=f"Protective action, {case}"
        )
        numbers.append(order.number)
    action = ProtectiveAction.objects.create(
        case=case, kind=ActionKind.CANCEL_ORDERS, taken_by=actor, detail={"orders": numbers}
    )
    _action_record(actor, case, action, CaseEventKind.ACTION)
    return action


def block_hours_default() -> int:
    return int(getattr(settings, "LUMEIRE_ADDRESS_BLOCK_HOURS", 72))


@transaction.atomic
def action_block_address(*, actor, case: Case, hours: int | None = None) -> list[ProtectiveAction]:
    """Refuse sign-ins, sign-ups, orders and API changes from the case's addresses for a time."""
    hours = block_hours_default() if hours is None else hours
    if not 1 <= int(hours) <= 24 * 90:
        raise _invalid("hours", _("Block for between 1 hour and 90 days."))
    case = _locked(case)
    _action_allowed(actor, case)
    refs = {case.client_ref} if case.client_ref else set()
    refs |= set(case.signals.exclude(client_ref="").values_list("client_ref", flat=True))
    if not refs:
        raise CaseError(CaseErrorCode.NO_SUBJECT, _("No network address is known for this case."))
    until = timezone.now() + timedelta(hours=int(hours))
    actions = []
    for ref in sorted(refs):
        action = ProtectiveAction.objects.create(
            case=case, kind=ActionKind.BLOCK_ADDRESS, client_ref=ref, until=until, taken_by=actor
        )
        _action_record(actor, case, action, CaseEventKind.ACTION)
        actions.append(action)
    transaction.on_commit(_forget_blocks)
    return actions


def case_action_take(
    *, actor, case: Case, kind: str, hours: int | None = None
) -> list[ProtectiveAction]:
    """Take the protective action ``kind`` on a case; ``hours`` is a block's length."""
    require_step(actor, CaseStep.ACTION)
    if kind == ActionKind.BLOCK_ADDRESS:
        return action_block_address(actor=actor, case=case, hours=hours)
    if kind == ActionKind.LOCK_ACCOUNT:
        return [action_lock_account(actor=actor, case=case)]
    if kind == ActionKind.CANCEL_ORDERS:
        return [action_cancel_orders(actor=actor, case=case)]
    raise _invalid("kind", _("Choose one of the protective actions on the page."))


@transaction.atomic
def action_reverse(*, actor, case: Case, action: ProtectiveAction) -> ProtectiveAction:
    """Lift a lock or a block. Cancelled orders stay cancelled: their money went back."""
    require_step(actor, CaseStep.REVERSE_ACTION)
    case = _locked(case)
    action = ProtectiveAction.objects.select_for_update().get(pk=action.pk, case=case)
    if action.reversed_at is not None:
        raise CaseConflict(CaseErrorCode.NOT_REVERSIBLE, _("This action was already reversed."))
    if not action.reversible:
        raise CaseError(
            CaseErrorCode.NOT_REVERSIBLE,
            _(
                "Cancelled orders cannot be restored: the stock went back on sale and any card "
                "payment was refunded. The customer can order again."
            ),
        )
    if action.kind == ActionKind.LOCK_ACCOUNT:
        user = _subject_required(case)
        user.is_active = bool(action.detail.get("was_active", True))
        user.save(update_fields=["is_active"])
    action.reversed_at = timezone.now()
    action.reversed_by = actor
    action.save(update_fields=["reversed_at", "reversed_by"])
    _action_record(actor, case, action, CaseEventKind.ACTION_REVERSED)
    if action.kind == ActionKind.BLOCK_ADDRESS:
        transaction.on_commit(_forget_blocks)
    return action


def _forget_blocks() -> None:
    from lumeire.compliance.selectors import blocked_addresses_forget

    blocked_addresses_forget()


# --- Retention ---------------------------------------------------------------------------------


def cases_purge_expired(now: datetime | None = None) -> int:
    """Delete cases past their retention: closed ones after years, dismissed ones sooner.

    The case's own data key is shredded first, so a copy of a report file in a backup is
    unreadable too; signals, timeline, actions and report files go with the case.
    """
    from django.db.models import Q

    from lumeire.vault.services import shred

    now = now or timezone.now()
    kept = timedelta(days=int(getattr(settings, "LUMEIRE_CASE_RETENTION_DAYS", 5 * 365)))
    dismissed = timedelta(days=int(getattr(settings, "LUMEIRE_DISMISSED_CASE_DAYS", 90)))
    due = Case.objects.filter(
        Q(status=S.CLOSED, ended_at__lte=now - kept)
        | Q(status=S.DISMISSED, ended_at__lte=now - dismissed)
    )
    purged = 0
    for case in due.only("pk", "key_subject").iterator():
        with transaction.atomic():
            shred(case.key_subject)
            Case.objects.filter(pk=case.pk).delete()
        purged += 1
    return purged
