"""The built-in test gateway's own records: card tokens and the charges made with them.

These tables stand where a card provider's systems would. They keep what a provider shows a
merchant (brand, last four digits, expiry) and never the card number or the security code.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lumeire.payments.gateway import CardBrand
from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure

# A token authorises once, within this time of the card being entered.
TOKEN_LIFETIME = timedelta(minutes=30)

_CARD_RETENTION = Retention(after=_("as long as the record of the payment is kept"))


def _card_data(purpose: Promise) -> PersonalData:
    return PersonalData(
        Category.FINANCIAL,
        purpose,
        _CARD_RETENTION,
        policy_clause=PolicyClause.DEALINGS,
    )


class CardOutcome(models.TextChoices):
    """What the test gateway answers when the token is used: set by the test card number."""

    APPROVE = "approve", _("Approve")
    DECLINE = "decline", _("Decline")


class TestGatewayCard(models.Model):
    """A card as the test gateway keeps it after tokenising: no number, no security code."""

    __test__ = False  # a model, not a pytest class

    token = models.CharField(_("token"), max_length=64, unique=True)
    brand = models.CharField(_("brand"), max_length=16, choices=CardBrand.choices)
    last4 = models.CharField(_("last four digits"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("expiry month"))
    exp_year = models.PositiveSmallIntegerField(_("expiry year"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=CardOutcome.choices)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    personal_data = {
        "brand": _card_data(_("Show which card paid, without keeping its number")),
        "last4": _card_data(_("Show which card paid, without keeping its number")),
        "exp_month": _card_data(_("Refuse a card that has expired")),
        "exp_year": _card_data(_("Refuse a card that has expired")),
    }
    erasure = Erasure(
        OnErasure.RETAIN,
        reason=(
            "The payment provider's own records, linked to no account; erasure blanks the "
            "order's reference to the card"
        ),
    )
    purges = ()

    class Meta:
        verbose_name = _("test gateway card")
        verbose_name_plural = _("test gateway cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(exp_month__gte=1, exp_month__lte=12), name="test_card_exp_month"
            ),
        ]

    def __str__(self) -> str:
        return f"test card {self.pk}"

    @property
    def expires_at(self):
        """When the token stops working, used or not."""
        return self.created_at + TOKEN_LIFETIME


class ChargeStatus(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    CAPTURED = "captured", _("Captured")
    REFUNDED = "refunded", _("Refunded")
    VOIDED = "voided", _("Voided")


class TestGatewayCharge(models.Model):
    """Money held on a test card, then taken, given back or released."""

    __test__ = False  # a model, not a pytest class

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    card = models.OneToOneField(
        TestGatewayCard, on_delete=models.PROTECT, related_name="charge", verbose_name=_("card")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    merchant_reference = models.CharField(_("store's reference"), max_length=100)
    status = models.CharField(
        _("status"), max_length=16, choices=ChargeStatus.choices, default=ChargeStatus.AUTHORISED
    )
    captured_amount = models.DecimalField(
        _("amount taken"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    refunded_amount = models.DecimalField(
        _("amount refunded"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("authorised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("test gateway charge")
        verbose_name_plural = _("test gateway charges")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="test_charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(captured_amount__isnull=True)
                | Q(captured_amount__lte=models.F("amount")),
                name="test_charge_capture_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__isnull=True)
                | Q(refunded_amount__lte=models.F("captured_amount")),
                name="test_charge_refund_within_capture",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
