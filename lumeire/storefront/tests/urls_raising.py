"""The project's URLs plus one page that always fails, to exercise the 500 handler."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as project_urls

SECRET_IN_THE_FAILURE = "boom: the 500 page must never show this"


def always_fails(request: HttpRequest) -> HttpResponse:
    """Stand in for a bug anywhere in a view."""
    raise RuntimeError(SECRET_IN_THE_FAILURE)


urlpatterns = [
    *i18n_patterns(path("always-fails/", always_fails), prefix_default_language=True),
    *project_urls.urlpatterns,
]

handler404 = project_urls.handler404
handler500 = project_urls.handler500
