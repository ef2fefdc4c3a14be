"""Start-up check of the seller's settings: a wrong VAT number would be printed on every invoice."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from lumeire.invoicing.document import is_vat_number


@checks.register()
def seller_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a VAT number ZATCA would reject or a blank seller name."""
    errors: list[checks.CheckMessage] = []
    if not is_vat_number(settings.LUMEIRE_VAT_NUMBER or ""):
        errors.append(
            checks.Error(
                "LUMEIRE_VAT_NUMBER must be 15 digits whose first and last are 3.",
                id="invoicing.E001",
            )
        )
    for name in ("LUMEIRE_SELLER_NAME_EN", "LUMEIRE_SELLER_NAME_AR"):
        if not (getattr(settings, name, "") or "").strip():
            errors.append(checks.Error(f"{name} must not be blank.", id="invoicing.E002"))
    return errors
