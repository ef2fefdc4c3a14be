"""Account emails, in the customer's language, with no secret but the one link they carry."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from lumeire.accounts.models import User
from lumeire.vault.fields import is_erased

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    """An absolute link built from the configured site address, never from the Host header."""
    return settings.LUMEIRE_SITE_URL.rstrip("/") + path


def send_account_email(
    *,
    to: str,
    language: str,
    template: str,
    context: dict[str, object] | None = None,
    app: str = "accounts",
) -> None:
    """Render ``<app>/email/<template>.txt`` (first line: subject) in ``language``; send."""
    with translation.override(language):
        rendered = render_to_string(
            f"{app}/email/{template}.txt",
            {"store_name": settings.LUMEIRE_STORE_NAME, **(context or {})},
        )
    subject, _, body = rendered.strip().partition("\n")
    EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to]).send()
    logger.info("account email sent", extra={"email_template": template})


def email_user(user: User, template: str, context: dict[str, object] | None = None) -> None:
    """Send an account email to the user's current address (nothing once it was erased)."""
    address = user.email
    if not address or is_erased(address):
        return
    send_account_email(to=address, language=user.language, template=template, context=context)
