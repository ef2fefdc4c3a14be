"""The re-acceptance gate: a signed-in customer who has not accepted the policy in force is
asked to, before anything else.

Until they accept, they may only read the policy (any version), manage cookies, use their
privacy pages (/account/privacy/*, the export at /account/my-data/, account deletion), and
sign out. The
API answers such a customer's token with 403 ``policy_acceptance_required``, except on the
privacy endpoints and sign-out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from lumeire.accounts.selectors import user_for_api_token
from lumeire.privacy.selectors import policy_acceptance_required

ACCEPTANCE_REQUIRED = "policy_acceptance_required"

# Paths open to a customer who has not accepted (after the language prefix, if any).
_OPEN_PAGES = re.compile(
    r"^/(?:[a-z]{2}(?:-[a-z]+)?/)?(?:privacy/|account/privacy/|account/my-data/|"
    r"account/delete/|account/erasure/|account/sign-out/|account/confirm-password/)"
)
_OPEN_ELSEWHERE = re.compile(
    r"^/(?:static/|media/|healthz$|readyz$|metrics$|i18n/|robots\.txt|backoffice/)"
)
_API = "/api/"
_OPEN_API = re.compile(r"^/api/v1/(?:privacy/|accounts/signout$|openapi\.json$|docs$)")


def _api_customer(request: HttpRequest):
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return user_for_api_token(raw.strip())


class PolicyAcceptanceMiddleware:
    """After authentication: send customers behind on the policy to the accept page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(_API):
            if not _OPEN_API.match(path):
                user = _api_customer(request)
                if user is not None and policy_acceptance_required(user) is not None:
                    message = _(
                        "Accept the new privacy policy first: POST /api/v1/privacy/policy/accept."
                    )
                    return JsonResponse(
                        {"detail": message, "code": ACCEPTANCE_REQUIRED, "errors": None},
                        status=403,
                    )
            return self.get_response(request)
        if _OPEN_PAGES.match(path) or _OPEN_ELSEWHERE.match(path):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and policy_acceptance_required(user) is not None:
            target = reverse("storefront:policy_accept")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)
