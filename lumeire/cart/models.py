"""Carts: a guest's (by session or token) or a customer's, with one line per variant."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.catalog.models import Variant
from lumeire.vault.lifecycle import Erasure, OnErasure, Purge


class Cart(models.Model):
    """What a shopper means to buy. Prices are never stored here: they come from the catalogue."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
    )
    # A guest using the API holds a random token; only its SHA-256 is kept.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge(
            "guest_carts",
            after=_("after a guest's cart was last touched"),
            period=timedelta(days=30),
            period_setting="LUMEIRE_GUEST_CART_DAYS",
            older_than=("updated_at",),
            where={"user__isnull": True},
        ),
    )

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_line_per_variant"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"
