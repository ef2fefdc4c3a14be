"""Forwarded headers count only from the store's own proxies (LUMEIRE_TRUSTED_PROXIES).

A client that writes X-Forwarded-For or X-Forwarded-Proto itself changes nothing: not the address
that lockouts, rate limits and the security log see, not whether the request counts as HTTPS.
The same headers from a trusted proxy are honoured.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from lumeire.core.client import (
    ClientAddressMiddleware,
    client_address,
    request_is_secure,
)

PROXY = "10.0.0.5"
CLIENT = "203.0.113.9"
FORGED = "198.51.100.77"
ROOT = Path(__file__).resolve().parents[3]


def through_middleware(**meta) -> tuple[dict[str, object], HttpResponse]:
    """Run a request through the middleware; return what the view saw."""
    seen: dict[str, object] = {}

    def view(request):
        seen.update(
            remote_addr=request.META.get("REMOTE_ADDR"),
            secure=request.is_secure(),
            forwarded={k: v for k, v in request.META.items() if "FORWARDED" in k},
            address=client_address(request),
        )
        return HttpResponse("ok")

    response = ClientAddressMiddleware(view)(RequestFactory().get("/", **meta))
    return seen, response


@pytest.fixture
def trusted_proxy(settings):
    settings.LUMEIRE_TRUSTED_PROXIES = ("10.0.0.0/8", "2001:db8::/32")


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(settings):
    settings.LUMEIRE_TRUSTED_PROXIES = ()
    seen, _ = through_middleware(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=FORGED)

    assert seen["address"] == CLIENT
    assert seen["remote_addr"] == CLIENT
    assert seen["forwarded"] == {}


def test_a_forged_forwarded_proto_does_not_make_a_request_secure(settings):
    settings.LUMEIRE_TRUSTED_PROXIES = (PROXY,)
    seen, _ = through_middleware(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_PROTO="https")

    assert seen["secure"] is False


def test_a_forwarded_for_from_an_untrusted_peer_is_ignored_even_when_proxies_are_set(
    trusted_proxy,
):
    seen, _ = through_middleware(REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"{FORGED}, {PROXY}")

    assert seen["address"] == CLIENT


def test_a_trusted_proxy_is_believed_about_the_client_and_the_scheme(trusted_proxy):
    seen, _ = through_middleware(
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_X_FORWARDED_PROTO="https"
    )

    assert seen == {
        "remote_addr": CLIENT,
        "secure": True,
        "forwarded": {},
        "address": CLIENT,
    }


def test_the_right_most_untrusted_hop_is_the_client(trusted_proxy):
    # The client wrote FORGED itself; the store's proxies appended what they saw.
    seen, _ = through_middleware(
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{FORGED}, {CLIENT}, 10.1.2.3"
    )

    assert seen["address"] == CLIENT


def test_a_chain_of_only_trusted_hops_gives_the_left_most(trusted_proxy):
    seen, _ = through_middleware(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.9.9.9, 10.1.1.1")

    assert seen["address"] == "10.9.9.9"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("not-an-address", PROXY),
        (f"{CLIENT}, garbage", PROXY),
        (f"garbage, {CLIENT}", CLIENT),
        (f"{CLIENT}:5555", CLIENT),
        ("[2001:db9::1]:443", "2001:db9::1"),
        (f"::ffff:{CLIENT}", CLIENT),
        ("", PROXY),
    ],
)
def test_odd_forwarded_values_never_give_a_forged_or_broken_address(
    trusted_proxy, header, expected
):
    seen, _ = through_middleware(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)

    assert seen["address"] == expected


def test_the_nearest_proxys_proto_counts(trusted_proxy):
    forged_first, _ = through_middleware(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https, http")
    honest, _ = through_middleware(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http, https")

    assert forged_first["secure"] is False
    assert honest["secure"] is True


def test_helpers_work_on_a_request_the_middleware_has_not_seen(trusted_proxy):
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_X_FORWARDED_PROTO="https"
    )

    assert client_address(request) == CLIENT
    assert request_is_secure(request) is True


def test_the_middleware_runs_first_in_the_store(settings):
    assert settings.MIDDLEWARE[0] == "lumeire.core.client.ClientAddressMiddleware"


@pytest.mark.django_db
def test_with_https_on_a_forged_proto_still_gets_the_redirect_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.LUMEIRE_TRUSTED_PROXIES = ()

    response = Client().get("/en/", headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR=CLIENT)

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_with_https_on_a_trusted_proxys_proto_is_honoured(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.LUMEIRE_TRUSTED_PROXIES = (PROXY,)

    response = Client().get("/en/", headers={"X-Forwarded-Proto": "https"}, REMOTE_ADDR=PROXY)

    assert response.status_code == 200


def test_settings_never_trust_the_proto_header_by_themselves(settings):
    assert getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    assert getattr(settings, "USE_X_FORWARDED_HOST", False) is False
    assert getattr(settings, "USE_X_FORWARDED_PORT", False) is False


# Every read of the client's address or scheme goes through lumeire.core.client.
_DIRECT_READ = re.compile(
    r"""REMOTE_ADDR["']\]|get\(\s*["']REMOTE_ADDR|X[-_]FORWARDED|\.is_secure\(\)"""
    r"""|SECURE_PROXY_SSL_HEADER\s*="""
)


def test_no_module_reads_the_address_or_the_scheme_around_the_helper():
    offenders = []
    for path in sorted((ROOT / "lumeire").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or relative == "lumeire/core/client.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _DIRECT_READ.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")

    assert offenders == []
