"""Search synonyms in the back office: the catalogue's managers keep them, and an edit is used
by the next search and retires cached pages."""

from __future__ import annotations

import pytest

from lumeire.backoffice.services import CATALOGUE_MANAGER
from lumeire.backoffice.staff_roles import FULFILMENT
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.catalog.models import CatalogueVersion, SearchSynonym
from lumeire.catalog.selectors import ProductFilters, product_page
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

ADD = "/backoffice/catalog/searchsynonym/add/"


def names(query: str) -> list[str]:
    page = product_page(ProductFilters(query=query), limit=24, cursor=None)
    return [product.name_en for product in page.items]


@pytest.fixture
def candle(db):
    home = make_category("home", name_en="Home", name_ar="المنزل")
    return make_product(category=home, name_en="Amber candle", name_ar="شمعة عنبر")


def test_a_catalogue_manager_adds_a_synonym_that_search_uses_at_once(
    candle, django_capture_on_commit_callbacks
):
    browser = signed_in(make_staff(groups=[CATALOGUE_MANAGER]))
    assert names("taper") == []
    before = CatalogueVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 1

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            ADD, {"word": " candle ", "equivalents": "taper, شمعة", "language": ""}
        )

    assert response.status_code == 302
    synonym = SearchSynonym.objects.get()
    assert (synonym.word, synonym.equivalents) == ("candle", "taper, شمعة")
    assert names("taper") == ["Amber candle"]
    assert names("tapers") == ["Amber candle"]
    assert CatalogueVersion.objects.get(pk=1).number > before
    listing = browser.get("/backoffice/catalog/searchsynonym/")
    assert listing.status_code == 200
    assert "taper" in listing.content.decode()


def test_staff_outside_the_catalogue_cannot_edit_synonyms(candle):
    browser = signed_in(make_staff(groups=[FULFILMENT]))

    response = browser.post(ADD, {"word": "candle", "equivalents": "taper", "language": ""})

    assert response.status_code in (403, 404)
    assert not SearchSynonym.objects.exists()
