"""Start the store as a cluster on loopback, and take it apart on demand.

One PostgreSQL database (made afresh each run), one redis-server, one S3-compatible server
(moto), two gunicorn app nodes, two background workers and haproxy with the repository's own
``deploy/haproxy.cfg``. Every node reaches Redis through its own cuttable link
(``cluster.tcpcut``). Every process is started here, in a session of its own, and stopped by its
process group id; each writes its log to the run's folder, which is kept and named when a
scenario fails.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import queue
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg

from cluster.tcpcut import BLACKHOLE, LinkControl
from cluster.web import Visitor

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
DATABASE_NAME = "lumeire_cluster"
BUCKET = "lumeire-cluster"
# How long a node's task lease lasts and how often a worker beats (short, so a killed worker's
# task comes back within the test); the nodes read them like any deployment.
LEASE_SECONDS = 8
HEARTBEAT_SECONDS = 2
DEMO_PRODUCTS = 16
START_TIMEOUT = 60.0
T = TypeVar("T")


def _self_signed_pem() -> bytes:
    """A certificate for 127.0.0.1, valid for an hour, and its key: haproxy's PEM file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], T], *, timeout: float, what: str, every: float = 0.05) -> T:
    """Call ``check`` until it returns something truthy; its last error explains a timeout."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = check()
        except Exception as error:  # a server that is not up yet refuses; try again
            value, last = None, error
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s (last: {last!r})")
        time.sleep(every)


class Process:
    """A program of the cluster, in its own session so that its whole group can be signalled."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.popen: subprocess.Popen | None = None
        self.starts = 0
        self.worker_id = ""  # a background worker's --worker-id

    def start(self) -> Process:
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n=== start {self.starts}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.popen = subprocess.Popen(  # noqa: S603 - our own programs and arguments
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL the process and every process it started (a machine that dies)."""
        self.signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, grace: float = 5.0) -> None:
        if not self.alive():
            self.signal_group(signal.SIGKILL)  # leftovers of a group whose leader has gone
            return
        self.signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=grace)
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def run(self, timeout: float = 120.0) -> None:
        """Start and wait for a one-off command; a failure names its log."""
        self.start()
        code = self.popen.wait(timeout=timeout)
        if code != 0:
            raise RuntimeError(f"{self.name} exited {code}:\n{self.tail()}")


class Agent:
    """The store agent (``cluster.store_agent``): one command in, one answer out."""

    PREFIX = "@@agent "

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self._errors = (logs / "agent.log").open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "cluster.store_agent"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            start_new_session=True,
        )
        self._answers: queue.Queue[dict] = queue.Queue()
        self._lock = threading.Lock()
        reader = threading.Thread(target=self._read, name="agent-reader", daemon=True)
        reader.start()
        self._wait()

    def _read(self) -> None:
        for line in self.popen.stdout:
            if line.startswith(self.PREFIX):
                self._answers.put(json.loads(line[len(self.PREFIX) :]))
        self._answers.put({"ok": False, "error": "the store agent exited"})

    def _wait(self, timeout: float = 120.0) -> object:
        try:
            answer = self._answers.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("the store agent did not answer") from None
        if not answer["ok"]:
            raise RuntimeError(f"store agent: {answer['error']}\n{answer.get('trace', '')}")
        return answer["result"]

    def __call__(self, op: str, **args: object) -> object:
        with self._lock:
            self.popen.stdin.write(json.dumps({"op": op, "args": args}) + "\n")
            self.popen.stdin.flush()
            return self._wait()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.popen.stdin.close()
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        self._errors.close()


@dataclass
class S3:
    """The shared bucket on moto's S3 server (``lumeire.core.tests.s3server``)."""

    server: object  # lumeire.core.tests.s3server.S3Server
    storage_url: str  # the bucket as LUMEIRE_STORAGE_URL names it

    def client(self):
        return self.server.client()

    def keys(self, prefix: str = "") -> dict[str, int]:
        """Every object in the bucket under ``prefix``, with its size."""
        found: dict[str, int] = {}
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        )
        for page in pages:
            for item in page.get("Contents", []):
                found[item["Key"]] = item["Size"]
        return found

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def _start_s3(stack: contextlib.ExitStack) -> S3:
    from lumeire.core.tests.s3server import running_s3_server

    server = stack.enter_context(running_s3_server())
    return S3(server, server.bucket_url(BUCKET))


@dataclass
class Cluster:
    workdir: Path
    admin_url: str
    database_url: str = ""
    s3: S3 | None = None
    env: dict[str, str] = field(default_factory=dict)
    nodes: list[Process] = field(default_factory=list)
    node_ports: list[int] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    links: list[Process] = field(default_factory=list)
    link_ports: list[int] = field(default_factory=list)
    link_controls: list[LinkControl] = field(default_factory=list)
    redis: Process | None = None
    haproxy: Process | None = None
    agent: Agent | None = None
    front_port: int = 0
    redis_port: int = 0
    # Customers to open while the nodes start (username -> id once opened).
    customer_names: list[str] = field(default_factory=list)
    customers: dict[str, str] = field(default_factory=dict)
    started_at: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def logs(self) -> Path:
        return self.workdir / "logs"

    # --- addresses ------------------------------------------------------------------------
    @property
    def front(self) -> str:
        return f"http://127.0.0.1:{self.front_port}"

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.node_ports[index]}"

    def visitor(self, client_address: str | None = None, **kwargs: object) -> Visitor:
        """A visitor through the balancer, standing for ``client_address``."""
        return Visitor(self.front, client_address=client_address, **kwargs)

    def node_visitor(self, index: int, **kwargs: object) -> Visitor:
        """A visitor talking to one node directly (the node sees 127.0.0.1)."""
        return Visitor(self.node_url(index), **kwargs)

    def db(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url, autocommit=True)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with self.db() as connection:
            return connection.execute(sql, params).fetchall()

    # --- start ----------------------------------------------------------------------------
    def _store_env(self, redis_port: int) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            # Nothing of the calling shell's store settings: the cluster sets its own.
            if not name.startswith(
                ("LUMEIRE_", "DATABASE_", "REDIS_", "AWS_", "DJANGO_", "EMAIL_", "PROMETHEUS_")
            )
            and name not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
        }
        env.update(
            {
                "LUMEIRE_ENV_FILE": str(self.workdir / "secrets.env"),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "LUMEIRE_STORAGE_URL": self.s3.storage_url,
                **self.s3.server.environment,  # the bucket's access keys
                # Every process here connects from 127.0.0.1, haproxy included.
                "LUMEIRE_TRUSTED_PROXIES": "127.0.0.1",
                "LUMEIRE_METRICS_ALLOWED": "127.0.0.1",
                "LUMEIRE_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
                "LUMEIRE_TASK_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
                "LUMEIRE_DETECTION_SWEEP_MINUTES": "1",
                "LUMEIRE_AUDIT_ANCHOR_DIR": str(self.workdir / "audit-anchors"),
                "LUMEIRE_ERASURE_JOURNAL_DIR": str(self.workdir / "erasure-journal"),
                # Nothing lands in the repository's var/mail: the demo has no mailbox.
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _manage(self, name: str, *arguments: str, env: dict[str, str] | None = None) -> Process:
        return Process(name, [sys.executable, "manage.py", *arguments], env or self.env, self.logs)

    def _create_database(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE_NAME}"')

    def _timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 2)

    def start(self) -> None:
        from config.localsecrets import write_local_secrets

        begun = time.monotonic()
        self.started_at = time.time()
        self.logs.mkdir(parents=True, exist_ok=True)
        # One set of keys for every node and worker: generated once, shared by file.
        write_local_secrets(self.workdir / "secrets.env")
        parts = urlsplit(self.admin_url)
        self.database_url = urlunsplit(parts._replace(path=f"/{DATABASE_NAME}"))
        self._create_database()
        self.redis_port = free_port()
        self.redis = Process(
            "redis",
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            dict(os.environ),
            self.logs,
        ).start()
        self.s3 = _start_s3(self._stack)
        self.env = self._store_env(self.redis_port)
        self._manage("migrate", "migrate", "--noinput").run()
        self._timed("migrate", begun)
        wait_until(self._redis_answers, timeout=20, what="redis-server")

        # The agent loads Django while the nodes start and the demo store loads.
        agent_ready = threading.Event()
        agent_error: list[BaseException] = []

        def start_agent() -> None:
            try:
                self.agent = Agent(self.env, self.logs)
                if self.customer_names:
                    self.customers = self.agent("customers", usernames=self.customer_names)
            except BaseException as error:  # reported by the main thread
                agent_error.append(error)
            agent_ready.set()

        threading.Thread(target=start_agent, name="agent-start", daemon=True).start()
        demo = self._manage("load_demo", "load_demo", "--products", str(DEMO_PRODUCTS)).start()

        self.node_ports = [free_port(), free_port()]
        self._start_links()
        self.nodes = [self._node(index) for index in range(2)]
        for index in range(2):
            self._start_node(index)
        self.workers = [self._worker(index) for index in range(2)]
        for worker in self.workers:
            worker.start()
        self.front_port = free_port()
        self.haproxy = Process(
            "haproxy",
            ["haproxy", "-f", str(HAPROXY_CONFIG), "-db"],
            self._haproxy_env(),
            self.logs,
        ).start()

        if demo.popen.wait(timeout=120) != 0:
            raise RuntimeError(f"load_demo failed:\n{demo.tail()}")
        self._timed("load_demo", begun)
        if not agent_ready.wait(timeout=120):
            raise TimeoutError("the store agent did not open the customers within 120 s")
        if agent_error:
            raise agent_error[0]
        for index in range(2):
            self.wait_node_serving(index)
        self.wait_balanced()
        self._timed("cluster_up", begun)

    def _start_links(self) -> None:
        """One cuttable link to Redis per node, each a process of its own."""
        for index in range(2):
            listen, control = free_port(), free_port()
            argv = [
                sys.executable,
                "-m",
                "cluster.tcpcut",
                "--listen",
                str(listen),
                "--control",
                str(control),
                "--upstream",
                str(self.redis_port),
            ]
            self.links.append(Process(f"redis-link{index + 1}", argv, dict(os.environ), self.logs))
            self.links[-1].start()
            self.link_ports.append(listen)
            self.link_controls.append(LinkControl(control))
        for link, control in zip(self.links, self.link_controls, strict=True):
            wait_until(
                lambda control=control: control.command("ping", 1) or True,
                timeout=20,
                what=link.name,
            )

    def _redis_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as redis:
            redis.sendall(b"PING\r\n")
            return redis.recv(16).startswith(b"+PONG")

    def _node(self, index: int) -> Process:
        env = {
            **self.env,
            "REDIS_URL": f"redis://127.0.0.1:{self.link_ports[index]}/0",
            # Every gunicorn worker's counts, added up by whichever worker is scraped.
            "PROMETHEUS_MULTIPROC_DIR": str(self._metrics_dir(index)),
        }
        argv = [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--config",
            "python:config.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{self.node_ports[index]}",
            # As deploy/systemd/lumeire-web.service runs it, with fewer workers.
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "5",
        ]
        return Process(f"node{index + 1}", argv, env, self.logs)

    def _worker(self, index: int, generation: int = 1) -> Process:
        # A restarted worker is a new worker: a new id, so the dead one's lease runs out.
        worker_id = f"cluster-worker-{index + 1}-{generation}"
        process = self._manage(
            f"worker{index + 1}",
            "task_worker",
            "--worker-id",
            worker_id,
            "--interval",
            "0.5",
        )
        process.worker_id = worker_id
        return process

    def _haproxy_env(self) -> dict[str, str]:
        env = {name: value for name, value in os.environ.items() if not name.startswith("LUMEIRE_")}
        env.update(
            {
                "LUMEIRE_NODE_1": f"127.0.0.1:{self.node_ports[0]}",
                "LUMEIRE_NODE_2": f"127.0.0.1:{self.node_ports[1]}",
                # Plain HTTP on loopback: the test has no certificate (production sets
                # LUMEIRE_TLS_CERT and binds :443).
                "LUMEIRE_BIND_HTTP": f"127.0.0.1:{self.front_port}",
                "LUMEIRE_HOST": "127.0.0.1",
                # Test only: the balancer names the node that answered.
                "LUMEIRE_BALANCER_NODE_HEADER": "1",
            }
        )
        if os.geteuid() != 0:
            env["LUMEIRE_BALANCER_KEEP_USER"] = "1"  # only root may switch to the haproxy user
        return env

    @contextlib.contextmanager
    def tls_balancer(self) -> Iterator[tuple[str, str, ssl.SSLContext]]:
        """A second haproxy from the same file in its production form, TLS with a certificate
        made for this run, in front of the same nodes; yields its https and http addresses
        and a TLS context that trusts the certificate."""
        pem = self.workdir / "balancer.pem"
        pem.write_bytes(_self_signed_pem())
        https_port, http_port = free_port(), free_port()
        env = {
            **self._haproxy_env(),
            "LUMEIRE_TLS_CERT": str(pem),
            "LUMEIRE_BIND_HTTPS": f"127.0.0.1:{https_port}",
            "LUMEIRE_BIND_HTTP": f"127.0.0.1:{http_port}",
        }
        process = Process(
            "haproxy-tls", ["haproxy", "-f", str(HAPROXY_CONFIG), "-db"], env, self.logs
        )
        process.start()
        context = ssl.create_default_context(cafile=str(pem))
        https = f"https://127.0.0.1:{https_port}"
        try:
            wait_until(
                lambda: Visitor(https, tls=context, timeout=2).get("/healthz").status == 200,
                timeout=20,
                what="haproxy with TLS",
            )
            yield https, f"http://127.0.0.1:{http_port}", context
        finally:
            process.stop()

    # --- waiting ----------------------------------------------------------------------------
    def wait_node_serving(self, index: int, timeout: float = START_TIMEOUT) -> None:
        node = self.nodes[index]

        def serving() -> bool:
            if not node.alive():
                raise RuntimeError(f"{node.name} exited:\n{node.tail()}")
            return self.node_visitor(index, timeout=2).get("/healthz").status == 200

        wait_until(serving, timeout=timeout, what=f"{node.name} /healthz")

    def wait_balanced(self, timeout: float = START_TIMEOUT) -> None:
        """Until the balancer sends requests to both nodes again."""

        def both() -> bool:
            seen = {self.visitor(timeout=2).get("/healthz").node for _ in range(4)}
            return seen == {"node1", "node2"}

        wait_until(both, timeout=timeout, what="haproxy sending to both nodes", every=0.2)

    # --- faults -----------------------------------------------------------------------------
    def kill_node(self, index: int) -> None:
        self.nodes[index].kill()

    def _metrics_dir(self, index: int) -> Path:
        return self.workdir / f"metrics-node{index + 1}"

    def _start_node(self, index: int) -> None:
        # Emptied before each start, as the node's service unit does.
        shutil.rmtree(self._metrics_dir(index), ignore_errors=True)
        self._metrics_dir(index).mkdir(mode=0o700)
        self.nodes[index].start()

    def restart_node(self, index: int) -> None:
        self._start_node(index)
        self.wait_node_serving(index)

    def kill_worker(self, index: int) -> None:
        self.workers[index].kill()

    def restart_worker(self, index: int) -> Process:
        generation = int(self.workers[index].worker_id.rsplit("-", 1)[1]) + 1
        self.workers[index] = self._worker(index, generation).start()
        return self.workers[index]

    def worker_index(self, worker_id: str) -> int | None:
        for index, worker in enumerate(self.workers):
            if worker.worker_id == worker_id:
                return index
        return None

    def cut_redis(self, index: int, mode: str = BLACKHOLE) -> None:
        self.link_controls[index].cut(mode)

    def restore_redis(self, index: int) -> None:
        self.link_controls[index].restore()

    # --- stop -------------------------------------------------------------------------------
    def stop(self) -> None:
        for process in [self.haproxy, *self.nodes, *self.workers]:
            if process is not None:
                process.stop()
        if self.agent is not None:
            self.agent.stop()
        for link in self.links:
            link.stop()
        if self.redis is not None:
            self.redis.stop()
        self._stack.close()  # the S3 server
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.admin_url, autocommit=True) as admin,
        ):
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')

    def process_logs(self, lines: int = 30) -> str:
        """The end of every log, for a failure report."""
        parts = []
        for log in sorted(self.logs.glob("*.log")):
            text = "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
            parts.append(f"--- {log.name} (last {lines} lines)\n{text}")
        return "\n".join(parts)


def admin_database_url() -> str:
    """The PostgreSQL server to make the cluster's database on (its ``postgres`` database).

    ``LUMEIRE_CLUSTER_DATABASE_URL`` names the server; else ``DATABASE_URL``'s server when it is
    PostgreSQL; else postgres://postgres@127.0.0.1:5432.
    """
    configured = os.environ.get("LUMEIRE_CLUSTER_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", ""
    )
    if not configured.startswith(("postgres://", "postgresql://")):
        configured = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(configured)._replace(path="/postgres"))
