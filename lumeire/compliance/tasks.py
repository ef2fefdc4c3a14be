"""Detection as background work: one task per new event, and the periodic sweep."""

from __future__ import annotations

from django_tasks import task

from lumeire.core.periodic import periodic


@task()
def detect_event(source_name: str, pk: str) -> dict[str, int]:
    """Run the rules of one new event's source over its account's and address's recent events."""
    from lumeire.compliance.detection import detect_after_event

    outcome = detect_after_event(source_name, pk)
    return {"signals": outcome.signals, "cases": outcome.cases}


@periodic(every_setting="LUMEIRE_DETECTION_SWEEP_MINUTES", default_minutes=15)
@task()
def detection_sweep() -> dict[str, int]:
    """Read every event since the last sweep; catches what an after-event run missed.

    Safe to run twice: a finding already recorded adds no second signal or case."""
    from lumeire.compliance.detection import detect_sweep

    outcome = detect_sweep()
    return {"events": outcome.events, "signals": outcome.signals, "cases": outcome.cases}
