"""manage.py schedule_periodic: queue a first run of every periodic task that has none waiting."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.core.periodic import periodic_tasks, schedule_missing


class Command(BaseCommand):
    help = (
        "Queue a run now of every periodic background task (retention, ...) that has no run "
        "waiting in the task queue; each run then queues its own next one."
    )

    def handle(self, *args: object, **options: object) -> None:
        queued = schedule_missing()
        every = {entry.path: entry.every for entry in periodic_tasks()}
        for path, run_after in queued.items():
            state = "queued now" if run_after else "already waiting (or no deferring backend)"
            self.stdout.write(f"{path}: {state}; runs every {every[path]}")
