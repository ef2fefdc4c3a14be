"""Placing an order: one transaction that either does everything or leaves no trace.

It re-reads prices, snapshots lines, prices, VAT and the address into the order, empties the
cart, then takes the stock with conditional updates (two customers can never both buy the last
unit; the rows stay locked until the commit, so this comes as late as it can), takes the payment
and numbers the invoice. A refusal anywhere (sold out, too young, card declined, any error)
rolls all of it back. An idempotency key, claimed first inside the same transaction, makes a
retried or doubled request return the first order instead of placing and charging again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.cart.models import Cart, CartLine
from lumeire.catalog.models import Product, Variant
from lumeire.catalog.services import catalog_changed, product_summary_refresh
from lumeire.checkout.addresses import AddressInput
from lumeire.checkout.errors import (
    AgeRestricted,
    CheckoutConflict,
    CheckoutError,
    CheckoutErrorCode,
    PaymentDeclined,
)
from lumeire.checkout.models import (
    Address,
    AgeRestrictionRefusal,
    IdempotencyKey,
    PaymentAttempt,
    ShippingMethod,
)
from lumeire.checkout.selectors import checkout_totals, shipping_method_get
from lumeire.core.money import gross_price, line_price, vat_included
from lumeire.orders.emails import send_order_email
from lumeire.orders.guests import MAX_EMAIL_LENGTH, guest_link_issue
from lumeire.orders.models import (
    ActorKind,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from lumeire.orders.services import new_order_number, next_invoice_number, order_event_add
from lumeire.payments.errors import PaymentError, PaymentErrorCode
from lumeire.payments.gateway import card_gateway

logger = logging.getLogger(__name__)
# What is known only once the payment is taken and the invoice numbered; the address fields are
# written (and encrypted) once, when the order is created.
PAID_FIELDS = [
    "status",
    "payment_status",
    "payment_gateway",
    "payment_reference",
    "card_token",
    "card_brand",
    "card_last4",
    "invoice_number",
    "updated_at",
]
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


@dataclass(frozen=True)
class PaymentChoice:
    method: str
    card_token: str = ""


@dataclass(frozen=True)
class Placement:
    order: Order
    replayed: bool  # True: this key placed the order before; nothing new happened


@dataclass
class _Charge:
    """The money a placing took, so it can be given back if the order is not kept after all."""

    reference: str = ""
    amount: Decimal | None = None


def parse_idempotency_key(raw: object) -> str:
    key = str(raw or "").strip()
    if not IDEMPOTENCY_KEY.match(key):
        raise CheckoutError(
            CheckoutErrorCode.IDEMPOTENCY_KEY_REQUIRED,
            _("Send an Idempotency-Key of 8 to 100 letters, digits or . _ : -"),
        )
    return key


def parse_payment(method: object, card_token: object = "") -> PaymentChoice:
    """Cash on delivery, or a card by the token the gateway gave (never a card number)."""
    method = str(method or "").strip()
    if method not in PaymentMethod.values:
        message = _("Choose card or cash on delivery.")
        raise CheckoutError(
            CheckoutErrorCode.UNKNOWN_PAYMENT_METHOD, message, field_errors={"method": [message]}
        )
    token = str(card_token or "").strip()[:64]
    if method == PaymentMethod.CARD and not token:
        message = _("Enter your card details first.")
        raise CheckoutError(
            CheckoutErrorCode.CARD_TOKEN_REQUIRED, message, field_errors={"card_token": [message]}
        )
    return PaymentChoice(method, token if method == PaymentMethod.CARD else "")


def parse_guest_email(raw: object) -> str:
    """The email a guest gives for the receipt and the order's link, checked."""
    email = str(raw or "").strip()
    try:
        if len(email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        message = _("Enter the email address the receipt and your order's link go to.")
        raise CheckoutError(
            CheckoutErrorCode.INVALID_EMAIL, message, field_errors={"email": [message]}
        ) from None
    return email


def _guest_key(cart: Cart, key: str) -> str:
    # A guest has no account to scope the key: it is bound to the cart, so a key seen with
    # another cart never returns this order.
    return "guest:" + hashlib.sha256(f"{cart.pk}|{key}".encode()).hexdigest()


def _shipping_method(code: str) -> ShippingMethod:
    method = shipping_method_get(code)
    if method is None:
        message = _("Choose one of the delivery options.")
        raise CheckoutError(
            CheckoutErrorCode.UNKNOWN_SHIPPING_METHOD,
            message,
            field_errors={"shipping_method": [message]},
        )
    return method


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _cart_content(cart: Cart) -> list[tuple[int, int]]:
    return sorted(cart.lines.values_list("variant_id", "quantity"))


EMPTY_CART = _digest([])


def _fingerprints(
    address: AddressInput,
    method: ShippingMethod,
    payment: PaymentChoice,
    cart: Cart,
    guest_email: str = "",
) -> tuple[str, str]:
    """Digests of what was asked (address, delivery, payment) and of the cart's content."""
    request = [address.as_dict(), method.code, payment.method, payment.card_token]
    if guest_email:
        request.append(guest_email)
    return _digest(request), _digest(_cart_content(cart))


def _replay(*, customer, key: str, fingerprints: tuple[str, str]) -> Placement | None:
    """The order this key placed before; a 409 when the key came with another checkout.

    After the order the cart is empty, so a retry with an empty cart is the same checkout;
    a cart with other things in it is a different one.
    """
    seen = IdempotencyKey.objects.filter(customer=customer, key=key).select_related("order").first()
    if seen is None:
        return None
    request, cart = fingerprints
    if seen.fingerprint != request or cart not in (seen.cart_fingerprint, EMPTY_CART):
        raise CheckoutConflict(
            CheckoutErrorCode.IDEMPOTENCY_KEY_REUSED,
            _("This Idempotency-Key was used for a different checkout. Use a new key."),
        )
    return Placement(seen.order, replayed=True)


def _sold_out(variant: Variant) -> CheckoutError:
    name = variant.product.name
    if variant.stock <= 0:
        message = _("Sorry, %(product)s is sold out.") % {"product": name}
    else:
        message = ngettext(
            "Only %(count)d of %(product)s is left.",
            "Only %(count)d of %(product)s are left.",
            variant.stock,
        ) % {"count": variant.stock, "product": name}
    return CheckoutError(CheckoutErrorCode.SOLD_OUT, message)


def _check_age(customer, product: Product) -> None:
    if not product.min_age:
        return
    if customer is None:
        # A guest's age cannot be checked: only an account holds a date of birth.
        raise AgeRestricted(
            _(
                "%(product)s is sold only to customers aged %(age)d or over, whose age is "
                "checked on their account. Sign in or create an account to buy it."
            )
            % {"product": product.name, "age": product.min_age},
            product_id=product.pk,
            required_age=product.min_age,
        )
    profile = getattr(customer, "customer", None)
    age = profile.age_on(timezone.localdate()) if profile is not None else None
    if age is None or age < product.min_age:
        raise AgeRestricted(
            _("%(product)s is sold only to customers aged %(age)d or over.")
            % {"product": product.name, "age": product.min_age},
            product_id=product.pk,
            required_age=product.min_age,
        )


def _check_lines(customer, lines: list[CartLine]) -> None:
    """Refuse a product no longer sold or sold only to older customers (nothing is locked)."""
    for line in lines:
        variant = line.variant
        if not (variant.is_active and variant.product.is_listed):
            message = _("%(product)s is no longer sold. Remove it from your cart.") % {
                "product": variant.product.name
            }
            raise CheckoutError(CheckoutErrorCode.PRODUCT_UNAVAILABLE, message)
        _check_age(customer, variant.product)


def _take_stock(lines: list[CartLine]) -> list[int]:
    """Take every line's stock, in variant order; return the products whose stock ran out.

    Each conditional update locks its variant's row until the commit, so two customers can
    never both take the last unit, and a busy product holds up only its own buyers.
    """
    emptied = []
    for line in lines:
        variant = line.variant
        taken = Variant.objects.filter(pk=variant.pk, stock__gte=line.quantity).update(
            stock=F("stock") - line.quantity
        )
        if not taken:
            variant.refresh_from_db(fields=["stock"])
            raise _sold_out(variant)
        if Variant.objects.filter(pk=variant.pk, stock=0).exists():
            emptied.append(variant.product_id)
    return emptied


def _priced_lines(lines: list[CartLine]) -> tuple[list[OrderLine], Decimal]:
    """The order's lines priced now as the cart shows them (shelf price with VAT × quantity,
    split into net and the VAT in it), and the goods' sum with VAT."""
    goods = Decimal("0.00")
    rows = []
    for line in lines:
        variant, product = line.variant, line.variant.product
        unit_gross = gross_price(variant.price)
        gross = line_price(unit_gross, line.quantity)
        vat = vat_included(gross)
        net = gross - vat
        goods += gross
        rows.append(
            OrderLine(
                variant=variant,
                product=product,
                sku=variant.sku,
                name_en=product.name_en,
                name_ar=product.name_ar,
                options=variant.options,
                unit_price=variant.price,
                unit_gross=unit_gross,
                quantity=line.quantity,
                net=net,
                vat=vat,
            )
        )
    return rows, goods


def _take_payment(order: Order, payment: PaymentChoice, client_hash: str, charge: _Charge) -> None:
    if payment.method == PaymentMethod.CASH_ON_DELIVERY:
        order.status, order.payment_status = (
            OrderStatus.PENDING_PAYMENT,
            PaymentStatus.DUE_ON_DELIVERY,
        )
        return
    gateway = card_gateway()
    result = gateway.authorise(
        card_token=payment.card_token,
        amount=order.total,
        currency=order.currency,
        reference=order.number,
    )
    if not result.approved:
        declined = PaymentDeclined(CheckoutErrorCode.PAYMENT_DECLINED, result.decline_message)
        declined.amount = order.total
        raise declined
    gateway.capture(authorisation=result.reference, amount=order.total)
    charge.reference, charge.amount = result.reference, order.total
    PaymentAttempt.objects.create(
        customer=order.customer, approved=True, amount=order.total, client_hash=client_hash
    )
    order.status, order.payment_status = OrderStatus.PAID, PaymentStatus.CAPTURED
    order.payment_gateway = gateway.code
    order.payment_reference = result.reference
    order.card_token = payment.card_token
    order.card_brand = result.brand
    order.card_last4 = result.last4


def _remember_address(customer, address: AddressInput) -> None:
    """Mark the saved address that matches as just used, or save it.

    Every part is encrypted, so the match is made here: the most recently used addresses are
    tried first (the likeliest match), and each stops decrypting at its first differing part.
    """
    wanted = address.as_dict()
    for saved in Address.objects.filter(customer=customer).order_by("-last_used_at", "-id"):
        if all(str(getattr(saved, name)) == value for name, value in wanted.items()):
            saved.last_used_at = timezone.now()
            saved.save(update_fields=["last_used_at"])
            return
    Address.objects.create(customer=customer, **wanted)


def _place(
    *,
    customer,
    cart: Cart,
    address: AddressInput,
    method: ShippingMethod,
    payment: PaymentChoice,
    key: str,
    fingerprints: tuple[str, str],
    client_hash: str,
    save_address: bool,
    language: str,
    charge: _Charge,
    guest_email: str = "",
) -> Order:
    # Claimed first: a second request with this key waits here until the first one ends.
    claim = IdempotencyKey.objects.create(
        customer=customer, key=key, fingerprint=fingerprints[0], cart_fingerprint=fingerprints[1]
    )
    lines = list(
        CartLine.objects.select_for_update(of=("self",))
        .filter(cart=cart)
        .select_related("variant__product")
        .order_by("variant_id")
    )
    if not lines:
        raise CheckoutError(CheckoutErrorCode.CART_EMPTY, _("Your cart is empty."))
    _check_lines(customer, lines)
    # Everything that needs no lock on the shelf comes first: the variants' rows stay locked
    # from the moment their stock is taken until the commit, and buyers of a popular product
    # queue behind them.
    if save_address and customer is not None:
        _remember_address(customer, address)
    rows, goods = _priced_lines(lines)
    totals = checkout_totals(goods=goods, method=method)
    number = new_order_number()
    while Order.objects.filter(number=number).exists():
        number = new_order_number()
    order = Order(
        number=number,
        customer=customer,
        language=language,
        currency=settings.LUMEIRE_CURRENCY,
        shipping_method_code=method.code,
        shipping_method_name_en=method.name_en,
        shipping_method_name_ar=method.name_ar,
        payment_method=payment.method,
        status=OrderStatus.PENDING_PAYMENT,
        payment_status=PaymentStatus.DUE_ON_DELIVERY,
        subtotal=totals.subtotal_net,
        shipping=totals.shipping_net,
        shipping_vat=totals.shipping_vat,
        vat=totals.vat,
        total=totals.total,
        invoice_number=f"pending-{number}",
        **address.as_dict(),
    )
    if customer is None:
        order.guest_email = guest_email
        guest_link_issue(order)
    order.save()
    for row in rows:
        row.order = order
    OrderLine.objects.bulk_create(rows)
    claim.order = order
    claim.save(update_fields=["order"])
    CartLine.objects.filter(cart=cart).delete()
    emptied = _take_stock(lines)
    _take_payment(order, payment, client_hash, charge)
    order_event_add(
        order=order,
        actor=customer,
        from_status="",
        to_status=order.status,
        actor_kind=ActorKind.CUSTOMER if customer is None else None,
    )
    for product in Product.objects.filter(pk__in=emptied).order_by("pk"):
        product_summary_refresh(product=product)
    # Last, so the lock on the year's invoice counter is held for the shortest time. The year
    # is the store's: an order placed on 1 January in Riyadh belongs to the new year's series.
    order.invoice_number = next_invoice_number(timezone.localtime(order.placed_at).year)
    order.save(update_fields=PAID_FIELDS)
    if emptied:
        catalog_changed()
    transaction.on_commit(lambda: send_order_email(order, "confirmation"))
    return order


def _give_back(charge: _Charge) -> None:
    """Refund what a placing took when its transaction did not commit.

    A provider outside the database keeps the charge whatever our rollback does. The built-in
    test gateway's charge rolls back with the order, so it is simply unknown by now.
    """
    if not charge.reference:
        return
    try:
        card_gateway().refund(authorisation=charge.reference, amount=charge.amount)
    except PaymentError as refused:
        if refused.code != PaymentErrorCode.UNKNOWN_CHARGE:
            logger.error(
                "checkout: charge of an order not kept was not refunded",
                extra={"charge": charge.reference, "code": refused.code},
            )
    except Exception as failure:  # the placing's own error is the one to raise
        logger.error(
            "checkout: charge of an order not kept was not refunded",
            extra={"charge": charge.reference, "failure": type(failure).__name__},
        )


def order_place(
    *,
    customer,
    cart: Cart,
    address: AddressInput,
    shipping_method: str,
    payment: PaymentChoice,
    idempotency_key: str,
    client_hash: str = "",
    save_address: bool = True,
    language: str = "en",
    guest_email: str = "",
) -> Placement:
    """Turn the customer's cart into an order, or refuse and leave everything as it was.

    ``customer=None`` places a guest's order: ``guest_email`` is required, the order is the
    subject of its own data key, and the same stock, totals, payment and invoice apply.
    """
    key = parse_idempotency_key(idempotency_key)
    if customer is None:
        guest_email = parse_guest_email(guest_email)
        key = _guest_key(cart, key)
        save_address = False
    else:
        guest_email = ""
    method = _shipping_method(shipping_method)
    fingerprints = _fingerprints(address, method, payment, cart, guest_email)
    replayed = _replay(customer=customer, key=key, fingerprints=fingerprints)
    if replayed is not None:
        return replayed
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    charge = _Charge()
    try:
        try:
            with transaction.atomic():
                order = _place(
                    customer=customer,
                    cart=cart,
                    address=address,
                    method=method,
                    payment=payment,
                    key=key,
                    fingerprints=fingerprints,
                    client_hash=client_hash,
                    save_address=save_address,
                    language=language,
                    charge=charge,
                    guest_email=guest_email,
                )
        except BaseException:
            _give_back(charge)
            raise
    except IntegrityError:
        # Another request with this key placed its order while this one waited.
        replayed = _replay(customer=customer, key=key, fingerprints=fingerprints)
        if replayed is None:
            raise
        return replayed
    except AgeRestricted as refusal:
        if customer is not None:  # a guest's refusal names no one: nothing to review
            AgeRestrictionRefusal.objects.create(
                customer=customer,
                product_id=refusal.product_id,
                required_age=refusal.required_age,
            )
        raise
    except PaymentDeclined as declined:
        PaymentAttempt.objects.create(
            customer=customer, approved=False, amount=declined.amount, client_hash=client_hash
        )
        raise
    return Placement(order, replayed=False)
