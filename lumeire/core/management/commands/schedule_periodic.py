"""manage.py schedule_periodic: one scheduling pass, as each background worker makes every few
seconds: queue the current slot's run of every periodic task that has none."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.core.periodic import schedule_periodic_pass

_SAID = {
    "queued": "queued for the slot of {slot}",
    "taken": "the slot of {slot} already has its run",
    "waiting": "an earlier run has not ended; the slot of {slot} waits for it",
    "immediate": "not scheduled (the task backend runs tasks at once)",
}


class Command(BaseCommand):
    help = (
        "Queue the current slot's run of every periodic background task (retention, detection, "
        "the audit anchor) that has none. Safe on any number of nodes at once: each slot gets "
        "one run. The task worker makes this pass by itself every few seconds."
    )

    def handle(self, *args: object, **options: object) -> None:
        for outcome in schedule_periodic_pass():
            slot = f"{outcome.slot_start:%Y-%m-%d %H:%M} UTC" if outcome.slot_start else ""
            said = _SAID[outcome.state].format(slot=slot)
            self.stdout.write(f"{outcome.path}: {said}; runs every {outcome.every}")
