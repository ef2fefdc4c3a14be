"""Top-level routes: the storefront (per language), the back office and the JSON API."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from lumeire.api.v1 import api
from lumeire.core import health, metrics
from lumeire.storefront import views_site

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("backoffice/", include("lumeire.backoffice.urls")),
    path("robots.txt", views_site.robots_txt, name="robots_txt"),
    path("favicon.ico", views_site.favicon, name="favicon"),
    path("sitemap.xml", views_site.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views_site.sitemap_section, name="sitemap_section"),
    path("media/<path:path>", views_site.media, name="media"),
]

urlpatterns += i18n_patterns(
    path("payments/test-gateway/", include("lumeire.payments.urls")),
    path("", include("lumeire.storefront.urls")),
    prefix_default_language=True,
)

handler403 = "lumeire.backoffice.views_errors.permission_denied"
handler404 = "lumeire.storefront.views.page_not_found"
handler500 = "lumeire.storefront.views.server_error"
