"""The store's URLs plus /bench/floor, served only by `make bench` (LUMEIRE_ROOT_URLCONF).

The floor is the cheapest page the project can serve: the same middleware, a tiny template
rendered with the same context processors, no database. Page throughput is reported as a share
of it, so the figures mean the same on a faster or slower machine.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET

from config.urls import handler404, handler500
from config.urls import urlpatterns as store_urlpatterns

_FLOOR = engines["django"].from_string(
    '<!doctype html>\n<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="utf-8">'
    "<title>{{ title }}</title></head>\n<body><h1>{{ title }}</h1></body></html>\n"
)


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """A tiny template through the full stack: what any page costs before its own work."""
    return HttpResponse(_FLOOR.render({"title": "Lumeire"}, request))


# Appended to the store's list, not include()d: i18n_patterns works only at the root.
urlpatterns = [path("bench/floor", floor, name="bench_floor"), *store_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
