"""My data as a file: ask for an export, see where it stands, download it once.

The zip is built by a background task; the page lists the customer's recent exports. A download
link works once, for 24 hours, and only for the customer who asked: anyone else, a used link and an
expired one get the same 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.core.errors import ApplicationError
from lumeire.exports.corrections import corrections_shown
from lumeire.exports.selectors import exports_of_customer, is_downloadable
from lumeire.exports.services import EXPORTS_PER_DAY, export_download, export_request
from lumeire.storefront.account_access import customer_required, private_page


@require_http_methods(["GET", "POST"])
@private_page
def exports(request: HttpRequest) -> HttpResponse:
    """The export page; a POST asks for a new export (at most three a day)."""
    status = 200
    refusal = ""
    if request.method == "POST":
        try:
            export_request(actor=request.user, language=request.LANGUAGE_CODE)
        except ApplicationError as error:
            refusal, status = error.message, error.status_code
        else:
            messages.success(
                request,
                _("Your export is being prepared. Come back to this page to download it."),
            )
            return redirect("storefront:exports")
    rows = [
        {"export": export, "downloadable": is_downloadable(export)}
        for export in exports_of_customer(request.user)
    ]
    corrections = [{"key": key, **shown} for key, shown in corrections_shown()["sections"].items()]
    context = {
        "rows": rows,
        "refusal": refusal,
        "per_day": EXPORTS_PER_DAY,
        "corrections": corrections,
    }
    response = render(request, "storefront/account/exports.html", context, status=status)
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@require_GET
@customer_required
@never_cache
def export_file(request: HttpRequest, export_id: str) -> HttpResponse:
    """Stream the zip once, a chunk at a time from the storage; a second request gets a 404."""
    try:
        download = export_download(actor=request.user, export_id=export_id)
    except ApplicationError as refused:
        raise Http404 from refused
    response = StreamingHttpResponse(download.chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, download.filename)
    response["Referrer-Policy"] = "no-referrer"
    return response
