"""The detection rules and the sliding window that runs them, in plain Python.

A rule reads one event source, keeps the events it cares about, groups them by account or by
client address, and fires when one group's events within the rule's window reach a threshold
(a count, a number of distinct logins or addresses, or a sum of amounts). The same code runs
after one event (over that account's or address's recent events) and in the periodic sweep (over
everything since the last sweep), so both find the same things.

Every threshold, window and score is a setting: ``LUMEIRE_DETECTION_RULES = {"card_testing_account":
{"threshold": 8}, "order_velocity": {"enabled": False}}`` overrides the defaults below, and
``LUMEIRE_DETECTION_OFF`` (a comma-separated list in the environment) turns rules off.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from lumeire.compliance.events import Event
from lumeire.compliance.models import Rule

# A group: ("user", account id), ("address", keyed hash of the address) or ("login", keyed hash
# of the login typed at sign-in).
GroupKey = tuple[str, object]
MAX_REFS = 200  # a signal keeps at most this many event references (the newest)


@dataclass(frozen=True)
class RuleSpec:
    rule: Rule
    source: str
    keeps: Callable[[Event], bool]
    group: Callable[[Event], GroupKey | None]
    window: timedelta
    threshold: int  # events (or distinct values, or a sum) the window must reach
    score: int
    enabled: bool = True
    distinct: Callable[[Event], object] | None = None  # count distinct values, not events
    value_threshold: Decimal | None = None  # or fire when the amounts sum to this
    # Lower thresholds for accounts younger than this (order velocity on new accounts).
    new_account_age: timedelta | None = None
    new_account_threshold: int | None = None
    new_account_value_threshold: Decimal | None = None


def _by_user(event: Event) -> GroupKey | None:
    return ("user", event.user_id) if event.user_id else None


def _by_address(event: Event) -> GroupKey | None:
    return ("address", event.client_ref) if event.client_ref else None


def _by_login(event: Event) -> GroupKey | None:
    # A wrong password is recorded without its account (the answer must not tell whether a login
    # exists), so failures on one account are grouped by the login typed; detection then finds
    # the account behind it.
    return ("login", event.login_ref) if event.login_ref else _by_user(event)


def _failed_sign_in(event: Event) -> bool:
    return event.kind in ("failure", "locked_out", "two_factor_failure")


DEFAULT_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        Rule.STUFFING_ADDRESS,
        "accounts.signinevent",
        _failed_sign_in,
        _by_address,
        window=timedelta(minutes=10),
        threshold=10,
        distinct=lambda event: event.login_ref,
        score=60,
    ),
    RuleSpec(
        Rule.STUFFING_ACCOUNT,
        "accounts.signinevent",
        _failed_sign_in,
        _by_login,
        window=timedelta(hours=1),
        threshold=5,
        distinct=lambda event: event.client_ref,
        score=50,
    ),
    RuleSpec(
        Rule.CARD_TESTING_ACCOUNT,
        "checkout.paymentattempt",
        lambda event: event.kind == "declined",
        _by_user,
        window=timedelta(minutes=30),
        threshold=4,
        score=70,
    ),
    RuleSpec(
        Rule.CARD_TESTING_ADDRESS,
        "checkout.paymentattempt",
        lambda event: event.kind == "declined",
        _by_address,
        window=timedelta(minutes=30),
        threshold=6,
        score=70,
    ),
    RuleSpec(
        Rule.SHARED_IDENTITY,
        "accounts.signupconflict",
        lambda event: event.kind == "identity_number",
        _by_user,
        window=timedelta(days=365),
        threshold=1,
        score=40,
    ),
    RuleSpec(
        Rule.ORDER_VELOCITY,
        "orders.order",
        lambda event: True,
        _by_user,
        window=timedelta(hours=24),
        threshold=8,
        value_threshold=Decimal("20000"),
        new_account_age=timedelta(days=7),
        new_account_threshold=4,
        new_account_value_threshold=Decimal("5000"),
        score=40,
    ),
    RuleSpec(
        Rule.AGE_RESTRICTED,
        "checkout.agerestrictionrefusal",
        lambda event: True,
        _by_user,
        window=timedelta(days=7),
        threshold=3,
        score=30,
    ),
    # Probing for who is a customer: sign-ups and changes that named an email, username or
    # identity number another account holds, from one client address or by one account. Each
    # answer looked like success; only the mailbox owner learnt the outcome.
    RuleSpec(
        Rule.DETAILS_PROBING,
        "accounts.takendetailsattempt",
        lambda event: True,
        _by_address,
        window=timedelta(hours=1),
        threshold=3,
        score=40,
    ),
    RuleSpec(
        Rule.DETAILS_PROBING,
        "accounts.takendetailsattempt",
        lambda event: True,
        _by_user,
        window=timedelta(hours=1),
        threshold=3,
        score=40,
    ),
    RuleSpec(
        Rule.RECOVERY_FAILURES,
        "accounts.signinevent",
        lambda event: event.kind == "recovery_answer_failure",
        _by_user,
        window=timedelta(hours=24),
        threshold=3,
        score=40,
    ),
)

_DECIMALS = ("value_threshold", "new_account_value_threshold")


def _configured(spec: RuleSpec, overrides: dict, off: Iterable[str]) -> RuleSpec:
    changes: dict[str, object] = {}
    for name, value in overrides.items():
        if name == "window_minutes":
            changes["window"] = timedelta(minutes=int(value))
        elif name == "new_account_days":
            changes["new_account_age"] = timedelta(days=int(value))
        elif name in _DECIMALS:
            changes[name] = Decimal(str(value))
        elif name in ("threshold", "score", "new_account_threshold"):
            changes[name] = int(value)
        elif name == "enabled":
            changes["enabled"] = bool(value)
        else:
            raise ValueError(f"LUMEIRE_DETECTION_RULES[{spec.rule.value!r}] has no {name!r}")
    if spec.rule.value in off:
        changes["enabled"] = False
    return replace(spec, **changes)


def active_rules(source: str | None = None) -> list[RuleSpec]:
    """The rules in force under the running settings, optionally those of one source."""
    overrides = getattr(settings, "LUMEIRE_DETECTION_RULES", {}) or {}
    unknown = set(overrides) - set(Rule.values)
    if unknown:
        raise ValueError(f"LUMEIRE_DETECTION_RULES names unknown rules: {sorted(unknown)}")
    off = set(getattr(settings, "LUMEIRE_DETECTION_OFF", ()) or ())
    rules = [_configured(spec, overrides.get(spec.rule.value, {}), off) for spec in DEFAULT_RULES]
    return [spec for spec in rules if spec.enabled and (source is None or spec.source == source)]


@dataclass
class Finding:
    """A rule firing for one group: the events in its window when it fired, and any after."""

    rule: Rule
    group: GroupKey
    score: int
    window: timedelta
    events: list[Event] = field(default_factory=list)

    @property
    def first_at(self) -> datetime:
        return self.events[0].at

    @property
    def last_at(self) -> datetime:
        return self.events[-1].at


def _reached(spec: RuleSpec, window: deque[Event]) -> bool:
    newest = window[-1]
    threshold, value_threshold = spec.threshold, spec.value_threshold
    if (
        spec.new_account_age is not None
        and newest.account_joined is not None
        and newest.at - newest.account_joined < spec.new_account_age
    ):
        threshold = spec.new_account_threshold or threshold
        value_threshold = spec.new_account_value_threshold or value_threshold
    if spec.distinct is not None:
        count = len({spec.distinct(event) for event in window} - {""})
    else:
        count = len(window)
    if count >= threshold:
        return True
    if value_threshold is not None:
        return sum((event.amount or Decimal(0) for event in window), Decimal(0)) >= value_threshold
    return False


class RuleRun:
    """One rule's sliding windows over a stream of events fed in time order.

    A finding covers a burst: the events from the first firing until the group goes quiet for a
    whole window; events after the firing join the same finding rather than raising new ones.
    """

    def __init__(self, spec: RuleSpec) -> None:
        self.spec = spec
        self._windows: dict[GroupKey, deque[Event]] = {}
        self._open: dict[GroupKey, Finding] = {}
        self._tidied_at: datetime | None = None

    def feed(self, event: Event) -> list[Finding]:
        """Take one event; return the findings it closed (their group's burst ended before it)."""
        spec = self.spec
        if not spec.keeps(event):
            return []
        group = spec.group(event)
        if group is None:
            return []
        closed = []
        window = self._windows.setdefault(group, deque())
        while window and event.at - window[0].at > spec.window:
            window.popleft()
        finding = self._open.get(group)
        if finding is not None and event.at - finding.last_at > spec.window:
            closed.append(self._open.pop(group))
            finding = None
        window.append(event)
        if finding is not None:
            finding.events.append(event)
            del finding.events[:-MAX_REFS]
        elif _reached(spec, window):
            self._open[group] = Finding(spec.rule, group, spec.score, spec.window, list(window))
        self._tidy(event.at)
        return closed

    def _tidy(self, now: datetime) -> None:
        # Forget quiet groups now and then, so memory follows the active groups, not all ever seen.
        if self._tidied_at is not None and now - self._tidied_at <= self.spec.window:
            return
        self._tidied_at = now
        quiet = [
            key
            for key, kept in self._windows.items()
            if now - kept[-1].at > self.spec.window and key not in self._open
        ]
        for key in quiet:
            del self._windows[key]

    def finish(self) -> list[Finding]:
        """The findings still open at the end of the stream."""
        findings, self._open = list(self._open.values()), {}
        return findings


def run_rules(specs: list[RuleSpec], events: Iterable[Event]) -> Iterator[Finding]:
    """Feed one source's events, in time order, to each of its rules in a single pass."""
    runs = [RuleRun(spec) for spec in specs]
    for event in events:
        for run in runs:
            yield from run.feed(event)
    for run in runs:
        yield from run.finish()
