"""Models shaped like the store's: a person (its own subject) and a record owned by a person."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models

from lumeire.vault.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from lumeire.vault.inventory import Category, PersonalData, PolicyClause, Retention
from lumeire.vault.lifecycle import Erasure, OnErasure

_UNTIL_DELETED = Retention(after="until the sample person is deleted")


class SamplePerson(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = EncryptedTextField()
    email = EncryptedTextField()
    email_index = BlindIndexField(
        source="email", purpose="sample.email", normalizer="email", unique=True
    )
    birth_date = EncryptedDateField()
    nickname_plain = models.CharField(max_length=50, blank=True)

    personal_data = {
        "full_name": PersonalData(Category.IDENTITY, "testing", _UNTIL_DELETED, {"owner"}),
        "email": PersonalData(Category.CONTACT, "testing", _UNTIL_DELETED, {"owner"}),
        "email_index": PersonalData(Category.CONTACT, "lookup", _UNTIL_DELETED),
        "birth_date": PersonalData(
            Category.IDENTITY,
            "testing",
            Retention("after deletion", timedelta(days=30)),
            policy_clause=PolicyClause.PERSONAL,
        ),
    }
    not_personal = {"nickname_plain": "a display nickname the person chose to make public"}
    erasure = Erasure(OnErasure.SHRED, subject="pk")
    purges = ()


class SampleNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(SamplePerson, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField(subject_field="person_id")

    personal_data = {"body": PersonalData(Category.BEHAVIOURAL, "testing", _UNTIL_DELETED)}
    erasure = Erasure(OnErasure.DELETE, subject="person")
    purges = ()


class SamplePlainPerson(models.Model):
    """The same fields as SamplePerson stored in clear: the baseline of the vault benchmark."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.TextField()
    email = models.TextField()
    birth_date = models.DateField(null=True)

    personal_data = {
        "full_name": PersonalData(Category.IDENTITY, "benchmark baseline", _UNTIL_DELETED),
        "email": PersonalData(Category.CONTACT, "benchmark baseline", _UNTIL_DELETED),
        "birth_date": PersonalData(Category.IDENTITY, "benchmark baseline", _UNTIL_DELETED),
    }
    erasure = Erasure(OnErasure.RETAIN, reason="benchmark rows of made-up people, no account")
    purges = ()
