"""What can happen to a case, and who may do it: the status table and the table of steps.

Both the back office (to answer 403 before reading a form) and the services (on their first
line) ask ``may_take_step``/``require_step``, so the permission of each step is written once,
here. Which status moves exist, and what each needs, is ``TRANSITIONS``; a step that moves a
case needs what its moves need.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from lumeire.compliance.models import CaseStatus
from lumeire.staff.access import Permission, has_permission, require

S = CaseStatus
P = Permission

# Which move needs which permission. Moves not listed are refused, whoever asks. The legal
# decision and the report have their own services (they carry an opinion, a checklist, files).
TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Permission] = {
    (S.OPEN, S.UNDER_REVIEW): P.CASES_WORK,
    (S.UNDER_REVIEW, S.LEGAL_REQUESTED): P.CASES_WORK,
    (S.UNDER_REVIEW, S.DISMISSED): P.CASES_WORK,
    (S.LEGAL_REQUESTED, S.APPROVED): P.CASES_DECIDE,
    (S.LEGAL_REQUESTED, S.DISMISSED): P.CASES_DECIDE,
    (S.APPROVED, S.REPORTED): P.CASES_WORK,
    (S.REPORTED, S.CLOSED): P.CASES_WORK,
}
# The moves case_transition makes by itself; the others need the service that carries their data.
SIMPLE_MOVES = frozenset(
    {(S.OPEN, S.UNDER_REVIEW), (S.UNDER_REVIEW, S.DISMISSED), (S.REPORTED, S.CLOSED)}
)
ENDS = frozenset({S.DISMISSED, S.CLOSED})


def transition_permission(current: str, to: str) -> Permission | None:
    """The permission a move needs, or None when the move is not in the table."""
    try:
        return TRANSITIONS.get((CaseStatus(current), CaseStatus(to)))
    except ValueError:
        return None


class CaseStep(StrEnum):
    """One thing staff do with a case; each is one service, and one page in the back office."""

    OPEN = "open"  # the list, a case's page, and the record of having opened it
    NOTE = "note"
    MOVE = "move"  # the simple moves: start the review, dismiss, close
    ASSIGN = "assign"
    LEGAL_REQUEST = "legal_request"
    LEGAL_DECISION = "legal_decision"
    REPORT = "report"  # generate the report package, and download its files
    MARK_REPORTED = "mark_reported"
    ACTION = "action"  # take a protective action
    REVERSE_ACTION = "reverse_action"
    REVEAL = "reveal"  # which values, if any, is the data inventory's (case_revealable_fields)


def _moves_need(moves: Iterable[tuple[CaseStatus, CaseStatus]]) -> tuple[Permission, ...]:
    return tuple(sorted({TRANSITIONS[move] for move in moves}))


# Any one of a step's permissions allows it. Every step also needs CASES_VIEW: it is taken on a
# case its actor can open (so the Owner, who has none of these, takes none).
STEP_PERMISSIONS: dict[CaseStep, tuple[Permission, ...]] = {
    CaseStep.OPEN: (P.CASES_VIEW,),
    # Notes and the report are both roles' work: legal counsel writes and reads them too.
    CaseStep.NOTE: (P.CASES_WORK, P.CASES_DECIDE),
    CaseStep.MOVE: _moves_need(SIMPLE_MOVES),
    CaseStep.ASSIGN: (P.CASES_WORK,),
    CaseStep.LEGAL_REQUEST: _moves_need([(S.UNDER_REVIEW, S.LEGAL_REQUESTED)]),
    CaseStep.LEGAL_DECISION: _moves_need(
        [(S.LEGAL_REQUESTED, S.APPROVED), (S.LEGAL_REQUESTED, S.DISMISSED)]
    ),
    CaseStep.REPORT: (P.CASES_WORK, P.CASES_DECIDE),
    CaseStep.MARK_REPORTED: _moves_need([(S.APPROVED, S.REPORTED)]),
    CaseStep.ACTION: (P.CASES_WORK,),
    CaseStep.REVERSE_ACTION: (P.CASES_WORK,),
    CaseStep.REVEAL: (P.CASES_VIEW,),
}


def may_take_step(actor, step: CaseStep) -> bool:
    """Whether the actor's roles allow ``step`` on a case (its state is the service's to check)."""
    return has_permission(actor, P.CASES_VIEW) and any(
        has_permission(actor, permission) for permission in STEP_PERMISSIONS[step]
    )


def require_step(actor, step: CaseStep) -> None:
    """Refuse (403, as ``require`` does) unless the actor's roles allow ``step``."""
    require(actor, P.CASES_VIEW)
    if not may_take_step(actor, step):
        require(actor, STEP_PERMISSIONS[step][0])  # refuses: the actor holds none of them
