"""/api/v1/privacy/: the policy text in the request's language, accepting a version, who
looked at the customer's data, and exports of all of it."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from lumeire.accounts.pseudonyms import client_ref
from lumeire.api.auth import customer_token
from lumeire.api.schemas import ErrorSchema, StrictBody
from lumeire.catalog.selectors import parse_limit
from lumeire.core.client import client_address
from lumeire.exports.selectors import export_get_for_customer, status_now
from lumeire.exports.services import export_download, export_request
from lumeire.privacy.policy import rendered_sections
from lumeire.privacy.selectors import access_log_of_customer, policy_version_get
from lumeire.privacy.services import policy_accept

router = Router(tags=["privacy"])


class PolicySectionOut(Schema):
    key: str
    title: str
    body: str


class PolicyOut(Schema):
    version: int
    effective_at: datetime
    sections: list[PolicySectionOut]


class PolicyAcceptIn(StrictBody):
    version: int


@router.get("/policy", response={200: PolicyOut, 400: ErrorSchema, 404: ErrorSchema})
def policy(request: HttpRequest, version: int | None = None):
    """The policy in force, or the published ``version`` asked for, in the request's language,
    with its generated parts (what is kept, who may see it, how it is protected, cookies) filled
    in from the running system."""
    found = policy_version_get(version)
    if found is None:
        raise Http404
    return {
        "version": found.version,
        "effective_at": found.effective_at,
        "sections": rendered_sections(found, request.LANGUAGE_CODE),
    }


@router.post(
    "/policy/accept",
    auth=customer_token,
    response={204: None, 400: ErrorSchema, 401: ErrorSchema},
)
def accept_policy(request: HttpRequest, payload: PolicyAcceptIn):
    """Record that the signed-in customer accepted a published version; repeating it is harmless."""
    policy_accept(
        actor=request.auth,
        version=payload.version,
        client_ref=client_ref(client_address(request)),
    )
    return Status(204, None)


class AccessLogQuery(Schema):
    """Kept as text: the shared parsers give the refusals, keyed by the parameter."""

    limit: str | None = Field(None, description="Entries per page, 1 to 100; 24 by default.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")


class AccessLogEntryOut(Schema):
    at: datetime = Field(description="When the value was shown to the staff member.")
    viewer_role: str = Field(description="The staff member's role(s), in the request's language.")
    viewer_ref: str = Field(
        description="A stable pseudonym of the staff member (the same person, the same "
        "reference); never their name or account."
    )
    fields: list[str] = Field(description="What was shown, in the request's language.")
    reason: str = Field(description="The category of the reason given, in the request's language.")


class AccessLogPageOut(Schema):
    items: list[AccessLogEntryOut]
    next_cursor: str | None = Field(
        description="Send it as ?cursor= for the next page; null on the last page."
    )


@router.get(
    "/access-log",
    auth=customer_token,
    response={200: AccessLogPageOut, 400: ErrorSchema, 401: ErrorSchema},
)
@decorate_view(never_cache)
def access_log(request: HttpRequest, params: Query[AccessLogQuery]):
    """Who looked at my data: each time staff revealed one of the customer's values, newest
    first. Refused attempts are not listed; the reason's free text stays in the audit log."""
    found = access_log_of_customer(
        customer_id=request.auth.pk, cursor=params.cursor, limit=parse_limit(params.limit)
    )
    return {
        "items": [
            {
                "at": entry.at,
                "viewer_role": entry.viewer_role,
                "viewer_ref": entry.viewer_ref,
                "fields": list(entry.fields),
                "reason": entry.reason,
            }
            for entry in found.entries
        ],
        "next_cursor": found.next_cursor,
    }


# --- Exports (right of access and portability) ------------------------------------------------


class ExportOut(Schema):
    id: str = Field(description="The export's id.")
    status: str = Field(
        description="pending, ready, downloaded, expired or failed; a ready export past its 24 "
        "hours reads as expired."
    )


class ExportStatusOut(ExportOut):
    requested_at: datetime
    expires_at: datetime | None = Field(description="When the download link stops working.")
    download_url: str | None = Field(
        description="GET it with the same bearer token to receive the zip, once; null unless "
        "the export is ready."
    )


@router.post(
    "/exports",
    auth=customer_token,
    response={202: ExportOut, 401: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema},
)
def export_create(request: HttpRequest):
    """Ask for a copy of all the customer's data, built in the background (3 a day at most)."""
    export = export_request(actor=request.auth, language=request.LANGUAGE_CODE)
    return Status(202, {"id": str(export.pk), "status": status_now(export)})


@router.get(
    "/exports/{id}",
    auth=customer_token,
    response={200: ExportStatusOut, 401: ErrorSchema, 404: ErrorSchema},
)
@decorate_view(never_cache)
def export_status(request: HttpRequest, id: str):
    """Where the export stands, with its one-time download link once it is ready."""
    export = export_get_for_customer(customer=request.auth, export_id=id)
    status = status_now(export)
    download_url = None
    if status == "ready":
        download_url = request.build_absolute_uri(
            reverse("api-v1:privacy_export_download", kwargs={"id": str(export.pk)})
        )
    return {
        "id": str(export.pk),
        "status": status,
        "requested_at": export.requested_at,
        "expires_at": export.expires_at if status == "ready" else None,
        "download_url": download_url,
    }


@router.get(
    "/exports/{id}/download",
    auth=customer_token,
    response={200: None, 401: ErrorSchema, 404: ErrorSchema},
    url_name="privacy_export_download",
)
@decorate_view(never_cache)
def export_download_file(request: HttpRequest, id: str):
    """The zip, once: a second request, or another customer's, is a 404."""
    download = export_download(actor=request.auth, export_id=id)
    response = StreamingHttpResponse(download.chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, download.filename)
    return response


class ErasureIn(StrictBody):
    password: str = Field(description="The account's current password.")


class ErasureOut(Schema):
    status: str = Field(
        description="awaiting_confirmation: a link was sent to the account's email."
    )
    requested_at: datetime


@router.post(
    "/erasure",
    auth=customer_token,
    response={
        202: ErasureOut,
        400: ErrorSchema,
        401: ErrorSchema,
        403: ErrorSchema,
        429: ErrorSchema,
    },
)
def erasure(request: HttpRequest, payload: ErasureIn):
    """Ask to delete the account: after the password, a single-use link goes to the account's
    email; once it is opened and confirmed the account is erased at the end of the grace period,
    unless the customer signs in before then. Nothing is deleted by this call."""
    from lumeire.privacy.erasure import erasure_request

    found = erasure_request(actor=request.auth, password=payload.password, request=request)
    return Status(202, {"status": found.status, "requested_at": found.requested_at})
