"""Accepting a new version of the privacy policy, or declining it.

A customer whose latest acceptance is older than the version in force is sent here by the gate
(lumeire.storefront.policy_gate) before anything else. Accepting records the evidence and goes
on; declining changes nothing and leaves only reading the policy, exporting the data, deleting
the account and signing out.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lumeire.accounts.pseudonyms import client_ref
from lumeire.core.client import client_address
from lumeire.privacy.policy import rendered_sections
from lumeire.privacy.selectors import current_policy_version, policy_acceptance_required
from lumeire.privacy.services import policy_accept
from lumeire.storefront.account_access import customer_required, safe_next


@require_http_methods(["GET", "POST"])
@customer_required
@never_cache
def policy_accept_page(request: HttpRequest) -> HttpResponse:
    """Show the new version with "Accept" and "Decline"; a customer already up to date goes on."""
    default = reverse("storefront:account")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    needed = policy_acceptance_required(request.user)
    if needed is None:
        return redirect(safe_next(request, next_url, default))
    if request.method == "POST" and request.POST.get("decision") == "accept":
        policy_accept(
            actor=request.user,
            version=needed.version,
            client_ref=client_ref(client_address(request)),
        )
        return redirect(safe_next(request, next_url, default))
    declined = request.method == "POST" and request.POST.get("decision") == "decline"
    context = {
        "policy": needed,
        "sections": rendered_sections(needed, translation.get_language() or "en"),
        "declined": declined,
        "next": next_url,
        "previous_version": _accepted_before(request),
        "export_url": reverse("storefront:exports"),
        "delete_url": reverse("storefront:erasure_request"),
    }
    return render(request, "storefront/privacy_accept.html", context, status=200)


def _accepted_before(request: HttpRequest) -> int | None:
    current = current_policy_version()
    versions = request.user.policy_acceptances.values_list("version__version", flat=True)
    earlier = [v for v in versions if current is None or v < current.version]
    return max(earlier) if earlier else None
