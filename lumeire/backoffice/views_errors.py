"""The back office's refusal page: a 403 inside the back office keeps its layout (header, menu,
sign-out) and offers the way home; elsewhere Django's own 403 answers, as before."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache

from lumeire.backoffice.sites import backoffice_site


@never_cache
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: what a staff member's roles do not open, said in the back office's look."""
    if not request.path.startswith(reverse(f"{backoffice_site.name}:index")):
        return defaults.permission_denied(request, exception)
    context = {**backoffice_site.each_context(request)}
    response = TemplateResponse(request, "backoffice/403.html", context, status=403)
    return response.render()
