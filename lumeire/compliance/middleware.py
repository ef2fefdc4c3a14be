"""Refuse changes (sign-in, sign-up, checkout, API writes) from an address a case has blocked.

Reading the shop stays open: only unsafe methods are refused, with a clear page or JSON error.
The address is compared as a keyed hash, the form cases keep it in.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from lumeire.accounts.pseudonyms import client_ref
from lumeire.compliance.selectors import blocked_addresses
from lumeire.core.client import client_address

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Staff behind the same address (an office network) must still be able to lift the block.
EXEMPT_PREFIXES = ("/backoffice/",)


class AddressBlockMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS and not request.path.startswith(EXEMPT_PREFIXES):
            blocked = blocked_addresses()
            if blocked and client_ref(client_address(request)) in blocked:
                return self._refusal(request)
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> HttpResponse:
        message = _(
            "Requests from your network are paused for a while. Browsing still works; if you "
            "think this is a mistake, contact us."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "address_blocked"}, status=403)
        html = render_to_string("compliance/address_blocked.html", {"message": message}, request)
        return HttpResponse(html, status=403)
