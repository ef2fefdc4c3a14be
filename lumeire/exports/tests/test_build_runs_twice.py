"""An export's build may run twice (a worker killed mid-build, a lease taken back): a built
export is built once, and a build cut off midway is built again cleanly."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django_tasks_db.models import DBTaskResult

from lumeire.accounts.tests.factories import make_customer
from lumeire.core.tests.worker_processes import run_queue_here
from lumeire.exports import storage
from lumeire.exports.models import DataExport, ExportStatus
from lumeire.exports.services import export_build, export_download, export_request
from lumeire.exports.tasks import build_export
from lumeire.exports.tests.helpers import read_zip

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _stored(export_id) -> bytes:
    with storage.export_storage().open(storage.name_of(export_id), "rb") as handle:
        return handle.read()


def test_a_second_run_of_a_built_export_changes_nothing(database_queue):
    customer = make_customer()
    export = export_request(actor=customer)
    build_export.enqueue(str(export.pk))  # the same build queued again
    run_queue_here("exports-test")
    runs = DBTaskResult.objects.filter(task_path="lumeire.exports.tasks.build_export")
    assert list(runs.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]
    built = DataExport.objects.get(pk=export.pk)
    assert built.status == ExportStatus.READY
    sealed = _stored(export.pk)

    export_build(export.pk)

    again = DataExport.objects.get(pk=export.pk)
    assert (again.status, again.ready_at, again.size) == (
        ExportStatus.READY,
        built.ready_at,
        built.size,
    )
    assert _stored(export.pk) == sealed


def test_a_build_cut_off_midway_is_built_again_and_downloads_whole(database_queue):
    customer = make_customer()
    export = export_request(actor=customer)
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.PENDING
    # What a worker killed while writing leaves: a stub under the export's name.
    storage.export_storage().save(storage.name_of(export.pk), ContentFile(b"\x00\x00\x10"))

    run_queue_here("exports-test")

    rebuilt = DataExport.objects.get(pk=export.pk)
    assert rebuilt.status == ExportStatus.READY
    assert rebuilt.size == len(_stored(export.pk)) > 3
    content = b"".join(export_download(actor=customer, export_id=export.pk).chunks)
    assert read_zip(content)
