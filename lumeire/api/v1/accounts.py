"""/api/v1/accounts/: sign-up, sign-in with bearer tokens, the customer's profile, recovery.

Each endpoint parses its body, calls the accounts domain and returns; the rules live there.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Router, Status

from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services import end_every_sign_in
from lumeire.accounts.services.profile import customer_profile_update, password_change
from lumeire.accounts.services.recovery import (
    password_recovery_complete,
    password_recovery_request,
)
from lumeire.accounts.services.signin import api_token_issue, sign_in_check
from lumeire.accounts.services.signup import SignUpData, customer_sign_up
from lumeire.accounts.services.signup_link import sign_up_complete
from lumeire.api.auth import customer_token
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
    SignUpConfirmIn,
    SignUpIn,
    SignUpOut,
    TokenOut,
)
from lumeire.core.client import client_address
from lumeire.core.tokens import secret_hash

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
    return client_address(request)


@router.get("/recovery-questions", response={200: list[RecoveryQuestionOut]})
def recovery_questions(request: HttpRequest):
    """The fixed list of recovery questions, in the request's language."""
    return [{"id": question.value, "text": str(question.label)} for question in RecoveryQuestion]


@router.post(
    "/signup",
    response={201: SignUpOut, 400: ErrorSchema, 429: ErrorSchema},
    openapi_extra=RETRY_AFTER_DOC,
)
def sign_up(request: HttpRequest, payload: SignUpIn):
    """Ask for a customer account; it opens when the link emailed to the address is opened.

    Every sign-up with well-formed values gets the same 201 and the same body, whether or not
    the email, username or identity number is taken; the outcome goes by email (a link, or a
    notice to the owner of a registered address), so sign-up reveals no customer. Too many
    sign-ups from one client address are a 429 with Retry-After; past the hourly limit for one
    email address nothing more is sent, and the answer stays the same.
    """
    customer_sign_up(
        data=SignUpData(**payload.model_dump(), language=request.LANGUAGE_CODE),
        client_address=_client_address(request),
    )
    detail = _("Check your email: the account opens when you open the link we sent.")
    return Status(201, {"username": payload.username, "detail": detail})


@router.post(
    "/signup/confirm",
    response={201: SignUpOut, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema},
)
def confirm_sign_up(request: HttpRequest, payload: SignUpConfirmIn):
    """Open the account with the emailed link's token; signs nobody in.

    A taken username is a 400 on ``username`` (send another; the token stays valid); an email or
    identity number that already belongs to an account is a 409 and uses the token up; an
    unknown, used or expired token is a 404.
    """
    user = sign_up_complete(
        token_ref=secret_hash(payload.token),
        username=payload.username,
        client_address=_client_address(request),
    )
    detail = _("Your account is open. Sign in with your username or email and your password.")
    return Status(201, {"username": user.get_username(), "detail": detail})


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
    """Sign out everywhere: every token of the account (this one too) and every web session."""
    end_every_sign_in(request.auth)
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
        token_ref=secret_hash(payload.token),
        recovery_answer=payload.recovery_answer,
        new_password=payload.new_password,
        request=request,
    )
    return Status(204, None)
