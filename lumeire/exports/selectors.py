"""Reads of a customer's exports: only their own, anyone else's is the same 404."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from lumeire.exports.errors import ExportErrorCode, ExportNotFound
from lumeire.exports.models import DataExport, ExportStatus


def exports_of_customer(customer, *, limit: int = 10) -> list[DataExport]:
    return list(DataExport.objects.filter(customer=customer).order_by("-requested_at")[:limit])


def export_get_for_customer(*, customer, export_id: object) -> DataExport:
    try:
        export_uuid = uuid.UUID(str(export_id))
    except ValueError:
        raise ExportNotFound(ExportErrorCode.NOT_FOUND, _("There is no such export.")) from None
    export = DataExport.objects.filter(pk=export_uuid, customer=customer).first()
    if export is None:
        raise ExportNotFound(ExportErrorCode.NOT_FOUND, _("There is no such export."))
    return export


def is_downloadable(export: DataExport) -> bool:
    from django.utils import timezone

    return export.status == ExportStatus.READY and export.expires_at > timezone.now()


def status_now(export: DataExport) -> str:
    """The export's status as the customer should read it: a ready file past its day is expired
    even before the retention pass has marked it so."""
    if export.status == ExportStatus.READY and not is_downloadable(export):
        return str(ExportStatus.EXPIRED)
    return str(export.status)
