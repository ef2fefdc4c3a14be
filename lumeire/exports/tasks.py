"""Background work of exports (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def build_export(export_id: str) -> None:
    """Build one export's sealed zip; the id is all that crosses the queue, never a value."""
    from lumeire.exports.services import export_build

    export_build(uuid.UUID(export_id))
