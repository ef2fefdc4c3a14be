"""Addresses outside the language prefix: robots.txt, the sitemap and uploaded media."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_section_view
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve

from lumeire.catalog.services import catalog_version
from lumeire.storefront.sitemaps import SITEMAPS, site_parts

# Only pictures are served from uploads: a file that arrived named .html or .svg never is.
MEDIA_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
YEAR = 365 * 24 * 60 * 60


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the shop; carts, accounts, the back office and the API are not pages."""
    scheme, host = site_parts()
    lines = [
        "User-agent: *",
        "Disallow: /backoffice/",
        "Disallow: /api/",
        "Disallow: /*/cart/",
        "Disallow: /*/account/",
        "Disallow: /*/search/",
        "",
        f"Sitemap: {scheme}://{host}{reverse('sitemap')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _kept_until_the_catalogue_changes(view: Callable[..., HttpResponse]):
    """Keep a sitemap page's bytes until the catalogue version moves on: listing every product
    takes a while, and every crawler asks for the same pages."""

    @wraps(view)
    def cached(request: HttpRequest, **kwargs: str) -> HttpResponse:
        page = request.GET.get("p", "1")
        key = f"sitemap:{catalog_version()}:{kwargs.get('section', '')}:{page}"
        if not page.isdigit() or len(page) > 6:
            return view(request, **kwargs)
        found = cache.get(key)
        if found is not None:
            content, content_type = found
            response = HttpResponse(content, content_type=content_type)
            response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
            return response
        response = view(request, **kwargs)
        if hasattr(response, "render"):
            response.render()
        if response.status_code == 200:
            cache.set(key, (response.content, response["Content-Type"]), 60 * 60)
        return response

    return cached


@require_GET
@_kept_until_the_catalogue_changes
@x_robots_tag
def sitemap_index(request: HttpRequest) -> TemplateResponse:
    """The list of sitemap pages (the product list is split into pages of 5,000)."""
    scheme, host = site_parts()
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        address = f"{scheme}://{host}{reverse('sitemap_section', kwargs={'section': section})}"
        entries.append(SitemapIndexItem(address))
        pages = sitemap_class().paginator.num_pages
        entries += [SitemapIndexItem(f"{address}?p={page}") for page in range(2, pages + 1)]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@require_GET
@_kept_until_the_catalogue_changes
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page of categories or products, each in both languages."""
    return sitemap_section_view(request, sitemaps=SITEMAPS, section=section)


@cache_control(public=True, max_age=YEAR, immutable=True)
@require_GET
def media(request: HttpRequest, path: str) -> FileResponse:
    """Serve an uploaded picture; a new upload gets a new name, so browsers may keep it a year.

    ``serve`` refuses paths that leave MEDIA_ROOT.
    """
    if PurePosixPath(path).suffix.lower() not in MEDIA_SUFFIXES:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
