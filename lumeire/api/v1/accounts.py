"""/api/v1/accounts/: sign-up, sign-in with bearer tokens, the customer's profile, recovery.

Each endpoint parses its body, calls the accounts domain and returns; the rules live there.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Router, Status

from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services.profile import customer_profile_update, password_change
from lumeire.accounts.services.recovery import (
    password_recovery_complete,
    password_recovery_request,
)
from lumeire.accounts.services.signin import api_token_issue, api_token_revoke_raw, sign_in_check
from lumeire.accounts.services.signup import SignUpData, customer_sign_up
from lumeire.api.auth import customer_token, presented_token
from lumeire.api.cart_token import CartToken, merge_guest_cart
from lumeire.api.schemas import ErrorSchema, MessageSchema
from lumeire.api.v1.account_schemas import (
    MeOut,
    PasswordChangeIn,
    ProfileIn,
    RecoveryCompleteIn,
    RecoveryQuestionOut,
    RecoveryRequestIn,
    SignInIn,
    SignUpIn,
    SignUpOut,
    TokenOut,
)

router = Router(tags=["accounts"])
# Tokens and personal values must never sit in a browser or proxy cache.
router.add_decorator(never_cache, mode="view")

RETRY_AFTER_DOC = {
    "responses": {
        429: {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        }
    }
}


def _client_address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@router.get("/recovery-questions", response={200: list[RecoveryQuestionOut]})
def recovery_questions(request: HttpRequest):
    """The fixed list of recovery questions, in the request's language."""
    return [{"id": question.value, "text": str(question.label)} for question in RecoveryQuestion]


@router.post("/signup", response={201: SignUpOut, 400: ErrorSchema})
def sign_up(request: HttpRequest, payload: SignUpIn):
    """Open a customer account.

    The answer is the same 201 whether the account was opened or the email or identity number
    already belonged to someone (who is told by email), so sign-up reveals no customer.
    """
    customer_sign_up(
        data=SignUpData(**payload.model_dump(), language=request.LANGUAGE_CODE),
        client_address=_client_address(request),
    )
    return Status(201, {"username": payload.username})


@router.post(
    "/signin",
    response={200: TokenOut, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema},
    openapi_extra=RETRY_AFTER_DOC,
)
def sign_in(request: HttpRequest, payload: SignInIn, x_cart_token: CartToken = None):
    """Exchange a login (username or email), the password and, where it is on, a two-factor code
    for a bearer token.

    A guest cart's ``X-Cart-Token`` sent along merges that cart into the customer's. Repeated
    failures lock the login and the client address for a while: 429 with Retry-After.
    """
    user = sign_in_check(
        request=request,
        login=payload.login,
        password=payload.password,
        otp=payload.otp,
        channel="api",
    )
    merge_guest_cart(x_cart_token, user)
    issued = api_token_issue(user=user)
    return {"token": issued.raw, "expires_at": issued.token.expires_at}


@router.post("/signout", auth=customer_token, response={204: None, 401: ErrorSchema})
def sign_out(request: HttpRequest):
    """Revoke the token this request carries."""
    api_token_revoke_raw(raw=presented_token(request) or "")
    return Status(204, None)


@router.get("/me", auth=customer_token, response={200: MeOut, 401: ErrorSchema})
def me(request: HttpRequest):
    """The signed-in customer's own account; the identity number stays masked."""
    return MeOut.of(request.auth, request.auth.customer)


@router.patch("/me", auth=customer_token, response={200: MeOut, 400: ErrorSchema, 401: ErrorSchema})
def update_me(request: HttpRequest, payload: ProfileIn):
    """Change the full name and/or the date of birth; nothing else can change here."""
    customer = customer_profile_update(actor=request.auth, **payload.model_dump(exclude_unset=True))
    return MeOut.of(request.auth, customer)


@router.post(
    "/password", auth=customer_token, response={204: None, 400: ErrorSchema, 401: ErrorSchema}
)
def change_password(request: HttpRequest, payload: PasswordChangeIn):
    """Change the password; every token of the account ends, this one included."""
    password_change(
        actor=request.auth,
        current_password=payload.current_password,
        new_password=payload.new_password,
        request=request,
    )
    return Status(204, None)


@router.post("/password-recovery", response={202: MessageSchema, 400: ErrorSchema})
def request_password_recovery(request: HttpRequest, payload: RecoveryRequestIn):
    """Email a recovery link to the account's address.

    The answer is the same, byte for byte, whether or not the login belongs to an account.
    """
    password_recovery_request(login=payload.login, client_address=_client_address(request))
    message = _("If this login belongs to an account, a recovery link is on its way to its email.")
    return Status(202, {"detail": message})


@router.post(
    "/password-recovery/complete",
    response={204: None, 400: ErrorSchema, 404: ErrorSchema},
)
def complete_password_recovery(request: HttpRequest, payload: RecoveryCompleteIn):
    """Set a new password with the emailed link's token and the recovery answer.

    Signs nobody in and ends every token of the account. A link that is unknown, used,
    expired or voided by three wrong answers is a 404.
    """
    password_recovery_complete(
        raw_token=payload.token,
        recovery_answer=payload.recovery_answer,
        new_password=payload.new_password,
        request=request,
    )
    return Status(204, None)
