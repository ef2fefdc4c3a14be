"""Order emails in the customer's language: confirmation, shipped, cancelled, refunded."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from lumeire.orders.guests import guest_link_url
from lumeire.vault.fields import is_erased

logger = logging.getLogger(__name__)


def send_order_email(order, template: str) -> None:
    """Send one order email; a failure is logged, never raised.

    It runs after the order's transaction has committed: a mail server that is down must not
    turn a placed order or a done transition into an error page. The log names the template
    and the kind of failure only (an SMTP error's text may quote the address).
    """
    try:
        _send(order, template)
    except Exception as failure:  # see the docstring
        logger.error(
            "order email not sent",
            extra={"email_template": template, "failure": type(failure).__name__},
        )


def email_language(order) -> str:
    """Every email about an order speaks the account's language (the one set in My account),
    not the language of the page the order was placed on; a guest's order keeps its own."""
    customer = getattr(order, "customer", None)
    return getattr(customer, "language", "") or order.language or "en"


def _send(order, template: str) -> None:
    """Render ``orders/email/<template>.txt`` (first line: subject) for the order's customer."""
    # A guest's order is written to the email given at checkout, with the order's own link.
    address = order.guest_email if order.is_guest else order.customer.email
    if not address or is_erased(address):
        return
    language = email_language(order)
    with translation.override(language):
        link = settings.LUMEIRE_SITE_URL.rstrip("/") + reverse(
            "storefront:order", kwargs={"number": order.number}
        )
        if order.is_guest:
            link = guest_link_url(order, language)
        rendered = render_to_string(
            f"orders/email/{template}.txt",
            {
                "store_name": settings.LUMEIRE_STORE_NAME,
                "order": order,
                "lines": list(order.lines.all()),
                "language": language,
                "shipping_method": order.shipping_method_name(language),
                "order_link": link,
            },
        )
    subject, _, body = rendered.strip().partition("\n")
    EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[address]).send()
    logger.info("order email sent", extra={"email_template": template})
