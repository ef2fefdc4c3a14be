"""Sign-in by username or email and password, found through blind indexes."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from lumeire.accounts.selectors import user_by_login


class LoginBackend(ModelBackend):
    """Authenticate ``login`` (username or email) and ``password``."""

    def authenticate(
        self,
        request: HttpRequest | None,
        login: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ):
        if login is None or password is None:
            return None
        user = user_by_login(login)
        if user is None:
            # Hash anyway, so an unknown login costs the same time as a wrong password.
            type(self)._dummy_check(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _dummy_check(password: str) -> None:
        from django.contrib.auth import get_user_model

        get_user_model()().set_password(password)
