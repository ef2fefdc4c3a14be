"""The detection rules on synthetic streams: each fires on its own burst and on nothing else.

Streams come from ``streams.py``: an ordinary day for generated customers, and one burst per rule.
Detection runs both ways the store runs it (the periodic sweep, and after each event as the
background task does), and running it again, or both ways, must add nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import SignInEvent
from lumeire.compliance import detection
from lumeire.compliance.detection import detect_after_event, detect_sweep
from lumeire.compliance.models import Case, CaseEvent, CaseEventKind, DetectionCursor, Rule, Signal
from lumeire.compliance.rules import active_rules
from lumeire.compliance.tests import streams

pytestmark = pytest.mark.django_db
ORDER_VELOCITY_KINDS = ("count", "value", "new_account")


def _stream_cases():
    for rule, make in streams.RULE_STREAMS.items():
        if rule == Rule.ORDER_VELOCITY:
            for kind in ORDER_VELOCITY_KINDS:
                yield pytest.param(make, kind, id=f"{rule.value}-{kind}")
        else:
            yield pytest.param(make, None, id=rule.value)


STREAM_CASES = list(_stream_cases())


def plant(make, kind, **options) -> streams.Stream:
    return make(kind, **options) if kind else make(**options)


def detect_after_each(events) -> None:
    """What the background task does, event by event, in the order they happened."""
    for source, pk in events:
        detect_after_event(source, pk)


def assert_case_about(case: Case, stream: streams.Stream) -> None:
    if stream.subject is not None:
        assert case.subject_id == stream.subject.pk
    else:
        assert case.subject_id is None
        assert case.client_ref == stream.client_ref


def snapshot() -> list[tuple]:
    """Every case and signal as it stands, to compare before and after running detection again."""
    cases = list(Case.objects.order_by("pk").values_list("pk", "subject_id", "client_ref", "score"))
    signals = list(
        Signal.objects.order_by("pk").values_list(
            "pk", "case_id", "rule", "first_event_at", "last_event_at", "event_refs"
        )
    )
    timeline = CaseEvent.objects.count()
    return [cases, signals, timeline]


# --- Each rule fires on its stream, and only there ------------------------------------------------


def test_every_rule_has_a_stream():
    assert set(streams.RULE_STREAMS) == set(Rule)


@pytest.mark.parametrize(("make", "kind"), STREAM_CASES)
def test_the_sweep_raises_the_streams_rule_about_the_right_subject_and_nothing_else(make, kind):
    day = streams.ordinary_day(customers=40, seed=11)
    stream = plant(make, kind)
    outcome = detect_sweep()
    assert outcome.events >= len(stream.events) + day.count("orders.order")
    signal = Signal.objects.get()  # one signal, none from the ordinary traffic around it
    assert signal.rule == stream.rule
    assert outcome.signals == 1 and outcome.cases == 1
    assert_case_about(Case.objects.get(), stream)
    # The signal points at the planted events (references only), never at ordinary traffic.
    planted = set(stream.events)
    assert signal.event_refs
    assert {(ref["source"], ref["id"]) for ref in signal.event_refs} <= planted
    assert set(signal.event_refs[0]) == {"source", "id", "at", "what"}


@pytest.mark.parametrize(("make", "kind"), STREAM_CASES)
def test_detection_after_each_event_finds_the_same_as_the_sweep(make, kind):
    streams.ordinary_day(customers=20, seed=12)
    stream = plant(make, kind)
    detect_after_each(stream.events)
    signal = Signal.objects.get()
    assert signal.rule == stream.rule
    assert_case_about(Case.objects.get(), stream)
    # Every event of the burst joined the one signal as the burst went on.
    assert {(ref["source"], ref["id"]) for ref in signal.event_refs} == set(stream.events)
    before = snapshot()
    assert detect_sweep().signals == 0
    assert snapshot() == before


@pytest.mark.parametrize("seed", [8, 2026])
def test_an_ordinary_day_for_200_customers_opens_no_case(seed):
    day = streams.ordinary_day(customers=200, seed=seed)
    assert len(day.customers) == 200
    # The day has the ordinary mishaps the rules must tolerate.
    mishaps = SignInEvent.objects.exclude(outcome="success")
    assert mishaps.filter(outcome="failure", user__isnull=True).count() >= 20
    assert mishaps.filter(outcome="recovery_answer_failure").exists()
    assert day.count("checkout.paymentattempt") > 50
    assert day.count("orders.order") > 100
    assert day.count("checkout.agerestrictionrefusal") >= 1
    assert day.count("accounts.signupconflict") >= 1

    outcome = detect_sweep()
    assert outcome.events > 200  # sweeps skip successful sign-ins and approved cards
    detect_after_each(day.events)
    assert outcome.signals == 0
    assert not Signal.objects.exists() and not Case.objects.exists()


def test_shared_identity_goes_through_the_sign_up_service(mailoutbox):
    stream = streams.shared_identity()
    assert len(stream.events) == 2
    assert all(source == "accounts.signupconflict" for source, _ in stream.events)
    detect_sweep()
    case = Case.objects.get(subject=stream.subject)
    assert case.signals.get().rule == Rule.SHARED_IDENTITY


def test_failed_passwords_on_one_account_are_tied_to_it_through_an_earlier_sign_in():
    stream = streams.stuffing_on_one_account()
    failures = SignInEvent.objects.filter(outcome="failure")
    assert not failures.filter(user__isnull=False).exists()  # as the sign-in service records
    detect_sweep()
    assert Case.objects.get().subject_id == stream.subject.pk


def test_failed_passwords_on_a_login_no_account_is_known_by_open_no_case():
    stream = streams.stuffing_on_one_account()
    SignInEvent.objects.filter(outcome="success").delete()
    detect_sweep()
    detect_after_each(stream.events)
    assert not Case.objects.exists() and not Signal.objects.exists()


# --- Idempotent: the same events never open two cases ---------------------------------------------


def test_running_detection_again_and_both_ways_adds_no_case_and_no_signal():
    streams.ordinary_day(customers=30, seed=5)
    planted = [
        plant(make, kind)
        for make, kind in (param.values for param in STREAM_CASES)
        if kind in (None, "count")
    ]
    first = detect_sweep()
    assert first.cases == len(planted)
    before = snapshot()

    assert detect_sweep().signals == 0
    assert snapshot() == before
    for stream in planted:
        detect_after_each(stream.events)
        detect_after_each(reversed(stream.events))
    assert snapshot() == before
    # Even a sweep that starts from scratch (its cursors lost) finds nothing new.
    DetectionCursor.objects.all().delete()
    assert detect_sweep().signals == 0
    assert snapshot() == before


def test_a_burst_straddling_two_sweeps_stays_one_signal():
    now = timezone.now()
    customer = streams.make_shoppers(1)[0]
    streams.card_testing_on_account(customer=customer, end=now - timedelta(minutes=10), declines=4)
    assert detect_sweep(now=now - timedelta(minutes=9)).signals == 1
    # From another address: seven from one address would be card testing from it as well.
    later = streams.card_testing_on_account(
        customer=customer, end=now, declines=3, over=timedelta(minutes=5), ip="203.0.113.22"
    )
    assert detect_sweep(now=now).signals == 0
    signal = Signal.objects.get()
    assert len(signal.event_refs) == 7
    assert signal.event_refs[-1]["id"] == later.events[-1][1]
    assert Case.objects.count() == 1


def test_a_new_burst_after_the_case_ended_opens_a_new_case():
    customer = streams.make_shoppers(1)[0]
    now = timezone.now()
    streams.card_testing_on_account(customer=customer, end=now - timedelta(days=2))
    detect_sweep(now=now - timedelta(days=1))
    Case.objects.update(status="dismissed", ended_at=now - timedelta(hours=20))
    streams.card_testing_on_account(customer=customer, end=now)
    detect_sweep(now=now)
    assert Case.objects.filter(subject=customer).count() == 2
    assert Case.objects.filter(subject=customer, status="open").get().signals.count() == 1


# --- Signals about the same customer or address gather into one case --------------------------


def test_signals_about_one_customer_gather_into_one_case():
    customer = streams.make_shoppers(1)[0]
    cards = streams.card_testing_on_account(customer=customer)
    recovery = streams.recovery_failures(customer=customer)
    streams.order_velocity("count", customer=customer)
    other = streams.card_testing_on_account(ip="203.0.113.21")
    detect_sweep()
    case = Case.objects.get(subject=customer)
    assert sorted(case.signals.values_list("rule", flat=True)) == sorted(
        [Rule.CARD_TESTING_ACCOUNT, Rule.ORDER_VELOCITY, Rule.RECOVERY_FAILURES]
    )
    assert case.score == sum(case.signals.values_list("score", flat=True))
    assert case.events.filter(kind=CaseEventKind.SIGNAL).count() == 3
    assert case.events.filter(kind=CaseEventKind.OPENED).count() == 1
    assert Case.objects.get(subject=other.subject).signals.count() == 1
    assert Case.objects.count() == 2
    assert cards.subject == recovery.subject == customer


def test_signals_about_one_address_gather_into_one_case():
    ip = "203.0.113.66"
    stuffing = streams.stuffing_from_one_address(ip=ip)
    streams.card_testing_from_one_address(ip=ip)
    detect_sweep()
    case = Case.objects.get()
    assert case.client_ref == stuffing.client_ref and case.subject_id is None
    assert sorted(case.signals.values_list("rule", flat=True)) == sorted(
        [Rule.STUFFING_ADDRESS, Rule.CARD_TESTING_ADDRESS]
    )


def test_an_account_signal_joins_the_case_already_open_about_its_address():
    ip = "203.0.113.67"
    stuffing = streams.stuffing_from_one_address(ip=ip)
    detect_sweep()
    cards = streams.card_testing_on_account(ip=ip)
    detect_after_each(cards.events)
    case = Case.objects.get()
    assert case.client_ref == stuffing.client_ref
    assert set(case.signals.values_list("rule", flat=True)) == {
        Rule.STUFFING_ADDRESS,
        Rule.CARD_TESTING_ACCOUNT,
    }


# --- Settings: rules off, thresholds, windows ---------------------------------------------------


@pytest.mark.parametrize(
    "configure",
    [
        pytest.param(
            {"LUMEIRE_DETECTION_RULES": {"card_testing_account": {"enabled": False}}},
            id="enabled-false",
        ),
        pytest.param({"LUMEIRE_DETECTION_OFF": ("card_testing_account",)}, id="detection-off"),
        pytest.param(
            {"LUMEIRE_DETECTION_RULES": {"card_testing_account": {"threshold": 6}}},
            id="threshold-above-the-burst",
        ),
        pytest.param(
            {"LUMEIRE_DETECTION_RULES": {"card_testing_account": {"window_minutes": 10}}},
            id="window-shorter-than-the-burst",
        ),
    ],
)
def test_settings_silence_a_rule_and_leave_the_others(settings, configure):
    for name, value in configure.items():
        setattr(settings, name, value)
    cards = streams.card_testing_on_account()  # five declines over fifteen minutes
    recovery = streams.recovery_failures()
    detect_sweep()
    detect_after_each(cards.events)
    assert list(Signal.objects.values_list("rule", flat=True)) == [Rule.RECOVERY_FAILURES]
    assert Case.objects.get().subject_id == recovery.subject.pk


def test_a_threshold_of_one_fires_on_a_single_event(settings):
    single = streams.age_restricted(attempts=1)
    detect_sweep()
    assert not Signal.objects.exists()  # the default wants three refusals
    DetectionCursor.objects.all().delete()
    settings.LUMEIRE_DETECTION_RULES = {"age_restricted": {"threshold": 1, "score": 7}}
    detect_sweep()
    signal = Signal.objects.get()
    assert (signal.rule, signal.score, signal.subject_id) == (
        Rule.AGE_RESTRICTED,
        7,
        single.subject.pk,
    )


def test_new_account_thresholds_come_from_the_settings(settings):
    settings.LUMEIRE_DETECTION_RULES = {
        "order_velocity": {"new_account_threshold": 5, "new_account_value_threshold": "99999"}
    }
    streams.order_velocity("new_account")  # four orders: no longer enough
    detect_sweep()
    assert not Signal.objects.exists()
    settings.LUMEIRE_DETECTION_RULES = {"order_velocity": {"new_account_days": 1}}
    DetectionCursor.objects.all().delete()
    detect_sweep()  # the account is two days old: not new under this setting
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    "rules",
    [{"card_testing": {"threshold": 2}}, {"card_testing_account": {"treshold": 2}}],
    ids=["unknown-rule", "unknown-option"],
)
def test_unknown_names_in_the_settings_are_refused(settings, rules):
    settings.LUMEIRE_DETECTION_RULES = rules
    with pytest.raises(ValueError, match="card_testing"):
        active_rules()
    with pytest.raises(ValueError):
        detect_sweep()


# --- After an event: queued on commit, never inside the shopper's transaction --------------------


def test_detection_is_queued_on_commit_and_not_run_before(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            stream = streams.card_testing_on_account(emit=True)
        assert not Signal.objects.exists()
    assert len(callbacks) == len(stream.events)  # one queued task per event, nothing else
    assert not Case.objects.exists()
    for callback in callbacks:
        callback()
    assert Case.objects.get().subject_id == stream.subject.pk


def test_a_failed_sign_in_page_queues_detection_without_running_it(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    ran = []
    monkeypatch.setattr(
        detection, "detect_after_event", lambda source, pk: ran.append((source, pk))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/en/account/sign-in/",
            {"login": "nobody-here", "password": "not the password"},
            REMOTE_ADDR="203.0.113.80",
        )
    assert response.status_code == 400  # the form's error, answered at once
    assert ran == []  # the page answered before any detection ran
    for callback in callbacks:
        callback()
    event = SignInEvent.objects.get()
    assert ran == [("accounts.signinevent", str(event.pk))]


def test_a_successful_sign_in_queues_nothing(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    # Successful sign-ins feed no rule; a task for one would find nothing to look at.
    from lumeire.accounts.tests.factories import PASSWORD, make_customer

    make_customer(username="Hessa")
    ran = []
    monkeypatch.setattr(detection, "detect_after_event", lambda *args: ran.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/account/sign-in/",
            {"login": "Hessa", "password": PASSWORD},
            REMOTE_ADDR="203.0.113.81",
        )
        streams.recovery_failures(failures=1, emit=True)
    assert response.status_code == 302
    assert SignInEvent.objects.filter(outcome="success").count() == 1
    assert [source for source, _ in ran] == ["accounts.signinevent"]  # the recovery failure only


@pytest.mark.django_db(transaction=True)
def test_detection_runs_after_the_commit_outside_any_transaction(monkeypatch):
    seen = []
    real = detection.detect_after_event

    def spy(source, pk):
        seen.append(connection.in_atomic_block)
        return real(source, pk)

    monkeypatch.setattr(detection, "detect_after_event", spy)
    with transaction.atomic():
        stream = streams.card_testing_on_account(emit=True)
        assert seen == []
    assert seen == [False] * len(stream.events)
    assert Case.objects.get().subject_id == stream.subject.pk


def test_a_failure_to_queue_never_fails_the_event(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from types import SimpleNamespace

    from lumeire.compliance import tasks

    def broken(*args):
        raise RuntimeError("queue down")

    monkeypatch.setattr(
        tasks,
        "detect_event",
        SimpleNamespace(enqueue=broken, get_backend=tasks.detect_event.get_backend),
    )
    with django_capture_on_commit_callbacks(execute=True):
        stream = streams.recovery_failures(emit=True)
    assert len(stream.events) == 4 and not Case.objects.exists()
    assert "detection not queued" in caplog.text
    detect_sweep()  # the sweep finds what the task never saw
    assert Case.objects.get().subject_id == stream.subject.pk


# --- Windows: old events do not count; the edge does -------------------------------------------

FROZEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("way", ["sweep", "after_event"])
def test_events_older_than_the_window_do_not_count(way):
    with freeze_time(FROZEN):
        customer = streams.make_shoppers(1)[0]
        # Two wrong answers yesterday morning, one now: three, but not within 24 hours.
        old = streams.recovery_failures(
            customer=customer,
            failures=2,
            over=timedelta(minutes=5),
            end=FROZEN - timedelta(hours=25),
        )
        new = streams.recovery_failures(customer=customer, failures=1)
        if way == "sweep":
            detect_sweep()
        else:
            detect_after_each(old.events + new.events)
        assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("span", "fires"),
    [
        (timedelta(hours=24), True),  # first and last exactly a window apart: still inside
        (timedelta(hours=24, seconds=1), False),
        (timedelta(hours=23, minutes=59), True),
    ],
)
@pytest.mark.parametrize("way", ["sweep", "after_event"])
def test_events_at_the_edge_of_the_window(span, fires, way):
    with freeze_time(FROZEN):
        stream = streams.recovery_failures(failures=3, over=span)
        if way == "sweep":
            detect_sweep()
        else:
            detect_after_each(stream.events)
        assert Signal.objects.filter(rule=Rule.RECOVERY_FAILURES).exists() is fires


def test_a_sweep_reads_only_up_to_its_now_and_picks_up_the_rest_next_time():
    with freeze_time(FROZEN) as clock:
        stream = streams.card_testing_on_account(declines=5)
        # Move back before the last two declines: the sweep then sees three, one short.
        cut = FROZEN - timedelta(minutes=1) - timedelta(minutes=15) / 2
        assert detect_sweep(now=cut).signals == 0
        clock.tick(timedelta(minutes=1))
        assert detect_sweep().signals == 1
        assert {ref["id"] for ref in Signal.objects.get().event_refs} == {
            pk for _, pk in stream.events
        }


def test_with_a_real_queue_the_task_row_commits_or_rolls_back_with_its_event(settings):
    """The outbox: no second commit for the shopper, and no task for an event that never was."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from lumeire.accounts.models import SignInEvent

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = DBTaskResult.objects.filter(task_path="lumeire.compliance.tasks.detect_event")
    with transaction.atomic():
        event = SignInEvent.objects.create(outcome="failure", login_ref="a" * 64)
        assert queued.get().args_kwargs["args"] == ["accounts.signinevent", str(event.pk)]
    with pytest.raises(RuntimeError), transaction.atomic():
        SignInEvent.objects.create(outcome="failure", login_ref="b" * 64)
        raise RuntimeError("the sign-in failed further on")
    assert queued.count() == 1
    SignInEvent.objects.create(outcome="success", login_ref="c" * 64)
    assert queued.count() == 1  # no rule reads a successful sign-in
