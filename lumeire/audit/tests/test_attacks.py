"""Someone with write access to the database, but none of the store's keys, tries to rewrite the
audit log: drops the triggers, edits, deletes, reorders or cuts entries by SQL, recomputes every
hash and the head the way the chain used to be made, puts the triggers back. audit_verify fails.

Each attack runs on the test database of the run (SQLite, or PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import shutil
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from lumeire.audit import anchors
from lumeire.audit.chain import (
    CHAIN_COLUMNS,
    ENTRY_HASH,
    GENESIS_HASH,
    KEY_ID,
    PREV_HASH,
    canonical_json,
    keyed_hash,
    plain_hash,
)
from lumeire.audit.errors import AuditAnchorRefusedError
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.protection import is_protected
from lumeire.audit.signing import ANCHOR_INFO, CHAIN_INFO, derive_key, key_id_of
from lumeire.audit.tests.conftest import (
    anchor_now,
    attacker_drops_the_triggers,
    insert_rows,
    raw,
    record_entries,
    verify,
)

pytestmark = pytest.mark.django_db


def _entries(count: int = 5) -> list[AuditEntry]:
    return record_entries(count, AuditAction.REVEAL, "ticket")


def _rows() -> list[list]:
    return [list(row) for row in AuditEntry.objects.order_by("id").values_list(*CHAIN_COLUMNS)]


def _attackers_key() -> bytes:
    """A chain key derived as the store derives it, from a master key that is not the store's."""
    return derive_key(base64.b64encode(os.urandom(32)).decode(), CHAIN_INFO)


def _rewrite(rows: list[list], hasher) -> None:
    """Replace the whole log with ``rows``, relinked from the genesis and hashed by ``hasher``,
    and point the head at the new last entry, all with the triggers dropped."""
    previous = GENESIS_HASH
    for row in rows:
        row[PREV_HASH] = previous
        row[ENTRY_HASH] = hasher(row)
        previous = row[ENTRY_HASH]
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry")
        insert_rows(rows)
        raw(
            "UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1",
            [rows[-1][0] if rows else 0, previous],
        )
    assert is_protected(connection)


def _chain_result() -> tuple[int, str]:
    code, output = verify("--allow-stale-anchor")
    return code, output.splitlines()[0]


# --- Edit an entry and recompute every hash after it -----------------------------------------


def test_an_edit_with_plain_sha256_hashes_recomputed_and_the_head_moved_fails():
    _entries()
    rows = _rows()
    rows[2][11] = "nothing to see"  # entry 3's reason
    _rewrite(rows, plain_hash)
    assert _chain_result() == (1, "BROKEN at entry 1: its hash does not match its contents")


def test_an_edit_with_every_entry_turned_plain_fails_for_want_of_a_seal():
    _entries()
    rows = _rows()
    rows[2][11] = "nothing to see"
    for row in rows:
        row[KEY_ID] = ""
    _rewrite(rows, plain_hash)
    assert _chain_result() == (
        1,
        "BROKEN at entry 1: entries 1 to 5 carry plain SHA-256 hashes and no keyed seal follows "
        "them",
    )


def test_an_edit_with_plain_hashes_from_the_edited_entry_on_fails_at_it():
    _entries()
    rows = _rows()
    rows[2][11] = "nothing to see"
    originals = [row[ENTRY_HASH] for row in rows]
    for row in rows[2:]:
        row[KEY_ID] = ""

    def hasher(row):
        return originals[row[0] - 1] if row[KEY_ID] else plain_hash(row)

    _rewrite(rows, hasher)
    assert _chain_result() == (
        1,
        "BROKEN at entry 3: it carries a plain SHA-256 hash where the chain is already keyed",
    )


def test_an_edit_with_hmacs_under_a_key_of_the_attackers_own_fails():
    _entries()
    rows = _rows()
    rows[2][11] = "nothing to see"
    key = _attackers_key()
    _rewrite(rows, lambda row: keyed_hash(row, row[KEY_ID], key))
    assert _chain_result() == (1, "BROKEN at entry 1: its hash does not match its contents")

    own_id = key_id_of(key, "ac-")
    for row in rows:
        row[KEY_ID] = own_id
    _rewrite(rows, lambda row: keyed_hash(row, own_id, key))
    assert _chain_result()[1].startswith(f"BROKEN at entry 1: it is keyed with {own_id}, which ")


# --- Delete an entry and re-link ---------------------------------------------------------------


def test_a_deleted_entry_with_the_rest_renumbered_and_relinked_fails():
    _entries()
    rows = [row for row in _rows() if row[0] != 3]
    for number, row in enumerate(rows, start=1):
        row[0] = number
    _rewrite(rows, plain_hash)
    assert _chain_result() == (1, "BROKEN at entry 1: its hash does not match its contents")


def test_a_deleted_entry_with_the_next_one_relinked_keeping_its_hmac_fails():
    entries = _entries()
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry WHERE id = 3")
        raw(
            "UPDATE audit_auditentry SET id = 3, prev_hash = %s WHERE id = 4",
            [entries[1].entry_hash],
        )
        raw("UPDATE audit_auditentry SET id = 4 WHERE id = 5")
        raw("UPDATE audit_audithead SET last_id = 4 WHERE id = 1")
    assert _chain_result() == (1, "BROKEN at entry 3: its hash does not match its contents")


# --- Reorder -----------------------------------------------------------------------------------


def test_two_entries_swapped_and_relinked_fail():
    _entries()
    rows = _rows()
    rows[1], rows[2] = rows[2], rows[1]
    rows[1][0], rows[2][0] = 2, 3
    _rewrite(rows, plain_hash)
    assert _chain_result() == (1, "BROKEN at entry 1: its hash does not match its contents")


def test_two_entries_swapped_keeping_their_hmacs_fail():
    _entries()
    rows = _rows()
    swapped = [rows[0], rows[2], rows[1], rows[3], rows[4]]
    for number, row in enumerate(swapped, start=1):
        row[0] = number
    previous = GENESIS_HASH
    for row in swapped:
        row[PREV_HASH], previous = previous, row[ENTRY_HASH]  # relinked, HMACs kept
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry")
        insert_rows(swapped)
    assert _chain_result() == (1, "BROKEN at entry 2: its hash does not match its contents")


# --- Truncate the newest entries ---------------------------------------------------------------


def _cut_after(last_kept: int) -> None:
    kept = AuditEntry.objects.get(pk=last_kept) if last_kept else None
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry WHERE id > %s", [last_kept])
        raw(
            "UPDATE audit_audithead SET last_id = %s, last_hash = %s WHERE id = 1",
            [last_kept, kept.entry_hash if kept else GENESIS_HASH],
        )


def test_the_newest_entries_cut_off_after_their_anchor_fail_by_the_anchor():
    _entries()
    anchor_now()
    _cut_after(3)
    code, output = verify()
    chain, anchor = output.splitlines()
    assert code == 1
    assert chain.startswith("OK 3 entries, head ")  # what is left still chains
    assert anchor.startswith("ANCHOR BROKEN: the log holds 3 entries but head-")
    assert anchor.endswith("records 5: entries were cut off or removed")


def test_a_cut_log_that_the_store_appended_to_again_fails_by_the_anchored_hash():
    _entries()
    anchor_now()
    _cut_after(3)
    _entries(2)  # ids 4 and 5 again, with other contents and hashes
    code, output = verify()
    assert code == 1
    assert output.splitlines()[0].startswith("OK 5 entries")
    assert output.splitlines()[1].startswith("ANCHOR BROKEN: entry 5 does not carry the hash head-")
    with pytest.raises(AuditAnchorRefusedError, match="its hash is not the one head-"):
        anchors.audit_anchor()  # and no new anchor vouches for the cut log
    assert len(anchors.read_anchors().anchors) == 1


def test_a_cut_log_with_the_anchor_folder_emptied_fails_for_want_of_an_anchor():
    _entries()
    anchor_now()
    _cut_after(3)
    shutil.rmtree(anchors.anchor_dir())
    code, output = verify()
    assert code == 1
    assert output.splitlines()[1].startswith("ANCHOR MISSING: no signed head in ")


def test_entries_appended_after_the_newest_anchor_can_be_cut_off_unseen():
    """The window that stays open: what was appended since the newest anchor (a minute at
    most while the worker runs) is not signed anywhere yet."""
    _entries(3)
    anchor_now()
    _entries(2)
    _cut_after(3)
    code, output = verify()
    assert code == 0
    assert output.splitlines()[1].startswith("ANCHOR OK: entry 3 (3 entries)")


# --- Forge an anchor ---------------------------------------------------------------------------


def _forge(path, body: dict, key: bytes) -> None:
    signed = {name: value for name, value in body.items() if name != "mac"}
    body = {**signed, "mac": hmac.digest(key, canonical_json(signed), "sha256").hex()}
    path.write_bytes(canonical_json(body) + b"\n")


def test_an_anchor_forged_without_the_key_for_a_cut_log_fails():
    _entries()
    anchor_now()
    _cut_after(3)
    shutil.rmtree(anchors.anchor_dir())
    folder = anchors.anchor_dir(create=True)
    cut_head = AuditEntry.objects.get(pk=3)
    wrong_key = derive_key(base64.b64encode(os.urandom(32)).decode(), ANCHOR_INFO)
    body = {
        "anchor": 1,
        "entry_id": 3,
        "entry_hash": cut_head.entry_hash,
        "count": 3,
        "at": timezone.now().isoformat(),
        "key_id": anchors.current_key(anchors.ANCHOR).key_id,  # the store's key id, not its key
    }
    _forge(folder / "head-20990101T000000.000000Z-3.json", body, wrong_key)
    code, output = verify()
    assert code == 1
    assert output.splitlines()[1] == (
        "ANCHOR BROKEN: head-20990101T000000.000000Z-3.json: its signature does not match its "
        "contents (forged or altered)"
    )


def test_a_genuine_anchor_with_its_count_lowered_fails():
    _entries()
    anchor_now()
    _cut_after(3)
    (path,) = anchors.anchor_dir().glob("head-*.json")
    body = json.loads(path.read_bytes())
    body.update(entry_id=3, count=3, entry_hash=AuditEntry.objects.get(pk=3).entry_hash)
    path.write_bytes(canonical_json(body))
    code, output = verify("--allow-stale-anchor")
    assert code == 1
    assert output.splitlines()[1].endswith(
        "its signature does not match its contents (forged or altered)"
    )


def test_a_file_named_as_an_anchor_that_is_not_one_fails_and_other_files_are_ignored():
    _entries(1)
    anchor_now()
    folder = anchors.anchor_dir()
    (folder / "README.txt").write_text("not an anchor, not looked at")
    assert verify()[0] == 0
    (folder / "head-20260101T000000.000000Z-1.json").write_text("{}")
    code, output = verify()
    assert (code, output.splitlines()[1]) == (
        1,
        "ANCHOR BROKEN: head-20260101T000000.000000Z-1.json: it is not an anchor (fields missing "
        "or of the wrong kind)",
    )


# --- Put the anchor folder back to older anchors -----------------------------------------------


def _rolled_back_folder(minutes_later: int) -> tuple[int, str]:
    """Anchor 3 entries, keep a copy of the folder, append 2 more and anchor them, then (the
    attack) cut the log back to 3 entries and put the copy back; verify ``minutes_later``."""
    start = timezone.now()
    with freeze_time(start):
        _entries(3)
        anchor_now()
    saved = {path.name: path.read_bytes() for path in anchors.anchor_dir().iterdir()}
    with freeze_time(start + timedelta(minutes=1)):
        _entries(2)
        anchor_now()
    _cut_after(3)
    shutil.rmtree(anchors.anchor_dir())
    folder = anchors.anchor_dir(create=True)
    for name, body in saved.items():
        (folder / name).write_bytes(body)
    with freeze_time(start + timedelta(minutes=minutes_later)):
        return verify()


def test_a_folder_put_back_to_anchors_older_than_the_limit_fails_as_stale():
    code, output = _rolled_back_folder(minutes_later=10)
    assert code == 1
    assert output.splitlines()[1].startswith(
        "ANCHOR STALE: the newest, entry 3 (3 entries) signed 600 s ago"
    )


def test_a_folder_put_back_to_anchors_still_within_the_limit_is_not_caught():
    """What stays open: a rollback of the folder to anchors younger than --anchor-max-age
    (180 s by default) hides a cut made after them. Keep the folder out of the database
    administrators' reach, or ship the anchors off the host."""
    code, output = _rolled_back_folder(minutes_later=2)
    assert code == 0
    assert output.splitlines()[1].startswith("ANCHOR OK: entry 3 (3 entries) signed 120 s ago")


def test_a_stale_anchor_fails_unless_allowed_and_the_allowance_still_checks_it():
    start = timezone.now()
    with freeze_time(start):
        _entries(3)
        anchor_now()
    with freeze_time(start + timedelta(hours=2)):
        assert verify()[0] == 1
        code, output = verify("--allow-stale-anchor")
    assert code == 0
    assert output.splitlines()[1].endswith("(allowed)")
    _cut_after(2)
    with freeze_time(start + timedelta(hours=2)):
        code, output = verify("--allow-stale-anchor")
    assert code == 1
    assert output.splitlines()[1].startswith("ANCHOR BROKEN: the log holds 2 entries but head-")
