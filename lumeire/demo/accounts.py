"""The demo customer, opened through the real sign-up service so it obeys every account rule."""

from __future__ import annotations

import re
from datetime import date

from django.core import mail
from django.test.utils import override_settings

from lumeire.accounts.errors import AccountError
from lumeire.accounts.selectors import user_by_login
from lumeire.accounts.services.signup import SignUpData, customer_sign_up
from lumeire.accounts.services.signup_link import sign_up_complete
from lumeire.core.identity import luhn_check_digit
from lumeire.core.tokens import secret_hash
from lumeire.privacy.selectors import current_policy_version

DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@lumeire.example"
DEMO_PASSWORD = "demo shopper keeps secrets"  # noqa: S105 - the published local demo sign-in
DEMO_IDENTITY_PREFIX = "109876543"
_SIGN_UP_LINK = re.compile(r"/account/sign-up/open/([\w-]+)/")


def _sign_up_and_open(data: SignUpData) -> bool:
    """Sign up, then open the account with the link the sign-up email carries.

    A demo has no mailbox to click from, so the email is caught in memory and its link goes
    through the same service a click would; nothing is written to the mail folder.
    """
    previous = getattr(mail, "outbox", None)
    mail.outbox = []
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            # The follow-up that emails the link runs here, not in the worker.
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ):
            customer_sign_up(data=data, client_address=None)
            bodies = [message.body for message in mail.outbox]
    finally:
        if previous is None:
            del mail.outbox
        else:
            mail.outbox = previous
    for body in bodies:
        if match := _SIGN_UP_LINK.search(body):
            try:
                sign_up_complete(token_ref=secret_hash(match[1]))
            except AccountError:
                return False  # the username or identity number belongs to another account
            return True
    return False  # the email already belongs to an account: its owner got a notice instead


def load_demo_customer() -> str:
    """Open the demo customer account unless it is already there."""
    if user_by_login(DEMO_USERNAME) is not None:
        return f"customer '{DEMO_USERNAME}' already there"
    policy = current_policy_version()
    opened = _sign_up_and_open(
        SignUpData(
            username=DEMO_USERNAME,
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            full_name="Demo Customer",
            date_of_birth=date(1990, 1, 1),
            identity_number=DEMO_IDENTITY_PREFIX + luhn_check_digit(DEMO_IDENTITY_PREFIX),
            recovery_question="first_school",
            recovery_answer="lumeire school",
            accepted_policy_version=policy.version if policy else None,
            language="en",
        )
    )
    if not opened:
        return "not opened: its email, username or identity number belongs to another account"
    return f"customer '{DEMO_USERNAME}' opened, email confirmed"
