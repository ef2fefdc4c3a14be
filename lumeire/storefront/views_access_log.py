"""Who looked at my data: each time a staff member revealed one of the customer's values.

The page shows the date, the viewer's role, a pseudonym of the staff member (never their name),
what was shown and the category of the reason; the reason's free text and refused attempts stay
in the audit log. Like the other account pages it needs a recent password and is never cached.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from lumeire.core.errors import ApplicationError
from lumeire.privacy.selectors import access_log_of_customer
from lumeire.storefront.account_access import private_page


@require_GET
@private_page
def access_log(request: HttpRequest) -> HttpResponse:
    """The customer's own access log, newest first; ``?after=<cursor>`` shows older entries."""
    after = request.GET.get("after", "")
    try:
        found = access_log_of_customer(customer_id=request.user.pk, cursor=after or None)
    except ApplicationError as refused:
        # A stale or altered page link: the same 404 as the orders pages give.
        raise Http404 from refused
    context = {
        "entries": found.entries,
        "next_cursor": found.next_cursor or "",
        "is_first_page": not after,
    }
    return render(request, "storefront/account/access_log.html", context)
