"""Request and response bodies of /api/v1/accounts/, named exactly as API.md promises.

Request bodies refuse fields they do not list, so a client that sends ``is_staff`` or
``email`` where they cannot change learns it from a 400 instead of believing it worked.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from lumeire.accounts.models import Customer, User
from lumeire.api.schemas import ContractDate, OptionalContractDate, StrictBody
from lumeire.core.identity import IdentityType


class RecoveryQuestionOut(Schema):
    id: str
    text: str


class SignUpIn(StrictBody):
    username: str
    email: str
    password: str
    full_name: str
    date_of_birth: ContractDate
    identity_number: str
    recovery_question: str
    recovery_answer: str
    accepted_policy_version: int


class SignUpOut(Schema):
    """The same for every accepted sign-up: the account opens from the emailed link."""

    username: str
    detail: str


class SignUpConfirmIn(StrictBody):
    """The emailed link's token, and a new username when the one asked for was taken."""

    token: str
    username: str | None = None


class SignInIn(StrictBody):
    login: str
    password: str
    otp: str | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ProfileIn(StrictBody):
    """Only what a customer may change without re-authenticating; the rest has its own path."""

    full_name: str | None = None
    date_of_birth: OptionalContractDate = None


class MeOut(Schema):
    username: str
    email: str
    full_name: str
    date_of_birth: date | None
    age: int | None
    identity_number_masked: str
    identity_type: IdentityType | None

    @classmethod
    def of(cls, user: User, customer: Customer) -> MeOut:
        """The customer's own view of their account: what they typed, the identity masked."""
        return cls(
            username=user.get_username(),
            email=str(user.email or ""),
            full_name=str(customer.full_name or ""),
            date_of_birth=customer.date_of_birth
            if isinstance(customer.date_of_birth, date)
            else None,
            age=customer.age,
            identity_number_masked=customer.identity_number_masked,
            identity_type=customer.identity_type,
        )


class PasswordChangeIn(StrictBody):
    current_password: str
    new_password: str


class RecoveryRequestIn(StrictBody):
    login: str


class RecoveryCompleteIn(StrictBody):
    token: str
    recovery_answer: str
    new_password: str
