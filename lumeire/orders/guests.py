"""Orders placed without an account: the link that reaches them, sending it again, and erasing
their personal details on the guest schedule.

A guest's order is reached by its number plus a secret link. The secret is an HMAC of the
order under the site's signing key (so it can be put in every later email without being
stored); the order keeps only its SHA-256, compared in constant time. Erasing the guest data
destroys the order's own data key (crypto-shredding) and clears that hash: the details become
unreadable, the link stops working, and the sale stays for the tax records.
"""

from __future__ import annotations

import base64
import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from lumeire.audit.services import audit_record
from lumeire.core.ratelimit import allow
from lumeire.core.tokens import secret_hash
from lumeire.orders.audit_actions import OrderAuditAction
from lumeire.orders.errors import OrderError, OrderErrorCode, OrderNotFound
from lumeire.orders.models import (
    GUEST_ORDER_DAYS,
    Order,
    OrderStatus,
)
from lumeire.vault.blind_index import blind_index
from lumeire.vault.fields import is_erased
from lumeire.vault.services import keystore_scrub, shred

logger = logging.getLogger(__name__)

LINK_SALT = "lumeire.orders.guest_link"
MAX_EMAIL_LENGTH = 254  # RFC 5321
MAX_NUMBER_LENGTH = 16
# Opening links and asking for them again, per client address and per order number.
LINK_OPENS_PER_CLIENT_PER_HOUR = 30
FINDS_PER_CLIENT_PER_HOUR = 10
FINDS_PER_ORDER_PER_HOUR = 3
# The statuses after which nothing more is delivered or collected: the retention clock starts.
ENDED = (OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.REFUNDED)
# The purpose of the keyed hash that carries a typed email through the task queue.
FIND_EMAIL_PURPOSE = "orders.guest_find.email"


def guest_retention_period() -> timedelta:
    """How long a guest's details stay after the order ends (``LUMEIRE_GUEST_ORDER_DAYS``)."""
    days = getattr(settings, "LUMEIRE_GUEST_ORDER_DAYS", None)
    return timedelta(days=int(days if days is not None else GUEST_ORDER_DAYS))


def _normalised_number(number: object) -> str:
    return "".join(str(number or "").split()).upper()[:MAX_NUMBER_LENGTH]


# --- The link ------------------------------------------------------------------------------


def guest_link_secret(order: Order) -> str:
    """The order's link secret: 256 bits only the store can compute, never stored."""
    digest = salted_hmac(LINK_SALT, f"{order.pk}|{order.number}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def guest_link_issue(order: Order) -> None:
    """Give a new guest order its link: only the secret's hash is kept on the order."""
    order.guest_link_hash = secret_hash(guest_link_secret(order))


def guest_link_url(order: Order, language: str | None = None) -> str:
    """The absolute link a guest's emails carry, in ``language`` (the order's by default)."""
    with translation.override(language or order.language):
        path = reverse(
            "storefront:guest_order_open",
            kwargs={"number": order.number, "token": guest_link_secret(order)},
        )
    return settings.LUMEIRE_SITE_URL.rstrip("/") + path


def guest_link_usable(order: Order | None, link_hash: str) -> bool:
    """Whether ``link_hash`` opens this guest order now (never once its guest data is erased)."""
    if order is None or not order.is_guest or order.guest_erased_at is not None:
        return False
    stored = order.guest_link_hash
    return bool(stored) and constant_time_compare(str(link_hash or ""), stored)


def _too_many(bucket: str, limit: int) -> bool:
    return not allow(bucket, limit=limit, window_seconds=3600)


def _throttled() -> OrderError:
    return OrderError(
        OrderErrorCode.RATE_LIMITED,
        _("Too many tries from this network. Try again in an hour."),
        status_code=429,
        retry_after=3600,
    )


def guest_order_open(*, number: str, token: str, client_ref: str) -> str:
    """Check an emailed link; return the hash a session keeps to show the order.

    A wrong secret, another order's, an order of an account, an erased one and a number that
    does not exist are the same 404; too many tries from one client address are a 429.
    """
    if _too_many(f"guest-order-open:{client_ref or 'unknown'}", LINK_OPENS_PER_CLIENT_PER_HOUR):
        raise _throttled()
    link_hash = secret_hash(str(token or "")[:100])
    order = Order.objects.filter(number=_normalised_number(number)).first()
    if not guest_link_usable(order, link_hash):
        raise _not_found()
    return link_hash


def _not_found() -> OrderNotFound:
    return OrderNotFound(OrderErrorCode.NOT_FOUND, _("There is no such order."))


def guest_order_get(*, number: str, link_hash: str) -> Order:
    """The guest order a session opened with its link; anything else is the same 404."""
    order = (
        Order.objects.filter(number=_normalised_number(number), customer__isnull=True)
        .prefetch_related("lines")
        .first()
    )
    if not guest_link_usable(order, link_hash):
        raise _not_found()
    return order


# --- Finding an order again ----------------------------------------------------------------


def guest_link_resend(*, number: str, email: str, client_ref: str) -> None:
    """Email the order's link again when the number and email match a guest order.

    Answers the same whatever exists: the check runs in the background task, so the request
    does the same work either way, and only a keyed hash of the typed email crosses the queue.
    Past the limits (per client address, per order number) nothing is queued.
    """
    number = _normalised_number(number)
    email = str(email or "").strip()[:MAX_EMAIL_LENGTH]
    if _too_many(f"guest-order-find:client:{client_ref or 'unknown'}", FINDS_PER_CLIENT_PER_HOUR):
        raise _throttled()
    number_ref = blind_index("orders.guest_find.number", number)
    if _too_many(f"guest-order-find:number:{number_ref}", FINDS_PER_ORDER_PER_HOUR):
        return
    if not number or not email:
        return
    from lumeire.orders.tasks import guest_link_resend_task

    email_ref = blind_index(FIND_EMAIL_PURPOSE, email, normalizer="email")
    transaction.on_commit(lambda: guest_link_resend_task.enqueue(number, email_ref))


def guest_link_resend_run(*, number: str, email_ref: str) -> bool:
    """The background half of ``guest_link_resend``: send the link if the email matches."""
    from lumeire.orders.emails import send_order_email

    order = Order.objects.filter(number=number, customer__isnull=True).first()
    if order is None or order.guest_erased_at is not None or not order.guest_link_hash:
        return False
    stored = order.guest_email
    if not stored or is_erased(stored):
        return False
    expected = blind_index(FIND_EMAIL_PURPOSE, str(stored), normalizer="email")
    if not constant_time_compare(expected, email_ref):
        return False
    # The secret follows the signing key: after a key change the link sent now must open.
    current = secret_hash(guest_link_secret(order))
    if current != order.guest_link_hash:
        Order.objects.filter(pk=order.pk, guest_erased_at__isnull=True).update(
            guest_link_hash=current
        )
    send_order_email(order, "guest_link")
    return True


# --- The guest retention schedule ----------------------------------------------------------


def guest_orders_due(now: datetime):
    """Guest orders whose details are past the guest schedule: ended at least the period ago."""
    cutoff = now - guest_retention_period()
    return (
        Order.objects.filter(customer__isnull=True, guest_erased_at__isnull=True, status__in=ENDED)
        .annotate(last_step=Max("events__at"))
        .filter(last_step__lte=cutoff)
    )


@transaction.atomic
def guest_order_erase(*, order: Order, now: datetime | None = None) -> bool:
    """Erase a guest order's personal details: destroy its own data key, clear its link.

    The sale stays (number, lines, totals, invoice) for the tax records, as an erased
    customer's orders do; what could lead back to the card goes too. Audited; returns whether
    anything was erased.
    """
    now = now or timezone.now()
    locked = Order.objects.select_for_update().filter(pk=order.pk, customer__isnull=True)
    updated = locked.filter(guest_erased_at__isnull=True).update(
        guest_erased_at=now, guest_link_hash="", card_token="", card_last4=""
    )
    if not updated:
        return False
    shred(uuid.UUID(str(order.pk)))
    audit_record(
        actor=None,
        action=OrderAuditAction.GUEST_DATA_ERASED,
        target_type="order",
        target_id=order.number,
        subject_id=order.pk,
        reason="guest retention schedule",
    )
    return True


def guest_orders_erase_due(*, now: datetime) -> int:
    """The guest schedule, run by the retention pass: erase every guest order due; count them."""
    erased = sum(
        1 for order in list(guest_orders_due(now)) if guest_order_erase(order=order, now=now)
    )
    if erased:
        keystore_scrub()
        logger.info("guest order data erased", extra={"event": "guest_orders_erased"})
    return erased
