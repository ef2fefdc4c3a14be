"""`manage.py create_staff`: the only door to a staff account, and it leaves nothing half-made."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.management.commands import create_staff
from lumeire.backoffice.services import CATALOGUE_MANAGER
from lumeire.backoffice.tests.factories import STAFF_PASSWORD
from lumeire.staff.errors import StaffError
from lumeire.staff.services import staff_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(tmp_path):
    def write(password: str):
        path = tmp_path / "password"
        path.write_text(password + "\n", encoding="utf-8")
        return path

    return write


def _found(username: str) -> User | None:
    index = User._meta.get_field("username_index").index_of(username)
    return User.objects.filter(username_index=index).first()


def test_command_opens_a_staff_account_in_the_group(password_file, capsys):
    call_command(
        "create_staff",
        username="noura.catalogue",
        email="noura@example.com",
        group=[CATALOGUE_MANAGER],
        password_file=password_file(STAFF_PASSWORD),
        interactive=False,
    )
    user = _found("noura.catalogue")
    assert user is not None
    assert (user.kind, user.is_staff, user.is_superuser, user.is_active) == (
        AccountKind.STAFF,
        True,
        False,
        True,
    )
    assert user.check_password(STAFF_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [CATALOGUE_MANAGER]
    assert user.has_perm("catalog.change_product")
    assert "Catalogue manager" in capsys.readouterr().out


def test_command_asks_for_the_password_twice(monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD])
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: next(answers))
    call_command(
        "create_staff", username="omar.staff", email="omar@example.com", group=[CATALOGUE_MANAGER]
    )
    assert _found("omar.staff").check_password(STAFF_PASSWORD)


def test_command_asks_what_is_missing(monkeypatch):
    replies = iter(["layla.staff", "layla@example.com", CATALOGUE_MANAGER])
    monkeypatch.setattr("builtins.input", lambda prompt: next(replies))
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: STAFF_PASSWORD)
    call_command("create_staff")
    user = _found("layla.staff")
    assert user.kind == AccountKind.STAFF
    assert list(user.groups.values_list("name", flat=True)) == [CATALOGUE_MANAGER]


def test_command_offers_the_seven_roles_and_takes_several_by_number(monkeypatch, capsys):
    replies = iter(["sara.staff", "sara@example.com", "Wizard, 9", "", "3, Legal counsel, 3"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(replies))
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: STAFF_PASSWORD)
    call_command("create_staff")
    output = capsys.readouterr()
    for number, name in enumerate(
        [
            "Owner",
            "Customer service",
            "Fulfilment",
            "Catalogue manager",
            "Compliance officer",
            "Legal counsel",
            "Analyst",
        ],
        start=1,
    ):
        assert f"  {number}. {name}" in output.out
    assert "Unknown role: Wizard, 9. Choose from the list." in output.err
    assert "Choose at least one role." in output.err
    user = _found("sara.staff")
    assert sorted(user.groups.values_list("name", flat=True)) == ["Fulfilment", "Legal counsel"]


def test_command_records_the_roles_given_in_the_audit_log(password_file):
    call_command(
        "create_staff",
        username="huda.staff",
        email="huda@example.com",
        group=["Compliance officer", "Analyst"],
        password_file=password_file(STAFF_PASSWORD),
        interactive=False,
    )
    user = _found("huda.staff")
    entry = AuditEntry.objects.get(action=AuditAction.ROLES_CHANGED)
    assert (entry.actor_kind, entry.actor_id) == ("system", None)
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(user.pk))
    assert entry.fields == ["groups"]
    assert entry.reason == "Compliance officer, Analyst"
    assert "huda" not in entry.reason


def test_unknown_role_is_refused_before_anything_is_asked_or_made(monkeypatch, password_file):
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: pytest.fail("asked"))
    with pytest.raises(CommandError) as refused:
        call_command("create_staff", username="x.staff", email="x@example.com", group=["Admin"])
    assert str(refused.value) == (
        "Unknown role: Admin. The roles are: Owner, Customer service, Fulfilment, "
        "Catalogue manager, Compliance officer, Legal counsel, Analyst. Nothing was created."
    )
    assert _found("x.staff") is None
    assert not AuditEntry.objects.exists()


def test_two_different_passwords_create_nothing(monkeypatch):
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD + "!"])
    monkeypatch.setattr(create_staff.getpass, "getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="The two passwords differ"):
        call_command("create_staff", username="typo.staff", email="typo@example.com", group=[])
    assert _found("typo.staff") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "password: This password is too short"),
        ("lumeire lumeire", "password:"),
        ("", "password: Choose a password."),
    ],
)
def test_weak_password_creates_nothing(password_file, password, message):
    users = User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command(
            "create_staff",
            username="weak.staff",
            email="weak@example.com",
            group=[CATALOGUE_MANAGER],
            password_file=password_file(password),
            interactive=False,
        )
    assert User.objects.count() == users


def test_unknown_group_creates_nothing(password_file):
    users = User.objects.count()
    with pytest.raises(CommandError, match=r"Unknown role: Catalog wizards\. The roles are"):
        call_command(
            "create_staff",
            username="lost.staff",
            email="lost@example.com",
            group=[CATALOGUE_MANAGER, "Catalog wizards"],
            password_file=password_file(STAFF_PASSWORD),
            interactive=False,
        )
    assert User.objects.count() == users
    assert Group.objects.get(name=CATALOGUE_MANAGER).user_set.count() == 0


def test_the_service_refuses_a_group_that_does_not_exist():
    with pytest.raises(StaffError) as refused:
        staff_create(
            username="lost.staff",
            email="lost@example.com",
            password=STAFF_PASSWORD,
            groups=["Catalog wizards"],
        )
    assert refused.value.field_errors == {"groups": ["No group is named Catalog wizards."]}
    assert _found("lost.staff") is None
    assert not AuditEntry.objects.exists()


def test_missing_values_without_a_terminal_are_refused(password_file):
    with pytest.raises(CommandError, match="Give --email"):
        call_command("create_staff", username="quiet.staff", interactive=False)
    with pytest.raises(CommandError, match="Give --group"):
        call_command(
            "create_staff", username="quiet.staff", email="quiet@example.com", interactive=False
        )
    with pytest.raises(CommandError, match="Give --password-file"):
        call_command(
            "create_staff",
            username="quiet.staff",
            email="quiet@example.com",
            group=[CATALOGUE_MANAGER],
            interactive=False,
        )
    assert _found("quiet.staff") is None


def test_unreadable_password_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the password file"):
        call_command(
            "create_staff",
            username="file.staff",
            email="file@example.com",
            group=[CATALOGUE_MANAGER],
            password_file=tmp_path / "missing",
            interactive=False,
        )


def test_there_is_no_password_option():
    with pytest.raises(CommandError, match="unrecognized arguments: --password"):
        call_command("create_staff", "--password", STAFF_PASSWORD)


def test_a_customer_email_or_a_taken_username_cannot_open_a_staff_account():
    customer = make_customer()
    with pytest.raises(StaffError) as refused:
        staff_create(
            username=customer.username,
            email=customer.email.upper(),
            password=STAFF_PASSWORD,
            groups=[],
        )
    assert set(refused.value.field_errors) == {"username", "email"}
    customer.refresh_from_db()
    assert customer.kind == AccountKind.CUSTOMER
    assert User.objects.filter(kind=AccountKind.STAFF).count() == 0


def test_bad_username_and_email_are_refused_together():
    with pytest.raises(StaffError) as refused:
        staff_create(username="a", email="not-an-email", password=STAFF_PASSWORD, groups=[])
    assert set(refused.value.field_errors) == {"username", "email"}
    assert not User.objects.exists()


def test_the_back_office_re_exports_the_staff_service():
    from lumeire.backoffice import services

    assert services.staff_create is staff_create
    assert services.StaffError is StaffError
