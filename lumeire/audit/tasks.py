"""The audit log's anchor as a periodic background task (the worker `make run` starts runs it)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from lumeire.core.periodic import periodic

logger = logging.getLogger("lumeire.audit")


@periodic(every_setting="LUMEIRE_AUDIT_ANCHOR_EVERY_MINUTES", default_minutes=1)
@task()
def audit_anchor_task() -> dict[str, object]:
    """Sign the log's head outside the database; a refused anchor is logged (audit_verify then
    names the break). Safe to run twice: a second run anchors the same head again. The
    worker queues one run per minute."""
    from lumeire.audit.anchors import audit_anchor
    from lumeire.audit.errors import AuditAnchorRefusedError

    started = timezone.now()
    try:
        anchor = audit_anchor()
    except AuditAnchorRefusedError as refusal:
        logger.error(
            "audit anchor refused: %s; run audit_verify",
            refusal,
            extra={"event": "audit_anchor_refused"},
        )
        return {"anchored": False, "why": str(refusal)}
    except OSError as error:
        logger.error(
            "audit anchor not written: its folder cannot be written (%s)",
            error.strerror or error,
            extra={"event": "audit_anchor_unwritable"},
        )
        return {"anchored": False, "why": "the anchor folder cannot be written"}
    finally:
        _forget_old_runs(started)
    return {"anchored": True, "entry_id": anchor.entry_id, "count": anchor.count}


def _forget_old_runs(now: datetime) -> None:
    """Drop this task's finished runs older than a day from the queue's table: one a minute
    would otherwise pile up (they hold ids and counts only)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend keeps its own results
        return
    DBTaskResult.objects.finished().filter(
        task_path=audit_anchor_task.module_path, finished_at__lt=now - timedelta(days=1)
    ).delete()
