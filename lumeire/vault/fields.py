"""Model fields that keep personal data as ciphertext, and blind indexes to find it.

Code holding a row reads and assigns clear values as usual. The database only ever receives
ciphertext: the value is sealed in ``pre_save`` (where the row, and so its place, is known)
and opened lazily on first attribute access. Writing clear text any other way (``update()``,
``bulk_update()``, a filter on the column) is refused rather than stored in clear.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from django.core import checks
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lumeire.vault import cipher
from lumeire.vault.blind_index import NORMALIZERS, blind_index
from lumeire.vault.errors import VaultError


class ErasedValue:
    """What a value reads as once its subject's key was shredded: falsy and printable."""

    _instance: ErasedValue | None = None

    def __new__(cls) -> ErasedValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return str(_("[erased]"))

    def __repr__(self) -> str:
        return "ERASED"


ERASED = ErasedValue()


def is_erased(value: object) -> bool:
    """Return whether ``value`` is the erased marker."""
    return value is ERASED


class Sealed:
    """Ciphertext read from the database and not yet opened (its repr reveals nothing)."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return "<sealed>"


class _OpenOnAccess(DeferredAttribute):
    """Decrypts on first read; a data descriptor so every read goes through it."""

    def __get__(self, instance: models.Model | None, cls: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open_for(instance, value.blob)
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin:
    """Shared behaviour of encrypted fields; subclasses convert their type to and from bytes."""

    descriptor_class = _OpenOnAccess

    def __init__(
        self, *args: Any, subject_field: str = "pk", subject_fallback: str = "", **kwargs: Any
    ) -> None:
        # ``subject_fallback`` names the subject of a row whose ``subject_field`` is empty: an
        # order placed without an account is its own subject ("pk"), with a key of its own.
        self.subject_field = subject_field
        self.subject_fallback = subject_fallback
        kwargs.setdefault("null", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    # --- conversions each subclass defines ------------------------------------------------
    def to_plaintext(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_plaintext(self, raw: bytes) -> Any:
        raise NotImplementedError

    # --- the vault -------------------------------------------------------------------------
    @property
    def _cache_name(self) -> str:
        return f"_vault_sealed_{self.attname}"

    def place_of(self, instance: models.Model) -> cipher.Place:
        if instance.pk is None:
            raise VaultError(
                f"{type(instance).__name__} needs its primary key before {self.name} is "
                "encrypted; give the model a UUID primary key with a default."
            )
        return cipher.Place(self.model._meta.db_table, self.column, str(instance.pk))

    def subject_of(self, instance: models.Model) -> uuid.UUID:
        subject = getattr(instance, self.subject_field)
        if subject is None and self.subject_fallback:
            subject = getattr(instance, self.subject_fallback)
        if subject is None:
            raise VaultError(f"{type(instance).__name__}.{self.subject_field} names no subject.")
        return subject if isinstance(subject, uuid.UUID) else uuid.UUID(str(subject))

    def open_for(self, instance: models.Model, blob: bytes) -> Any:
        from lumeire.vault.selectors import SHREDDED, data_key_for_reading

        key_id = cipher.data_key_id_of(blob)
        key = data_key_for_reading(key_id, self.subject_of(instance))
        if key is SHREDDED:
            value: Any = ERASED
        else:
            raw = cipher.open_sealed(blob, data_key=key, place=self.place_of(instance))
            value = self.from_plaintext(raw)
        instance.__dict__[self.attname] = value
        instance.__dict__[self._cache_name] = (str(instance.pk), blob, value)
        return value

    def seal_for(self, instance: models.Model, value: Any) -> bytes:
        from lumeire.vault.services import data_key_for_writing

        key_id, key = data_key_for_writing(self.subject_of(instance))
        return cipher.seal(
            self.to_plaintext(value),
            data_key=key,
            data_key_id=key_id,
            place=self.place_of(instance),
        )

    # --- Django hooks ------------------------------------------------------------------------
    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.blob  # never opened, so unchanged
        cached = model_instance.__dict__.get(self._cache_name)
        if cached and cached[0] == str(model_instance.pk):
            _, blob, clear = cached
            if value is clear or (value is not ERASED and value == clear):
                return blob  # unchanged since read: keep the ciphertext as it is
        if value is ERASED:
            return cached[1] if cached else None
        blob = self.seal_for(model_instance, value)
        model_instance.__dict__[self._cache_name] = (str(model_instance.pk), blob, value)
        return blob

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            value = value.blob
        if not isinstance(value, bytes | bytearray | memoryview):
            raise VaultError(
                f"{self.model.__name__}.{self.name} is encrypted: assign the value and call "
                "save(); it cannot be written by update() or used in a filter."
            )
        return connection.Database.Binary(bytes(value))

    def value_to_string(self, obj: models.Model) -> str | None:
        # Serialisation (dumpdata) carries the ciphertext, never the clear value.
        raw = obj.__dict__.get(self.attname)
        blob = raw.blob if isinstance(raw, Sealed) else self.pre_save(obj, add=False)
        return None if blob is None else base64.b64encode(blob).decode("ascii")

    def to_python(self, value: Any) -> Any:
        return value

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        if self.subject_field != "pk":
            kwargs["subject_field"] = self.subject_field
        if self.subject_fallback:
            kwargs["subject_fallback"] = self.subject_fallback
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        pk = self.model._meta.pk
        own_subject = "pk" in (self.subject_field, self.subject_fallback)
        if own_subject and not isinstance(pk, models.UUIDField):
            errors.append(
                checks.Error(
                    "An encrypted field whose subject is the row itself needs a UUID primary key.",
                    obj=self,
                    id="vault.E001",
                )
            )
        return errors


class EncryptedTextField(EncryptedFieldMixin, models.BinaryField):
    """Text stored as AES-256-GCM ciphertext under the subject's data key."""

    def to_plaintext(self, value: Any) -> bytes:
        if isinstance(value, Promise):
            value = str(value)
        if not isinstance(value, str):
            raise VaultError(f"{self.name} holds text, not {type(value).__name__}.")
        return value.encode("utf-8")

    def from_plaintext(self, raw: bytes) -> str:
        return raw.decode("utf-8")


class EncryptedDateField(EncryptedFieldMixin, models.BinaryField):
    """A date stored as AES-256-GCM ciphertext under the subject's data key."""

    def to_plaintext(self, value: Any) -> bytes:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise VaultError(f"{self.name} holds a date, not {type(value).__name__}.")
        return value.isoformat().encode("ascii")

    def from_plaintext(self, raw: bytes) -> dt.date:
        return dt.date.fromisoformat(raw.decode("ascii"))


class BlindIndexField(models.CharField):
    """A keyed hash of another field's normalised value, for exact lookup and uniqueness.

    ``purpose`` separates index keys (an email index never matches a phone index);
    ``normalizer`` names an entry of ``lumeire.vault.blind_index.NORMALIZERS``.
    """

    def __init__(
        self,
        *args: Any,
        source: str = "",
        purpose: str = "",
        normalizer: str = "text",
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.purpose = purpose
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        raw = model_instance.__dict__.get(self.source)
        if isinstance(raw, Sealed):
            return model_instance.__dict__.get(self.attname)  # source unchanged since read
        value = getattr(model_instance, self.source)
        digest = None if value is None or value is ERASED else self.index_of(value)
        setattr(model_instance, self.attname, digest)
        return digest

    def index_of(self, value: Any) -> str:
        """Return the index of a clear value, as a lookup would compute it."""
        return blind_index(self.purpose, value, normalizer=self.normalizer)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs.update(source=self.source, purpose=self.purpose, normalizer=self.normalizer)
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not self.purpose or self.normalizer not in NORMALIZERS:
            errors.append(
                checks.Error(
                    "A blind index needs a purpose and a known normalizer.",
                    obj=self,
                    id="vault.E002",
                )
            )
        return errors
