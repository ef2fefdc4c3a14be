"""After an event commits, queue its detection: the shopper's request only adds a queue row.

The apps that keep the events know nothing of detection; this module listens for new rows of
each event source (``post_save`` with ``created``) and, once the transaction commits, queues
``detect_event`` with the source and the row's id, never a value. A failure to queue is logged
and swallowed: the periodic sweep finds the event later, and the shopper's request succeeds.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from lumeire.compliance.events import SOURCES

logger = logging.getLogger(__name__)
_DISPATCH_PREFIX = "lumeire.compliance.emission:"


def _queue(source_name: str, pk: str) -> None:
    from lumeire.compliance.tasks import detect_event

    try:
        detect_event.enqueue(source_name, pk)
    except Exception:
        logger.exception("detection not queued", extra={"event": "detection_not_queued"})


def _queue_with_the_event(source_name: str, pk: str) -> None:
    """Write the queue row in the event's own transaction (an outbox): it commits, or rolls
    back, with the event, and the shopper waits for no second commit.

    Outside a transaction the row gets its own, which on PostgreSQL need not wait for the disk
    flush: a queue row lost in a crash is found again by the periodic sweep.
    """
    from lumeire.compliance.tasks import detect_event

    connection = transaction.get_connection()
    own_transaction = not connection.in_atomic_block
    try:
        with transaction.atomic():  # inside the event's transaction, a savepoint
            if own_transaction and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            detect_event.enqueue(source_name, pk)
    except Exception:
        logger.exception("detection not queued", extra={"event": "detection_not_queued"})


def _on_saved(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    source_name = sender._meta.label_lower
    if not SOURCES[source_name].emits(instance):
        return  # e.g. a successful sign-in: no rule reads it, a task would find nothing
    pk = str(instance.pk)
    from lumeire.compliance.tasks import detect_event

    if detect_event.get_backend().supports_defer:
        _queue_with_the_event(source_name, pk)
    else:
        # A backend that runs tasks at once (tests) must wait for the commit, or detection
        # would run inside the shopper's transaction and see nothing yet.
        transaction.on_commit(lambda: _queue(source_name, pk))


def connect() -> None:
    for source in SOURCES.values():
        model = apps.get_model(source.label)
        post_save.connect(
            _on_saved, sender=model, dispatch_uid=_DISPATCH_PREFIX + source.name, weak=False
        )
