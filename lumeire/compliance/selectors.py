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
from lumeire.staff.access import Permission, has_permission, require

_BLOCKS_KEY = "compliance:blocked-addresses"
_BLOCKS_SECONDS = 60


def cases_for(
    actor, *, status: str = "", rule: str = "", assignee=None, mine: bool = False
) -> QuerySet:
    """The case list with its filters; only compliance officers and legal counsel see it."""
    require(actor, Permission.CASES_VIEW)
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
    require(actor, Permission.CASES_VIEW)
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
    from lumeire.compliance.services import ENDS, SIMPLE_MOVES, TRANSITIONS

    works = has_permission(user, Permission.CASES_WORK)
    decides = has_permission(user, Permission.CASES_DECIDE)
    status = CaseStatus(case.status)
    acting = works and status in ACTIVE_STATUSES
    locked = any(a.in_force and a.kind == ActionKind.LOCK_ACCOUNT for a in actions)
    addresses = bool(case.client_ref) or any(signal.client_ref for signal in signals)
    return CaseAbilities(
        may_note=works or decides,
        may_assign=works and status not in ENDS and case.assignee_id != user.pk,
        may_request_legal=works and status == CaseStatus.UNDER_REVIEW,
        may_decide=decides and status == CaseStatus.LEGAL_REQUESTED,
        may_generate=(works or decides) and status == CaseStatus.APPROVED,
        may_mark_reported=works and status == CaseStatus.APPROVED and has_report,
        may_act=acting,
        may_lock=acting and bool(case.subject_id) and not locked,
        may_cancel_orders=acting and bool(case.subject_id),
        may_block=acting and addresses,
        may_reverse=acting,
        moves=tuple(
            to
            for (start, to), needed in TRANSITIONS.items()
            if start == status and (start, to) in SIMPLE_MOVES and has_permission(user, needed)
        ),
    )
