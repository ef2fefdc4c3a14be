"""The only writers of exports: request one, build it (the background task), hand it over once,
and purge what expired."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lumeire.accounts.emails import send_account_email, site_url
from lumeire.accounts.models import User
from lumeire.audit.models import RevealReason
from lumeire.audit.services import audit_record
from lumeire.exports import storage
from lumeire.exports.content import collect, render_zip
from lumeire.exports.errors import ExportErrorCode, ExportLimitReached, ExportNotFound
from lumeire.exports.models import DataExport, ExportStatus
from lumeire.staff.audit_actions import StaffAuditAction
from lumeire.vault.fields import is_erased

logger = logging.getLogger(__name__)

EXPORTS_PER_DAY = 3
LINK_LIFETIME = timedelta(hours=24)
AUDIT_TARGET = "exports.dataexport"


def _is_customer(actor: object) -> bool:
    return isinstance(actor, User) and hasattr(actor, "customer") and actor.is_active


def export_request(*, actor: User, language: str = "") -> DataExport:
    """Start an export of the signed-in customer's own data (at most 3 a day).

    The task is enqueued inside the transaction: with the database backend its row commits with
    the export's, so a worker never sees a task whose export does not exist yet.
    """
    if not _is_customer(actor):
        raise ExportNotFound(ExportErrorCode.NOT_FOUND, _("There is no such export."))
    from lumeire.exports.tasks import build_export

    now = timezone.now()
    with transaction.atomic():
        # Lock the account row so two requests at once cannot both pass the daily count.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        recent = DataExport.objects.filter(
            customer=actor, requested_at__gt=now - timedelta(days=1)
        ).order_by("requested_at")
        if recent.count() >= EXPORTS_PER_DAY:
            retry = recent.first().requested_at + timedelta(days=1) - now
            raise ExportLimitReached(
                ExportErrorCode.TOO_MANY,
                _("You can ask for %(count)d exports a day; please try again later.")
                % {"count": EXPORTS_PER_DAY},
                retry_after=max(1, int(retry.total_seconds())),
            )
        export = DataExport.objects.create(
            customer=actor,
            status=ExportStatus.PENDING,
            language=(language or actor.language or "en")[:8],
            requested_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        audit_record(
            actor=actor,
            action=StaffAuditAction.EXPORT,
            target_type=AUDIT_TARGET,
            target_id=str(export.pk),
            subject_id=actor.pk,
            reason_category=RevealReason.CUSTOMER_REQUEST,
            reason="export requested",
        )
        build_export.enqueue(str(export.pk))
    export.refresh_from_db()
    return export


def export_build(export_id: uuid.UUID) -> None:
    """Build and seal the zip; called by the background task, which may run it again (a worker
    killed mid-build, a database outage). A run after the export was built does nothing; a run
    after one cut off midway builds it again from the start (the file appears whole or not at
    all, under the same name)."""
    export = DataExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).first()
    if export is None:
        return
    try:
        content = render_zip(collect(export.customer, export.language))
        size = storage.write_sealed(export.pk, export.customer_id, content)
    except (OperationalError, InterfaceError):
        # The database went away, not the export: it stays pending and the retried task builds it.
        raise
    except Exception:
        storage.delete_file(export.pk)
        DataExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED)
        logger.exception("export build failed", extra={"export_id": str(export.pk)})
        raise
    now = timezone.now()
    updated = DataExport.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
        status=ExportStatus.READY, ready_at=now, expires_at=now + LINK_LIFETIME, size=size
    )
    if (
        not updated
        and not DataExport.objects.filter(pk=export.pk, status=ExportStatus.READY).exists()
    ):
        # Purged, downloaded or refused meanwhile: leave no file (a READY one is another run's).
        storage.delete_file(export.pk)
    if updated:
        # Only the run that made it ready tells the customer, once the row says so.
        transaction.on_commit(lambda: export_ready_email(export.customer))


def export_ready_email(user: User) -> None:
    """Tell the customer "your export is ready", in the account's language, with a link to the
    exports page.

    The body holds nothing personal beyond the greeting: the file is reached only by signing
    in. A failure is logged without the address and never undoes the export.
    """
    address = user.email
    if not address or is_erased(address):
        return
    language = user.language or "en"
    try:
        with translation.override(language):
            link = site_url(reverse("storefront:exports"))
        send_account_email(
            to=address,
            language=language,
            template="ready",
            app="exports",
            context={"exports_link": link, "hours": int(LINK_LIFETIME.total_seconds() // 3600)},
        )
    except Exception as failure:  # a mail server down must not fail the built export
        logger.error("export email not sent", extra={"failure": type(failure).__name__})


@dataclass(frozen=True)
class Download:
    filename: str
    size: int
    chunks: Iterator[bytes]


def export_download(*, actor: User, export_id: object) -> Download:
    """Hand the ready export to its own customer, once: the row is marked downloaded before the
    first byte goes out, so a second click, or anyone else, gets a 404; the file goes with the
    download (see ``storage.OpenedExport``)."""
    not_found = ExportNotFound(
        ExportErrorCode.NOT_FOUND, _("This download link is no longer valid.")
    )
    try:
        export_uuid = uuid.UUID(str(export_id))
    except ValueError:
        raise not_found from None
    if not _is_customer(actor):
        raise not_found
    now = timezone.now()
    with transaction.atomic():
        claimed = DataExport.objects.filter(
            pk=export_uuid, customer=actor, status=ExportStatus.READY, expires_at__gt=now
        ).update(status=ExportStatus.DOWNLOADED, downloaded_at=now)
        if not claimed:
            raise not_found
        export = DataExport.objects.get(pk=export_uuid)
        audit_record(
            actor=actor,
            action=StaffAuditAction.EXPORT,
            target_type=AUDIT_TARGET,
            target_id=str(export_uuid),
            subject_id=actor.pk,
            reason_category=RevealReason.CUSTOMER_REQUEST,
            reason="export downloaded",
        )
        # Opened last: once it is open, nothing is left in the transaction that could fail.
        opened = storage.open_for_download(export_uuid)
        if opened is None:
            raise not_found
    return Download(
        filename=f"lumeire-my-data-{export.requested_at:%Y-%m-%d}.zip",
        size=export.size,
        chunks=storage.stream_opened(opened, export_uuid, actor.pk),
    )


def exports_purge_expired(now: datetime | None = None) -> int:
    """Delete the files of exports past their 24 hours and mark them expired; idempotent.

    Also removes a file left behind by a download that crashed. Returns how many exports expired.
    """
    now = now or timezone.now()
    expired = list(
        DataExport.objects.filter(
            status__in=[ExportStatus.PENDING, ExportStatus.READY], expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    for export_id in expired:
        storage.delete_file(export_id)
    DataExport.objects.filter(pk__in=expired).update(status=ExportStatus.EXPIRED)
    # Files still stored, not every export ever made: with a bucket each check is a request.
    stored = storage.stored_export_ids()
    still_wanted = set(
        DataExport.objects.filter(
            pk__in=stored, status__in=[ExportStatus.PENDING, ExportStatus.READY]
        ).values_list("pk", flat=True)
    )
    for export_id in stored:
        if export_id not in still_wanted:
            storage.delete_file(export_id)
    return len(expired)
