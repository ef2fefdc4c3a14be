"""Running the rules and turning findings into signals and cases.

Two ways in, one result: ``detect_after_event`` right after an event (a background task the
shopper never waits for) looks at that account's or address's recent events; ``detect_sweep``
(periodic) reads everything since the last sweep. Recording is idempotent: a finding whose events
an earlier signal of the same rule and group already covers adds nothing, so running detection
twice, or both ways, never opens a second case.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from lumeire.audit.services import audit_record
from lumeire.compliance.audit_actions import CaseAuditAction
from lumeire.compliance.events import SOURCES, Event, Source, event_of
from lumeire.compliance.models import (
    ACTIVE_STATUSES,
    CASE_AUDIT_TARGET,
    Case,
    CaseEvent,
    CaseEventKind,
    DetectionCursor,
    Signal,
)
from lumeire.compliance.rules import MAX_REFS, Finding, active_rules, run_rules

logger = logging.getLogger(__name__)

# The row every recording locks, so the after-event task and the sweep never race to open two
# cases for one burst. Findings are rare, so the wait is too.
_LOCK_SOURCE = "__signals__"
_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass
class DetectionOutcome:
    events: int = 0
    signals: int = 0
    cases: int = 0


def _lock() -> None:
    DetectionCursor.objects.get_or_create(source=_LOCK_SOURCE)
    DetectionCursor.objects.select_for_update().get(source=_LOCK_SOURCE)


def _account_of_login(finding: Finding) -> uuid.UUID | None:
    """The account a login group is about: named by one of its events, else by an earlier
    successful sign-in with the same login (failures are recorded without their account)."""
    users = {event.user_id for event in finding.events if event.user_id}
    if len(users) == 1:
        return users.pop()
    from lumeire.accounts.models import SignInEvent, SignInOutcome

    return (
        SignInEvent.objects.filter(
            login_ref=finding.group[1], outcome=SignInOutcome.SUCCESS, user__isnull=False
        )
        .order_by("-at")
        .values_list("user_id", flat=True)
        .first()
    )


def _subject_of(finding: Finding) -> tuple[uuid.UUID | None, str]:
    kind, value = finding.group
    if kind == "login":
        return _account_of_login(finding), ""
    return (value, "") if kind == "user" else (None, str(value))


def _held_by(signal: Signal) -> Callable[[Event], bool]:
    """Whether an earlier signal already holds an event (by reference or by its time span)."""
    known = {(ref["source"], ref["id"]) for ref in signal.event_refs}

    def held(event: Event) -> bool:
        within = signal.first_event_at <= event.at <= signal.last_event_at
        return within or (event.source, event.id) in known

    return held


def _case_keys(finding: Finding, subject_id: uuid.UUID | None) -> tuple[uuid.UUID | None, set[str]]:
    """Whom the finding is about for grouping: an account (when one is involved) and addresses.

    An address finding whose events all come from one account belongs with that account's case,
    and an account finding joins a case already open about one of the addresses it came from.
    """
    kind, value = finding.group
    if kind != "address":
        return subject_id, {event.client_ref for event in finding.events if event.client_ref}
    users = {event.user_id for event in finding.events if event.user_id}
    return (users.pop() if len(users) == 1 else None), {str(value)}


def _active_case_for(subject_id: uuid.UUID | None, client_refs: set[str]) -> Case | None:
    cases = (
        Case.objects.select_for_update().filter(status__in=ACTIVE_STATUSES).order_by("opened_at")
    )
    if subject_id is not None:
        case = cases.filter(subject_id=subject_id).first()
        if case is not None:
            return case
    if client_refs:
        return cases.filter(client_ref__in=sorted(client_refs)).first()
    return None


def _open_case(subject_id: uuid.UUID | None, client_ref: str, now: datetime) -> Case:
    case = Case.objects.create(subject_id=subject_id, client_ref=client_ref, opened_at=now)
    CaseEvent.objects.create(case=case, at=now, kind=CaseEventKind.OPENED, to_status=case.status)
    audit_record(
        actor=None,
        action=CaseAuditAction.CASE_OPENED,
        target_type=CASE_AUDIT_TARGET,
        target_id=case.reference,
        subject_id=subject_id,
    )
    return case


def _record(finding: Finding, now: datetime) -> tuple[Signal | None, bool]:
    """Store one finding; return the new signal (None when nothing was new) and whether a case
    was opened for it."""
    subject_id, client_ref = _subject_of(finding)
    if subject_id is None and not client_ref:
        return None, False  # a login no account is known by: nobody to protect or review
    earlier = (
        Signal.objects.select_related("case")
        .filter(
            rule=finding.rule,
            subject_id=subject_id,
            client_ref=client_ref,
            last_event_at__gte=finding.first_at - finding.window,
        )
        .order_by("-last_event_at")
        .first()
    )
    fresh = finding.events
    if earlier is not None:
        held = _held_by(earlier)
        fresh = [event for event in finding.events if not held(event)]
        if not fresh:
            return None, False
        if earlier.case.is_active:
            # The same burst went on: the signal grows, no new one.
            earlier.event_refs = (earlier.event_refs + [event.ref for event in fresh])[-MAX_REFS:]
            earlier.first_event_at = min(earlier.first_event_at, fresh[0].at)
            earlier.last_event_at = max(earlier.last_event_at, fresh[-1].at)
            earlier.save(update_fields=["event_refs", "first_event_at", "last_event_at"])
            Case.objects.filter(pk=earlier.case_id).update(updated_at=now)
            return None, False
    case_subject, case_refs = _case_keys(finding, subject_id)
    case = _active_case_for(case_subject, case_refs)
    opened = case is None
    if case is None:
        case = _open_case(case_subject, client_ref, now)
    signal = Signal.objects.create(
        case=case,
        rule=finding.rule,
        subject_id=subject_id,
        client_ref=client_ref,
        score=finding.score,
        first_event_at=finding.first_at,
        last_event_at=finding.last_at,
        event_refs=[event.ref for event in finding.events][-MAX_REFS:],
        raised_at=now,
    )
    CaseEvent.objects.create(case=case, at=now, kind=CaseEventKind.SIGNAL, to_status=finding.rule)
    Case.objects.filter(pk=case.pk).update(score=case.score + finding.score, updated_at=now)
    return signal, opened


def record_findings(
    findings: Iterable[Finding], *, now: datetime | None = None
) -> DetectionOutcome:
    """Turn findings into signals and cases, each in its own short transaction."""
    now = now or timezone.now()
    outcome = DetectionOutcome()
    for finding in findings:
        with transaction.atomic():
            _lock()
            signal, opened = _record(finding, now)
        outcome.signals += signal is not None
        outcome.cases += opened
    if outcome.signals:
        logger.info(
            "irregular activity detected",
            extra={"event": "detection", "signals": outcome.signals, "cases": outcome.cases},
        )
    return outcome


def detect_after_event(source_name: str, pk: str) -> DetectionOutcome:
    """Run the event's rules over its account's or address's events in the rule's window."""
    source = SOURCES.get(source_name)
    if source is None:
        raise ValueError(f"no event source {source_name!r}")
    event = event_of(source, pk)
    if event is None:
        return DetectionOutcome()
    findings: list[Finding] = []
    for spec in active_rules(source.name):
        group = spec.group(event) if spec.keeps(event) else None
        if group is None:
            continue
        kind, value = group
        recent = source.read(
            since=event.at - spec.window - _ONE_MICROSECOND,
            until=event.at,
            user_id=value if kind == "user" else None,
            client_ref=value if kind == "address" else "",
            login_ref=value if kind == "login" else "",
        )
        findings.extend(run_rules([spec], recent))
    outcome = record_findings(findings)
    outcome.events = 1
    return outcome


class _Counted:
    """Counts the events a sweep reads, without holding them."""

    def __init__(self, events: Iterable[Event]) -> None:
        self._events = events
        self.count = 0

    def __iter__(self):
        for event in self._events:
            self.count += 1
            yield event


def _sweep_source(source: Source, now: datetime, outcome: DetectionOutcome) -> None:
    specs = active_rules(source.name)
    if not specs:
        return
    cursor, _ = DetectionCursor.objects.get_or_create(source=source.name)
    # Re-read one window before the last sweep: a burst that straddles two sweeps is seen whole,
    # and an event committed late (its time earlier than the last sweep) is not missed.
    lookback = max(spec.window for spec in specs)
    since = cursor.swept_to - lookback if cursor.swept_to else None
    events = _Counted(source.read(since=since, until=now))
    found = record_findings(run_rules(specs, events), now=now)
    outcome.events += events.count
    outcome.signals += found.signals
    outcome.cases += found.cases
    DetectionCursor.objects.filter(source=source.name).update(swept_to=now)


def detect_sweep(*, now: datetime | None = None) -> DetectionOutcome:
    """Run every rule in force over the events since the last sweep, source by source."""
    now = now or timezone.now()
    outcome = DetectionOutcome()
    for source in SOURCES.values():
        _sweep_source(source, now, outcome)
    return outcome
