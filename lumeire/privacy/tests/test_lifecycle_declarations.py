"""Each app declares how its own rows are erased and purged, next to their personal data; the
privacy centre walks the declarations and never reaches into another app's tables by name."""

from __future__ import annotations

import ast
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from lumeire.privacy.retention import purge_expired, retention_rows, retention_table
from lumeire.vault.inventory import Category, PersonalData, Retention
from lumeire.vault.lifecycle import (
    Erasure,
    OnErasure,
    Purge,
    erasure_declarations,
    erasure_of,
    holds_personal_data,
    lifecycle_problems,
    purge_declarations,
    purges_of,
    undeclared_lifecycles,
)

PRIVACY = Path(__file__).resolve().parent.parent


def test_every_model_holding_personal_data_declares_its_erasure_and_retention():
    assert undeclared_lifecycles() == []
    assert lifecycle_problems() == []


def test_the_declarations_cover_every_link_to_an_account():
    user_model = get_user_model()
    linked = {
        model
        for model, _erasure in erasure_declarations()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model
    }
    assert linked, "no model links to an account: the walk would find nothing"
    for model in linked:
        assert erasure_of(model) is not None and purges_of(model) is not None, model


@isolate_apps("lumeire.vault.tests.sample")
def test_a_model_with_personal_data_and_no_declaration_is_named():
    class Undeclared(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        personal_data = {
            "owner": PersonalData(Category.IDENTITY, "testing", Retention(after="never"))
        }

        class Meta:
            app_label = "vault_sample"

    class HalfDeclared(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        erasure = Erasure(OnErasure.DELETE, subject="owner")

        class Meta:
            app_label = "vault_sample"

    assert holds_personal_data(Undeclared) and holds_personal_data(HalfDeclared)
    assert undeclared_lifecycles([Undeclared, HalfDeclared]) == [
        "vault_sample.Undeclared (erasure)",
        "vault_sample.Undeclared (purges)",
        "vault_sample.HalfDeclared (purges)",
    ]


@isolate_apps("lumeire.vault.tests.sample")
def test_declarations_that_cannot_work_are_refused_at_start_up():
    class Broken(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        at = models.DateTimeField()
        erasure = Erasure(OnErasure.ANONYMISE, subject="nobody", blank={"missing": ""})
        purges = (
            Purge("broken", after="later", older_than=("when",), period=timedelta(days=1)),
            Purge("no_period", after="later", older_than=("at",)),
        )

        class Meta:
            app_label = "vault_sample"

    class ReachesElsewhere(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        # Another app's function: the privacy centre's, not this app's own service.
        erasure = Erasure("lumeire.privacy.erasure.erasure_replay")
        purges = (Purge("elsewhere", after="later", hook="lumeire.exports.services.nothing"),)

        class Meta:
            app_label = "vault_sample"

    class KeptWithoutReason(models.Model):
        owner = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
        erasure = Erasure(OnErasure.RETAIN)
        purges = ()

        class Meta:
            app_label = "vault_sample"

    problems = lifecycle_problems([Broken, ReachesElsewhere, KeptWithoutReason])

    assert problems == [
        ("vault.E013", "vault_sample.Broken: erasure subject 'nobody' is no field."),
        ("vault.E013", "vault_sample.Broken: erasure blanks 'missing', which is no field."),
        (
            "vault.E013",
            "vault_sample.ReachesElsewhere: erasure 'lumeire.privacy.erasure.erasure_replay' is no "
            "function of the model's own app.",
        ),
        (
            "vault.E013",
            "vault_sample.KeptWithoutReason: erasure retain needs the reason rows are kept.",
        ),
        ("vault.E014", "vault_sample.Broken: purge 'broken' reads 'when', no field."),
        ("vault.E014", "vault_sample.Broken: purge 'no_period' has no period."),
        (
            "vault.E014",
            "vault_sample.ReachesElsewhere: purge hook 'lumeire.exports.services.nothing' is no "
            "function of the model's own app.",
        ),
    ]


@pytest.mark.django_db
def test_the_purge_applies_what_a_model_declares_and_nothing_else(monkeypatch):
    from lumeire.accounts.models import RecoveryToken
    from lumeire.accounts.tests.factories import make_customer

    customer = make_customer()
    now = timezone.now()
    old = RecoveryToken.objects.create(
        user=customer, token_hash=uuid.uuid4().hex, expires_at=now - timedelta(days=3)
    )
    fresh = RecoveryToken.objects.create(
        user=customer, token_hash=uuid.uuid4().hex, expires_at=now - timedelta(hours=1)
    )
    # The declaration, not a rule in the privacy app, decides: lengthen the period and the
    # purge keeps the token it would have deleted.
    monkeypatch.setattr(
        RecoveryToken,
        "purges",
        (
            Purge(
                "recovery_tokens",
                after="after it expires",
                period=timedelta(days=2),
                older_than=("expires_at",),
            ),
        ),
    )

    assert purge_expired(now)["recovery_tokens"] == 1

    assert list(RecoveryToken.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not RecoveryToken.objects.filter(pk=old.pk).exists()


def test_the_retention_table_is_built_from_the_declarations(monkeypatch):
    from lumeire.accounts.models import SignInEvent

    rows = dict(retention_rows())
    for _model, purge in purge_declarations():
        assert purge.category in rows
    assert rows["sign_in_events"] == "Sign in events: 180 days after the attempt"
    assert rows["guest_carts"].endswith("(LUMEIRE_GUEST_CART_DAYS)")
    assert list(rows)[-4:] == ["sessions", "inactivity_notices", "erasures", "audit_entries_sealed"]

    monkeypatch.setattr(
        SignInEvent,
        "purges",
        (
            Purge(
                "sign_in_events",
                after="after the attempt",
                period=timedelta(days=90),
                older_than=("at",),
            ),
        ),
    )
    assert dict(retention_rows())["sign_in_events"] == "Sign in events: 90 days after the attempt"
    assert "| `sign_in_events` | Sign in events: 90 days after the attempt |" in retention_table()


def _calls_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            module = getattr(node, "module", None) or ""
            if "importlib" in names or module == "importlib":
                found.append(f"{path.name}: imports importlib")
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model":
            label = (
                node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else ""
            )
            if label and not str(label).startswith("privacy"):
                found.append(f"{path.name}: get_model({label!r})")
    return found


def test_the_privacy_app_names_no_other_apps_table_and_imports_no_module_by_name():
    sources = [
        path
        for path in PRIVACY.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]
    assert sources
    found = [call for path in sources for call in _calls_in(path)]
    assert found == []
