"""Reading cases for the back office, and the blocked addresses the middleware checks."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from lumeire.compliance.models import ActionKind, Case, ProtectiveAction
from lumeire.staff.access import Permission, require

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
