"""Ready-made accounts for tests, opened through the real sign-up service and its emailed link."""

from __future__ import annotations

import itertools
import re
from datetime import date

from django.core import mail
from django.test.utils import override_settings

from lumeire.accounts.models import User
from lumeire.accounts.services.signup import SignUpData, customer_sign_up
from lumeire.accounts.services.signup_link import sign_up_complete
from lumeire.core.identity import luhn_check_digit
from lumeire.core.tokens import secret_hash

PASSWORD = "correct horse battery staple"
ANSWER = "  Al-Noor  School "
SIGN_UP_LINK = re.compile(r"/account/sign-up/open/([\w-]+)/")
LOCMEM_MAIL = "django.core.mail.backends.locmem.EmailBackend"
TASKS_AT_ONCE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
_sequence = itertools.count(1)
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "abcdefghij")


def identity_number(serial: int, *, first_digit: str = "1") -> str:
    """A valid Saudi identity number, different for each serial."""
    prefix = f"{first_digit}{serial:08d}"
    return prefix + luhn_check_digit(prefix)


def sign_up_data(**overrides: object) -> SignUpData:
    """Valid sign-up input; each call gets a new username, email and identity number."""
    serial = next(_sequence)
    values: dict[str, object] = {
        "username": f"customer{serial}",
        "email": f"customer{serial}@example.com",
        "password": PASSWORD,
        # Letters only (a name has no digits), and different for each customer.
        "full_name": f"Aisha Al-Harbi {str(serial).translate(_DIGITS_AS_LETTERS).title()}",
        "date_of_birth": date(1990, 5, 17),
        "identity_number": identity_number(serial + 5000),
        "recovery_question": "first_school",
        "recovery_answer": ANSWER,
        "accepted_policy_version": 1,
        "language": "en",
    }
    values.update(overrides)
    return SignUpData(**values)


def sign_up_link_token(to: str, messages: list) -> str | None:
    """The token of the newest sign-up link among ``messages`` sent to ``to``."""
    for message in reversed(messages):
        addressed = to.strip().casefold() in (m.casefold() for m in message.to)
        if addressed and (match := SIGN_UP_LINK.search(message.body)):
            return match[1]
    return None


def sign_up_and_get_link(data: SignUpData, *, client_address: str | None = None) -> str | None:
    """Sign up and return the emailed link's token (None when the email went to an owner).

    The follow-up that sends the email runs at once, and the messages are caught in memory
    whatever the mail backend; under the test suite they are then added to Django's outbox, as a
    mailbox would keep them.
    """
    previous = getattr(mail, "outbox", None)
    mail.outbox = []
    try:
        with override_settings(
            EMAIL_BACKEND=LOCMEM_MAIL,
            TASKS=TASKS_AT_ONCE,
            # Fixtures open many accounts from one address; the limits have tests of their own.
            LUMEIRE_SIGN_UPS_PER_CLIENT_PER_HOUR=10**6,
            LUMEIRE_SIGN_UPS_PER_EMAIL_PER_HOUR=10**6,
        ):
            customer_sign_up(data=data, client_address=client_address)
        sent = list(mail.outbox)
    finally:
        if previous is None:
            del mail.outbox
        else:
            mail.outbox = previous
    if previous is not None:
        previous.extend(sent)
    return sign_up_link_token(data.email, sent)


def open_account(data: SignUpData, *, client_address: str | None = None) -> User | None:
    """Sign up and open the account from the emailed link, as its owner would.

    None when the address already had an account; the link's refusals (a taken username or
    identity number) raise as the service raises them.
    """
    token = sign_up_and_get_link(data, client_address=client_address)
    if token is None:
        return None
    return sign_up_complete(token_ref=secret_hash(token), client_address=client_address)


def make_customer(**overrides: object) -> User:
    """Open a customer account through sign-up and its emailed link; return its user."""
    user = open_account(sign_up_data(**overrides), client_address="203.0.113.7")
    assert user is not None, "the sign-up data collided with an existing account"
    return user
