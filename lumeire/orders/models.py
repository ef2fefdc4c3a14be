"""Orders: a snapshot of what was bought, at what price, sent where, and every step since.

The shipping address is personal data: encrypted with the customer's data key, so erasing the
customer makes it unreadable everywhere. Prices, names and VAT are copied at placing time: an
order never changes when the catalogue does.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lumeire.catalog.models import Product, Variant
from lumeire.core.addresses import ADDRESS_FIELDS
from lumeire.core.countries import country_name
from lumeire.core.money import round_money
from lumeire.vault.fields import EncryptedTextField
from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure, Purge

# Tax law keeps invoices for years; the address itself goes when the customer is erased.
ORDER_RETENTION = Retention(after=_("until the account is deleted"))
# A guest's order keeps its personal details this long after it ends (delivered, cancelled or
# refunded), then its own data key is destroyed (docs/decisions/0021-guest-orders.md).
GUEST_ORDER_DAYS = 30
GUEST_ORDER_AFTER = _("after the order is delivered, cancelled or refunded")
GUEST_RETENTION = Retention(after=GUEST_ORDER_AFTER, period=timedelta(days=GUEST_ORDER_DAYS))
# An order with no account is the subject of its own data key.
ORDER_SUBJECT = {"subject_field": "customer_id", "subject_fallback": "pk"}
# Who may see an address in clear (lumeire.staff.access decides; a test keeps these the same):
# fulfilment an order's, while it packs or ships it; a saved address is not its work.
SHIPPING_ROLES = frozenset({"owner", "customer_service", "fulfilment"})
SAVED_ADDRESS_ROLES = frozenset({"owner", "customer_service"})


def current_vat_rate() -> Decimal:
    """The store's VAT rate now; an order keeps the rate it was charged at."""
    return settings.LUMEIRE_VAT_RATE


SUM_OF_PARTS = models.F("subtotal") + models.F("shipping") + models.F("vat")
HALF_HALALA = Decimal("0.005")


def address_declarations(
    purpose, roles: frozenset[str] = SAVED_ADDRESS_ROLES
) -> dict[str, PersonalData]:
    """The inventory entries of an address's fields (saved addresses; orders name their roles)."""
    return {
        name: PersonalData(
            Category.IDENTITY if name == "full_name" else Category.CONTACT,
            purpose,
            ORDER_RETENTION,
            roles,
            PolicyClause.DEALINGS,
        )
        for name in ADDRESS_FIELDS
    }


class ShippingAddressFields(models.Model):
    """Where a parcel goes; every part encrypted with the customer's data key (a guest's
    order: with the order's own key)."""

    full_name = EncryptedTextField(**ORDER_SUBJECT)
    phone = EncryptedTextField(**ORDER_SUBJECT)
    city = EncryptedTextField(**ORDER_SUBJECT)
    district = EncryptedTextField(**ORDER_SUBJECT)
    street = EncryptedTextField(**ORDER_SUBJECT)
    building = EncryptedTextField(**ORDER_SUBJECT)
    postal_code = EncryptedTextField(**ORDER_SUBJECT)
    country = EncryptedTextField(**ORDER_SUBJECT)

    class Meta:
        abstract = True

    def address_lines(self) -> list[str]:
        """The address as printed on a parcel label."""
        return [
            str(self.full_name),
            f"{self.building} {self.street}",
            f"{self.district}, {self.city} {self.postal_code}",
            self.country_name(),
            str(self.phone),
        ]

    def country_name(self) -> str:
        """The country in the reader's language ("Saudi Arabia"), not its stored code ("SA")."""
        return country_name(self.country)


class OrderStatus(models.TextChoices):
    # With a context: other apps translate the same English words for other things (a refunded
    # payment is feminine in Arabic, a refunded order is not).
    PENDING_PAYMENT = "pending_payment", pgettext_lazy("order status", "Pending payment")
    PAID = "paid", pgettext_lazy("order status", "Paid")
    PACKED = "packed", pgettext_lazy("order status", "Packed")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    DELIVERED = "delivered", pgettext_lazy("order status", "Delivered")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")
    REFUNDED = "refunded", pgettext_lazy("order status", "Refunded")


class PaymentMethod(models.TextChoices):
    CASH_ON_DELIVERY = "cod", _("Cash on delivery")
    CARD = "card", _("Card")


class PaymentStatus(models.TextChoices):
    DUE_ON_DELIVERY = "due", _("Due on delivery")
    CAPTURED = "captured", _("Paid")
    COLLECTED = "collected", _("Collected on delivery")
    REFUNDED = "refunded", _("Refunded")
    VOIDED = "voided", _("Not taken")


class Order(ShippingAddressFields):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("order number"), max_length=16, unique=True, editable=False)
    # None: a guest's order, reached by its number and an emailed link (lumeire.orders.guests).
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    # A guest's email, for the receipt and the order's link; sealed with the order's own key.
    guest_email = EncryptedTextField(**ORDER_SUBJECT)
    # SHA-256 of the guest's link secret (never the secret); empty once the guest data is erased.
    guest_link_hash = models.CharField(max_length=64, blank=True, editable=False)
    guest_erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices)
    language = models.CharField(max_length=8, default="en")
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(_("subtotal before VAT"), max_digits=12, decimal_places=2)
    shipping = models.DecimalField(_("shipping before VAT"), max_digits=12, decimal_places=2)
    shipping_vat = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    # The invoice is checked line by line against this rate: a later change of the store's
    # rate must not make the invoices of older orders wrong.
    vat_rate = models.DecimalField(max_digits=5, decimal_places=4, default=current_vat_rate)
    # Shelf prices include VAT: each line is its shown unit price × quantity, and the VAT is
    # worked out once from the total (lumeire.core.money.bill_of). Orders placed before this
    # rule (False) keep the VAT they were charged, rounded per line, and so do their invoices.
    prices_include_vat = models.BooleanField(default=True, editable=False)
    shipping_method_code = models.CharField(max_length=32)
    shipping_method_name_en = models.CharField(max_length=100)
    shipping_method_name_ar = models.CharField(max_length=100)
    payment_method = models.CharField(max_length=8, choices=PaymentMethod.choices)
    payment_status = models.CharField(max_length=12, choices=PaymentStatus.choices)
    payment_gateway = models.CharField(max_length=32, blank=True)
    payment_reference = models.CharField(max_length=64, blank=True)
    card_token = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(max_length=16, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    invoice_number = models.CharField(max_length=24, unique=True)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    personal_data = {
        **address_declarations(
            _("Deliver your order and reach you about the delivery"), SHIPPING_ROLES
        ),
        "card_brand": PersonalData(
            Category.FINANCIAL,
            _("Show which card paid (the number itself never reaches the store)"),
            ORDER_RETENTION,
            frozenset({"owner", "customer_service"}),
            PolicyClause.DEALINGS,
        ),
        "card_last4": PersonalData(
            Category.FINANCIAL,
            _("Show which card paid: its last four digits only"),
            ORDER_RETENTION,
            frozenset({"owner", "customer_service"}),
            PolicyClause.DEALINGS,
        ),
        "card_token": PersonalData(
            Category.FINANCIAL,
            _("Refer to the card at the payment provider, which alone holds the number"),
            ORDER_RETENTION,
            policy_clause=PolicyClause.DEALINGS,
        ),
        "guest_email": PersonalData(
            Category.CONTACT,
            _("Send a guest the receipt and the link to their order"),
            GUEST_RETENTION,
            frozenset({"owner", "customer_service"}),
            PolicyClause.DEALINGS,
        ),
    }
    not_personal = {
        "shipping_method_name_en": "the name of a delivery option, not of a person",
        "shipping_method_name_ar": "the name of a delivery option, not of a person",
        "tracking_number": "the carrier's parcel number",
        "guest_link_hash": "a hash of a random secret; leads to no person",
    }
    # The order stays a sale (tax law keeps invoices); its address dies with the customer's
    # key, and what could lead back to a card goes.
    erasure = Erasure(
        OnErasure.ANONYMISE, subject="customer", blank={"card_token": "", "card_last4": ""}
    )
    # A guest has no account to erase: their order's key goes on the guest schedule.
    purges = (
        Purge(
            "guest_orders",
            after=GUEST_ORDER_AFTER,
            period=timedelta(days=GUEST_ORDER_DAYS),
            period_setting="LUMEIRE_GUEST_ORDER_DAYS",
            hook="lumeire.orders.guests.guest_orders_erase_due",
        ),
    )

    class Meta:
        ordering = ["-placed_at", "-id"]
        permissions = [("refund_order", "Can refund a card order through the gateway")]
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="order_customer_recent"),
            models.Index(fields=["status", "-placed_at"], name="order_status_recent"),
            # The guest schedule reads only guest orders whose details are still kept.
            models.Index(
                fields=["status"],
                condition=Q(customer__isnull=True, guest_erased_at__isnull=True),
                name="order_guest_kept",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            # Within half a halala rather than equal: SQLite adds the amounts as floating-point
            # numbers (0.01 + 21.74 + 3.26 is not 25.01 there); any real error is a halala.
            models.CheckConstraint(
                condition=Q(
                    total__gt=SUM_OF_PARTS - HALF_HALALA, total__lt=SUM_OF_PARTS + HALF_HALALA
                ),
                name="order_total_is_sum_of_parts",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_guest(self) -> bool:
        """Placed without an account: reached by its number and an emailed link."""
        return self.customer_id is None

    @property
    def shipping_gross(self) -> Decimal:
        """Delivery as charged, VAT included."""
        return self.shipping + self.shipping_vat

    @property
    def goods(self) -> Decimal:
        """The lines as charged, VAT included: the total less delivery."""
        return self.total - self.shipping_gross

    def shipping_method_name(self, language: str) -> str:
        return self.shipping_method_name_ar if language == "ar" else self.shipping_method_name_en


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, null=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey(Product, null=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64)
    name_en = models.CharField(max_length=200)
    name_ar = models.CharField(max_length=200)
    options = models.JSONField(default=dict, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)  # the catalogue's, net
    # The shelf price shown and charged, VAT included (null on orders placed before shelf
    # prices included VAT); the line is unit_gross × quantity = net + vat.
    unit_gross = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveIntegerField()
    net = models.DecimalField(max_digits=12, decimal_places=2)
    vat = models.DecimalField(max_digits=12, decimal_places=2)

    not_personal = {
        "name_en": "a product's name",
        "name_ar": "a product's name",
    }

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def shown_unit_price(self) -> Decimal:
        """The unit price with VAT as the shopper saw it (older orders: the net price + VAT)."""
        if self.unit_gross is not None:
            return self.unit_gross
        return self.unit_price + round_money(self.unit_price * self.order.vat_rate)


class ActorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("Store")


class OrderEvent(models.Model):
    """One step in an order's life: who did what, when. Never edited, only added."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    not_personal = {"note": "what happened to the order, written by the store, never a value"}
    erasure = Erasure(
        OnErasure.RETAIN,
        subject="actor",
        reason="The order's history: which account moved it, by id only, kept with the order",
    )
    purges = ()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status} -> {self.to_status}"


class InvoiceSequence(models.Model):
    """The last invoice number given in a year: invoices are numbered without gaps."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
