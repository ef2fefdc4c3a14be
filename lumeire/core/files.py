"""Files the store writes are its own: private modes for the process and the SQLite database.

Every process of the store (gunicorn's workers, the task worker, management commands) creates
files with umask 077, so a mail, an export, an archive or a database file comes out 0600 and
a folder 0700 even where the code that writes it forgets to say so. The SQLite database was
often made before (by an older release, or by hand), so its mode is corrected whenever a
connection opens, together with its -wal, -shm and -journal files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PROCESS_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_umask() -> None:
    """Make every file this process creates from now on readable by its owner alone."""
    os.umask(PROCESS_UMASK)


def make_private(path: Path) -> bool:
    """Set ``path`` to 0600 if it exists and is more open; return whether it was changed."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if mode == PRIVATE_FILE_MODE:
        return False
    os.chmod(path, PRIVATE_FILE_MODE)
    return True


def private_sqlite_files(sender: object, connection, **kwargs: object) -> None:
    """On each new SQLite connection, keep the database file and its companions 0600."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name.startswith("file:"):
        return
    for suffix in SQLITE_COMPANIONS:
        make_private(Path(name + suffix))
