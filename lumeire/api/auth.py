"""Bearer-token authentication for the API: ``Authorization: Bearer <token>``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.selectors import user_for_api_token


def presented_token(request: HttpRequest) -> str | None:
    """The raw bearer token of the request, or None when there is none."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None
    return raw


class CustomerToken(HttpBearer):
    """A live token of an active customer account; anything else is a 401."""

    def __call__(self, request: HttpRequest) -> User | None:
        # ninja's own parsing logs the whole header under DEBUG; a token never reaches a log.
        raw = presented_token(request)
        return None if raw is None else self.authenticate(request, raw)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(token)
        if user is None or user.kind != AccountKind.CUSTOMER:
            return None
        # The store's middleware keeps signed-in answers out of every cache; a bearer request is
        # signed in too.
        request.user = user
        return user


customer_token = CustomerToken()
