"""A TCP forwarder that can cut the link it carries, to take Redis away from one node only.

Each app node reaches Redis through its own forwarder, so "Redis is gone for node 1" is a
property of node 1's network, as it would be when a machine loses its route. Two ways to cut:

- ``refuse``: open connections are closed and new ones are closed as soon as they arrive
  (the client sees its connection reset, as when Redis is down);
- ``blackhole``: connections stay open and new ones are accepted, but nothing is answered
  (a Redis that hangs, or a network that drops packets): only the client's timeouts help.

``restore()`` forwards again; connections that were blackholed are closed, so clients reconnect.

Each link runs in a process of its own (``python -m cluster.tcpcut``), so the test's own threads
never slow the traffic it carries; the test commands it over a control port on loopback
(``LinkControl``): one line in (``blackhole``, ``refuse``, ``restore``), ``ok`` out once done.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import threading

OPEN = "open"
REFUSE = "refuse"
BLACKHOLE = "blackhole"
_CHUNK = 65536


class _Link:
    """One client connection and, unless it arrived during a cut, its upstream connection."""

    def __init__(self, client: socket.socket, upstream: socket.socket | None, silent: bool):
        self.client = client
        self.upstream = upstream
        self.silent = silent  # blackholed: read and drop everything, answer nothing
        self.closed = False
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        for sock in (self.client, self.upstream):
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class TcpCut:
    """Listen on a free loopback port and forward each connection to ``upstream_port``."""

    def __init__(self, upstream_port: int, *, port: int = 0, name: str = "link") -> None:
        self.name = name
        self.upstream_port = upstream_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(128)
        self.port: int = self._listener.getsockname()[1]
        self.mode = OPEN
        self._links: set[_Link] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name=f"tcpcut-{name}")
        self._thread.daemon = True
        self._thread.start()

    # --- control ------------------------------------------------------------------------------
    def cut(self, mode: str = BLACKHOLE) -> None:
        """Stop forwarding: ``refuse`` closes every connection, ``blackhole`` answers nothing."""
        if mode not in (REFUSE, BLACKHOLE):
            raise ValueError(f"unknown cut mode {mode!r}")
        with self._lock:
            self.mode = mode
            links = list(self._links)
        for link in links:
            if mode == REFUSE:
                self._drop(link)
            else:
                link.silent = True

    def restore(self) -> None:
        """Forward again; connections held open by a blackhole are closed so clients reconnect."""
        with self._lock:
            self.mode = OPEN
            silent = [link for link in self._links if link.silent]
        for link in silent:
            self._drop(link)

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            links = list(self._links)
        for link in links:
            self._drop(link)

    # --- forwarding ---------------------------------------------------------------------------
    def _drop(self, link: _Link) -> None:
        link.close()
        with self._lock:
            self._links.discard(link)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            mode = self.mode
            if mode == REFUSE:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            upstream = None
            if mode == OPEN:
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port), 2)
                    upstream.settimeout(None)
                except OSError:
                    with contextlib.suppress(OSError):
                        client.close()
                    continue
            link = _Link(client, upstream, silent=mode == BLACKHOLE)
            with self._lock:
                self._links.add(link)
            self._pump_thread(link, client, upstream)
            if upstream is not None:
                self._pump_thread(link, upstream, client)

    def _pump_thread(self, link: _Link, source: socket.socket, target: socket.socket | None):
        thread = threading.Thread(
            target=self._pump, args=(link, source, target), name=f"tcpcut-{self.name}-pump"
        )
        thread.daemon = True
        thread.start()

    def _pump(self, link: _Link, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while True:
                data = source.recv(_CHUNK)
                if not data:
                    break
                if link.silent or target is None:
                    continue  # swallowed: the other side waits for an answer that never comes
                target.sendall(data)
        except OSError:
            pass
        self._drop(link)


class LinkControl:
    """The test's side of a link process: send a command, wait until it is done."""

    def __init__(self, control_port: int) -> None:
        self.control_port = control_port

    def command(self, line: str, timeout: float = 5.0) -> None:
        with socket.create_connection(("127.0.0.1", self.control_port), timeout) as control:
            control.sendall(line.encode() + b"\n")
            answer = control.makefile("rb").readline().decode().strip()
        if answer != "ok":
            raise RuntimeError(f"link refused {line!r}: {answer!r}")

    def cut(self, mode: str = BLACKHOLE) -> None:
        self.command(mode)

    def restore(self) -> None:
        self.command("restore")


def serve(listen_port: int, control_port: int, upstream_port: int) -> None:
    """Forward ``listen_port`` to ``upstream_port``; obey commands on ``control_port``."""
    link = TcpCut(upstream_port, port=listen_port, name=str(listen_port))
    control = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    control.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    control.bind(("127.0.0.1", control_port))
    control.listen(8)
    print(f"forwarding 127.0.0.1:{listen_port} to :{upstream_port}", flush=True)
    while True:
        connection, _address = control.accept()
        with connection:
            command = connection.makefile("rb").readline().decode().strip()
            try:
                if command in (REFUSE, BLACKHOLE):
                    link.cut(command)
                elif command == "restore":
                    link.restore()
                elif command != "ping":
                    raise ValueError(f"unknown command {command!r}")
            except ValueError as error:
                connection.sendall(f"{error}\n".encode())
                continue
            print(f"{command}: done", flush=True)
            connection.sendall(b"ok\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    arguments = parser.parse_args()
    serve(arguments.listen, arguments.control, arguments.upstream)
