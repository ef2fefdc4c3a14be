"""The back office: Django's admin machinery on the store's own site, at /backoffice/."""

from django.urls import path

from lumeire.backoffice import (
    audit_admin,  # noqa: F401 - registers the audit log
    catalog_admin,  # noqa: F401 - registers the catalogue pages
    customers_admin,  # noqa: F401 - registers the customer pages
    merchandising_admin,  # noqa: F401 - registers the home page's banners
    orders_admin,  # noqa: F401 - registers the order pages
    policy_admin,
    search_admin,  # noqa: F401 - registers the search synonyms
    shipping_admin,  # noqa: F401 - registers the delivery options
)
from lumeire.backoffice.cases import urls as cases_urls
from lumeire.backoffice.sites import backoffice_site

# The policy and case pages come first: the site's catch-all would otherwise answer them.
urlpatterns = [
    *policy_admin.urlpatterns,
    *cases_urls.urlpatterns,
    path("", backoffice_site.urls),
]
