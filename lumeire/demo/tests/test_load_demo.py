"""`load_demo`: a store that looks real, loaded once, with no default or shared accounts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lumeire.accounts.models import AccountKind, User
from lumeire.catalog.models import Category, Product, ProductImage, Variant

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Category, Product, Variant, ProductImage, User)
    )


def test_a_second_load_changes_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = load("--products", "40")
    after_first = counts()
    second = load("--products", "40")
    assert counts() == after_first
    assert "already present" in second and "40 demo products" in first
    assert "sign in as customer: demo /" in second


def test_the_demo_catalogue_has_a_tree_bilingual_names_images_and_age_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load("--products", "40")
    assert Category.objects.filter(depth=2).exists()  # three levels
    assert Category.objects.filter(parent__isnull=True).count() == 12
    product = Product.objects.filter(is_listed=True).first()
    assert product.name_en and product.name_ar and product.images.exists()
    assert (tmp_path / product.images.first().thumbnail.name).is_file()
    assert Product.objects.filter(min_age=18).exists()
    assert Variant.objects.filter(stock=0).exists() and Variant.objects.filter(stock__gt=0).exists()


def test_no_default_or_shared_accounts_and_no_superuser(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load("--products", "5")
    names = {user.get_username() for user in User.objects.all()}
    assert names.isdisjoint({"admin", "root", "sa", "test", "administrator"})
    assert not User.objects.filter(is_superuser=True).exists()
    assert set(User.objects.values_list("kind", flat=True)) == {
        AccountKind.CUSTOMER,
        AccountKind.STAFF,
    }


def test_a_bad_product_count_is_a_clear_error():
    with pytest.raises(CommandError, match="between 1 and 1,000,000"):
        load("--products", "0")


def test_the_demo_customer_has_a_card_order_on_its_way_and_a_cash_order_waiting(settings, tmp_path):
    from lumeire.accounts.selectors import user_by_login
    from lumeire.orders.models import Order

    settings.MEDIA_ROOT = tmp_path
    load("--products", "40")
    load("--products", "40")

    orders = Order.objects.filter(customer=user_by_login("demo")).order_by("placed_at")
    assert [(o.payment_method, o.status) for o in orders] == [
        ("card", "shipped"),
        ("cod", "pending_payment"),
    ]
    assert orders[0].card_last4 == "4242" and orders[0].tracking_number == "DEMO123456"
