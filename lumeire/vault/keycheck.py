"""Every node holds the same keys: a node whose keys cannot open the stored data will not serve.

A node started with keys of its own (a fresh ``SECRET_KEY``, another master key) would answer
``/healthz`` and then fail every sign-in, or read every customer as erased. So the first
``migrate`` records a fingerprint of each key the nodes share (``KeyFingerprint``): an HMAC-SHA256
of a fixed label under the key, which tells whether two keys are equal and nothing else. Start-up
(``config/wsgi.py``, ``manage.py task_worker``) and ``/readyz`` compare this node's keys with them:

- ``SECRET_KEY`` (or one of ``SECRET_KEY_FALLBACKS``): sessions, forms and signed links;
- ``LUMEIRE_MASTER_KEY`` or one of ``LUMEIRE_MASTER_KEYS_RETIRED``; and, stronger than any
  fingerprint, every master key that wraps a stored data key must be configured and must
  unwrap one of them;
- ``LUMEIRE_BLIND_INDEX_KEY``: the keyed hashes accounts are found by;
- the audit chain key (derived from the master key): the newest audit entry's key must be
  configured.

Nothing is compared before ``migrate`` has made the table, so an empty database never blocks
``migrate``. ``manage.py vault_rotate`` records the new master key once every data key is
re-wrapped; a deliberate change of ``SECRET_KEY`` on every node is recorded with
``manage.py keys_check --record SECRET_KEY``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from lumeire.audit.keys import CHAIN, key_ring
from lumeire.audit.models import AuditEntry
from lumeire.vault.errors import VaultConfigurationError, VaultError
from lumeire.vault.keyring import get_keyring, unwrap_data_key
from lumeire.vault.models import DataKey, KeyFingerprint

logger = logging.getLogger(__name__)

SIGNING_KEY = "SECRET_KEY"
MASTER_KEY = "LUMEIRE_MASTER_KEY"
BLIND_INDEX_KEY = "LUMEIRE_BLIND_INDEX_KEY"
AUDIT_CHAIN_KEY = "audit chain key"
SHARED_KEYS = (SIGNING_KEY, MASTER_KEY, BLIND_INDEX_KEY, AUDIT_CHAIN_KEY)
# Keys whose fingerprint an operator may record again after changing the key on every node.
# The others protect stored data: the master key moves by vault_rotate, the blind index key never.
RECORDABLE_BY_HAND = (SIGNING_KEY,)

_LABEL = b"lumeire key fingerprint|"

# What a wrong key breaks, and what to do, said once per key (never its value).
_CONSEQUENCE = {
    SIGNING_KEY: (
        "sessions, forms and links signed by the other nodes fail here (every sign-in is "
        "refused). Give this node the same SECRET_KEY as the others; after changing it on "
        "purpose on every node, run `manage.py keys_check --record SECRET_KEY`."
    ),
    MASTER_KEY: (
        "this node cannot open the customers' data. Give it the same LUMEIRE_MASTER_KEY as the "
        "other nodes; during a rotation keep the old key in LUMEIRE_MASTER_KEYS_RETIRED until "
        "`manage.py vault_rotate` reports nothing left."
    ),
    BLIND_INDEX_KEY: (
        "this node cannot find accounts by login, email or identity number (every sign-in is "
        "refused). Give it the same LUMEIRE_BLIND_INDEX_KEY as the other nodes; this key cannot "
        "be rotated."
    ),
    AUDIT_CHAIN_KEY: (
        "this node would break the audit log's chain. The chain key is derived from "
        "LUMEIRE_MASTER_KEY: give this node the same master keys as the others."
    ),
}


@dataclass(frozen=True)
class KeyProblem:
    """One shared key this node holds differently from the data it would serve."""

    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


def fingerprint(secret: bytes, key: str) -> str:
    """HMAC-SHA256 of a fixed label under ``secret``: equal keys match; nothing else shows."""
    return hmac.new(secret, _LABEL + key.encode("ascii"), hashlib.sha256).hexdigest()


def _blind_index_secret() -> bytes:
    try:
        return base64.b64decode(settings.LUMEIRE_BLIND_INDEX_KEY.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise VaultConfigurationError("LUMEIRE_BLIND_INDEX_KEY must be base64 text.") from None


def configured_fingerprints() -> dict[str, tuple[str, ...]]:
    """This node's fingerprint of each shared key: the current key first, then those it still
    accepts (retired master keys, ``SECRET_KEY_FALLBACKS``)."""
    keyring = get_keyring()
    secrets = {
        SIGNING_KEY: [
            str(text).encode("utf-8")
            for text in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
        ],
        MASTER_KEY: [key.secret for key in (keyring.current, *keyring.retired)],
        BLIND_INDEX_KEY: [_blind_index_secret()],
        # key_ring lists the current master's chain key first.
        AUDIT_CHAIN_KEY: list(key_ring(CHAIN).values()),
    }
    return {
        name: tuple(dict.fromkeys(fingerprint(secret, name) for secret in values))
        for name, values in secrets.items()
    }


def _fingerprint_problems(
    recorded: dict[str, str], configured: dict[str, tuple[str, ...]]
) -> list[KeyProblem]:
    problems = []
    for name in SHARED_KEYS:
        stored = recorded.get(name)
        if stored is None:
            continue
        if not any(hmac.compare_digest(stored, mine) for mine in configured[name]):
            accepted = {
                MASTER_KEY: "neither LUMEIRE_MASTER_KEY nor any of LUMEIRE_MASTER_KEYS_RETIRED is",
                AUDIT_CHAIN_KEY: "no configured master key gives",
            }.get(name, f"this node's {name} is not")
            problems.append(
                KeyProblem(
                    name,
                    f"{accepted} the one recorded for this database: {_CONSEQUENCE[name]}",
                )
            )
    return problems


def _master_key_problems(using: str) -> list[KeyProblem]:
    """Every master key that wraps a stored data key must be configured and unwrap one."""
    keyring = get_keyring()
    live = DataKey.objects.using(using).filter(wrapped_key__isnull=False).order_by()
    # No ORDER BY: a scan may stop at the first row found instead of walking the whole index.
    unknown = list(
        live.exclude(master_key_id__in=keyring.key_ids).values_list("master_key_id", flat=True)[:1]
    )
    if unknown:
        return [
            KeyProblem(
                MASTER_KEY,
                f"stored data keys are wrapped by master key {unknown[0]}, which is neither "
                f"LUMEIRE_MASTER_KEY nor one of LUMEIRE_MASTER_KEYS_RETIRED: "
                f"{_CONSEQUENCE[MASTER_KEY]}",
            )
        ]
    for key_id in keyring.key_ids:
        rows = list(live.filter(master_key_id=key_id).only("subject_id", "wrapped_key")[:1])
        if not rows:
            continue
        row = rows[0]
        try:
            unwrap_data_key(bytes(row.wrapped_key), row.subject_id, keyring.by_id(key_id))
        except VaultError:
            return [
                KeyProblem(
                    MASTER_KEY,
                    f"master key {key_id} does not unwrap the data keys stored under its id: "
                    f"{_CONSEQUENCE[MASTER_KEY]}",
                )
            ]
    return []


def _audit_chain_problems(using: str) -> list[KeyProblem]:
    """The newest keyed audit entry must be under a chain key this node holds."""
    newest = (
        AuditEntry.objects.using(using)
        .exclude(key_id="")
        .order_by("-id")
        .values_list("key_id", flat=True)
        .first()
    )
    if newest is None or newest in key_ring(CHAIN):
        return []
    return [
        KeyProblem(
            AUDIT_CHAIN_KEY,
            f"the newest audit entry is chained under key {newest}, which no configured master "
            f"key gives: {_CONSEQUENCE[AUDIT_CHAIN_KEY]}",
        )
    ]


def _merged(problems: list[KeyProblem]) -> list[KeyProblem]:
    by_key: dict[str, KeyProblem] = {}
    for problem in problems:
        by_key.setdefault(problem.key, problem)  # the first reason is the clearest
    return [by_key[name] for name in SHARED_KEYS if name in by_key]


def recorded_fingerprints(using: str = DEFAULT_DB_ALIAS) -> dict[str, str] | None:
    """The fingerprints recorded for this database, or None before ``migrate`` made the table."""
    try:
        # In a savepoint: a missing table must not break the caller's transaction.
        with transaction.atomic(using=using):
            return dict(KeyFingerprint.objects.using(using).values_list("key", "fingerprint"))
    except DatabaseError:
        return None


def key_problems(using: str = DEFAULT_DB_ALIAS) -> list[KeyProblem]:
    """Each shared key this node holds differently from the database's data; empty when all match.

    Empty too before ``migrate`` made the tables: an empty database has nothing to open.
    Raises ``DatabaseError`` when the database cannot be reached.
    """
    recorded = recorded_fingerprints(using) or {}
    try:
        with transaction.atomic(using=using):
            found = _master_key_problems(using) + _audit_chain_problems(using)
    except DatabaseError:
        # No key table yet (before the first migrate) is fine; any other failure is not.
        if DataKey._meta.db_table in connections[using].introspection.table_names():
            raise
        return []
    return _merged(_fingerprint_problems(recorded, configured_fingerprints()) + found)


def refusal_message(problems: list[KeyProblem]) -> str:
    """The start-up error: which keys differ and what to do, never a key's value."""
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return (
        "This node's keys cannot open the data in its database, so it refuses to start. "
        f"The keys that differ from the other nodes':\n{lines}"
    )


def refuse_unless_keys_match(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise ``ImproperlyConfigured`` naming each key that differs; return when all match.

    Called at start-up by ``config/wsgi.py`` (gunicorn's worker then fails to boot) and by
    ``manage.py task_worker``. A database that cannot be reached is not a key mismatch: start-up
    goes on, and ``/readyz`` reports both the database and the keys once it answers.
    """
    try:
        problems = key_problems(using)
    except DatabaseError:
        logger.warning(
            "key check skipped at start-up: the database did not answer",
            extra={"event": "key_check_skipped"},
        )
        return
    if problems:
        logger.error(
            "refusing to start: keys differ from the other nodes'",
            extra={"event": "keys_mismatch", "keys": [problem.key for problem in problems]},
        )
        raise ImproperlyConfigured(refusal_message(problems))


# /readyz asks often: the answer is kept a little while, per configuration and database.
_OK_FOR_SECONDS = 30.0
_MISMATCH_FOR_SECONDS = 5.0
_last: dict[str, object] = {"stamp": None, "until": 0.0, "ok": True}


def keys_open_existing_data() -> bool:
    """Whether this node's keys open the stored data (for ``/readyz``'s "keys" check).

    True also when the database cannot be reached (the database check reports that) and before
    ``migrate``. Cached for 30 s when true, 5 s when false.
    """
    stamp = (settings.DATABASES[DEFAULT_DB_ALIAS].get("NAME"), configured_fingerprints())
    now = time.monotonic()
    if _last["stamp"] == stamp and now < float(_last["until"]):
        return bool(_last["ok"])
    try:
        ok = not key_problems()
    except DatabaseError:
        return True
    _last.update(stamp=stamp, ok=ok, until=now + (_OK_FOR_SECONDS if ok else _MISMATCH_FOR_SECONDS))
    return ok


def forget_key_check() -> None:
    """Ask the database again at the next ``keys_open_existing_data`` call."""
    _last.update(stamp=None, until=0.0, ok=True)


def fingerprints_record_missing(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Record the fingerprint of each shared key that has none yet; return the keys recorded.

    Runs after every ``migrate``, so the first one records them all and later ones only a key a
    new release adds. Refuses when this node's keys cannot open what the database already
    holds: a wrong key recorded would lock the right ones out.
    """
    recorded = recorded_fingerprints(using)
    if recorded is None:
        return []
    missing = [name for name in SHARED_KEYS if name not in recorded]
    if not missing:
        return []
    problems = key_problems(using)
    if problems:
        raise ImproperlyConfigured(refusal_message(problems))
    configured = configured_fingerprints()
    now = timezone.now()
    with transaction.atomic(using=using):
        for name in missing:
            KeyFingerprint.objects.using(using).get_or_create(
                key=name, defaults={"fingerprint": configured[name][0], "recorded_at": now}
            )
    forget_key_check()
    return missing


def fingerprint_record_current(key: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record this node's current ``key`` as the one every node must hold (after a rotation)."""
    if key not in SHARED_KEYS:
        raise ValueError(f"{key} is not one of the shared keys: {', '.join(SHARED_KEYS)}.")
    KeyFingerprint.objects.using(using).update_or_create(
        key=key,
        defaults={"fingerprint": configured_fingerprints()[key][0], "recorded_at": timezone.now()},
    )
    forget_key_check()


def record_fingerprints_after_migrate(
    sender: object, using: str = DEFAULT_DB_ALIAS, plan: object = None, **kwargs: object
) -> None:
    """``post_migrate``: record the keys of the first ``migrate`` (``flush`` sends the signal
    without a plan and records nothing: an emptied database takes its keys at the next one)."""
    if plan is None:
        return
    try:
        recorded = fingerprints_record_missing(using)
    except DatabaseError:
        # A migration back to an older state: the tables the check reads are not all there.
        # The next migrate forward records the keys.
        return
    if recorded and int(kwargs.get("verbosity") or 0) >= 1:
        stdout = kwargs.get("stdout")
        if stdout is not None:
            stdout.write(f"  Recorded the fingerprints of: {', '.join(recorded)}.\n")


@checks.register(checks.Tags.database)
def check_shared_keys(
    app_configs: object = None, databases: Iterable[str] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """``vault.E030``: ``migrate`` (and ``check --database default``) stop on a node whose keys
    differ, before a migration writes anything with them."""
    if not databases or DEFAULT_DB_ALIAS not in set(databases):
        return []
    try:
        problems = key_problems(DEFAULT_DB_ALIAS)
    except DatabaseError:
        return []  # the database itself is the problem, and migrate says so
    return [
        checks.Error(
            f"This node's {problem.key} differs from the other nodes': {problem.reason}",
            id="vault.E030",
        )
        for problem in problems
    ]
