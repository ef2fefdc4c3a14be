"""/api/v1/privacy/: the policy text in the request's language, accepting a version, and who
looked at the customer's data."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from lumeire.api.auth import customer_token
from lumeire.api.schemas import ErrorSchema, StrictBody
from lumeire.catalog.selectors import parse_limit
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
    """The policy in force, or the published ``version`` asked for, in the request's language."""
    found = policy_version_get(version)
    if found is None:
        raise Http404
    return {
        "version": found.version,
        "effective_at": found.effective_at,
        "sections": found.sections_in(request.LANGUAGE_CODE),
    }


@router.post(
    "/policy/accept",
    auth=customer_token,
    response={204: None, 400: ErrorSchema, 401: ErrorSchema},
)
def accept_policy(request: HttpRequest, payload: PolicyAcceptIn):
    """Record that the signed-in customer accepted a published version; repeating it is harmless."""
    policy_accept(actor=request.auth, version=payload.version)
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
