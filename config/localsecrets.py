"""Write the git-ignored local secrets file that ``make run`` and ``make test`` use.

Generated once with 0600 permissions and reused after, so the local database stays readable
across runs. Production takes the same values from its real environment instead.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def write_local_secrets(path: Path) -> bool:
    """Create ``path`` with fresh keys unless it exists; return whether it was created."""
    if path.exists():
        os.chmod(path, 0o600)  # a copy made by hand may have come out more open
        return False
    # The folder also holds the local database, mail and exports: the owner's alone.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lines = [
        "# Local secrets for this machine only. Never commit, never copy to production.",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
        f"LUMEIRE_MASTER_KEY={_random_key()}",
        f"LUMEIRE_BLIND_INDEX_KEY={_random_key()}",
    ]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return True


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/secrets.env")
    created = write_local_secrets(target)
    print(f"{'Created' if created else 'Reusing'} local secrets in {target} (mode 0600).")
