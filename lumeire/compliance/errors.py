"""Refusals of the case workflow, each with a stable code."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError, ConflictError


class CaseErrorCode(StrEnum):
    TRANSITION_NOT_ALLOWED = "case_transition_not_allowed"
    SAME_PERSON = "case_same_person"
    NOT_APPROVED = "case_not_approved"
    NO_REPORT = "case_no_report"
    INVALID = "case_invalid"
    NO_SUBJECT = "case_no_subject"
    NOT_REVERSIBLE = "case_action_not_reversible"


class CaseError(ApplicationError):
    status_code = 400


class CaseConflict(ConflictError):
    """The case is not in a state that allows this (409)."""
