"""The current password, asked again before a sensitive change: guesses count like sign-ins."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import User


def require_current_password(
    actor: User, password: str, *, request: HttpRequest | None, field: str = "current_password"
) -> None:
    """Check the account's password before a sensitive change; guesses count like sign-ins."""
    credentials = {"login": actor.get_username()}
    if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
        raise AccountError(
            AccountErrorCode.LOCKED_OUT,
            _("Too many wrong passwords. Try again later."),
            status_code=429,
            retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()),
        )
    if not actor.check_password(password or ""):
        if request is not None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        message = _("Your current password is not right.")
        raise AccountError(
            AccountErrorCode.WRONG_PASSWORD, message, field_errors={field: [message]}
        )
