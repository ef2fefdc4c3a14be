"""A catalogue edit and the cached pages: the version moves only once the edit is committed.

The catalogue version keys every cached page and fragment. Moved before the commit, a visitor
reading during the edit would cache the old rows under the new number, to be served to everyone
for the page's lifetime while checkout charges the new price. These tests read during an edit.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test import Client

from lumeire.catalog.models import Product
from lumeire.catalog.services import catalog_changed, catalog_version, product_save
from lumeire.storefront.tests.shop import page, product_names

POSTGRES = connection.vendor == "postgresql"


@pytest.mark.django_db
def test_the_version_moves_when_the_edit_commits_not_before(
    shop, django_capture_on_commit_callbacks
):
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        oud = Product.objects.get(slug="oud-perfume")
        oud.name_en = "Amber oud perfume"
        product_save(product=oud)
        assert catalog_version() == before  # still inside the edit's transaction

    assert callbacks
    assert catalog_version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_an_edit_rolled_back_leaves_the_version_alone(shop):
    before = catalog_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_changed()
        raise RuntimeError("the edit fails")

    assert catalog_version() == before


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_version_moves_at_once(shop):
    before = catalog_version()
    catalog_changed()
    assert catalog_version() == before + 1


@pytest.mark.skipif(not POSTGRES, reason="two connections at once need PostgreSQL here")
@pytest.mark.django_db(transaction=True)
def test_a_page_read_during_an_edit_is_not_served_after_it(shop):
    """An editor renames and reprices a product in a transaction that stays open while visitors
    read (and cache) the shelf; once it commits, every visitor sees the new name at once."""
    visitor = Client()
    assert "Oud perfume" in product_names(page(visitor, "/en/c/home/"))

    edited = threading.Event()
    may_commit = threading.Event()
    failures: list[BaseException] = []

    def edit() -> None:
        try:
            with transaction.atomic():
                oud = Product.objects.get(slug="oud-perfume")
                oud.name_en = "Night oud perfume"
                product_save(product=oud)
                edited.set()
                may_commit.wait(timeout=30)
        except BaseException as error:  # reported to the test's thread
            failures.append(error)
            edited.set()
        finally:
            connection.close()

    editor = threading.Thread(target=edit)
    editor.start()
    assert edited.wait(timeout=30)
    # Reads during the edit: the old rows, rendered and cached (twice: the second is the cache).
    for _ in range(2):
        names = product_names(page(Client(), "/en/c/home/"))
        assert "Oud perfume" in names and "Night oud perfume" not in names
    may_commit.set()
    editor.join(timeout=30)
    assert not failures

    for reader in (Client(), visitor):
        names = product_names(page(reader, "/en/c/home/"))
        assert "Night oud perfume" in names and "Oud perfume" not in names
