"""The test gateway: single-use tokens, approve and decline, and the charge's state rules."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone, translation
from freezegun import freeze_time

from lumeire.payments.errors import PaymentError, PaymentErrorCode
from lumeire.payments.gateway import Authorisation, PaymentGateway, card_gateway
from lumeire.payments.models import ChargeStatus, TestGatewayCard, TestGatewayCharge
from lumeire.payments.test_gateway import TestGateway
from lumeire.payments.tests.cards import DECLINED, tokenised

pytestmark = pytest.mark.django_db

DECLINE_MESSAGE = "Your card was declined. No money was taken; try another card or pay on delivery."


def authorise(token: str, amount: str = "115.00", reference: str = "LUM-1001") -> Authorisation:
    return card_gateway().authorise(
        card_token=token, amount=Decimal(amount), currency="SAR", reference=reference
    )


def refused(call, *args, **kwargs) -> PaymentError:
    with pytest.raises(PaymentError) as error:
        call(*args, **kwargs)
    return error.value


def status(reference: str) -> str:
    return TestGatewayCharge.objects.get(reference=reference).status


@pytest.fixture
def gateway() -> TestGateway:
    return TestGateway()


@pytest.fixture
def authorised() -> str:
    return authorise(tokenised().token).reference


# --- Choosing the gateway -----------------------------------------------------------------------


def test_the_store_uses_the_gateway_its_settings_name(settings):
    assert settings.LUMEIRE_CARD_GATEWAY == "lumeire.payments.test_gateway.TestGateway"
    gateway = card_gateway()

    assert isinstance(gateway, TestGateway) and isinstance(gateway, PaymentGateway)
    assert gateway.code == "test"


def test_without_the_setting_the_test_gateway_is_used(settings):
    del settings.LUMEIRE_CARD_GATEWAY

    assert isinstance(card_gateway(), TestGateway)


def test_a_setting_that_names_no_gateway_stops_the_store(settings):
    settings.LUMEIRE_CARD_GATEWAY = "lumeire.payments.models.TestGatewayCard"

    with pytest.raises(ImproperlyConfigured):
        card_gateway()


# --- Authorising --------------------------------------------------------------------------------


def test_an_approved_card_is_authorised_and_its_charge_kept():
    card = tokenised(number="5555 5555 5555 4444")

    answer = authorise(card.token, amount="230.50", reference="LUM-42")

    assert answer.approved
    assert answer.reference.startswith("ch_")
    assert (answer.brand, answer.last4, answer.decline_message) == ("mastercard", "4444", "")
    charge = TestGatewayCharge.objects.get(reference=answer.reference)
    assert (charge.amount, charge.currency, charge.merchant_reference) == (
        Decimal("230.50"),
        "SAR",
        "LUM-42",
    )
    assert charge.status == ChargeStatus.AUTHORISED
    assert charge.card_id == card.pk


def test_the_decline_card_is_declined_with_a_message_and_no_charge():
    card = tokenised(number=DECLINED)

    answer = authorise(card.token)

    assert answer == Authorisation(
        approved=False, reference="", brand="visa", last4="0002", decline_message=DECLINE_MESSAGE
    )
    assert TestGatewayCharge.objects.count() == 0


def test_the_decline_message_is_in_the_shoppers_language():
    card = tokenised(number=DECLINED)

    with translation.override("ar"):
        answer = authorise(card.token)

    assert answer.decline_message == (
        "رُفضت بطاقتك. لم يُخصم أي مبلغ؛ جرّب بطاقة أخرى أو اختر الدفع عند الاستلام."
    )


def test_a_card_that_expired_after_it_was_entered_is_declined():
    with freeze_time("2030-06-30 23:50:00+03:00"):
        card = tokenised(exp_month="6", exp_year="2030")
    with freeze_time("2030-07-01 00:10:00+03:00"):
        answer = authorise(card.token)

    assert not answer.approved
    assert TestGatewayCharge.objects.count() == 0


@pytest.mark.parametrize("number", ["4242424242424242", DECLINED])
def test_a_token_authorises_once_whatever_the_answer(number):
    card = tokenised(number=number)
    authorise(card.token)

    error = refused(authorise, card.token)

    assert error.code == PaymentErrorCode.UNKNOWN_TOKEN
    assert error.message == (
        "These card details have expired or were already used. Enter your card again."
    )
    assert TestGatewayCharge.objects.count() == (1 if number != DECLINED else 0)
    assert TestGatewayCard.objects.get(pk=card.pk).used_at is not None


@pytest.mark.parametrize("token", ["", "tok_unknown", None, "ch_x"])
def test_an_unknown_token_is_refused(token):
    assert refused(authorise, token).code == PaymentErrorCode.UNKNOWN_TOKEN


def test_a_token_lives_30_minutes():
    with freeze_time("2030-03-01 10:00:00") as clock:
        fresh, stale = tokenised(), tokenised()
        clock.tick(timedelta(minutes=29, seconds=59))
        assert authorise(fresh.token).approved
        clock.tick(timedelta(seconds=1))

        assert refused(authorise, stale.token).code == PaymentErrorCode.UNKNOWN_TOKEN
    assert TestGatewayCard.objects.get(pk=stale.pk).used_at is None


def test_a_refused_second_use_leaves_the_first_use_as_it_was():
    card = tokenised()
    authorise(card.token)
    used_at = TestGatewayCard.objects.get(pk=card.pk).used_at

    refused(authorise, card.token)

    assert TestGatewayCard.objects.get(pk=card.pk).used_at == used_at


@pytest.mark.parametrize(
    ("amount", "currency", "reference"),
    [
        (Decimal("0"), "SAR", "LUM-1"),
        (Decimal("-1.00"), "SAR", "LUM-1"),
        (Decimal("1.005"), "SAR", "LUM-1"),
        (Decimal("NaN"), "SAR", "LUM-1"),
        (10, "SAR", "LUM-1"),
        (Decimal("1.00"), "sar", "LUM-1"),
        (Decimal("1.00"), "SAR", ""),
        (Decimal("1.00"), "SAR", "x" * 101),
    ],
)
def test_a_callers_mistake_is_a_programming_error_and_leaves_the_token_usable(
    gateway, amount, currency, reference
):
    card = tokenised()

    with pytest.raises(ValueError):
        gateway.authorise(
            card_token=card.token, amount=amount, currency=currency, reference=reference
        )

    assert authorise(card.token).approved


# --- Capture, refund, void ----------------------------------------------------------------------


def test_an_authorised_charge_is_captured_then_refunded(gateway, authorised):
    gateway.capture(authorisation=authorised, amount=Decimal("115.00"))
    assert status(authorised) == ChargeStatus.CAPTURED

    gateway.refund(authorisation=authorised, amount=Decimal("115.00"))
    charge = TestGatewayCharge.objects.get(reference=authorised)
    assert charge.status == ChargeStatus.REFUNDED
    assert (charge.captured_amount, charge.refunded_amount) == (Decimal("115.00"),) * 2


def test_less_than_the_authorised_amount_may_be_captured_and_refunded(gateway, authorised):
    gateway.capture(authorisation=authorised, amount=Decimal("100.00"))
    gateway.refund(authorisation=authorised, amount=Decimal("40.00"))

    charge = TestGatewayCharge.objects.get(reference=authorised)
    assert (charge.captured_amount, charge.refunded_amount) == (Decimal("100.00"), Decimal("40"))


def test_an_authorised_charge_is_voided_and_can_then_be_neither_captured_nor_refunded(
    gateway, authorised
):
    gateway.void(authorisation=authorised)
    assert status(authorised) == ChargeStatus.VOIDED

    capture = refused(gateway.capture, authorisation=authorised, amount=Decimal("1.00"))
    refund = refused(gateway.refund, authorisation=authorised, amount=Decimal("1.00"))
    void = refused(gateway.void, authorisation=authorised)

    assert capture.code == PaymentErrorCode.NOT_CAPTURABLE
    assert refund.code == PaymentErrorCode.NOT_REFUNDABLE
    assert void.code == PaymentErrorCode.NOT_VOIDABLE
    assert status(authorised) == ChargeStatus.VOIDED


def test_a_charge_is_captured_once_and_never_for_more_than_was_authorised(gateway, authorised):
    too_much = refused(gateway.capture, authorisation=authorised, amount=Decimal("115.01"))
    assert too_much.code == PaymentErrorCode.NOT_CAPTURABLE
    assert status(authorised) == ChargeStatus.AUTHORISED

    gateway.capture(authorisation=authorised, amount=Decimal("115.00"))
    again = refused(gateway.capture, authorisation=authorised, amount=Decimal("1.00"))

    assert again.code == PaymentErrorCode.NOT_CAPTURABLE
    assert again.status_code == 409


def test_only_a_captured_charge_is_refunded_once_and_never_beyond_what_was_taken(
    gateway, authorised
):
    before_capture = refused(gateway.refund, authorisation=authorised, amount=Decimal("1.00"))
    assert before_capture.code == PaymentErrorCode.NOT_REFUNDABLE

    gateway.capture(authorisation=authorised, amount=Decimal("50.00"))
    too_much = refused(gateway.refund, authorisation=authorised, amount=Decimal("50.01"))
    assert too_much.code == PaymentErrorCode.NOT_REFUNDABLE
    assert status(authorised) == ChargeStatus.CAPTURED

    gateway.refund(authorisation=authorised, amount=Decimal("50.00"))
    again = refused(gateway.refund, authorisation=authorised, amount=Decimal("1.00"))
    assert again.code == PaymentErrorCode.NOT_REFUNDABLE
    assert refused(gateway.void, authorisation=authorised).code == PaymentErrorCode.NOT_VOIDABLE


def test_a_captured_charge_cannot_be_voided(gateway, authorised):
    gateway.capture(authorisation=authorised, amount=Decimal("115.00"))

    assert refused(gateway.void, authorisation=authorised).code == PaymentErrorCode.NOT_VOIDABLE
    assert status(authorised) == ChargeStatus.CAPTURED


@pytest.mark.parametrize("method", ["capture", "refund", "void"])
def test_an_unknown_charge_is_refused(gateway, method):
    kwargs = {"authorisation": "ch_unknown"}
    if method != "void":
        kwargs["amount"] = Decimal("1.00")

    error = refused(getattr(gateway, method), **kwargs)

    assert error.code == PaymentErrorCode.UNKNOWN_CHARGE


# --- Concurrent calls (row locks need PostgreSQL) -------------------------------------------------

needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no row locks to test"
)


def _race(calls: int, action) -> list[object]:
    """Run ``action`` in ``calls`` threads at once; each result or the error it raised."""
    start = threading.Barrier(calls)
    results: list[object] = []

    def run() -> None:
        try:
            start.wait()
            results.append(action())
        except Exception as error:  # the race's outcome is what is checked
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_token_used_by_two_requests_at_once_authorises_only_one():
    card = tokenised()

    results = _race(4, lambda: authorise(card.token))

    approved = [r for r in results if isinstance(r, Authorisation) and r.approved]
    unknown = [r for r in results if isinstance(r, PaymentError)]
    assert len(approved) == 1 and len(unknown) == 3
    assert {r.code for r in unknown} == {PaymentErrorCode.UNKNOWN_TOKEN}
    assert TestGatewayCharge.objects.count() == 1


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_captures_at_once_take_the_money_once():
    reference = authorise(tokenised().token).reference

    results = _race(
        4, lambda: TestGateway().capture(authorisation=reference, amount=Decimal("115.00"))
    )

    assert results.count(None) == 1
    assert {r.code for r in results if r is not None} == {PaymentErrorCode.NOT_CAPTURABLE}
    assert status(reference) == ChargeStatus.CAPTURED


def test_the_token_lifetime_is_measured_from_entry(gateway):
    card = tokenised()
    TestGatewayCard.objects.filter(pk=card.pk).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )

    assert refused(authorise, card.token).code == PaymentErrorCode.UNKNOWN_TOKEN
