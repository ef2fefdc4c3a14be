"""Writers appending at the same moment on PostgreSQL still make one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from lumeire.audit.models import AuditAction, AuditEntry, AuditHead
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import anchor_now, verify

WRITERS = 8
EACH = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race is PostgreSQL's")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for step in range(EACH):
                with transaction.atomic():
                    audit_record(
                        actor=None, action=AuditAction.EXPORT, target_id=f"w{number}-{step}"
                    )
        except BaseException as error:  # reported below, with the thread's own failure
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    total = WRITERS * EACH
    assert list(AuditEntry.objects.order_by("id").values_list("id", flat=True)) == list(
        range(1, total + 1)
    )
    assert AuditEntry.objects.values("prev_hash").distinct().count() == total
    assert AuditHead.objects.get().last_id == total
    anchor_now()
    code, output = verify()
    assert code == 0 and output.startswith(f"OK {total} entries, head "), output


@pytest.mark.django_db(transaction=True)
def test_the_first_appends_on_an_empty_table_agree_on_one_head():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race is PostgreSQL's")
    assert not AuditHead.objects.exists()
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            start.wait()
            with transaction.atomic():
                audit_record(actor=None, action=AuditAction.EXPORT)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert AuditHead.objects.count() == 1
    assert AuditEntry.objects.count() == WRITERS
    anchor_now()
    code, output = verify()
    assert code == 0 and output.startswith(f"OK {WRITERS} entries"), output
