"""manage.py task_worker: run background tasks, survive database outages, hold task leases and
schedule the periodic tasks (see lumeire.core.worker). Same options as django-tasks-db's
``db_worker``, which it replaces, plus ``--no-periodic``."""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.utils.autoreload import run_with_reloader
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import logger as tasks_db_logger

from lumeire.core.worker import TaskWorker


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker: queued tasks, the periodic schedule (one run per slot "
        "across every node), task leases, and waiting out database outages."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # A fresh id per run (django-tasks-db picks one per process, at import).
        parser.set_defaults(worker_id=None)
        parser.add_argument(
            "--no-periodic",
            action="store_false",
            dest="periodic",
            help="Run queued tasks only: neither schedule periodic tasks nor watch them.",
        )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str | None,
        exclude_queues: str,
        periodic: bool = True,
        **options: object,
    ) -> None:
        self.configure_logging(verbosity)
        # A worker whose keys cannot open the store's data would seal what it writes with keys
        # no other node holds: it does not start (the vault owns the check; core reads it by
        # name, being below the vault).
        try:
            import_string("lumeire.vault.keycheck.refuse_unless_keys_match")()
        except ImproperlyConfigured as refusal:
            raise CommandError(str(refusal)) from None
        if reload and batch:
            tasks_db_logger.warning("--reload and --batch cannot be used together: no reload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = TaskWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or get_random_string(32),
            excluded_queue_names=excluded,
            periodic=periodic,
        )

        def serve() -> None:
            worker.configure_signals()
            worker.run()

        if reload:
            run_with_reloader(serve)  # serve() runs in the reloaded child process only
        else:
            serve()
