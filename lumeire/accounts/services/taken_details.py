"""Details another account holds: recorded by reference, audited, told to their owner by email.

Whoever names a taken email, username or identity number at sign-up or in a change gets the
same answer as with free values; what happened is kept here, for the ``details_probing``
detection rule (several such attempts from one client or account) and for the audit log.
"""

from __future__ import annotations

from lumeire.accounts.audit_actions import AccountAuditAction
from lumeire.accounts.emails import email_user
from lumeire.accounts.models import (
    SignupConflict,
    SignupConflictKind,
    TakenDetailKind,
    TakenDetailsAttempt,
    User,
)
from lumeire.audit.services import audit_record

# What the holder of a taken value is told, by the kind of attempt.
_HOLDER_NOTICE = {
    TakenDetailKind.SIGN_UP_EMAIL: "signup_attempt_email",
    TakenDetailKind.SIGN_UP_IDENTITY_NUMBER: "signup_attempt_identity",
    TakenDetailKind.IDENTITY_NUMBER_CHANGE: "identity_number_claimed",
}
_SIGN_UP_CONFLICT = {
    TakenDetailKind.SIGN_UP_EMAIL: (SignupConflictKind.EMAIL, "email"),
    TakenDetailKind.SIGN_UP_IDENTITY_NUMBER: (
        SignupConflictKind.IDENTITY_NUMBER,
        "identity_number",
    ),
}
_CHANGED_FIELD = {
    TakenDetailKind.EMAIL_CHANGE: "email",
    TakenDetailKind.IDENTITY_NUMBER_CHANGE: "identity_number",
}


def taken_details_record(
    *,
    kind: TakenDetailKind,
    holder: User | None,
    client_ref: str,
    requested_by: User | None = None,
    index_ref: str = "",
) -> TakenDetailsAttempt:
    """Keep one attempt on a taken value; audit it and tell the value's holder where it matters.

    The audit entry and the records name the field and the accounts, never the value.
    """
    attempt = TakenDetailsAttempt.objects.create(
        kind=kind, requested_by=requested_by, client_ref=client_ref
    )
    if kind in _SIGN_UP_CONFLICT:
        conflict_kind, field = _SIGN_UP_CONFLICT[kind]
        conflict = SignupConflict.objects.create(
            kind=conflict_kind, existing_user=holder, index_ref=index_ref, client_ref=client_ref
        )
        audit_record(
            actor=None,
            action=AccountAuditAction.SIGNUP_CONFLICT,
            target_type="accounts.signupconflict",
            target_id=str(conflict.pk),
            subject_id=holder.pk if holder else None,
            fields=[field],
            client_ref=client_ref,
        )
    elif kind in _CHANGED_FIELD:
        audit_record(
            actor=requested_by,
            action=AccountAuditAction.DETAILS_CHANGE_CONFLICT,
            target_type="accounts.takendetailsattempt",
            target_id=str(attempt.pk),
            subject_id=holder.pk if holder else None,
            fields=[_CHANGED_FIELD[kind]],
            client_ref=client_ref,
        )
    notice = _HOLDER_NOTICE.get(kind)
    if notice and holder is not None and holder != requested_by:
        email_user(holder, notice)
    return attempt
