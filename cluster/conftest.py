"""The cluster test's fixtures: one cluster for the whole run, and a record of every scenario.

The scenarios run only when asked for by marker (``make cluster-test`` runs
``pytest cluster -m cluster``): anywhere else they are skipped, so a plain ``pytest`` never
starts a dozen processes by surprise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cluster import harness

# Customers the scenarios sign in as, opened while the cluster starts: three for the lockout,
# one who stays signed in through a Redis cut, one whose export's worker is killed, and the
# buyers of the checkout burst.
BUYERS = [f"buyer{number:02d}" for number in range(1, 13)]
CUSTOMERS = ["lock-x", "lock-y", "lock-z", "stay", "exporter", *BUYERS]
_RESULTS: list[ScenarioRecord] = []
_STATE: dict[str, object] = {}


@dataclass
class ScenarioRecord:
    name: str
    seconds: float = 0.0
    outcome: str = "not run"
    figures: dict[str, object] = field(default_factory=dict)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "cluster" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="the cluster test runs with `make cluster-test`")
    for item in items:
        if item.get_closest_marker("cluster") is not None:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    record = getattr(item, "_cluster_record", None)
    # The call's outcome, unless setting up or tearing down the scenario failed.
    if record is not None and (report.when == "call" or report.outcome != "passed"):
        record.outcome = report.outcome if report.when == "call" else f"{report.when} error"
    return report


@pytest.fixture(scope="session")
def cluster(request: pytest.FixtureRequest):
    """The whole cluster, started once and stopped by process id at the end.

    Its folder (logs, keys, anchors) is removed after a green run and kept, with the end of
    every log printed, when anything failed (or when LUMEIRE_CLUSTER_KEEP is set).
    """
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="lumeire-cluster-"))
    running = harness.Cluster(
        workdir=workdir,
        admin_url=harness.admin_database_url(),
        customer_names=CUSTOMERS,
    )
    _STATE["workdir"] = workdir
    try:
        running.start()
    except BaseException:
        running.stop()
        _STATE["keep"] = True
        print(f"\nThe cluster did not start; logs in {workdir}/logs\n{running.process_logs()}")
        raise
    _STATE["startup"] = dict(running.timings, total=round(time.monotonic() - started, 2))
    try:
        yield running
    finally:
        running.stop()
        if request.session.testsfailed > 0 or os.environ.get("LUMEIRE_CLUSTER_KEEP"):
            _STATE["keep"] = True
            print(f"\nCluster logs kept in {workdir}/logs\n{running.process_logs()}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def store(cluster: harness.Cluster) -> dict[str, object]:
    """The customers opened while the cluster started, their API tokens and three products,
    all made through the store's own services."""
    products = cluster.agent("products", count=3)
    assert len(products) == 3, products
    return {
        "customers": cluster.customers,
        "buyers": BUYERS,
        "tokens": cluster.agent("tokens", usernames=["demo", "exporter", *BUYERS]),
        "products": products,
    }


@pytest.fixture
def scenario(request: pytest.FixtureRequest, cluster: harness.Cluster):
    """The scenario's record: its time and the figures it reports for the closing note."""
    record = ScenarioRecord(request.node.name)
    request.node._cluster_record = record
    _RESULTS.append(record)
    started = time.monotonic()
    yield record
    record.seconds = round(time.monotonic() - started, 2)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not _RESULTS and "startup" not in _STATE:
        return
    write = terminalreporter.write_line
    terminalreporter.section("cluster scenarios")
    if "startup" in _STATE:
        write(f"start-up (seconds since the fixture began): {_STATE['startup']}")
    for record in _RESULTS:
        write(f"{record.outcome:8} {record.seconds:6.2f} s  {record.name}")
        for name, value in record.figures.items():
            write(f"             {name}: {value}")
    if _STATE.get("keep"):
        write(f"logs: {_STATE['workdir']}/logs")
