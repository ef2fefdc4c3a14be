"""Addresses outside the language prefix: robots.txt, the favicon, the sitemap and uploaded
media."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache as kept_once
from functools import wraps
from pathlib import Path

from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_section_view
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET, require_safe

from lumeire.catalog.images import open_photo
from lumeire.catalog.services import catalog_version
from lumeire.storefront.sitemaps import SITEMAPS, site_parts

logger = logging.getLogger(__name__)
YEAR = 365 * 24 * 60 * 60
DAY = 24 * 60 * 60
FAVICON = Path(__file__).resolve().parent / "static" / "storefront" / "favicon.ico"


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


@kept_once
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The store's icon at the address browsers ask for by themselves (a drop on the accent
    colour, 16, 32 and 48 pixels). Its address never changes, so browsers keep it a day."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=DAY)
    return response


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


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponse:
    """Stream an uploaded picture from the store's storage (this node's folder or the shared
    bucket); a new upload gets a new name, so browsers may keep it a year."""
    try:
        photo = open_photo(path)
    except OSError:
        logger.warning("media storage unavailable", extra={"event": "media_storage_unavailable"})
        # Asked for by <img> tags, never read by a person: no page, no translation.
        response = HttpResponse(
            "The picture storage is unavailable; try again shortly.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "30"
        return response
    if photo is None:
        raise Http404
    response = get_conditional_response(request, etag=photo.etag)
    if response is None:
        response = FileResponse(photo.file, content_type=photo.content_type)
        response["Content-Length"] = str(photo.size)
    else:
        photo.file.close()
    response["ETag"] = photo.etag
    patch_cache_control(response, public=True, max_age=YEAR, immutable=True)
    return response
