"""Compliance staff and cases for tests: officers, legal counsel, and cases in any state.

Cases are opened directly (detection has its own tests); every later step goes through the
services, so an approved case here was requested by one person and approved by another.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from lumeire.accounts.models import User
from lumeire.compliance.models import Case, CaseEvent, CaseEventKind, CaseStatus, Rule, Signal
from lumeire.compliance.services import case_legal_decide, case_legal_request, case_transition
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role
from lumeire.staff.services import staff_create

# The same password as the back office's test staff, so its staff_client() signs these in too.
STAFF_PASSWORD = "amber lantern over a quiet harbour"
SUMMARY = "Six declined cards in ten minutes on one account, then a paid order."
OPINION = "The pattern meets the threshold for a report to the competent authority."
_serial = itertools.count(1)


def _make_staff(role: Role, prefix: str, username: str | None) -> User:
    # Made with the staff service here, not the back office's factory: compliance sits below
    # the back office in the import layers, its tests included.
    serial = next(_serial)
    return staff_create(
        username=username or f"{prefix}{serial}",
        email=f"{prefix}{serial}@example.com",
        password=STAFF_PASSWORD,
        groups=[GROUP_OF_ROLE[role]],
    )


def make_compliance_officer(*, username: str | None = None) -> User:
    return _make_staff(Role.COMPLIANCE_OFFICER, "officer", username)


def make_legal_counsel(*, username: str | None = None) -> User:
    return _make_staff(Role.LEGAL_COUNSEL, "counsel", username)


def client_ref_for(serial: int | None = None) -> str:
    """A made-up keyed hash of a client address (64 hex characters), different per serial."""
    return f"{serial if serial is not None else next(_serial):064x}"


def make_case(
    subject: User | None = None,
    client_ref: str = "",
    *,
    rule: str = Rule.CARD_TESTING_ACCOUNT,
    score: int = 40,
    event_refs: Sequence[dict] = (),
    status: str | None = None,
) -> Case:
    """An open case about ``subject`` or an address, with one signal holding ``event_refs``.

    ``status`` stores another status directly (for list and filter tests); use
    ``approved_case`` for a case that went through the legal consultation.
    """
    if subject is None and not client_ref:
        client_ref = client_ref_for()
    now = timezone.now()
    case = Case.objects.create(subject=subject, client_ref=client_ref, score=score, opened_at=now)
    CaseEvent.objects.create(case=case, at=now, kind=CaseEventKind.OPENED, to_status=case.status)
    refs = list(event_refs)
    times = sorted(ref["at"] for ref in refs if ref.get("at")) or [now.isoformat()]
    Signal.objects.create(
        case=case,
        rule=rule,
        subject=subject,
        client_ref="" if subject is not None else client_ref,
        score=score,
        first_event_at=_parse(times[0], now - timedelta(minutes=10)),
        last_event_at=_parse(times[-1], now),
        event_refs=refs,
        raised_at=now,
    )
    if status is not None and status != case.status:
        case.status = status
        case.save(update_fields=["status"])
    return case


def _parse(value, default):
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return parsed or default


def legal_requested_case(
    subject: User | None = None,
    client_ref: str = "",
    *,
    officer: User | None = None,
    case: Case | None = None,
    **case_kwargs,
) -> Case:
    """A case a compliance officer reviewed (unless it is under review already) and sent to
    legal consultation."""
    officer = officer or make_compliance_officer()
    case = case or make_case(subject, client_ref, **case_kwargs)
    if case.status == CaseStatus.OPEN:
        case = case_transition(actor=officer, case=case, to=CaseStatus.UNDER_REVIEW)
    return case_legal_request(actor=officer, case=case, summary=SUMMARY)


def approved_case(
    subject: User | None = None,
    client_ref: str = "",
    *,
    items: Iterable[str] = (),
    officer: User | None = None,
    counsel: User | None = None,
    case: Case | None = None,
    **case_kwargs,
) -> Case:
    """A case requested by a compliance officer and approved by a different legal counsel,
    with ``items`` (keys of report.REPORT_ITEMS) ticked."""
    case = legal_requested_case(subject, client_ref, officer=officer, case=case, **case_kwargs)
    counsel = counsel or make_legal_counsel()
    return case_legal_decide(
        actor=counsel, case=case, approve=True, opinion=OPINION, report_items=list(items)
    )
