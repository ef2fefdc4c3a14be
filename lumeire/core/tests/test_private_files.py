"""Files the store writes are its own: 0600 files, 0700 folders, one recipient per mail file."""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

from config.localsecrets import write_local_secrets
from lumeire.core.files import private_sqlite_files
from lumeire.core.mail import MailFolderBackend

ROOT = Path(__file__).resolve().parents[3]
MAIL_BACKEND = "lumeire.core.mail.MailFolderBackend"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_process_creates_files_0600_and_folders_0700(tmp_path):
    folder = tmp_path / "made-by-the-store"
    folder.mkdir()
    (folder / "notes.txt").write_text("a file like any other")

    assert mode(folder) == 0o700
    assert mode(folder / "notes.txt") == 0o600


def test_a_fresh_store_process_has_the_private_umask(tmp_path):
    # A new interpreter, as `make run` starts one: Django set up, then a plain open().
    script = (
        "import django, sys, pathlib; django.setup(); "
        "pathlib.Path(sys.argv[1]).write_text('x'); pathlib.Path(sys.argv[2]).mkdir()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", script, str(tmp_path / "f"), str(tmp_path / "d")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert mode(tmp_path / "f") == 0o600
    assert mode(tmp_path / "d") == 0o700


def _sqlite_connection(path: Path) -> DatabaseWrapper:
    settings_dict = {**connections["default"].settings_dict}
    settings_dict.update(
        ENGINE="django.db.backends.sqlite3",
        NAME=str(path),
        OPTIONS={"init_command": "PRAGMA journal_mode=WAL;"},
        TEST={},
    )
    return DatabaseWrapper(settings_dict, alias="private-files")


def test_the_sqlite_database_and_its_wal_and_shm_are_fixed_to_0600_on_connection(
    tmp_path, django_db_blocker
):
    database = tmp_path / "lumeire.sqlite3"
    # A database left world-readable by an older release, with its WAL files.
    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (x)")
        raw.execute("INSERT INTO t VALUES (1)")
        held_open = sqlite3.connect(database)
        held_open.execute("SELECT * FROM t").fetchall()
    for suffix in ("", "-wal", "-shm"):
        os.chmod(f"{database}{suffix}", 0o644)

    wrapper = _sqlite_connection(database)
    with django_db_blocker.unblock():
        try:
            wrapper.ensure_connection()
            with wrapper.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (2)")
            modes = {suffix: mode(Path(f"{database}{suffix}")) for suffix in ("", "-wal", "-shm")}
        finally:
            wrapper.close()
            held_open.close()

    assert modes == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_the_connection_hook_leaves_other_databases_alone(tmp_path):
    class Elsewhere:
        vendor = "postgresql"

    private_sqlite_files(sender=None, connection=Elsewhere())  # no error, nothing to do


def test_uploads_are_written_0600_in_0700_folders(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    storage = FileSystemStorage()

    name = storage.save("products/originals/a.jpg", ContentFile(b"picture"))

    assert mode(Path(storage.path(name))) == 0o600
    assert mode(Path(storage.path("products/originals"))) == 0o700


def test_a_reused_local_secrets_file_is_put_back_to_0600(tmp_path):
    secrets_file = tmp_path / "var" / "secrets.env"
    assert write_local_secrets(secrets_file) is True
    assert mode(secrets_file) == 0o600 and mode(secrets_file.parent) == 0o700
    os.chmod(secrets_file, 0o644)

    assert write_local_secrets(secrets_file) is False
    assert mode(secrets_file) == 0o600


@pytest.fixture
def mail_folder(settings, tmp_path) -> Path:
    folder = tmp_path / "mail"
    settings.EMAIL_BACKEND = MAIL_BACKEND
    settings.EMAIL_FILE_PATH = folder
    return folder


def read(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_the_store_sends_mail_to_the_folder_by_default_when_run_locally():
    from config import settings as store_settings

    assert store_settings.EMAIL_BACKEND == MAIL_BACKEND


def test_each_recipient_gets_their_own_private_file(mail_folder):
    message = EmailMessage(
        "Your order has shipped",
        "Order LM-1001 is on its way.",
        "Lumeire <no-reply@lumeire.example>",
        to=["sara@example.com", "omar@example.com"],
        cc=["layla@example.com"],
        bcc=["audit@example.com"],
        headers={"Cc": "layla@example.com"},
    )

    assert mail.get_connection().send_messages([message]) == 1

    files = sorted(mail_folder.iterdir())
    assert len(files) == 4
    assert mode(mail_folder) == 0o700
    received = {}
    for path in files:
        assert path.suffix == ".eml"
        assert "example" not in path.name  # the file name says nothing about who it is for
        assert mode(path) == 0o600
        parsed = read(path)
        received[parsed["To"]] = parsed
        raw = path.read_bytes().decode()
        others = {"sara", "omar", "layla", "audit"} - {parsed["To"].partition("@")[0]}
        assert not any(other in raw for other in others), path.name
        assert parsed["Cc"] is None and parsed["Bcc"] is None
    assert set(received) == {
        "sara@example.com",
        "omar@example.com",
        "layla@example.com",
        "audit@example.com",
    }
    assert received["omar@example.com"].get_content().strip() == "Order LM-1001 is on its way."


def test_several_messages_on_one_connection_never_share_a_file(mail_folder):
    connection = mail.get_connection()
    messages = [
        EmailMultiAlternatives(f"Hello {n}", "Text", to=[f"person{n}@example.com"])
        for n in range(5)
    ]
    for message in messages:
        message.attach_alternative("<p>Text</p>", "text/html")

    assert connection.send_messages(messages) == 5

    files = sorted(mail_folder.glob("*.eml"))
    assert [read(path)["To"] for path in files] == [f"person{n}@example.com" for n in range(5)]
    assert not list(mail_folder.glob(".*partial"))


def test_an_older_open_mail_folder_is_closed_on_the_next_send(mail_folder):
    mail_folder.mkdir()
    os.chmod(mail_folder, 0o755)  # noqa: S103 - the open folder an older release left

    mail.send_mail("Subject", "Body", None, ["one@example.com"])

    assert mode(mail_folder) == 0o700


def test_a_message_without_recipients_writes_nothing(mail_folder):
    assert MailFolderBackend().send_messages([EmailMessage("s", "b", to=[])]) == 0
    assert not mail_folder.exists() or not any(mail_folder.iterdir())
