"""Reads of accounts. Missing and forbidden look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from lumeire.accounts.models import (
    AccountKind,
    ApiToken,
    Customer,
    RecoveryToken,
    SignInEvent,
    User,
)
from lumeire.accounts.normalization import normalize_login
from lumeire.core.identity import normalize_identity_number
from lumeire.core.tokens import secret_hash

# The longest login or search term looked up (an email address may be 320 characters).
MAX_SEARCH_LENGTH = 320
IDENTITY_NUMBER_LENGTH = 10


def user_by_login(login: str) -> User | None:
    """The account whose username or email is ``login`` in its normalised form.

    Case, width, spaces, invisible characters and Arabic-Indic digits do not matter; the
    lockout counts by the same form (``normalize_login``), so a respelling reaches the same
    account and the same counter.
    """
    login = normalize_login(login)
    if not login or len(login) > MAX_SEARCH_LENGTH:
        return None
    username_index = User._meta.get_field("username_index").index_of(login)
    email_index = User._meta.get_field("email_index").index_of(login)
    return User.objects.filter(
        Q(username_index=username_index) | Q(email_index=email_index)
    ).first()


def user_for_api_token(raw: str) -> User | None:
    """The active account behind a live bearer token, or None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=secret_hash(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The account's live API tokens, newest first."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def recovery_token_get(token_ref: str) -> RecoveryToken | None:
    """A recovery link that can still be used: not expired, used, voided or outdated.

    ``token_ref`` is the hash of the link's token (``secret_hash``), as stored.
    """
    if not token_ref or len(token_ref) > 200:
        return None
    token = (
        RecoveryToken.objects.select_related("user", "user__customer")
        .filter(token_hash=token_ref, used_at__isnull=True, voided_at__isnull=True)
        .first()
    )
    if token is None or token.is_expired() or not token.user.is_active:
        return None
    changed = token.user.password_changed_at
    if changed is not None and changed > token.created_at:
        return None  # the password changed since the link was sent
    return token


def recent_sign_in_events(user: User, *, limit: int = 20) -> QuerySet[SignInEvent]:
    """The account's latest sign-in events, for its security page."""
    return SignInEvent.objects.filter(user=user).order_by("-at")[:limit]


def customer_ids_matching(term: str) -> set:
    """Customers whose email, username or identity number is exactly ``term``.

    Looked up through the blind indexes only: nothing is decrypted to search, and a partial
    value matches nothing. Staff accounts are never found here.
    """
    term = (term or "").strip()
    if not term or len(term) > MAX_SEARCH_LENGTH:
        return set()
    wanted = Q(username_index=User._meta.get_field("username_index").index_of(term))
    wanted |= Q(email_index=User._meta.get_field("email_index").index_of(term))
    found = set(User.objects.filter(wanted, kind=AccountKind.CUSTOMER).values_list("pk", flat=True))
    digits = normalize_identity_number(term)
    if len(digits) == IDENTITY_NUMBER_LENGTH and digits.isascii() and digits.isdigit():
        index = Customer._meta.get_field("identity_index").index_of(digits)
        found |= set(Customer.objects.filter(identity_index=index).values_list("pk", flat=True))
    return found


def customers_for_staff() -> QuerySet:
    """Every customer profile with its account, newest first (values stay sealed until read)."""
    return (
        Customer.objects.select_related("user")
        .filter(user__kind=AccountKind.CUSTOMER)
        .order_by("-created_at", "-pk")
    )
