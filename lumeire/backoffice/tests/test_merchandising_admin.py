"""Catalogue managers edit the home page's hero and banners: real admin forms posted, every save
through the merchandising service; other roles are refused; bad input is a form error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lumeire.backoffice.staff_roles import CUSTOMER_SERVICE, FULFILMENT
from lumeire.backoffice.tests.factories import make_staff, png_upload, signed_in
from lumeire.catalog.services import catalog_version
from lumeire.catalog.tests.factories import make_category
from lumeire.merchandising.models import Banner
from lumeire.merchandising.tests.factories import make_banner

pytestmark = pytest.mark.django_db

BANNERS = "/backoffice/merchandising/banner/"


def _form(**values) -> dict:
    data = {
        "placement": "hero",
        "position": "0",
        "is_active": "on",
        "headline_en": "Oud for the season",
        "headline_ar": "عود لهذا الموسم",
        "text_en": "Oils and bakhoor for cool evenings.",
        "text_ar": "دهن العود والبخور للأمسيات الباردة.",
        "button_en": "Shop perfume",
        "button_ar": "تسوّق العطور",
        "link_category": "",
        "link_product": "",
        "link_path": "/search/?q=oud",
        "alt_en": "Amber light on round shapes",
        "alt_ar": "ضوء كهرماني على أشكال مستديرة",
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "_save": "Save",
    }
    data.update(values)
    return data


def _page(response) -> str:
    return response.content.decode()


def test_a_catalogue_manager_adds_a_banner_in_both_languages_with_a_picture(
    manager_client, django_capture_on_commit_callbacks
):
    form = _page(manager_client.get(f"{BANNERS}add/"))
    for field in ("headline_en", "headline_ar", "alt_ar", "starts_at_0", "ends_at_1", "image"):
        assert f'name="{field}"' in form
    version = catalog_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"{BANNERS}add/", _form(image=png_upload("IMG_1.png")))

    assert response.status_code == 302, _page(response)
    banner = Banner.objects.get()
    assert (banner.headline_ar, banner.link_path) == ("عود لهذا الموسم", "/search/?q=oud")
    assert banner.image.name.startswith("banners/") and "IMG_1" not in banner.image.name
    assert banner.image_small.name.startswith("banners/small/")
    assert catalog_version() == version + 1
    listing = _page(manager_client.get(BANNERS))
    assert "Oud for the season" in listing and "عود لهذا الموسم" in listing


def test_the_change_page_previews_the_picture_and_an_edit_keeps_it(manager_client):
    category = make_category("perfume")
    banner = make_banner(link_category=category, button_en="Shop", button_ar="تسوق")
    page = _page(manager_client.get(f"{BANNERS}{banner.pk}/change/"))
    assert banner.small_image_url in page and "backoffice-banner-preview" in page

    response = manager_client.post(
        f"{BANNERS}{banner.pk}/change/",
        _form(
            headline_en="Amber nights",
            link_path="",
            link_category=str(category.pk),
            starts_at_0="2026-12-20",
            starts_at_1="09:00:00",
            ends_at_0="2026-12-31",
            ends_at_1="23:00:00",
        ),
    )

    assert response.status_code == 302, _page(response)
    banner.refresh_from_db()
    assert banner.headline_en == "Amber nights" and banner.link_category == category
    assert banner.ends_at - banner.starts_at == timedelta(days=11, hours=14)
    assert banner.image.name  # the picture stays without a new upload


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {
                "starts_at_0": "2026-12-20",
                "starts_at_1": "09:00:00",
                "ends_at_0": "2026-12-19",
                "ends_at_1": "09:00:00",
            },
            "The end must come after the start.",
        ),
        ({"link_path": "https://evil.example/sale"}, "Link only to a page of this store"),
        ({"link_path": "//evil.example/"}, "Link only to a page of this store"),
        ({"link_path": "/no-such-page/"}, "The store has no page at this path."),
        ({"button_en": ""}, "Write the button&#x27;s label in English and in Arabic."),
        ({"headline_ar": ""}, "This field is required."),
        (
            {"image": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
            "Upload a valid image.",
        ),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(manager_client, values, message):
    data = _form(image=png_upload())
    data.update(values)

    response = manager_client.post(f"{BANNERS}add/", data)

    assert response.status_code == 200
    assert message in _page(response)
    assert 'class="errorlist' in _page(response)
    assert not Banner.objects.exists()


def test_a_refusal_of_the_service_shows_on_the_form_not_as_an_error_page(
    manager_client, monkeypatch
):
    from lumeire.merchandising import services
    from lumeire.merchandising.errors import MerchandisingError, MerchandisingErrorCode

    def refuse(**_kwargs):
        raise MerchandisingError(
            MerchandisingErrorCode.BAD_IMAGE,
            "This image has too many pixels.",
            field_errors={"image": ["This image has too many pixels."]},
        )

    monkeypatch.setattr(services, "_image_redrawn", lambda banner: refuse())

    response = manager_client.post(f"{BANNERS}add/", _form(image=png_upload()))

    assert response.status_code == 200
    assert "This image has too many pixels." in _page(response)
    assert not Banner.objects.exists()


def test_the_owner_may_edit_banners_too(owner, staff_client):
    banner = make_banner()
    client = staff_client(owner)
    assert client.get(BANNERS).status_code == 200
    assert client.get(f"{BANNERS}{banner.pk}/change/").status_code == 200


@pytest.mark.parametrize("group", [FULFILMENT, CUSTOMER_SERVICE, "Compliance officer", "Analyst"])
def test_other_roles_are_refused_every_banner_page(group):
    banner = make_banner()
    client = signed_in(make_staff(groups=[group]))

    for url in (BANNERS, f"{BANNERS}add/", f"{BANNERS}{banner.pk}/change/"):
        assert client.get(url).status_code == 403, url
    response = client.post(f"{BANNERS}add/", _form(image=png_upload()))
    assert response.status_code == 403
    assert Banner.objects.count() == 1


def test_deleting_a_banner_retires_cached_pages(manager_client, django_capture_on_commit_callbacks):
    banner = make_banner()
    version = catalog_version()

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"{BANNERS}{banner.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Banner.objects.exists()
    assert catalog_version() == version + 1
