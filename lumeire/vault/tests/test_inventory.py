"""The data inventory: no field that holds personal data goes undeclared."""

from __future__ import annotations

import uuid

from django.core import checks
from django.db import models
from django.test.utils import isolate_apps

from lumeire.vault.fields import BlindIndexField, EncryptedTextField
from lumeire.vault.inventory import (
    Category,
    PersonalData,
    Retention,
    check_inventory,
    declarations_without_field,
    inventory,
    undeclared_personal_fields,
)

KEEP = Retention(after="until deleted")


def test_every_personal_field_of_the_project_is_declared():
    assert undeclared_personal_fields() == []
    assert declarations_without_field() == []


def test_the_system_check_passes_for_the_project():
    assert [e for e in check_inventory() if e.id.startswith("vault.")] == []


def test_inventory_lists_declared_fields_with_their_declarations():
    labels = {entry.label: entry.declaration for entry in inventory()}
    assert labels["vault_sample.SamplePerson.full_name"].category == Category.IDENTITY
    assert labels["vault_sample.SamplePerson.full_name"].reveal_roles == frozenset({"owner"})


@isolate_apps("lumeire.vault")
def test_an_undeclared_encrypted_field_is_caught():
    class Leaky(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        secret_note = EncryptedTextField()

        class Meta:
            app_label = "vault"

    assert undeclared_personal_fields([Leaky]) == ["vault.Leaky.secret_note"]


@isolate_apps("lumeire.vault")
def test_an_undeclared_blind_index_and_personal_looking_names_are_caught():
    class Leaky(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        lookup = BlindIndexField(source="phone", purpose="x")
        phone = models.CharField(max_length=20)
        shipping_address = models.TextField()
        date_of_birth = models.DateField()
        quantity = models.IntegerField()

        class Meta:
            app_label = "vault"

    assert undeclared_personal_fields([Leaky]) == [
        "vault.Leaky.lookup",
        "vault.Leaky.phone",
        "vault.Leaky.shipping_address",
        "vault.Leaky.date_of_birth",
    ]


@isolate_apps("lumeire.vault")
def test_declared_and_explained_fields_pass_but_an_explained_encrypted_field_does_not():
    class Product(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        name = models.CharField(max_length=50)
        contact_email = models.EmailField()
        hidden = EncryptedTextField()

        personal_data = {"contact_email": PersonalData(Category.CONTACT, "support", KEEP)}
        not_personal = {"name": "a product's name", "hidden": "not a valid excuse"}

        class Meta:
            app_label = "vault"

    assert undeclared_personal_fields([Product]) == ["vault.Product.hidden"]


@isolate_apps("lumeire.vault")
def test_a_declaration_naming_no_field_is_caught():
    class Typo(models.Model):
        personal_data = {"emial": PersonalData(Category.CONTACT, "support", KEEP)}

        class Meta:
            app_label = "vault"

    assert declarations_without_field([Typo]) == ["vault.Typo.emial"]


def test_the_system_check_reports_undeclared_fields(monkeypatch):
    monkeypatch.setattr(
        "lumeire.vault.inventory.undeclared_personal_fields", lambda: ["shop.Customer.phone"]
    )
    errors = check_inventory()
    assert [e.id for e in errors] == ["vault.E010"]
    assert isinstance(errors[0], checks.Error)
    assert "shop.Customer.phone" in errors[0].msg
