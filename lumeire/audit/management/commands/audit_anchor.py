"""Sign the audit log's head outside the database now (the worker does it every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.audit.anchors import anchor_place, audit_anchor
from lumeire.audit.chain import canonical_time
from lumeire.audit.errors import AuditAnchorRefusedError, AuditKeyError


class Command(BaseCommand):
    help = (
        "Check the audit entries appended since the newest anchor, then write a signed head "
        "(entry id, hash, count, time, HMAC) to LUMEIRE_AUDIT_ANCHOR_DIR (or the shared "
        "bucket of LUMEIRE_STORAGE_URL). Exits 1, writing "
        "nothing, when those entries do not hold."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            anchor = audit_anchor()
        except AuditKeyError as error:
            self.stderr.write(f"The audit anchor key cannot be derived: {error}")
            raise SystemExit(2) from None
        except AuditAnchorRefusedError as refusal:
            self.stderr.write(f"No anchor written: {refusal}")
            raise SystemExit(1) from None
        except OSError as error:
            self.stderr.write(f"No anchor written: {anchor_place()} cannot be written ({error}).")
            raise SystemExit(2) from None
        self.stdout.write(
            f"ANCHORED entry {anchor.entry_id} ({anchor.count} entries), hash "
            f"{anchor.entry_hash}, at {canonical_time(anchor.at)}: {anchor_place()}/{anchor.name}"
        )
