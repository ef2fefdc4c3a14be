"""What goes into a customer's export: every record of theirs, in clear (it is their own data).

``collect`` returns the ``data.json`` document (its schema is in SCHEMA.md); ``render_zip``
adds the readable ``index.html`` in the customer's language. Only rows owned by this customer are
read; records about other people (a stranger's sign-up that collided with this email, staff names)
never enter.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation

from lumeire.accounts.models import Customer, EmailChange, SignInEvent, TwoFactorDevice, User
from lumeire.checkout.models import Address, PaymentAttempt
from lumeire.exports.corrections import corrections_shown
from lumeire.orders.models import Order
from lumeire.privacy.models import PolicyAcceptance
from lumeire.privacy.selectors import access_log_of_customer
from lumeire.vault.fields import EncryptedFieldMixin, is_erased
from lumeire.vault.inventory import inventory

SCHEMA_VERSION = 1
ACCESS_LOG_LIMIT = 10_000
# Models whose rows belong to the customer, and how to find them. SignupConflict is left out on
# purpose: it records someone else's attempt to sign up with this customer's email or number.
OWNED_MODELS: dict[str, str] = {
    "accounts.User": "pk",
    "accounts.Customer": "user",
    "accounts.EmailChange": "user",
    "accounts.SignInEvent": "user",
    "accounts.TwoFactorDevice": "user",
    "orders.Order": "customer",
    "checkout.Address": "customer",
    "checkout.PaymentAttempt": "customer",
}


def _text(value: object) -> str | None:
    if value is None or is_erased(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _address(row: models.Model) -> dict[str, str | None]:
    names = ("full_name", "phone", "street", "building", "district", "city", "postal_code")
    return {name: _text(getattr(row, name)) for name in (*names, "country")}


def _profile(user: User) -> dict[str, Any]:
    customer = Customer.objects.filter(user=user).first()
    pending = EmailChange.objects.filter(
        user=user, confirmed_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    return {
        "username": _text(user.username),
        "email": _text(user.email),
        "email_confirmed_at": _text(user.email_verified_at),
        "full_name": _text(customer.full_name) if customer else None,
        "date_of_birth": _text(customer.date_of_birth) if customer else None,
        "identity_number": _text(customer.identity_number) if customer else None,
        "identity_type": str(customer.identity_type.label)
        if customer and customer.identity_type
        else None,
        "recovery_question": customer.recovery_question_text if customer else None,
        "language": user.language,
        "joined_at": _text(user.date_joined),
        "password_changed_at": _text(user.password_changed_at),
        "two_factor_enabled": TwoFactorDevice.objects.filter(
            user=user, confirmed_at__isnull=False
        ).exists(),
        "pending_email_change": _text(pending.new_email) if pending else None,
    }


def _orders(user: User, language: str) -> list[dict[str, Any]]:
    orders = (
        Order.objects.filter(customer=user)
        .prefetch_related("lines", "events")
        .order_by("placed_at", "id")
    )
    return [
        {
            "number": order.number,
            "placed_at": _text(order.placed_at),
            "status": order.status,
            "status_label": str(order.get_status_display()),
            "currency": order.currency,
            # As the shopper saw them: VAT included, the lines + shipping = the total.
            "subtotal": _money(order.goods),
            "shipping": _money(order.shipping_gross),
            "vat": _money(order.vat),
            "total": _money(order.total),
            "delivery": order.shipping_method_name(language),
            "payment_method": order.payment_method,
            "payment_status": order.payment_status,
            "card_brand": order.card_brand or None,
            "card_last4": order.card_last4 or None,
            "tracking_number": order.tracking_number or None,
            "invoice_number": order.invoice_number,
            "shipping_address": _address(order),
            "lines": [
                {
                    "sku": line.sku,
                    "name": line.name(language),
                    "options": line.options,
                    "quantity": line.quantity,
                    "unit_price": _money(line.shown_unit_price),
                    "net": _money(line.net),
                    "vat": _money(line.vat),
                    "total": _money(line.gross),
                }
                for line in order.lines.all()
            ],
            "timeline": [
                {
                    "at": _text(event.at),
                    "from_status": event.from_status or None,
                    "to_status": event.to_status,
                    "to_status_label": str(event.get_to_status_display()),
                    "by": event.actor_kind,
                }
                for event in order.events.all()
            ],
        }
        for order in orders
    ]


def _plain_fields(row: models.Model) -> dict[str, str | None]:
    """A privacy record's own columns, without keys, foreign keys or secrets."""
    out = {}
    for field in row._meta.concrete_fields:
        if field.primary_key or field.is_relation or isinstance(field, EncryptedFieldMixin):
            continue
        if field.name.endswith(("_hash", "_ref", "token")):
            continue
        out[field.name] = _text(getattr(row, field.attname))
    return out


def _privacy_records(user: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Cookie consents and privacy requests (erasure, ...) from the privacy app, whatever models
    it holds: any of its records pointing at this customer is theirs to see."""
    consents, requests = [], []
    for model in apps.get_app_config("privacy").get_models():
        if model is PolicyAcceptance:
            continue
        owner = next(
            (
                f.name
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is User and f.name in ("user", "customer")
            ),
            None,
        )
        if owner is None:
            continue
        for row in model._default_manager.filter(**{owner: user}):
            record = {"kind": model._meta.model_name, **_plain_fields(row)}
            (consents if "consent" in model._meta.model_name else requests).append(record)
    return consents, requests


def _rows_of(model: type[models.Model], user: User) -> models.QuerySet:
    owner = OWNED_MODELS[model._meta.label]
    return model._default_manager.filter(**{owner: user.pk})


def categories_of(user: User) -> list[str]:
    """The inventory's categories the customer has at least one value in, among exported rows."""
    found = set()
    for entry in inventory():
        if entry.model._meta.label not in OWNED_MODELS:
            continue
        for row in _rows_of(entry.model, user):
            value = getattr(row, entry.field_name)
            if value not in (None, "", b"") and not is_erased(value):
                found.add(str(entry.declaration.category))
                break
    return sorted(found)


def collect(user: User, language: str) -> dict[str, Any]:
    """The whole ``data.json`` document for ``user``."""
    acceptances = PolicyAcceptance.objects.filter(user=user).select_related("version")
    consents, requests = _privacy_records(user)
    with translation.override(language):
        reveals = access_log_of_customer(customer_id=user.pk, limit=ACCESS_LOG_LIMIT).entries
        return {
            "schema": "lumeire.export",
            "schema_version": SCHEMA_VERSION,
            "generated_at": _text(timezone.now()),
            "language": language,
            "store": settings.LUMEIRE_STORE_NAME,
            "categories": categories_of(user),
            "profile": _profile(user),
            "addresses": [
                {"saved_at": _text(a.created_at), "last_used_at": _text(a.last_used_at)}
                | _address(a)
                for a in Address.objects.filter(customer=user).order_by("created_at")
            ],
            "orders": _orders(user, language),
            "payment_attempts": [
                {"at": _text(p.at), "approved": p.approved, "amount": _money(p.amount)}
                for p in PaymentAttempt.objects.filter(customer=user).order_by("at")
            ],
            "policy_acceptances": [
                {"version": a.version.version, "accepted_at": _text(a.accepted_at)}
                for a in acceptances.order_by("accepted_at")
            ],
            "consents": consents,
            "privacy_requests": requests,
            "sign_in_history": [
                {
                    "at": _text(e.at),
                    "outcome": e.outcome,
                    "outcome_label": str(e.get_outcome_display()),
                    "channel": e.channel,
                }
                for e in SignInEvent.objects.filter(user=user).order_by("-at")
            ],
            "access_log": [
                {
                    "at": _text(r.at),
                    "viewer_role": r.viewer_role,
                    "viewer_ref": r.viewer_ref,
                    "fields": list(r.fields),
                    "reason": r.reason,
                }
                for r in reveals
            ],
        }


def render_zip(data: dict[str, Any]) -> bytes:
    """``data.json`` and a self-contained ``index.html`` (no script, no external asset).

    Each section of the page says where in My account the customer corrects it, or why it is a
    record that is not changed (``corrections.py``).
    """
    language = data["language"]
    with translation.override(language):
        html = render_to_string(
            "exports/index.html",
            {
                "data": data,
                "rtl": translation.get_language_bidi(),
                "lang": language,
                "corrections": corrections_shown(),
            },
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("index.html", html)
    return buffer.getvalue()
