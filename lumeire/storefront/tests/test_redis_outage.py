"""Redis away: the store keeps selling, and never lets an uncounted sign-in or action through.

Two outages, as met in production: Redis not running (the port refuses), and a Redis that
accepts the connection and never answers (which cost 5.7 s a request). In both, pages, the
cart and checkout answer at once from the database; sign-in and the rate-limited actions answer
503 with Retry-After and a clear message, in the page's language and in the API's error shape;
nothing answers 500, and nobody signed in is signed out.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.accounts.tests.web_sign_in import sign_in, sign_up_form
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.core import cache as store_cache
from lumeire.core.cache import SharedStoreUnavailable
from lumeire.core.ratelimit import allow
from lumeire.core.tests.markup import parse
from lumeire.core.tests.redis_fixtures import redis_caches
from lumeire.orders.models import Order
from lumeire.storefront.tests.test_checkout_pages import ADDRESS

OUTAGES = ["never_answering_redis", "closed_redis_port"]
RETRY_MESSAGE = (
    "This action is paused for a moment while one of our systems recovers. Nothing was changed. "
    "Please try again in 30 seconds."
)
ARABIC_RETRY_MESSAGE = (
    "هذا الإجراء متوقّف لحظات ريثما يتعافى أحد أنظمتنا. لم يتغيّر شيء. "
    "يُرجى المحاولة مجدّدًا بعد 30 ثانية."
)
# One Redis timeout (250 ms) plus the page itself, with room for a slow test machine.
FAST = 1.0


@pytest.fixture(params=OUTAGES)
def redis_away(request, settings) -> str:
    """The store's caches pointed at a Redis that is away (each outage in turn)."""
    url = request.getfixturevalue(request.param)
    settings.CACHES = redis_caches(url)
    return request.param


@pytest.fixture
def noura(db) -> User:
    """A customer, opened before the outage (opening an account is rate-limited too)."""
    return make_customer(username="noura")


@pytest.fixture
def shop(db):
    category = make_category("living", name_en="Living", name_ar="المعيشة")
    return make_product(
        category=category,
        slug="brass-lamp",
        name_en="Brass lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP", "price": "80.00", "stock": 5}],
    )


def timed(call, *args, **kwargs):
    started = time.monotonic()
    result = call(*args, **kwargs)
    return result, time.monotonic() - started


def assert_refused_for_now(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


# --- The caches themselves --------------------------------------------------------------------


@pytest.mark.parametrize("outage", OUTAGES)
def test_the_default_cache_is_no_cache_while_redis_is_away(request, settings, outage):
    settings.CACHES = redis_caches(request.getfixturevalue(outage))
    default = caches["default"]

    first, first_took = timed(default.get, "menu")
    default.set("menu", "stored")
    built = default.get_or_set("tree", lambda: "built from the database")
    later, later_took = timed(lambda: [default.get(f"key{n}") for n in range(100)])

    assert first is None
    assert built == "built from the database"
    assert later == [None] * 100
    assert first_took < 0.5  # one timeout at most
    assert later_took < 0.05  # then the breaker: Redis is not asked again
    assert default.get_many(["menu", "tree"]) == {}
    assert default.add("menu", "x") is True
    with pytest.raises(ValueError):
        default.incr("hits")


@pytest.mark.parametrize("outage", OUTAGES)
def test_the_shared_cache_refuses_rather_than_count_nothing(request, settings, outage):
    settings.CACHES = redis_caches(request.getfixturevalue(outage))
    shared = caches["shared"]

    for call in (
        lambda: shared.get("count"),
        lambda: shared.add("count", 1),
        lambda: shared.incr("count"),
        lambda: shared.delete_many(["count"]),
        lambda: allow("sign-up:someone", limit=10, window_seconds=3600),
    ):
        with pytest.raises(SharedStoreUnavailable) as refused:
            call()
        assert refused.value.status_code == 503
        assert refused.value.retry_after == 30
        assert refused.value.code == "shared_store_unavailable"
        # Redis's own error text names the address: it is not carried along.
        assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_after_a_failure_redis_is_left_alone_for_a_while_then_tried_again(
    settings, silent_server, monkeypatch
):
    monkeypatch.setattr(store_cache, "BREAKER_SECONDS", 0.5)
    settings.CACHES = redis_caches(silent_server.url)
    default = caches["default"]

    default.get("a")
    connections_after_failure = len(silent_server.accepted)
    for _ in range(20):
        default.get("b")
    connections_during_pause = len(silent_server.accepted)
    time.sleep(0.6)
    default.get("c")

    assert connections_after_failure == 1
    assert connections_during_pause == 1
    assert len(silent_server.accepted) == 2


def test_an_outage_is_logged_once_not_on_every_call(
    settings, closed_redis_port, monkeypatch, caplog
):
    monkeypatch.setattr(store_cache, "BREAKER_SECONDS", 0.0)
    settings.CACHES = redis_caches(closed_redis_port)

    with caplog.at_level(logging.WARNING, logger="lumeire.core.cache"):
        for _ in range(5):
            caches["default"].get("menu")
            with pytest.raises(SharedStoreUnavailable):
                caches["shared"].get("count")

    warnings = [r for r in caplog.records if r.name == "lumeire.core.cache"]
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING"
    assert str(closed_redis_port.rsplit(":", 1)[1].split("/")[0]) not in warnings[0].getMessage()


@pytest.mark.django_db
def test_a_readiness_probe_that_reaches_redis_ends_the_pause(
    settings, real_redis_url, unique_prefix
):
    settings.CACHES = redis_caches(real_redis_url, prefix=unique_prefix)
    default = caches["default"]
    default.set("menu", "stored")
    store_cache._breaker_for(real_redis_url).trip(ConnectionError("a blip"))
    during_pause = default.get("menu")

    ready = Client().get("/readyz")

    assert during_pause is None
    assert ready.status_code == 200
    assert default.get("menu") == "stored"


def test_a_working_redis_is_used_by_both_caches(settings, real_redis_url, unique_prefix):
    settings.CACHES = redis_caches(real_redis_url, prefix=unique_prefix)

    caches["default"].set("menu", ["silk", "lamp"])
    counted = [allow("recovery:someone", limit=2, window_seconds=60) for _ in range(3)]

    assert caches["default"].get("menu") == ["silk", "lamp"]
    assert counted == [True, True, False]
    assert caches["default"].ping() is True


# --- Shopping goes on -------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_served_at_once_from_the_database(shop, redis_away):
    visitor = Client()
    paths = ["/en/", "/ar/", "/en/c/living/", "/en/p/brass-lamp/", "/en/search/?q=lamp"]

    answers = [timed(visitor.get, path) for path in paths]

    assert [response.status_code for response, _took in answers] == [200] * len(paths)
    assert "Brass lamp" in answers[3][0].content.decode()
    assert sum(took for _response, took in answers) < FAST * 2
    assert max(took for _response, took in answers[1:]) < 0.5


@pytest.mark.django_db
def test_a_signed_in_customer_stays_signed_in_and_checks_out(settings, request, noura, shop):
    shopper = Client()
    assert sign_in(shopper, "noura").status_code == 302
    for outage in OUTAGES:
        settings.CACHES = redis_caches(request.getfixturevalue(outage))

        added, add_took = timed(shopper.post, "/en/p/brass-lamp/", {"sku": "LAMP", "quantity": 1})
        cart, cart_took = timed(shopper.get, "/en/cart/")
        account = shopper.get("/en/account/")

        assert added.status_code == 302
        assert cart.status_code == 200 and "Brass lamp" in cart.content.decode()
        assert account.status_code == 200  # still signed in: sessions live in the database
        assert add_took < FAST and cart_took < FAST

    address = {"choice": "new", **ADDRESS}
    assert shopper.post("/en/checkout/address/", address).status_code == 302
    assert (
        shopper.post("/en/checkout/delivery/", {"shipping_method": "standard"}).status_code == 302
    )
    payment_page = shopper.get("/en/checkout/payment/")
    assert payment_page.status_code == 200
    form = next(
        f
        for f in parse(payment_page.content.decode()).find_all("form")
        if f.attrs["action"].endswith("/place/")
    )
    hidden = {
        i.attrs["name"]: i.attrs.get("value", "")
        for i in form.find_all("input")
        if i.attrs.get("type") == "hidden"
    }
    placed = shopper.post("/en/checkout/place/", {**hidden, "payment": "cod"})

    assert placed.status_code == 302, placed.content.decode()[:500]
    assert Order.objects.count() == 1


# --- Sign-in and rate-limited actions refuse, for now -----------------------------------------


@pytest.mark.django_db
def test_sign_in_answers_503_with_retry_after_and_signs_nobody_in(noura, redis_away):
    browser = Client()

    response, took = timed(sign_in, browser, "noura")

    assert_refused_for_now(response)
    assert RETRY_MESSAGE in response.content.decode()
    assert took < FAST
    assert browser.get("/en/account/").status_code == 302  # sent to sign in: not signed in


@pytest.mark.django_db
def test_the_refusal_speaks_the_page_language(noura, redis_away):

    response = sign_in(Client(), "noura", language="ar")

    assert_refused_for_now(response)
    page = response.content.decode()
    assert ARABIC_RETRY_MESSAGE in page
    assert 'lang="ar"' in page and 'dir="rtl"' in page


@pytest.mark.django_db
def test_a_wrong_password_is_refused_the_same_and_not_let_through_uncounted(noura, redis_away):
    browser = Client()

    answers = [sign_in(browser, "noura", "a wrong password, again").status_code for _ in range(8)]

    assert answers == [503] * 8


@pytest.mark.django_db
def test_api_sign_in_answers_the_api_error_shape_with_retry_after(noura, redis_away):

    response = Client().post(
        "/api/v1/accounts/signin",
        {"login": "noura", "password": PASSWORD},
        content_type="application/json",
    )

    assert_refused_for_now(response)
    assert response.json() == {"detail": RETRY_MESSAGE, "code": "shared_store_unavailable"}


@pytest.mark.django_db
def test_api_refusal_speaks_the_clients_language(redis_away):
    response = Client().post(
        "/api/v1/accounts/signin",
        {"login": "noura", "password": PASSWORD},
        content_type="application/json",
        headers={"Accept-Language": "ar"},
    )

    assert_refused_for_now(response)
    assert response.json()["detail"] == ARABIC_RETRY_MESSAGE


@pytest.mark.django_db
def test_sign_up_is_refused_for_now_and_nothing_is_sent(redis_away):
    response = Client().post("/en/account/sign-up/", sign_up_form())

    assert_refused_for_now(response)
    assert RETRY_MESSAGE in response.content.decode()
    assert mail.outbox == []
    assert not User.objects.filter(username__iexact="web_customer1").exists()


@pytest.mark.django_db
def test_api_recovery_and_cart_adds_are_refused_for_now(noura, shop, redis_away):
    client = Client()
    mail.outbox.clear()  # the sign-up link that opened the account

    recovery = client.post(
        "/api/v1/accounts/password-recovery", {"login": "noura"}, content_type="application/json"
    )
    cart_add = client.post(
        "/api/v1/cart/lines", {"sku": "LAMP", "quantity": 1}, content_type="application/json"
    )

    for response in (recovery, cart_add):
        assert_refused_for_now(response)
        assert response.json()["code"] == "shared_store_unavailable"
    assert mail.outbox == []


@pytest.mark.django_db
def test_when_redis_is_back_sign_in_works_and_counts_again(settings, real_redis_url, unique_prefix):
    settings.CACHES = redis_caches(real_redis_url, prefix=unique_prefix)
    make_customer(username="noura")
    browser = Client()

    wrong = [sign_in(browser, "noura", "a wrong password, again").status_code for _ in range(5)]
    locked = sign_in(browser, "noura")

    assert wrong == [400, 400, 400, 400, 429]
    assert locked.status_code == 429
    keys = list(caches["shared"]._cache.get_client().scan_iter(match=f"{unique_prefix}-shared*"))
    assert keys  # the counters are in Redis
