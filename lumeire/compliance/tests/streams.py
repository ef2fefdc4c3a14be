"""Synthetic event streams for the detection tests, written through the ORM.

``ordinary_day`` writes a day of ordinary traffic for generated customers: a few sign-ins each,
some typos, orders of ordinary value paid by card or on delivery, now and then one declined card,
an age refusal for a few under-age customers. Each other function plants one burst built to
trigger one rule and returns a ``Stream``: the rule, whom the case must be about, and the rows
written (as ``(source, pk)`` in time order, for ``detect_after_event``).

Rows go in with ``bulk_create``, which fires no ``post_save``: no detection is queued, and the
test runs ``detect_sweep`` or ``detect_after_event`` itself. ``emit=True`` saves them one by one
as the store does, so each queues its detection on commit. Customers are made directly (no
password hashing), except where the real sign-up service is the point (the identity conflicts).

Times: a stream's events end a minute before ``end`` (default: now), so a sweep up to now
reads them all.
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    AccountKind,
    Customer,
    SignInEvent,
    SignInOutcome,
    SignupConflict,
    SignupConflictKind,
    TakenDetailKind,
    TakenDetailsAttempt,
    User,
)
from lumeire.accounts.pseudonyms import client_ref, login_ref
from lumeire.accounts.tests.factories import identity_number, open_account, sign_up_data
from lumeire.checkout.models import AgeRestrictionRefusal, PaymentAttempt
from lumeire.compliance.models import Rule
from lumeire.core.money import round_money, vat_on
from lumeire.orders.models import InvoiceSequence, Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.orders.services import new_order_number

EventKey = tuple[str, str]  # (source name, primary key as text), as detect_after_event takes
_serial = itertools.count(1)
# Identity numbers of generated customers start with 2 (residents), clear of make_customer's.
_IDENTITY_BASE = 30_000_000
SHIPPING = Decimal("21.74")
CITIES = ("Riyadh", "Jeddah", "Dammam", "Mecca", "Medina", "Khobar", "Abha", "Tabuk")
# First octets of the generated customers' addresses; the planted bursts use the documentation
# ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), so the two never meet.
HOME_NETWORKS = (37, 46, 51, 78, 94, 176, 188, 212)


@dataclass
class Stream:
    """One planted burst: the rule it must trigger and whom the case must be about."""

    rule: Rule
    subject: User | None = None  # the account the case is about, or None for an address case
    client_ref: str = ""  # the address the case is about (address cases only)
    events: list[EventKey] = field(default_factory=list)


@dataclass
class Day:
    """An ordinary day's traffic: its customers and every row written, by source."""

    customers: list[User]
    events: list[EventKey] = field(default_factory=list)

    def count(self, source: str) -> int:
        return sum(1 for name, _ in self.events if name == source)


def _key(row: models.Model) -> EventKey:
    return (row._meta.label_lower, str(row.pk))


def _insert(rows: Sequence[models.Model], *, emit: bool) -> list[EventKey]:
    """Write the rows: in bulk (no post_save), or one by one as the store does (``emit``)."""
    if not rows:
        return []
    if emit:
        for row in rows:
            row.save()
    else:
        type(rows[0]).objects.bulk_create(rows, batch_size=500)
    return [_key(row) for row in rows]


def _end(end: datetime | None) -> datetime:
    return (end or timezone.now()) - timedelta(minutes=1)


# --- Customers -----------------------------------------------------------------------------------


def make_shoppers(
    count: int,
    *,
    joined_days_ago: Iterable[float] | float = 400,
    born: Sequence[date] | date | None = None,
    now: datetime | None = None,
) -> list[User]:
    """``count`` customer accounts with profiles, written in bulk and without password hashing.

    They cannot sign in (unusable passwords); the events name them, which is all detection reads.
    """
    now = now or timezone.now()
    joined = (
        itertools.repeat(joined_days_ago)
        if isinstance(joined_days_ago, int | float)
        else iter(joined_days_ago)
    )
    births = (
        iter(born)
        if isinstance(born, list | tuple)
        else itertools.repeat(born or date(1988, 3, 14))
    )
    unusable = make_password(None)
    users, profiles = [], []
    for _ in range(count):
        serial = next(_serial)
        user = User(
            kind=AccountKind.CUSTOMER,
            username=f"shopper{serial}",
            email=f"shopper{serial}@example.net",
            password=unusable,
            date_joined=now - timedelta(days=next(joined)),
        )
        users.append(user)
        profiles.append(
            Customer(
                user=user,
                full_name=f"Generated Shopper {serial}",
                date_of_birth=next(births),
                identity_number=identity_number(_IDENTITY_BASE + serial, first_digit="2"),
                recovery_question="first_school",
                recovery_answer_hash=unusable,
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    Customer.objects.bulk_create(profiles, batch_size=500)
    return users


def under_age_birth_date(years: int = 16) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years)


def login_of(user: User) -> str:
    """What the customer types to sign in (the username)."""
    return str(user.username)


def address(prefix: str, number: int) -> str:
    """An address in one of the documentation ranges, for the planted bursts."""
    return f"{prefix}.{number % 254 + 1}"


# --- Event rows ----------------------------------------------------------------------------------


def _sign_in(
    at: datetime,
    outcome: str,
    *,
    login: str,
    ip: str,
    user: User | None = None,
    channel: str = "web",
) -> SignInEvent:
    # As the sign-in service records them: a failed password names no account.
    return SignInEvent(
        at=at,
        outcome=outcome,
        user=user,
        login_ref=login_ref(login),
        client_ref=client_ref(ip),
        channel=channel,
    )


def _payment(at: datetime, customer: User, amount: Decimal, *, approved: bool, ip: str):
    return PaymentAttempt(
        at=at, customer=customer, approved=approved, amount=amount, client_hash=client_ref(ip)
    )


def _invoice_numbers(count: int) -> list[str]:
    """A block of the year's gap-free invoice numbers, taken at once."""
    year = timezone.localdate().year
    InvoiceSequence.objects.get_or_create(year=year)
    with transaction.atomic():
        sequence = InvoiceSequence.objects.select_for_update().get(year=year)
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return [f"INV-{year}-{number:06d}" for number in range(first, first + count)]


def _orders(specs: Sequence[tuple[User, datetime, Decimal, str]], *, emit: bool) -> list[EventKey]:
    """Orders with valid totals, one per ``(customer, placed_at, net of the lines, payment)``.

    No lines or stock: detection reads the order's customer, time and total only.
    """
    numbers = _invoice_numbers(len(specs))
    rows = []
    for (customer, at, net, payment), invoice in zip(specs, numbers, strict=True):
        net = round_money(net)
        shipping_vat = vat_on(SHIPPING)
        vat = vat_on(net) + shipping_vat
        card = payment == PaymentMethod.CARD
        rows.append(
            Order(
                number=new_order_number(),
                customer=customer,
                currency=settings.LUMEIRE_CURRENCY,
                subtotal=net,
                shipping=SHIPPING,
                shipping_vat=shipping_vat,
                vat=vat,
                total=net + SHIPPING + vat,
                shipping_method_code="standard",
                shipping_method_name_en="Standard delivery",
                shipping_method_name_ar="توصيل عادي",
                payment_method=payment,
                status=OrderStatus.PAID if card else OrderStatus.PENDING_PAYMENT,
                payment_status=PaymentStatus.CAPTURED if card else PaymentStatus.DUE_ON_DELIVERY,
                payment_gateway="test" if card else "",
                payment_reference=f"auth_{secrets.token_hex(8)}" if card else "",
                card_token=f"tok_{secrets.token_hex(8)}" if card else "",
                card_brand="visa" if card else "",
                card_last4="4242" if card else "",
                invoice_number=invoice,
                placed_at=at,
                full_name=f"Generated Shopper {customer.pk.hex[:6]}",
                phone="+966501234567",
                city=CITIES[customer.pk.int % len(CITIES)],
                district="Al Olaya",
                street="King Fahd Road",
                building=str(customer.pk.int % 90 + 1),
                postal_code="12211",
                country="SA",
            )
        )
    return _insert(rows, emit=emit)


def gross(net: Decimal) -> Decimal:
    """The total an order of ``net`` comes to with the standard shipping and VAT."""
    net = round_money(net)
    return net + SHIPPING + vat_on(net) + vat_on(SHIPPING)


# --- An ordinary day ---------------------------------------------------------------------------


def ordinary_day(
    customers: int = 200, seed: int = 8, *, end: datetime | None = None, emit: bool = False
) -> Day:
    """A day of ordinary traffic for ``customers`` generated customers, ending at ``end``.

    Each customer signs in one to four times (one in eight mistypes the password once or twice
    first), half order nothing, the rest one or two orders of 35 to 1,200 SAR, paid by card (an
    approved authorisation, one in twenty after a single declined card) or on delivery. A few
    under-age customers are refused an age-restricted product once, a few get a recovery answer
    or a two-factor code wrong once, two sign-ups meet a taken email, and strangers mistype
    logins that do not exist. Some customers share an office address, three at most.
    """
    rng = random.Random(seed)
    stop = _end(end)
    start = stop - timedelta(hours=24) + timedelta(minutes=2)
    under_age = max(1, customers // 50)
    joined = [
        rng.uniform(0.5, 6) if rng.random() < 0.15 else rng.uniform(8, 900)
        for _ in range(customers)
    ]
    births = [
        under_age_birth_date(rng.choice((15, 16, 17)))
        if index < under_age
        else date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28))
        for index in range(customers)
    ]
    people = make_shoppers(customers, joined_days_ago=joined, born=births, now=stop)
    day = Day(customers=people)

    def moment() -> datetime:
        return start + timedelta(seconds=rng.uniform(0, (stop - start).total_seconds() - 120))

    def network_address() -> str:
        return ".".join(
            [str(rng.choice(HOME_NETWORKS))] + [str(rng.randint(0, 255)) for _ in range(3)]
        )

    homes = [network_address() for _ in people]
    for _ in range(customers // 10):  # colleagues behind one office address, three at most
        shared = network_address()
        for index in rng.sample(range(customers), 3):
            homes[index] = shared
    mobiles = [network_address() for _ in people]

    sign_ins: list[SignInEvent] = []
    payments: list[PaymentAttempt] = []
    orders: list[tuple[User, datetime, Decimal, str]] = []
    refusals: list[AgeRestrictionRefusal] = []
    for index, person in enumerate(people):
        login = login_of(person) if rng.random() < 0.7 else str(person.email)
        for _ in range(rng.randint(1, 4)):
            at = moment()
            ip = mobiles[index] if rng.random() < 0.3 else homes[index]
            if rng.random() < 0.125:
                for typo in range(rng.randint(1, 2), 0, -1):
                    sign_ins.append(
                        _sign_in(at - timedelta(seconds=25 * typo), "failure", login=login, ip=ip)
                    )
            if rng.random() < 0.02:
                sign_ins.append(
                    _sign_in(
                        at - timedelta(seconds=15),
                        SignInOutcome.TWO_FACTOR_FAILURE,
                        login=login,
                        ip=ip,
                        user=person,
                    )
                )
            sign_ins.append(_sign_in(at, SignInOutcome.SUCCESS, login=login, ip=ip, user=person))
        for _ in range(rng.choices((0, 1, 2), weights=(50, 35, 15))[0]):
            at = moment()
            net = Decimal(str(round(rng.uniform(35, 1200), 2)))
            card = rng.random() < 0.6
            if card:
                if rng.random() < 0.05:
                    payments.append(
                        _payment(
                            at - timedelta(seconds=90),
                            person,
                            gross(net),
                            approved=False,
                            ip=homes[index],
                        )
                    )
                payments.append(
                    _payment(
                        at - timedelta(seconds=2),
                        person,
                        gross(net),
                        approved=True,
                        ip=homes[index],
                    )
                )
            orders.append(
                (person, at, net, PaymentMethod.CARD if card else PaymentMethod.CASH_ON_DELIVERY)
            )
        if index < under_age:
            refusals.append(AgeRestrictionRefusal(at=moment(), customer=person, required_age=18))
    for person in rng.sample(people, min(3, customers)):
        at = moment()
        sign_ins.append(
            _sign_in(
                at,
                SignInOutcome.RECOVERY_ANSWER_FAILURE,
                login=login_of(person),
                ip=homes[people.index(person)],
                user=person,
                channel="recovery",
            )
        )
    for stranger in range(max(2, customers // 15)):
        sign_ins.append(
            _sign_in(
                moment(), "failure", login=f"no-such-login-{seed}-{stranger}", ip=network_address()
            )
        )
    conflicts = [
        SignupConflict(
            at=moment(),
            kind=SignupConflictKind.EMAIL,
            existing_user=person,
            index_ref=person.email_index,
            client_ref=client_ref(network_address()),
        )
        for person in rng.sample(people, min(2, customers))
    ]
    for rows in (sign_ins, payments, refusals, conflicts):
        rows.sort(key=lambda row: row.at)
        day.events += _insert(rows, emit=emit)
    orders.sort(key=lambda spec: spec[1])
    day.events += _orders(orders, emit=emit)
    return day


# --- One burst per rule --------------------------------------------------------------------------


def _spread(stop: datetime, count: int, over: timedelta) -> list[datetime]:
    """``count`` moments evenly over ``over``, the last at ``stop``."""
    if count == 1:
        return [stop]
    step = over / (count - 1)
    return [stop - over + step * number for number in range(count)]


def stuffing_from_one_address(
    *, end: datetime | None = None, ip: str = "203.0.113.50", logins: int = 12, emit: bool = False
) -> Stream:
    """Wrong passwords for a dozen logins from one address within six minutes, the last ones
    refused by the lockout; a few logins exist, most do not."""
    stop = _end(end)
    victims = make_shoppers(3)
    typed = [login_of(user) for user in victims] + [
        f"guess{next(_serial)}" for _ in range(logins - len(victims))
    ]
    rows = [
        _sign_in(
            at,
            SignInOutcome.LOCKED_OUT if number >= logins - 2 else SignInOutcome.FAILURE,
            login=login,
            ip=ip,
        )
        for number, (at, login) in enumerate(
            zip(_spread(stop, logins, timedelta(minutes=6)), typed, strict=True)
        )
    ]
    return Stream(Rule.STUFFING_ADDRESS, client_ref=client_ref(ip), events=_insert(rows, emit=emit))


def stuffing_on_one_account(
    *,
    end: datetime | None = None,
    customer: User | None = None,
    addresses: int = 6,
    emit: bool = False,
) -> Stream:
    """One account's password tried from six addresses within forty minutes. The customer signed
    in from home the day before, which is how detection knows whose login it is."""
    stop = _end(end)
    customer = customer or make_shoppers(1)[0]
    login = login_of(customer)
    home = _sign_in(
        stop - timedelta(days=1), SignInOutcome.SUCCESS, login=login, ip="192.0.2.10", user=customer
    )
    attempts = [
        _sign_in(at, SignInOutcome.FAILURE, login=login, ip=address("198.51.100", 60 + number))
        for number, at in enumerate(_spread(stop, addresses, timedelta(minutes=40)))
    ]
    _insert([home], emit=emit)
    return Stream(Rule.STUFFING_ACCOUNT, subject=customer, events=_insert(attempts, emit=emit))


def card_testing_on_account(
    *,
    end: datetime | None = None,
    customer: User | None = None,
    ip: str = "203.0.113.20",
    declines: int = 5,
    over: timedelta = timedelta(minutes=15),
    emit: bool = False,
) -> Stream:
    """Five small authorisations declined on one account within fifteen minutes."""
    stop = _end(end)
    customer = customer or make_shoppers(1)[0]
    rows = [
        _payment(at, customer, Decimal(f"{number + 1}.00"), approved=False, ip=ip)
        for number, at in enumerate(_spread(stop, declines, over))
    ]
    return Stream(Rule.CARD_TESTING_ACCOUNT, subject=customer, events=_insert(rows, emit=emit))


def card_testing_from_one_address(
    *, end: datetime | None = None, ip: str = "203.0.113.30", accounts: int = 8, emit: bool = False
) -> Stream:
    """Eight new accounts, one declined card each, all from one address within twenty minutes."""
    stop = _end(end)
    shoppers = make_shoppers(accounts, joined_days_ago=0.1)
    rows = [
        _payment(at, shopper, Decimal("1.00"), approved=False, ip=ip)
        for shopper, at in zip(
            shoppers, _spread(stop, accounts, timedelta(minutes=20)), strict=True
        )
    ]
    return Stream(
        Rule.CARD_TESTING_ADDRESS, client_ref=client_ref(ip), events=_insert(rows, emit=emit)
    )


def shared_identity(*, attempts: int = 2, ip: str = "198.51.100.77") -> Stream:
    """Two sign-ups through the real sign-up service and its emailed link with the identity
    number of an existing customer: opening the link writes the conflict rows (and queues their
    detection on commit)."""
    holder = make_shoppers(1)[0]
    number = Customer.objects.get(user=holder).identity_number
    before = set(SignupConflict.objects.values_list("pk", flat=True))
    for _ in range(attempts):
        try:
            open_account(sign_up_data(identity_number=str(number)), client_address=ip)
        except AccountError as refused:
            assert refused.code == AccountErrorCode.DETAILS_TAKEN
        else:
            raise AssertionError("the sign-up should have met the existing identity number")
    rows = SignupConflict.objects.exclude(pk__in=before).order_by("at", "pk")
    assert {row.kind for row in rows} == {SignupConflictKind.IDENTITY_NUMBER}
    return Stream(Rule.SHARED_IDENTITY, subject=holder, events=[_key(row) for row in rows])


def details_probing(
    *,
    end: datetime | None = None,
    ip: str = "203.0.113.60",
    attempts: int = 4,
    over: timedelta = timedelta(minutes=40),
    emit: bool = False,
) -> Stream:
    """Four sign-ups from one address within forty minutes, each naming an email, username or
    identity number another account holds (as the sign-up service records them)."""
    stop = _end(end)
    kinds = itertools.cycle(
        [
            TakenDetailKind.SIGN_UP_EMAIL,
            TakenDetailKind.SIGN_UP_IDENTITY_NUMBER,
            TakenDetailKind.SIGN_UP_USERNAME,
        ]
    )
    rows = [
        TakenDetailsAttempt(at=at, kind=kind, client_ref=client_ref(ip))
        for at, kind in zip(_spread(stop, attempts, over), kinds, strict=False)
    ]
    return Stream(Rule.DETAILS_PROBING, client_ref=client_ref(ip), events=_insert(rows, emit=emit))


def order_velocity(
    kind: str = "count",
    *,
    end: datetime | None = None,
    customer: User | None = None,
    emit: bool = False,
) -> Stream:
    """Orders beyond the velocity setting within a day:

    ``count``: nine ordinary orders in six hours on an established account;
    ``value``: two orders of 12,000 SAR on an established account;
    ``new_account``: four orders of 300 SAR in three hours on an account opened two days ago.
    """
    stop = _end(end)
    shapes = {
        "count": (400, 9, Decimal("300"), timedelta(hours=6)),
        "value": (400, 2, Decimal("12000"), timedelta(hours=3)),
        "new_account": (2, 4, Decimal("300"), timedelta(hours=3)),
    }
    joined, count, net, over = shapes[kind]
    customer = customer or make_shoppers(1, joined_days_ago=joined)[0]
    specs = [(customer, at, net, PaymentMethod.CARD) for at in _spread(stop, count, over)]
    payments = [
        _payment(at - timedelta(seconds=2), customer, gross(net), approved=True, ip="192.0.2.40")
        for _, at, _, _ in specs
    ]
    _insert(payments, emit=emit)
    return Stream(Rule.ORDER_VELOCITY, subject=customer, events=_orders(specs, emit=emit))


def age_restricted(
    *,
    end: datetime | None = None,
    customer: User | None = None,
    attempts: int = 3,
    over: timedelta = timedelta(days=2),
    emit: bool = False,
) -> Stream:
    """An under-age customer refused an age-restricted product three times in two days."""
    stop = _end(end)
    customer = customer or make_shoppers(1, born=under_age_birth_date(16))[0]
    rows = [
        AgeRestrictionRefusal(at=at, customer=customer, required_age=18)
        for at in _spread(stop, attempts, over)
    ]
    return Stream(Rule.AGE_RESTRICTED, subject=customer, events=_insert(rows, emit=emit))


def recovery_failures(
    *,
    end: datetime | None = None,
    customer: User | None = None,
    failures: int = 4,
    over: timedelta = timedelta(hours=3),
    ip: str = "198.51.100.90",
    emit: bool = False,
) -> Stream:
    """Wrong recovery answers on one account: four within three hours (two recovery links)."""
    stop = _end(end)
    customer = customer or make_shoppers(1)[0]
    rows = [
        _sign_in(
            at,
            SignInOutcome.RECOVERY_ANSWER_FAILURE,
            login=login_of(customer),
            ip=ip,
            user=customer,
            channel="recovery",
        )
        for at in _spread(stop, failures, over)
    ]
    return Stream(Rule.RECOVERY_FAILURES, subject=customer, events=_insert(rows, emit=emit))


# Every rule's stream, by rule, with defaults that trigger it and nothing else.
RULE_STREAMS = {
    Rule.STUFFING_ADDRESS: stuffing_from_one_address,
    Rule.STUFFING_ACCOUNT: stuffing_on_one_account,
    Rule.CARD_TESTING_ACCOUNT: card_testing_on_account,
    Rule.CARD_TESTING_ADDRESS: card_testing_from_one_address,
    Rule.SHARED_IDENTITY: shared_identity,
    Rule.ORDER_VELOCITY: order_velocity,
    Rule.AGE_RESTRICTED: age_restricted,
    Rule.RECOVERY_FAILURES: recovery_failures,
    Rule.DETAILS_PROBING: details_probing,
}
