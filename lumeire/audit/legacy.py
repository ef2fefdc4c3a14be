"""Keying a log that began with plain SHA-256 entries: one seal entry appended, nothing rewritten.

The table is append-only, so entries hashed before the chain was keyed keep their plain hashes.
``seal_plain_entries`` (run once, by migration 0009) appends a keyed entry after the last of
them: its HMAC covers the last plain hash, so changing any plain entry breaks the seal, and
every entry after it is keyed (see ``chain.ChainWalker``).
"""

from __future__ import annotations

from django.utils import timezone

from lumeire.audit.chain import HASHED_COLUMNS, SEAL_ACTION, keyed_hash
from lumeire.audit.keys import CHAIN, current_key


def seal_plain_entries(entry_model, head_model, checkpoint_model, *, using: str = "default"):
    """Append the seal after the last plain entry and return it; None when the log is empty or
    already keyed. Takes the models as arguments so a migration can pass its historical ones."""
    entries = entry_model.objects.using(using)
    heads = head_model.objects.using(using)
    heads.select_for_update().filter(pk=1).first()  # appends wait, as audit_record's do
    last = entries.order_by("-id").values_list("id", "entry_hash", "key_id").first()
    if last is not None and last[2]:
        return None
    archived = (
        checkpoint_model.objects.using(using)
        .order_by("-sequence")
        .values_list("last_id", "last_hash")
        .first()
    )
    if last is None and archived is None:
        return None  # an empty log is keyed from its first entry
    last_id, last_hash = last[:2] if last is not None else archived
    key = current_key(CHAIN)
    row = (
        last_id + 1,
        timezone.now(),
        "system",
        None,
        "",
        SEAL_ACTION,
        "audit.auditentry",
        str(last_id),
        None,
        [],
        "",
        f"entries 1 to {last_id} carry plain SHA-256 hashes; the chain is keyed from here",
        "",
        last_hash,
    )
    seal = entries.create(
        **dict(zip(HASHED_COLUMNS, row, strict=True)),
        key_id=key.key_id,
        entry_hash=keyed_hash(row, key.key_id, key.secret),
    )
    heads.update_or_create(pk=1, defaults={"last_id": seal.id, "last_hash": seal.entry_hash})
    return seal
