"""/api/v1/privacy/: the policy text in the request's language, and accepting a version."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from lumeire.api.auth import customer_token
from lumeire.api.schemas import ErrorSchema, StrictBody
from lumeire.privacy.selectors import policy_version_get
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
