"""Every spelling the login lookup accepts counts toward the same account's lock.

The attack: failures were counted by the login as typed while the lookup ignored spaces, so
``ca rol@…``, ``car ol@…`` each started a fresh counter and reached the same account, and the
username and the email were counted apart. Here every spelling the lookup accepts (spaces of any
kind inserted, case, full-width letters, zero-width and direction marks, Arabic-Indic digits),
the username and the email, count on one counter: on the web, the API and the back office, and
for the recovery emails (5 an hour per account).
"""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lumeire.accounts.lockout import attempt_ref
from lumeire.accounts.models import SignInEvent, User
from lumeire.accounts.normalization import normalize_login
from lumeire.accounts.pseudonyms import account_ref, login_ref
from lumeire.accounts.selectors import user_by_login
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.staff.services import staff_create

pytestmark = pytest.mark.django_db

WRONG = "not the password at all, sorry"
STAFF_PASSWORD = "a staff passphrase nobody guesses"
LOCK_MESSAGE = re.compile(r"Too many failed sign-ins\. Try again in \d+ minutes?\.")
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202e"]
SPACES = [" ", "\u00a0", "\t", "\u3000", "\u2009", "\u202f"]
ARABIC_DIGITS = {str(d): chr(0x0660 + d) for d in range(10)}


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


# One spelling of each kind the lookup accepts, for the attack tests below.
SPELLINGS = {
    "space inside": lambda login: login[:3] + " " + login[3:],
    "spaces around": lambda login: f"  {login}\t",
    "capitals": str.upper,
    "full-width": full_width,
    "no-break space": lambda login: login[:2] + "\u00a0" + login[2:],
    "zero-width": lambda login: login[:4] + "\u200b" + login[4:],
    "direction mark": lambda login: "\u200e" + login,
    "arabic digits": lambda login: "".join(ARABIC_DIGITS.get(ch, ch) for ch in login),
}


@st.composite
def spellings(draw, login: str) -> str:
    """A spelling of ``login`` the lookup treats as the same login."""
    out = []
    for ch in login:
        if draw(st.booleans()) and draw(st.booleans()):
            out.append(draw(st.sampled_from(SPACES + INVISIBLE)))
        form = draw(st.sampled_from(["same", "upper", "wide", "arabic"]))
        if form == "upper":
            ch = ch.upper()
        elif form == "wide":
            ch = full_width(ch)
        elif form == "arabic":
            ch = ARABIC_DIGITS.get(ch, ch)
        out.append(ch)
    return "".join(out)


@pytest.fixture
def carol() -> User:
    return make_customer(username="carol_77", email="carol@example.org")


@hypothesis_settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_spelling_the_lookup_accepts_reaches_the_account_and_its_one_counter(data, carol):
    which = data.draw(st.sampled_from(["carol_77", "carol@example.org"]))
    spelling = data.draw(spellings(which))

    assert user_by_login(spelling) == carol
    assert attempt_ref(spelling) == account_ref(carol.pk)


@hypothesis_settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_an_unknown_login_counts_by_its_normalised_form_whatever_the_spelling(data):
    spelling = data.draw(spellings("nobody_42@example.net"))

    assert user_by_login(spelling) is None
    assert attempt_ref(spelling) == login_ref("nobody_42@example.net")
    assert normalize_login(spelling) == "nobody_42@example.net"


def _web(login: str, password: str, address: str):
    return Client().post(
        "/en/account/sign-in/", {"login": login, "password": password}, REMOTE_ADDR=address
    )


def _api(login: str, password: str, address: str):
    return Client().post(
        "/api/v1/accounts/signin",
        data=json.dumps({"login": login, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def _mixed_spellings(user: User) -> list[str]:
    """Five different spellings, username and email alternating, as an attacker would send."""
    logins = [user.username, str(user.email)]
    kinds = list(SPELLINGS.values())
    return [kinds[i % len(kinds)](logins[i % 2]) for i in range(5)]


@pytest.mark.parametrize("send", [_web, _api], ids=["web", "api"])
def test_five_failures_in_five_spellings_from_five_addresses_lock_the_account(send, carol):
    for number, spelling in enumerate(_mixed_spellings(carol)):
        refused = send(spelling, WRONG, f"198.51.100.{number + 1}")
        # Wrong password four times; the fifth failure itself reaches the lock.
        assert refused.status_code == (429 if number == 4 else 400 if send is _web else 401)

    locked = send("carol_77", PASSWORD, "203.0.113.99")

    assert locked.status_code == 429
    assert send("CAROL@example.org", PASSWORD, "203.0.113.98").status_code == 429
    # The failures were counted on the account, not on five strings.
    refs = set(SignInEvent.objects.values_list("login_ref", flat=True))
    assert refs == {account_ref(carol.pk)}


@pytest.mark.parametrize("name", list(SPELLINGS))
def test_each_kind_of_spelling_alone_adds_to_the_same_lock(name, carol):
    spell = SPELLINGS[name]
    for number in range(4):
        assert _web("carol_77", WRONG, f"198.51.100.{number + 1}").status_code == 400
    # The fifth failure comes in this spelling; it must be the one that locks.
    assert _api(spell("carol@example.org"), WRONG, "198.51.100.20").status_code in (401, 429)

    assert _web("carol_77", PASSWORD, "203.0.113.99").status_code == 429


def test_a_good_sign_in_by_email_clears_the_accounts_one_counter_and_no_other_login(carol):
    make_customer(username="dina_9", email="dina@example.org")
    for number in range(4):
        _web("carol_77", WRONG, f"198.51.100.{number + 1}")
        _web("dina_9", WRONG, f"198.51.100.{number + 11}")
        _web("ghost_user", WRONG, f"198.51.100.{number + 21}")

    assert _web(" CAROL@example.org", PASSWORD, "203.0.113.5").status_code == 302

    # Carol's one counter is clear: four more failures do not lock her ...
    for number in range(4):
        assert _web("car ol_77", WRONG, f"198.51.100.{number + 31}").status_code == 400
    assert _web("carol_77", PASSWORD, "203.0.113.6").status_code == 302
    # ... and Dina's and the unknown login's failures were not cleared with it.
    assert _web("DINA@example.org", WRONG, "198.51.100.41").status_code in (400, 429)
    assert _web("dina_9", PASSWORD, "203.0.113.7").status_code == 429
    assert _web("ghost_user", WRONG, "198.51.100.42").status_code in (400, 429)
    assert _web("GHOST_USER ", WRONG, "198.51.100.43").status_code == 429


def test_unknown_logins_lock_too_and_say_the_same_as_a_known_one(carol):
    for number, spelling in enumerate(["gh ost@x.org", "GHOST@x.org", "ghost@x.org\u200b"] * 2):
        _web(spelling, WRONG, f"198.51.100.{number + 1}")
        _web(_mixed_spellings(carol)[number % 5], WRONG, f"198.51.100.{number + 51}")

    unknown = _web("ghost@x.org", WRONG, "203.0.113.1")
    known = _web("carol_77", WRONG, "203.0.113.2")

    assert unknown.status_code == known.status_code == 429
    assert LOCK_MESSAGE.findall(unknown.content.decode()) == LOCK_MESSAGE.findall(
        known.content.decode()
    )
    assert LOCK_MESSAGE.findall(known.content.decode())


def test_the_back_office_counts_staff_failures_per_account_whatever_the_spelling():
    staff = staff_create(username="sara_ops", email="sara.ops@example.com", password=STAFF_PASSWORD)
    spellings_ = [
        "SARA_OPS",
        "sara _ops",
        full_width(str(staff.email)),
        "sara_ops\u200d",
        f" {str(staff.email).upper()} ",
    ]
    for number, spelling in enumerate(spellings_):
        refused = Client().post(
            "/backoffice/login/",
            {"login": spelling, "password": WRONG, "code": "", "next": ""},
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
        assert refused.status_code in (400, 429), spelling

    locked = Client().post(
        "/backoffice/login/",
        {"login": "sara_ops", "password": STAFF_PASSWORD, "code": "", "next": ""},
        REMOTE_ADDR="203.0.113.50",
    )

    assert locked.status_code == 429


def test_the_recovery_limit_is_five_emails_an_hour_per_account_whatever_the_spelling(carol):
    mail.outbox.clear()
    answers = set()
    for number, spelling in enumerate(
        [
            "ca rol@example.org",
            "car ol@example.org",
            "CAROL_77",
            full_width("carol_77"),
            "carol\u200b@example.org",
            "carol@example.org\u00a0",
            " carol_77",
            "c arol_77",
        ]
    ):
        response = Client().post(
            "/en/account/forgot/", {"login": spelling}, REMOTE_ADDR=f"198.51.100.{number + 1}"
        )
        answers.add((response.status_code, response["Location"]))
        api = Client().post(
            "/api/v1/accounts/password-recovery",
            data=json.dumps({"login": spelling}),
            content_type="application/json",
            REMOTE_ADDR=f"198.51.100.{number + 101}",
        )
        answers.add((api.status_code, api.content))

    assert len(mail.outbox) == 5
    assert all(message.to == ["carol@example.org"] for message in mail.outbox)
    assert len(answers) == 2, "past the limit the answers do not change"
