"""Load drivers for the benchmarks: wrk when installed, otherwise a small asyncio HTTP/1.1 client.

Both keep a fixed number of connections busy for a fixed time against 127.0.0.1 only and report
requests per second, latency percentiles and errors (anything but a 2xx or 3xx, and any
connection failure). The Python driver also bounds the number of requests and can spread its
connections over several loopback source addresses (127.0.0.2, 127.0.0.3, ...), so a limit per
client address is not what a benchmark measures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REQUEST_TIMEOUT_SECONDS = 10


@dataclass
class LoadResult:
    driver: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    headers_seen: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


# wrk runs one Lua state per thread; each walks the paths from a different start, and done()
# prints one JSON line with what the table needs (wrk's own --latency has no p95).
_WRK_SCRIPT = """
local paths = {%(paths)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[((i + (offset or 0)) %% #paths) + 1], {["Accept"] = "text/html"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50": %%d, "p95": %%d, "p99": %%d, ' ..
    '"status_errors": %%d, "other_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def run_wrk(base: str, paths: list[str], *, connections: int, seconds: float) -> LoadResult:
    """GET ``paths`` in turn from ``connections`` keep-alive connections for ``seconds``."""
    lua_paths = ", ".join(json.dumps(p) for p in paths)  # paths are percent-encoded ASCII
    with tempfile.TemporaryDirectory(prefix="lumeire-wrk-") as workdir:
        script = Path(workdir) / "paths.lua"
        script.write_text(_WRK_SCRIPT % {"paths": lua_paths})
        finished = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [
                str(shutil.which("wrk")),
                "--threads",
                str(min(2, connections)),
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                f"{REQUEST_TIMEOUT_SECONDS}s",
                "--script",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {finished.stderr.strip() or finished.stdout[-500:]}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    return LoadResult(
        driver="wrk",
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
        errors=figures["status_errors"] + figures["other_errors"],
    )


@dataclass(frozen=True)
class RawRequest:
    """One request as bytes, built once: the driver spends no time composing requests."""

    data: bytes

    @classmethod
    def get(cls, host: str, path: str, headers: dict[str, str] | None = None) -> RawRequest:
        return cls(_compose("GET", host, path, headers or {}, b""))

    @classmethod
    def post_json(cls, host: str, path: str, body: dict) -> RawRequest:
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return cls(_compose("POST", host, path, headers, payload))


def _compose(method: str, host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: lumeire-bench"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


class _Connection:
    def __init__(self, host: str, port: int, source: str | None) -> None:
        self.host, self.port, self.source = host, port, source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        local = (self.source, 0) if self.source else None
        self.reader, self.writer = await asyncio.open_connection(
            self.host, self.port, local_addr=local
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, request: RawRequest, want_header: str | None) -> tuple[int, str]:
        """Send one request and read the whole answer; returns its status and ``want_header``."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request.data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, status = status_line.split(" ", 2)[:2]
        headers = {}
        for header in header_lines:
            name, _, value = header.partition(":")
            if name:
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close" or version == "HTTP/1.0":
            self.close()
        return int(status), headers.get(want_header.lower(), "") if want_header else ""


def run_python(
    host: str,
    port: int,
    requests: Callable[[], Iterator[RawRequest]],
    *,
    connections: int,
    seconds: float,
    max_requests: int,
    sources: list[str] | None = None,
    per_source: int = 50,
    want_header: str | None = None,
) -> LoadResult:
    """Keep ``connections`` busy for ``seconds`` (at most ``max_requests`` in all).

    With ``sources``, each connection moves to the next source address after ``per_source``
    requests. ``want_header``'s values are collected from the answers (e.g. X-Cart-Token).
    """
    return asyncio.run(
        _drive(
            host,
            port,
            requests,
            connections=connections,
            seconds=seconds,
            max_requests=max_requests,
            sources=sources,
            per_source=per_source,
            want_header=want_header,
        )
    )


async def _drive(
    host, port, requests, *, connections, seconds, max_requests, sources, per_source, want_header
) -> LoadResult:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    seen: list[str] = []
    failures = 0
    budget = itertools.count()
    addresses = itertools.cycle(sources) if sources else None
    start = time.perf_counter()
    deadline = start + seconds

    async def client(number: int) -> None:
        nonlocal failures
        source = next(addresses) if addresses else None
        connection = _Connection(host, port, source)
        from_source = 0
        for request in requests():
            if time.perf_counter() >= deadline or next(budget) >= max_requests:
                break
            if addresses and from_source >= per_source:
                connection.close()
                connection = _Connection(host, port, next(addresses))
                from_source = 0
            from_source += 1
            sent = time.perf_counter()
            try:
                status, value = await asyncio.wait_for(
                    connection.exchange(request, want_header), REQUEST_TIMEOUT_SECONDS
                )
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                failures += 1
                connection.close()
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if value:
                seen.append(value)
        connection.close()

    await asyncio.gather(*(client(n) for n in range(connections)))
    elapsed = time.perf_counter() - start
    bad = sum(count for status, count in statuses.items() if status >= 400)
    return LoadResult(
        driver="python",
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        errors=bad + failures,
        statuses=statuses,
        headers_seen=seen,
    )


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]
