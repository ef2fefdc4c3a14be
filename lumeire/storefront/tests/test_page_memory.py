"""The worker's page memory: bounded by bytes and by count, the least recently used page goes
first and one at a time, and pages are stored compressed so a whole catalogue fits."""

from __future__ import annotations

import os
import pickle
import time
import zlib

import pytest
from django.core.cache import caches
from django.test import Client

from lumeire.storefront.page_memory import ENTRY_OVERHEAD, PageMemoryCache

PAGE = b"x" * 1000


def memory(name: str, **options) -> PageMemoryCache:
    cache = PageMemoryCache(name, {"OPTIONS": options})
    cache.clear()
    return cache


def test_past_its_bytes_the_least_recently_used_pages_go_first():
    one = len(PAGE) + 64  # about what an entry of PAGE counts, its key and pickling included
    cache = memory("test-bytes", MAX_ENTRIES=1000, MAX_BYTES=5 * (one + ENTRY_OVERHEAD))
    for number in range(5):
        cache.set(f"page-{number}", PAGE)
    assert cache.get("page-0") == PAGE  # now the most recently used

    cache.set("page-5", PAGE)
    cache.set("page-6", PAGE)

    kept = [number for number in range(7) if cache.get(f"page-{number}") is not None]
    assert kept == [0, 3, 4, 5, 6]
    assert cache.held_bytes <= 5 * (one + ENTRY_OVERHEAD)


def test_past_its_count_one_page_goes_not_a_third_of_them():
    cache = memory("test-count", MAX_ENTRIES=30, MAX_BYTES=2**30)
    for number in range(31):
        cache.set(f"page-{number}", b"p")

    assert cache.get("page-0") is None
    assert all(cache.get(f"page-{number}") == b"p" for number in range(1, 31))


def test_deleted_replaced_and_cleared_pages_give_their_bytes_back():
    cache = memory("test-give-back", MAX_BYTES=2**30)
    cache.set("a", PAGE)
    cache.set("b", PAGE)
    held = cache.held_bytes
    cache.set("a", PAGE)  # replacing counts once
    assert cache.held_bytes == held

    cache.delete("a")
    assert 0 < cache.held_bytes < held
    cache.clear()
    assert cache.held_bytes == 0


def test_every_thread_of_a_worker_counts_against_the_same_bound():
    first = memory("test-shared", MAX_BYTES=2**30)
    second = PageMemoryCache("test-shared", {"OPTIONS": {"MAX_BYTES": 2**30}})
    first.set("a", PAGE)

    assert second.get("a") == PAGE
    assert second.held_bytes == first.held_bytes > len(PAGE)


@pytest.mark.django_db
def test_pages_are_stored_compressed_and_served_whole(shop):
    pages = caches["pages"]
    assert isinstance(pages, PageMemoryCache)
    first = Client().get("/en/p/silk-evening-dress/").content

    served = Client().get("/en/p/silk-evening-dress/").content

    stored = [
        pickle.loads(value)  # noqa: S301 - what this test's own cache holds
        for key, value in pages._cache.items()
        if ":page:" in key
    ]
    assert len(stored) == 1
    _content_type, packed = stored[0]
    assert len(packed) < len(first) / 2
    assert b"Silk evening dress" in zlib.decompress(packed)
    # Served whole: the same page but for the visitor's own CSRF token (of the same length).
    assert b"\x00" not in served
    assert len(served) == len(first)


def workers(tmp_path, *names: str) -> list[PageMemoryCache]:
    """Caches of separate names sharing one folder: workers of one machine, as far as pages go."""
    caches_ = [
        PageMemoryCache(name, {"OPTIONS": {"SHARED_DIR": tmp_path / "pages"}}) for name in names
    ]
    for cache in caches_:
        cache.clear()
    return caches_


def test_a_page_rendered_by_one_worker_is_read_by_another_not_rendered_again(tmp_path):
    first, second = workers(tmp_path, "worker-1", "worker-2")
    page_ = ("text/html; charset=utf-8", zlib.compress(b"<h1>Lamp</h1>"))
    first.set("page:7:/en/p/lamp/", page_, 60)

    assert second.get("page:7:/en/p/lamp/") == page_
    # Now held by the second worker itself, whatever happens to the folder.
    for path in (tmp_path / "pages").rglob("*"):
        if path.is_file():
            path.unlink()
    assert second.get("page:7:/en/p/lamp/") == page_


def test_only_pages_are_shared_and_never_once_expired(tmp_path):
    first, second = workers(tmp_path, "worker-3", "worker-4")
    first.set("banner-times:7", [1, 2, 3], 60)
    first.set("page:7:/en/gone/", ("text/html", b"old"), 60)
    shared = [path for path in (tmp_path / "pages").rglob("*") if path.is_file()]
    assert len(shared) == 1  # the page, not the list
    assert shared[0].read_bytes().endswith(b"text/htmlold")  # plain, not a pickle

    assert second.get("banner-times:7") is None
    with_past_expiry = bytearray(shared[0].read_bytes())
    with_past_expiry[:8] = bytes(8)  # an expiry of 0.0: long gone
    shared[0].write_bytes(bytes(with_past_expiry))
    assert second.get("page:7:/en/gone/") is None


def test_another_server_process_or_code_does_not_read_the_pages(tmp_path, monkeypatch):
    first, second = workers(tmp_path, "worker-5", "worker-6")
    first.set("page:7:/en/", ("text/html", b"home"), 60)
    monkeypatch.setattr(
        "lumeire.storefront.page_memory._namespace", lambda: "another-server-or-deploy"
    )

    assert second.get("page:7:/en/") is None


def test_the_store_setting_holds_a_2000_product_catalogue_in_both_languages(settings):
    """A product page is about 11 KB, 3 KB compressed; every one must fit in each worker."""
    options = {**settings.CACHES["pages"]["OPTIONS"], "SHARED_DIR": None}
    cache = memory("test-catalogue", **options)
    page_ = ("text/html; charset=utf-8", bytes(range(256)) * 13)  # 3,328 bytes
    for number in range(4000):
        cache.set(f"page:7.0:banner:{number:064x}", page_, 600)

    assert cache.get(f"page:7.0:banner:{0:064x}") == page_
    assert len(cache._cache) == 4000


def test_the_shared_folder_is_swept_of_old_pages_then_of_the_oldest_past_its_bytes(tmp_path):
    options = {"SHARED_DIR": tmp_path / "pages", "SHARED_MAX_BYTES": 2500}
    cache = PageMemoryCache("worker-7", {"OPTIONS": options})
    cache.clear()
    for number in range(4):
        cache.set(f"page:7:/en/p/{number}/", ("text/html", b"x" * 1000), 3600)
    files = sorted((tmp_path / "pages").rglob("*"), key=lambda path: path.name)
    files = [path for path in files if path.is_file()]
    now = time.time()
    ages = {files[0]: now - 2000, files[1]: now - 30, files[2]: now - 20, files[3]: now - 10}
    for path, mtime in ages.items():
        os.utime(path, (mtime, mtime))
    stale = tmp_path / "pages" / "another-namespace"
    stale.mkdir()
    (stale / "page").write_bytes(b"old")
    os.utime(stale / "page", (now - 2000, now - 2000))

    cache.sweep(now)

    assert [path.exists() for path in files] == [False, False, True, True]
    assert not stale.exists()
