"""The forms of the case pages: one per step, and the list's filters.

A form reads what was sent and checks its shape only: one of the page's buttons, a whole
number, a date, the id of one of this case's actions. What the content must be (lengths, the
length of a block, the report's kinds of data, who may do what, which moves are open) is for
``lumeire.compliance.services``, which says it with its own messages. A form that does not
validate becomes a ``CaseInputError``, shown on the case page like any refusal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.cases.display import REVEAL_LABELS
from lumeire.compliance.models import ActionKind, Case, CaseStatus, ProtectiveAction, Rule
from lumeire.core.errors import ApplicationError

CHOOSE_A_BUTTON = _("Choose one of the buttons on the case page.")
CHOOSE_A_DECISION = _("Choose to approve the report or dismiss the case.")
ENTER_SENT_ON = _("Enter the date the report was sent, as YYYY-MM-DD.")
ENTER_WHOLE_HOURS = _("Enter the number of hours as a whole number.")
CHOOSE_AN_ACTION_KIND = _("Choose one of the protective actions on the page.")
CHOOSE_A_LISTED_ACTION = _("Choose one of the actions listed on the case.")
CHOOSE_A_VALUE = _("Choose one of the values offered on the case page.")
NO_SUCH_STATUS = _("There is no such status; showing every status.")
NO_SUCH_RULE = _("There is no such rule; showing every rule.")

# A bigint column holds 19 digits; an id longer than 18 cannot be a row and is never queried.
ID_DIGITS = 18


def row_id(raw: str | None) -> int | None:
    """A row id from a URL or a form; anything else (or too long for the column) is None."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS else None


def _choice(message) -> dict:
    """The same message for a choice left out and a choice the page never offered."""
    return {"required": message, "invalid_choice": message}


class CaseInputError(ApplicationError):
    """A form on the case page that cannot be read (a date, a choice, an id)."""


def form_refusal(form: forms.BaseForm) -> CaseInputError:
    """A form that does not validate, as the case page shows a refusal: its first message."""
    field_errors = {
        name: [str(message) for message in errors] for name, errors in form.errors.items()
    }
    first = next(iter(field_errors.values()))[0]
    return CaseInputError("case_input_invalid", first, field_errors=field_errors)


class _Ticked(forms.Field):
    """Every ticked box's value, as sent; which of them a report may hold is the service's rule."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[str]:
        return [str(item) for item in value or []]


class _SentOn(forms.Field):
    """The date (and time, when known) the report went out, in the store's time zone."""

    default_error_messages = {"required": ENTER_SENT_ON, "invalid": ENTER_SENT_ON}

    def to_python(self, value) -> datetime | None:
        raw = str(value or "").strip()
        if not raw:
            return None
        try:
            moment = parse_datetime(raw)
            if moment is None and (day := parse_date(raw)) is not None:
                moment = datetime.combine(day, datetime.min.time())
            if moment is not None and timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            if moment is not None:
                moment.astimezone(UTC)  # stored in UTC: the first hours of year 1 cannot be
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


def _whole_number(raw: object) -> int | None:
    raw = str(raw or "").strip()
    if not raw.isdecimal():
        return None
    try:
        return int(raw)
    except ValueError:  # more digits than Python reads: no number of hours anyway
        return None


class CaseStepForm(forms.Form):
    """A step's form, read for one case."""

    def __init__(self, data=None, *, case: Case, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.case = case


class NoteForm(CaseStepForm):
    text = forms.CharField(required=False)


class MoveForm(CaseStepForm):
    to = forms.ChoiceField(choices=CaseStatus.choices, error_messages=_choice(CHOOSE_A_BUTTON))
    note = forms.CharField(required=False)


class AssignForm(CaseStepForm):
    # The button says whom: an incomplete or forged form assigns no one.
    assignee = forms.ChoiceField(
        choices=[("me", _("Assign to me"))], error_messages=_choice(CHOOSE_A_BUTTON)
    )


class LegalRequestForm(CaseStepForm):
    summary = forms.CharField(required=False)


class LegalDecisionForm(CaseStepForm):
    # Cleaned, the decision is whether the report is approved.
    decision = forms.TypedChoiceField(
        choices=[
            ("approve", _("Approve the report to the authorities")),
            ("dismiss", _("Dismiss the case")),
        ],
        coerce=lambda value: value == "approve",
        error_messages=_choice(CHOOSE_A_DECISION),
    )
    opinion = forms.CharField(required=False)
    report_items = _Ticked(required=False)


class ReportForm(CaseStepForm):
    """Generating the report sends nothing but the button."""


class MarkReportedForm(CaseStepForm):
    authority = forms.CharField(required=False)
    sent_at = _SentOn()


class ActionForm(CaseStepForm):
    kind = forms.ChoiceField(
        choices=ActionKind.choices, error_messages=_choice(CHOOSE_AN_ACTION_KIND)
    )
    hours = forms.Field(required=False)  # read in clean(): only a block lasts some hours

    def clean(self) -> dict:
        data = super().clean()
        hours = None
        if data.get("kind") == ActionKind.BLOCK_ADDRESS:
            hours = _whole_number(data.get("hours"))
            if hours is None:
                self.add_error("hours", ENTER_WHOLE_HOURS)
        data["hours"] = hours
        return data


class ReverseActionForm(CaseStepForm):
    action = forms.Field(required=False)

    def clean_action(self) -> ProtectiveAction:
        pk = row_id(self.cleaned_data.get("action"))
        action = self.case.actions.filter(pk=pk).first() if pk is not None else None
        if action is None:
            raise ValidationError(CHOOSE_A_LISTED_ACTION, code="invalid_choice")
        return action


class RevealForm(CaseStepForm):
    field = forms.ChoiceField(choices=(), error_messages=_choice(CHOOSE_A_VALUE))

    def __init__(self, data=None, *, case: Case, revealable: Iterable[str], **kwargs) -> None:
        super().__init__(data, case=case, **kwargs)
        self.fields["field"].choices = [
            (name, REVEAL_LABELS.get(name, name)) for name in revealable
        ]


# --- The list's filters -----------------------------------------------------------------------


class _Flag(forms.Field):
    """Set only by the exact value the page sends ("1"); anything else leaves it unset."""

    def to_python(self, value) -> bool:
        return value == "1"


@dataclass(frozen=True)
class Filters:
    status: str = ""
    rule: str = ""
    mine: bool = False


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=CaseStatus.choices, required=False, error_messages=_choice(NO_SUCH_STATUS)
    )
    rule = forms.ChoiceField(
        choices=Rule.choices, required=False, error_messages=_choice(NO_SUCH_RULE)
    )
    mine = _Flag(required=False)

    def filters(self) -> tuple[Filters, list[str]]:
        """The list's filters; a value the list does not know is left out, with a message."""
        self.is_valid()
        problems = [str(message) for errors in self.errors.values() for message in errors]
        data = self.cleaned_data
        filters = Filters(
            status=data.get("status", ""), rule=data.get("rule", ""), mine=data.get("mine", False)
        )
        return filters, problems
