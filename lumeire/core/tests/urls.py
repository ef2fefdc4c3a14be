"""A URLconf for tests that need a page which writes to the session."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def remember_visit(request: HttpRequest) -> HttpResponse:
    """Store a harmless value so the session cookie is set."""
    request.session["visited"] = True
    return HttpResponse("ok")


urlpatterns = [path("session-probe", remember_visit)]
