"""A real S3-compatible server for tests: moto's standalone server, on loopback, in its own process.

    with running_s3_server() as s3:
        url = s3.bucket_url("lumeire-test")  # creates the bucket; a LUMEIRE_STORAGE_URL value
        client = s3.client()

The server keeps everything in its memory and is stopped (by its process id) when the block
ends. ``S3ServerMissing`` says moto's server is not installed (``pip install 'moto[server]'``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

# moto accepts any keys; these only have to be the same on both sides.
ACCESS_KEY = "lumeire-test-access"
SECRET_KEY = "lumeire-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 30.0


class S3ServerMissing(RuntimeError):
    """moto's standalone server (moto_server) is not installed."""


def moto_server_path() -> Path | None:
    beside = Path(sys.executable).parent / "moto_server"
    if beside.exists():
        return beside
    found = shutil.which("moto_server")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback http
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class S3Server:
    """A running server: its address, a boto3 client, and buckets made on demand."""

    endpoint_url: str
    pid: int
    log: Path
    _buckets: set[str] = field(default_factory=set)

    @property
    def environment(self) -> dict[str, str]:
        """What a store process needs besides LUMEIRE_STORAGE_URL to reach the server."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self, bucket: str) -> str:
        """Make ``bucket`` unless this server already has it; return its name."""
        if bucket not in self._buckets:
            client = self.client()
            with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                client.create_bucket(Bucket=bucket)
            self._buckets.add(bucket)
        return bucket

    def bucket_url(self, bucket: str, *, prefix: str = "") -> str:
        """The LUMEIRE_STORAGE_URL of ``bucket`` (made if need be) on this server."""
        self.create_bucket(bucket)
        query = {"endpoint_url": self.endpoint_url, "region": REGION}
        if prefix:
            query["prefix"] = prefix
        return f"s3://{bucket}?{urlencode(query)}"

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under ``prefix`` with its raw bytes, as the server holds them."""
        client = self.client()
        found: dict[str, bytes] = {}
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for entry in page.get("Contents", ()):
                body = client.get_object(Bucket=bucket, Key=entry["Key"])["Body"]
                found[entry["Key"]] = body.read()
        return found


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_s3_server(*, port: int | None = None) -> Iterator[S3Server]:
    """Start ``moto_server -H 127.0.0.1 -p PORT``, wait until it answers, stop it at the end."""
    executable = moto_server_path()
    if executable is None:
        raise S3ServerMissing(
            "moto_server is not installed; install the test extras (moto[server]) to run the "
            "shared-storage tests"
        )
    port = port or _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log_handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the server's life
        prefix="moto-", suffix=".log", delete=False
    )
    log = Path(log_handle.name)
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [str(executable), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log_handle,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{endpoint}/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"moto_server on port {port} did not start: "
                    + log.read_text(errors="replace")[-2000:]
                )
            time.sleep(0.1)
        yield S3Server(endpoint_url=endpoint, pid=process.pid, log=log)
    finally:
        _stop(process)
        log_handle.close()
        log.unlink(missing_ok=True)


@contextlib.contextmanager
def s3_server_or_skip() -> Iterator[S3Server]:
    """``running_s3_server`` for a pytest fixture: skips, saying why, when moto is missing."""
    if moto_server_path() is None:
        pytest.skip(
            "moto_server is not installed; install the test extras (moto[server]) to run the "
            "shared-storage tests"
        )
    with running_s3_server() as server:
        yield server


def use_bucket_storages(settings, server: S3Server, bucket: str) -> str:
    """Point the store's storages at ``bucket`` on ``server`` through pytest-django's
    ``settings`` (undone after the test), as LUMEIRE_STORAGE_URL would; return the URL."""
    from config.storage_url import storages_from_url

    url = server.bucket_url(bucket)
    settings.LUMEIRE_STORAGE_URL = url
    settings.STORAGES = {
        **settings.STORAGES,
        **storages_from_url(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY),
    }
    return url


# --- Fixtures (a pytest plugin: the root conftest.py loads this module) -----------------------
@pytest.fixture(scope="session")
def s3():
    """One S3 server per test process, started the first time a test asks for it."""
    with s3_server_or_skip() as server:
        yield server


@pytest.fixture
def bucket(s3, settings, tmp_path):
    """A fresh bucket of the test's own, every storage pointed at it; MEDIA_ROOT an empty folder
    that no stored file may reach."""
    settings.MEDIA_ROOT = tmp_path / "media"
    name = f"test-{uuid.uuid4().hex[:12]}"
    use_bucket_storages(settings, s3, name)
    return name
