"""Reading cases for the back office, and the blocked addresses the middleware checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from lumeire.compliance.models import (
    ACTIVE_STATUSES,
    ActionKind,
    Case,
    CaseStatus,
    ProtectiveAction,
)
from lumeire.compliance.steps import (
    ENDS,
    SIMPLE_MOVES,
    TRANSITIONS,
    CaseStep,
    may_take_step,
    require_step,
)
from lumeire.staff.access import has_permission

_BLOCKS_KEY = "compliance:blocked-addresses"
_BLOCKS_SECONDS = 60


def cases_for(
    actor, *, status: str = "", rule: str = "", assignee=None, mine: bool = False
) -> QuerySet:
    """The case list with its filters; only compliance officers and legal counsel see it."""
    require_step(actor, CaseStep.OPEN)
    cases = Case.objects.select_related("assignee").order_by("-opened_at", "-id")
    if status:
        cases = cases.filter(status=status)
    if rule:
        cases = cases.filter(signals__rule=rule).distinct()
    if mine:
        cases = cases.filter(assignee=actor)
    elif assignee is not None:
        cases = cases.filter(assignee=assignee)
    return cases


def case_for(actor, pk: int) -> Case | None:
    """One case for its page, with the staff it names; None when there is no such case."""
    require_step(actor, CaseStep.OPEN)
    return (
        Case.objects.select_related(
            "assignee", "legal_requested_by", "legal_decided_by", "reported_by"
        )
        .filter(pk=pk)
        .first()
    )


def blocked_addresses() -> frozenset[str]:
    """Keyed hashes of the addresses blocked now; cached a minute, forgotten on every change."""
    cached = cache.get(_BLOCKS_KEY)
    if cached is None:
        now = timezone.now()
        cached = frozenset(
            ProtectiveAction.objects.filter(
                kind=ActionKind.BLOCK_ADDRESS, reversed_at__isnull=True, until__gt=now
            ).values_list("client_ref", flat=True)
        )
        cache.set(_BLOCKS_KEY, cached, _BLOCKS_SECONDS)
    return cached


def blocked_addresses_forget() -> None:
    cache.delete(_BLOCKS_KEY)


@dataclass(frozen=True)
class CaseAbilities:
    """Which steps of a case a staff member may take now: the services' rules, read for a page
    (the services check them again when the step is asked for)."""

    may_note: bool
    may_assign: bool
    may_request_legal: bool
    may_decide: bool
    may_generate: bool
    may_mark_reported: bool
    may_act: bool
    may_lock: bool
    may_cancel_orders: bool
    may_block: bool
    may_reverse: bool
    moves: tuple[CaseStatus, ...]  # the simple moves (start review, dismiss, close) open now


def case_abilities(user, case: Case, *, signals, actions, has_report: bool) -> CaseAbilities:
    """The steps of ``case`` its page offers ``user`` now: the step table and the case's state."""

    def may(step: CaseStep) -> bool:
        return may_take_step(user, step)

    status = CaseStatus(case.status)
    approved = status == CaseStatus.APPROVED
    acting = may(CaseStep.ACTION) and status in ACTIVE_STATUSES
    locked = any(a.in_force and a.kind == ActionKind.LOCK_ACCOUNT for a in actions)
    addresses = bool(case.client_ref) or any(signal.client_ref for signal in signals)
    return CaseAbilities(
        may_note=may(CaseStep.NOTE),
        may_assign=may(CaseStep.ASSIGN) and status not in ENDS and case.assignee_id != user.pk,
        may_request_legal=may(CaseStep.LEGAL_REQUEST) and status == CaseStatus.UNDER_REVIEW,
        may_decide=may(CaseStep.LEGAL_DECISION) and status == CaseStatus.LEGAL_REQUESTED,
        may_generate=may(CaseStep.REPORT) and approved,
        may_mark_reported=may(CaseStep.MARK_REPORTED) and approved and has_report,
        may_act=acting,
        may_lock=acting and bool(case.subject_id) and not locked,
        may_cancel_orders=acting and bool(case.subject_id),
        may_block=acting and addresses,
        may_reverse=may(CaseStep.REVERSE_ACTION) and status in ACTIVE_STATUSES,
        moves=tuple(
            to
            for (start, to), needed in TRANSITIONS.items()
            if start == status and (start, to) in SIMPLE_MOVES and has_permission(user, needed)
        ),
    )
