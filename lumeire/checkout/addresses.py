"""A shipping address typed by a shopper, checked field by field with a message for each."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from lumeire.checkout.errors import CheckoutError, CheckoutErrorCode
from lumeire.core.identity import normalize_identity_number

SAUDI_MOBILE = re.compile(r"^(?:\+?966|0)?(5\d{8})$")
INTERNATIONAL_PHONE = re.compile(r"^\+\d{8,15}$")
LIMITS = {
    "full_name": (2, 100),
    "city": (2, 60),
    "district": (2, 60),
    "street": (2, 100),
    "building": (1, 20),
}


@dataclass(frozen=True)
class AddressInput:
    full_name: str
    phone: str
    city: str
    district: str
    street: str
    building: str
    postal_code: str
    country: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _phone(raw: str, country: str) -> str | None:
    digits = normalize_identity_number(raw).replace("(", "").replace(")", "")
    digits = "+" + digits[2:] if digits.startswith("00") else digits
    saudi = SAUDI_MOBILE.match(digits)
    if saudi:
        return "+966" + saudi.group(1)
    if country != "SA" and INTERNATIONAL_PHONE.match(digits):
        return digits
    return None


def parse_address(data: dict) -> AddressInput:
    """Clean every field or refuse with one message per wrong field (nothing is saved)."""
    raw = {
        name: " ".join(str(data.get(name) or "").split()) for name in AddressInput.__annotations__
    }
    errors: dict[str, list[str]] = {}
    for name, (low, high) in LIMITS.items():
        if not low <= len(raw[name]) <= high:
            errors[name] = [_("Enter %(low)d to %(high)d characters.") % {"low": low, "high": high}]
    country = raw["country"].upper()
    if country not in settings.LUMEIRE_SHIPPING_COUNTRIES:
        errors["country"] = [_("We deliver only to Saudi Arabia for now.")]
    phone = _phone(raw["phone"], country)
    if phone is None:
        errors["phone"] = [_("Enter a mobile number such as 05X XXX XXXX or +9665XXXXXXXX.")]
    postal_code = normalize_identity_number(raw["postal_code"])
    if country == "SA" and not re.fullmatch(r"\d{5}", postal_code):
        errors["postal_code"] = [_("Enter the 5-digit postal code.")]
    elif not re.fullmatch(r"[0-9A-Za-z]{3,10}", postal_code):
        errors.setdefault("postal_code", [_("Enter the postal code.")])
    if errors:
        raise CheckoutError(
            CheckoutErrorCode.INVALID_ADDRESS,
            _("Please check the delivery address."),
            field_errors=errors,
        )
    return AddressInput(**{**raw, "phone": phone, "postal_code": postal_code, "country": country})
