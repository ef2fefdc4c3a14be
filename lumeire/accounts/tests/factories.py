"""Ready-made accounts for tests, created through the real sign-up service."""

from __future__ import annotations

import itertools
from datetime import date

from lumeire.accounts.models import User
from lumeire.accounts.services.signup import SignUpData, customer_sign_up
from lumeire.core.identity import luhn_check_digit

PASSWORD = "correct horse battery staple"
ANSWER = "  Al-Noor  School "
_sequence = itertools.count(1)


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
        "full_name": f"Aisha Al-Harbi {serial}",
        "date_of_birth": date(1990, 5, 17),
        "identity_number": identity_number(serial + 5000),
        "recovery_question": "first_school",
        "recovery_answer": ANSWER,
        "accepted_policy_version": 1,
        "language": "en",
    }
    values.update(overrides)
    return SignUpData(**values)


def make_customer(**overrides: object) -> User:
    """Open a customer account through the sign-up service and return its user."""
    outcome = customer_sign_up(data=sign_up_data(**overrides), client_address="203.0.113.7")
    assert outcome.user is not None, "the sign-up data collided with an existing account"
    return outcome.user
