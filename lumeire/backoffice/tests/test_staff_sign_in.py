"""Staff sign-in: two factors before any back office page, enrolment at the first sign-in,
30 minutes idle, lockouts, the audit records, and customers never let in."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import TwoFactorDevice, TwoFactorRecoveryCode
from lumeire.accounts.pseudonyms import client_ref, login_ref
from lumeire.accounts.services.two_factor import two_factor_begin, two_factor_confirm
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.tests.factories import (
    BACKEND,
    STAFF_PASSWORD,
    enrol_two_factor,
    next_code,
    staff_client,
)
from lumeire.staff.sessions import SECOND_FACTOR_KEY

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"
INDEX = "/backoffice/"
TWO_FACTOR = "/backoffice/two-factor/"
ENROL = "/backoffice/two-factor/enrol/"
CONFIRM = "/backoffice/two-factor/confirm/"
ORDERS = "/backoffice/orders/order/"
CLIENT_REF = client_ref("127.0.0.1")


def _post_sign_in(client: Client, login: str, password: str, code: str = "", next_url=INDEX):
    return client.post(
        LOGIN, {"login": login, "password": password, "code": code, "next": next_url}
    )


def _secret_on(response) -> str:
    match = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert match, "the enrolment page shows the secret"
    return match.group(1).replace(" ", "")


def _entries(action: AuditAction) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def _assert_no_login_in_audit(*values: str) -> None:
    for entry in AuditEntry.objects.all():
        row = " ".join(
            str(part) for part in (entry.target_type, entry.target_id, entry.reason, entry.fields)
        )
        for value in values:
            assert value.lower() not in row.lower()


# --- First sign-in: enrolment before anything else ---------------------------------------------


def test_first_sign_in_enrols_a_device_and_nothing_else_opens_before(owner):
    client = Client()
    response = _post_sign_in(client, owner.username, STAFF_PASSWORD, next_url=ORDERS)
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR
    # The password alone signs nobody in: every back office page still sends to the door.
    assert SESSION_KEY not in client.session
    for url in (INDEX, ORDERS, "/backoffice/catalog/product/"):
        page = client.get(url)
        assert page.status_code == 302, url
        assert page["Location"].startswith(LOGIN), url
    assert not _entries(AuditAction.STAFF_SIGN_IN)

    start = client.get(TWO_FACTOR)
    assert start.status_code == 200
    assert b"Set up two-factor sign-in" in start.content

    enrol = client.post(ENROL)
    assert enrol.status_code == 200
    qr = re.search(rb'<svg class="qr-code".*?</svg>', enrol.content, re.S)
    assert qr and b"style=" not in qr.group(0)
    assert b"<script>" not in enrol.content  # no inline script (CSP)
    secret = _secret_on(enrol)
    assert TwoFactorDevice.objects.get(user=owner).confirmed_at is None

    wrong = client.post(CONFIRM, {"code": "000000"})
    assert wrong.status_code == 400
    assert b"That code is not right." in wrong.content
    assert SESSION_KEY not in client.session
    assert client.get(INDEX).status_code == 302

    done = client.post(CONFIRM, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert f'href="{ORDERS}"'.encode() in done.content
    assert TwoFactorDevice.objects.get(user=owner).confirmed_at is not None
    assert client.session[SESSION_KEY] == str(owner.pk)
    marker = client.session[SECOND_FACTOR_KEY]
    assert marker["user"] == str(owner.pk)
    assert abs(marker["at"] - timezone.now().timestamp()) < 60
    assert client.get(ORDERS).status_code == 200

    [signed_in] = _entries(AuditAction.STAFF_SIGN_IN)
    assert (signed_in.actor_id, signed_in.target_type, signed_in.target_id) == (
        owner.pk,
        "accounts.user",
        str(owner.pk),
    )
    assert signed_in.client_ref == CLIENT_REF
    # The recovery codes are shown once: nothing of them stays in the session.
    assert not any(code in str(dict(client.session)) for code in codes)


def test_enrolment_pages_are_closed_without_the_password_step(owner):
    for method, url in (("get", TWO_FACTOR), ("post", ENROL), ("post", CONFIRM)):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url
    assert not TwoFactorDevice.objects.filter(user=owner).exists()


def test_the_password_step_lasts_ten_minutes(owner):
    client = Client()
    start = timezone.now()
    with freeze_time(start) as clock:
        assert _post_sign_in(client, owner.username, STAFF_PASSWORD)["Location"] == TWO_FACTOR
        clock.move_to(start + timedelta(minutes=11))
        response = client.post(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not TwoFactorDevice.objects.filter(user=owner).exists()


def test_a_device_confirmed_meanwhile_sends_back_to_the_code_step(owner):
    client = Client()
    _post_sign_in(client, owner.username, STAFF_PASSWORD)
    enrol_two_factor(owner)
    response = client.post(ENROL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN


# --- Enrolled staff: password and code -------------------------------------------------------


def test_enrolled_staff_signs_in_with_password_then_code(owner):
    enrol_two_factor(owner)
    client = Client()
    step = _post_sign_in(client, owner.username, STAFF_PASSWORD)
    assert step.status_code == 200
    assert b'name="code"' in step.content
    assert b"Enter the code your authenticator app shows now" in step.content
    assert SESSION_KEY not in client.session
    assert not AuditEntry.objects.filter(
        action__in=[AuditAction.STAFF_SIGN_IN, AuditAction.STAFF_SIGN_IN_FAILED]
    ).exists()

    code = next_code(owner)
    response = _post_sign_in(client, owner.username, STAFF_PASSWORD, code)
    assert response.status_code == 302
    assert response["Location"] == INDEX
    assert client.get(INDEX).status_code == 200
    assert len(_entries(AuditAction.STAFF_SIGN_IN)) == 1

    # The same code never works twice.
    again = _post_sign_in(Client(), owner.username, STAFF_PASSWORD, code)
    assert again.status_code == 400
    assert b"That code is not right." in again.content


def test_wrong_code_is_refused_and_recorded_without_the_login(owner):
    enrol_two_factor(owner)
    client = Client()
    response = _post_sign_in(client, owner.username, STAFF_PASSWORD, "123456")
    assert response.status_code == 400
    assert b"That code is not right. Try the newest code, or a recovery code." in response.content
    assert SESSION_KEY not in client.session
    [failed] = _entries(AuditAction.STAFF_SIGN_IN_FAILED)
    assert failed.actor_id is None
    assert failed.reason == f"code; login_ref {login_ref(owner.username)}"
    assert failed.client_ref == CLIENT_REF
    assert not _entries(AuditAction.STAFF_SIGN_IN)
    _assert_no_login_in_audit(owner.username, owner.email)


def test_a_recovery_code_signs_in_once(owner):
    enrolment = two_factor_begin(actor=owner)
    recovery = two_factor_confirm(actor=owner, code=pyotp.TOTP(enrolment.secret).now())[0]
    client = Client()
    assert _post_sign_in(client, owner.username, STAFF_PASSWORD, recovery).status_code == 302
    assert client.get(INDEX).status_code == 200
    assert TwoFactorRecoveryCode.objects.filter(user=owner, used_at__isnull=False).count() == 1
    assert _post_sign_in(Client(), owner.username, STAFF_PASSWORD, recovery).status_code == 400


def test_next_outside_the_back_office_goes_to_the_index(owner):
    enrol_two_factor(owner)
    response = _post_sign_in(
        Client(), owner.username, STAFF_PASSWORD, next_code(owner), "https://evil.example/"
    )
    assert response["Location"] == INDEX


def test_a_signed_in_staff_member_at_the_door_goes_to_the_index(owner):
    client = staff_client(owner)
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_a_session_without_the_second_factor_opens_nothing(owner):
    client = Client()
    client.force_login(owner, backend=BACKEND)
    for url in (INDEX, ORDERS):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url
    # A marker for another account does not count either.
    session = client.session
    session[SECOND_FACTOR_KEY] = {"user": "00000000-0000-0000-0000-000000000000", "at": 0}
    session.save()
    assert client.get(INDEX).status_code == 302


# --- Customers never enter -------------------------------------------------------------------


def test_customer_with_right_password_and_code_never_enters(owner):
    customer = make_customer()
    enrolment = two_factor_begin(actor=customer)
    totp = pyotp.TOTP(enrolment.secret)
    two_factor_confirm(actor=customer, code=totp.now())
    client = Client()
    at = timezone.now().timestamp() + totp.interval
    response = _post_sign_in(client, customer.username, PASSWORD, totp.at(at))
    assert response.status_code == 400
    assert b"Customer accounts cannot sign in here." in response.content
    assert SESSION_KEY not in client.session
    assert client.get(INDEX).status_code == 302
    assert client.get(TWO_FACTOR).status_code == 302
    [failed] = _entries(AuditAction.STAFF_SIGN_IN_FAILED)
    assert failed.reason == f"credentials; login_ref {login_ref(customer.username)}"
    assert not _entries(AuditAction.STAFF_SIGN_IN)
    _assert_no_login_in_audit(customer.username, customer.email)


def test_customer_without_two_factor_is_not_offered_enrolment():
    customer = make_customer()
    client = Client()
    response = _post_sign_in(client, customer.username, PASSWORD)
    assert response.status_code == 400
    assert client.get(TWO_FACTOR).status_code == 302
    assert not TwoFactorDevice.objects.filter(user=customer).exists()


# --- Lockout ---------------------------------------------------------------------------------


def test_failures_lock_out_and_each_is_recorded(settings, owner):
    enrol_two_factor(owner)
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post_sign_in(client, owner.username, "not the password at all").status_code == 400
    locking = _post_sign_in(client, owner.username, "not the password at all")
    assert locking.status_code == 429
    # Locked: even the right password and a right code are refused.
    refused = _post_sign_in(client, owner.username, STAFF_PASSWORD, next_code(owner))
    assert refused.status_code == 429
    assert b"Too many failed sign-ins. Try again in 15 minutes." in refused.content
    assert SESSION_KEY not in client.session
    failed = _entries(AuditAction.STAFF_SIGN_IN_FAILED)
    locked = _entries(AuditAction.STAFF_LOCKED_OUT)
    assert len(failed) == settings.AXES_FAILURE_LIMIT - 1
    assert len(locked) == 2
    ref = login_ref(owner.username)
    assert {entry.reason for entry in failed} == {f"credentials; login_ref {ref}"}
    assert {entry.reason for entry in locked} == {f"login_ref {ref}"}
    assert {entry.client_ref for entry in failed + locked} == {CLIENT_REF}
    assert not _entries(AuditAction.STAFF_SIGN_IN)
    _assert_no_login_in_audit(owner.username, owner.email, "127.0.0.1")


# --- Idle sessions ----------------------------------------------------------------------------


@pytest.mark.parametrize("cookie_age", [30 * 60, 24 * 60 * 60])
def test_staff_sessions_end_after_thirty_minutes_idle(settings, owner, cookie_age):
    settings.SESSION_COOKIE_AGE = cookie_age  # the staff limit does not depend on it
    start = timezone.now()
    with freeze_time(start) as clock:
        client = staff_client(owner)
        for minutes in (29, 58, 87):  # active: each request renews the 30 minutes
            clock.move_to(start + timedelta(minutes=minutes))
            assert client.get(INDEX).status_code == 200, minutes
        clock.move_to(start + timedelta(minutes=87 + 31))
        response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- Pages -----------------------------------------------------------------------------------


def test_enrolment_page_in_arabic(owner):
    client = Client()
    client.cookies["lumeire_language"] = "ar"
    _post_sign_in(client, owner.username, STAFF_PASSWORD)
    response = client.post(ENROL)
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "افتح تطبيق المصادقة وامسح هذا الرمز." in html
    assert 'dir="ltr" id="two-factor-secret"' in html
