"""Checkout: delivery options, saved addresses, idempotency keys, and the attempts kept as
evidence for the compliance work (declined cards, refused age-restricted purchases)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.catalog.models import Product
from lumeire.orders.models import Order, ShippingAddressFields, address_declarations
from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure


class ShippingMethod(models.Model):
    """A delivery option staff configure: a flat price, free above a threshold if set."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    price = models.DecimalField(_("price before VAT"), max_digits=12, decimal_places=2)
    free_above = models.DecimalField(
        _("free when the goods cost at least (with VAT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    not_personal = {
        "name_en": "the name of a delivery option, not of a person",
        "name_ar": "the name of a delivery option, not of a person",
    }

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("shipping method")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative"),
            models.CheckConstraint(
                condition=Q(free_above__isnull=True) | Q(free_above__gte=0),
                name="shipping_free_above_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


class Address(ShippingAddressFields):
    """An address the customer saved at checkout, offered again next time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)

    personal_data = address_declarations(_("Offer your saved address again at checkout"))
    erasure = Erasure(OnErasure.DELETE, subject="customer")
    purges = ()

    class Meta:
        ordering = ["-last_used_at", "-id"]

    def __str__(self) -> str:
        return f"address {self.pk}"


class IdempotencyKey(models.Model):
    """A checkout request seen before: the same key returns the same order, never a second.

    A guest's key has no customer; it is stored bound to the guest's cart (see
    ``lumeire.checkout.services``), so it finds only that cart's order.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # of the address, delivery and payment
    cart_fingerprint = models.CharField(max_length=64)  # of the cart's lines
    # Empty until the order exists: claiming the key first makes a doubled request wait.
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    not_personal = {"key": "a random value the client chose for one checkout"}
    erasure = Erasure(OnErasure.DELETE, subject="customer")
    purges = ()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="one_order_per_key"),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(customer__isnull=True),
                name="one_guest_order_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"key for order {self.order_id}"


EVIDENCE = Retention(after=_("the compliance review of the attempt"))


class PaymentAttempt(models.Model):
    """A card authorisation's outcome, kept for card-testing detection; no card data.

    A guest's attempt has no customer: card testing is found by the client address.
    """

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    approved = models.BooleanField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    client_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    personal_data = {
        "client_hash": PersonalData(
            Category.BEHAVIOURAL,
            _("Notice card testing from one place (a keyed hash of your network address)"),
            EVIDENCE,
            frozenset({"compliance_officer"}),
            PolicyClause.DEALINGS,
        )
    }
    erasure = Erasure(OnErasure.DELETE, subject="customer")
    purges = ()

    class Meta:
        # Card-testing detection reads one address's recent attempts.
        indexes = [models.Index(fields=["client_hash", "at"], name="payment_attempt_client_at")]

    def __str__(self) -> str:
        return f"payment attempt {self.pk}"


class AgeRestrictionRefusal(models.Model):
    """An order refused because the customer is younger than a product requires."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    required_age = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    not_personal = {"required_age": "the age the product requires, not the customer's age"}
    erasure = Erasure(OnErasure.DELETE, subject="customer")
    purges = ()

    def __str__(self) -> str:
        return f"age refusal {self.pk}"
