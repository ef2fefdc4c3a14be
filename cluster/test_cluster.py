"""The store as a cluster: two app nodes behind haproxy, one database, one Redis, one bucket.

Each scenario is one fault or promise of issue 15, run against real processes on loopback
(``cluster/harness.py``). They share one cluster and run in this order; the destructive ones
(a node killed, a worker killed, a Redis cut) come last, and each leaves the cluster whole again.

Client addresses. Every request through the balancer comes from 127.0.0.1, and so does
haproxy itself: the nodes trust 127.0.0.1 as a proxy (LUMEIRE_TRUSTED_PROXIES). A test client
stands for a distinct client by sending ``X-Forwarded-For: 203.0.113.7``; haproxy's ``option
forwardfor`` appends the address it sees, so the node receives ``203.0.113.7, 127.0.0.1`` from
peer 127.0.0.1. The store reads the chain from the right, skips addresses that are trusted
proxies (127.0.0.1) and takes the first one that is not: 203.0.113.7. In production the real
client's address is the one haproxy appends, and it is not trusted, so a forged value to its
left is never reached.
"""

from __future__ import annotations

import io
import itertools
import threading
import time
import uuid
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cluster.harness import HEARTBEAT_SECONDS, LEASE_SECONDS, ROOT, Cluster, wait_until
from cluster.tcpcut import BLACKHOLE, REFUSE
from cluster.web import Answer, Visitor
from lumeire.accounts.tests.factories import PASSWORD  # every customer the agent opens has it

pytestmark = pytest.mark.cluster

LOCKOUT_FAILURES = 5  # AXES_FAILURE_LIMIT
# A worker takes back abandoned tasks at least this often (lumeire.core.worker).
HOUSEKEEPING_SECONDS = 5
TASKS_TABLE = "django_tasks_database_dbtaskresult"
ADDRESS = {
    "full_name": "Cluster Buyer",
    "phone": "0551234567",
    "city": "Riyadh",
    "district": "Al Olaya",
    "street": "King Fahd Road",
    "building": "1234",
    "postal_code": "12211",
    "country": "SA",
}


def _sign_in_page(visitor: Visitor, login: str, password: str) -> list[Answer]:
    """Sign in on the storefront's page; the answers of the page and of the form."""
    page = visitor.get("/en/account/sign-in/")
    form = {"login": login, "password": password, "csrfmiddlewaretoken": page.csrf_token()}
    return [page, visitor.post("/en/account/sign-in/", form=form)]


def _api_sign_in(visitor: Visitor, login: str, password: str) -> Answer:
    return visitor.post("/api/v1/accounts/signin", body={"login": login, "password": password})


def _signed_in(answer: Answer) -> bool:
    return answer.status == 200 and "/en/account/sign-out/" in answer.text


# --- (h) liveness, readiness, metrics ---------------------------------------------------------
def test_health_readiness_and_metrics(cluster: Cluster, scenario) -> None:
    for index in range(2):
        node = cluster.node_visitor(index)
        assert node.get("/healthz").status == 200
        ready = node.get("/readyz")
        assert ready.status == 200, ready.text
        checks = ready.json()["checks"]
        assert set(checks.values()) == {"ok"}, checks
        assert {"database", "redis", "keys"} <= set(checks), checks
        scrape = node.get("/metrics")
        assert scrape.status == 200, scrape.status
        for name in ("lumeire_http_requests_total", "lumeire_task_queue_depth"):
            assert name in scrape.text, name
        scenario.figures[f"node{index + 1} readiness"] = checks
    # Through the balancer the client is the forwarded address, which may not scrape.
    assert cluster.visitor("203.0.113.50").get("/metrics").status == 404
    assert cluster.visitor("203.0.113.50").get("/healthz").status == 200


# --- (a) sessions and carts on alternating nodes ------------------------------------------------
def test_session_and_cart_follow_the_customer_across_nodes(cluster: Cluster, store, scenario):
    product = store["products"][0]
    shopper = cluster.visitor("198.51.100.10")
    page, signed = _sign_in_page(shopper, "demo", "demo shopper keeps secrets")
    assert signed.status == 302, signed.text[:500]
    account = shopper.get("/en/account/")
    # Round robin, request by request: the session made on one node is read on the other.
    assert account.node != signed.node
    assert _signed_in(account), "the session made on one node was not known to the other"
    shelf = shopper.get(f"/en/p/{product['slug']}/")
    added = shopper.post(
        f"/en/p/{product['slug']}/",
        form={"sku": product["sku"], "quantity": "1", "csrfmiddlewaretoken": shelf.csrf_token()},
    )
    assert added.status == 302, added.text[:500]
    carts = [shopper.get("/en/cart/") for _ in range(2)]
    assert any(cart.node != added.node for cart in carts)
    for cart in carts:
        assert cart.status == 200
        assert product["name"] in cart.text, "the cart filled on one node was empty on the other"
    nodes = [answer.node for answer in (page, signed, account, shelf, added, *carts)]
    assert set(nodes) == {"node1", "node2"}
    scenario.figures["nodes, request by request"] = " ".join(nodes)


# --- (a) lockouts count the real client, on every node ----------------------------------------
def test_lockout_counts_each_client_not_the_balancer(cluster: Cluster, store, scenario):
    attacker = cluster.visitor("203.0.113.7")
    other = cluster.visitor("198.51.100.23")
    failures = [_api_sign_in(attacker, "lock-x", f"wrong guess {n}") for n in range(5)]
    statuses = [answer.status for answer in failures]
    # The five failures were spread over both nodes, which share the counters.
    assert {answer.node for answer in failures} == {"node1", "node2"}
    assert statuses[:-1] == [401] * (LOCKOUT_FAILURES - 1), statuses
    # The attacker's address is locked out, whatever account it tries next, on either node.
    locked_x = _api_sign_in(attacker, "lock-x", PASSWORD)
    locked_z = _api_sign_in(attacker, "lock-z", PASSWORD)
    assert locked_x.status == 429, locked_x.text
    assert locked_z.status == 429, locked_z.text
    assert "retry-after" in locked_z.headers
    # Another client, behind the same balancer, signs in to its own account.
    own = _api_sign_in(other, "lock-y", PASSWORD)
    assert own.status == 200, own.text
    # The attacked account stays locked for everyone (per account: guesses from many
    # addresses add up), which is the rule, not the balancer.
    assert _api_sign_in(other, "lock-x", PASSWORD).status == 429
    scenario.figures["attacker's five failures"] = statuses
    scenario.figures["other client, own account"] = own.status


# --- (a) the scheme comes from the balancer alone ------------------------------------------------
def test_scheme_is_the_balancers_word_not_the_clients(cluster: Cluster, scenario):
    """X-Forwarded-Proto follows the same rule as X-Forwarded-For: only haproxy's counts.

    Django checks the Referer of a form posted over HTTPS (and only then), so a form posted
    without one shows which scheme the node believed.
    """
    with cluster.tls_balancer() as (https, http, context):
        secure = Visitor(https, tls=context)
        page = secure.get("/en/account/sign-in/")
        assert page.status == 200
        empty = {"csrfmiddlewaretoken": page.csrf_token()}
        # Through TLS: the node knows the request was HTTPS and wants the Referer.
        bare = secure.post("/en/account/sign-in/", form=empty, headers={"Referer": None})
        assert bare.status == 403, bare.status
        # With it, the form is read (and refused as empty: 400, not the CSRF 403).
        assert secure.post("/en/account/sign-in/", form=empty).status == 400
        # Plain HTTP on the TLS balancer only redirects.
        moved = Visitor(http).get("/en/")
        assert moved.status == 301 and moved.headers["location"].startswith("https://")
    # Through the plain-HTTP balancer a client's own "X-Forwarded-Proto: https" is overwritten.
    plain = cluster.visitor("198.51.100.77")
    page = plain.get("/en/account/sign-in/")
    forged = plain.post(
        "/en/account/sign-in/",
        form={"csrfmiddlewaretoken": page.csrf_token()},
        headers={"Referer": None, "X-Forwarded-Proto": "https"},
    )
    assert forged.status == 400, forged.status
    scenario.figures["TLS form without Referer"] = bare.status
    scenario.figures["forged X-Forwarded-Proto over HTTP"] = forged.status


# --- (b) a catalogue edit reaches every node within a second ----------------------------------
def _read_product(base: str, slug: str) -> str:
    # A new visitor each time: no cookies, so the node serves its shared page cache.
    return Visitor(base, timeout=5).get(f"/en/p/{slug}/").text


def _fresh_reads(readings: list, index: int, since: float, name: str, gross: str) -> list[bool]:
    """For each read of node ``index`` begun at ``since`` or later: did it show the edit?"""
    return [
        name in text and gross in text
        for node, started, text in list(readings)
        if node == index and started >= since
    ]


def test_catalogue_edit_seen_on_both_nodes_within_a_second(cluster: Cluster, store, scenario):
    slug = store["products"][2]["slug"]
    readings: list[tuple[int, float, str]] = []
    stop = threading.Event()

    def read(index: int) -> None:
        base = cluster.node_url(index)
        while not stop.is_set():
            started = time.time()
            try:
                readings.append((index, started, _read_product(base, slug)))
            except OSError:
                readings.append((index, started, ""))

    # Two readers per node, so both of its worker processes hold the page in their caches.
    readers = [threading.Thread(target=read, args=(index,)) for index in (0, 0, 1, 1)]
    for reader in readers:
        reader.start()
    worst: dict[str, float] = {}
    try:
        time.sleep(0.5)  # the readers warm every worker's cache with the old page
        for edit in range(3):
            name = f"Cluster edit {edit} {uuid.uuid4().hex[:8]}"
            price = f"{100 + edit * 7}.00"
            done = cluster.agent("product_edit", slug=slug, name=name, price=price)
            committed = done["committed_at"]

            shown = (committed + 1.0, name, done["gross"])
            # Until each node has answered three reads begun a full second after the commit.
            wait_until(
                lambda shown=shown: all(
                    len(_fresh_reads(readings, index, *shown)) >= 3 for index in (0, 1)
                ),
                timeout=10,
                what="reads of both nodes after the edit",
            )
            for index in range(2):
                assert all(_fresh_reads(readings, index, *shown)), (
                    f"node {index + 1} still served the old name or price 1 s after edit {edit}"
                )
                stale = [
                    started - committed
                    for node, started, text in list(readings)
                    if node == index and started >= committed and name not in text
                ]
                key = f"node{index + 1}"
                worst[key] = max(worst.get(key, 0.0), max(stale, default=0.0))
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    scenario.figures["reads during the edits"] = len(readings)
    scenario.figures["longest stale read after commit, s"] = {
        key: round(value, 3) for key, value in worst.items()
    }


# --- (c) images and exports from either node ---------------------------------------------------
def test_images_and_exports_served_by_either_node(cluster: Cluster, store, scenario):
    image = store["products"][0]["image"]
    bodies = []
    for index in range(2):
        answer = cluster.node_visitor(index).get(f"/media/{image}")
        assert answer.status == 200, (index, answer.status)
        assert answer.headers["content-type"].startswith("image/")
        bodies.append(answer.body)
    assert bodies[0] == bodies[1]
    media = cluster.s3.keys("media/")
    assert media.get(f"media/{image}") == len(bodies[0]), "the photo is not in the shared bucket"
    assert not (ROOT / "var" / "media" / image).exists()

    token = store["tokens"]["demo"]
    asked = cluster.node_visitor(0, token=token).post("/api/v1/privacy/exports")
    assert asked.status == 202, asked.text
    export_id = asked.json()["id"]
    started = time.monotonic()
    on_other = cluster.node_visitor(1, token=token)

    def ready() -> dict | None:
        status = on_other.get(f"/api/v1/privacy/exports/{export_id}").json()
        return status if status["status"] == "ready" else None

    wait_until(ready, timeout=30, what="the export built by a worker", every=0.2)
    built = time.monotonic() - started
    sealed = cluster.s3.read(f"exports/{export_id}.sealed")
    assert not sealed.startswith(b"PK"), "the export lies in the bucket unsealed"
    download = on_other.get(f"/api/v1/privacy/exports/{export_id}/download")
    assert download.status == 200, download.text[:300]
    assert zipfile.ZipFile(io.BytesIO(download.body)).namelist()
    # One download: a second one, from the first node, finds nothing.
    again = cluster.node_visitor(0, token=token).get(
        f"/api/v1/privacy/exports/{export_id}/download"
    )
    assert again.status == 404
    scenario.figures["export built and ready on the other node, s"] = round(built, 2)
    scenario.figures["photo and export objects in the bucket"] = len(media) + 1


# --- (d) a node killed during checkouts --------------------------------------------------------
def _checkout(cluster: Cluster, token: str, key: str, deadline: float) -> dict[str, object]:
    """Place one order through the balancer, retrying with the same key until it is answered."""
    visitor = cluster.visitor(timeout=10, token=token)
    attempts: list[object] = []
    body = {
        "shipping_address": ADDRESS,
        "shipping_method": "standard",
        "payment": {"method": "cod"},
        "save_address": False,
    }
    while time.monotonic() < deadline:
        try:
            answer = visitor.post(
                "/api/v1/checkout/orders", body=body, headers={"Idempotency-Key": key}
            )
        except OSError as error:
            attempts.append(type(error).__name__)
        else:
            # Who answered: a node (by name), or the balancer itself (a 502 for a request a
            # node dropped, a 503 when no node was ready).
            attempts.append(f"{answer.status} {answer.node or 'balancer'}")
            if answer.status not in (502, 503, 504):
                return {"status": answer.status, "attempts": attempts, "order": answer.json()}
        time.sleep(0.2)
    return {"status": None, "attempts": attempts, "order": None}


def test_node_killed_during_checkouts(cluster: Cluster, store, scenario):
    product = store["products"][1]
    buyers = store["buyers"]
    start_stock, quantity = 60, 2
    cluster.agent("stock_set", sku=product["sku"], quantity=start_stock)
    cluster.agent("cart_fill", usernames=buyers, sku=product["sku"], quantity=quantity)
    customer_ids = [store["customers"][name] for name in buyers]
    keys = {name: f"cluster-{name}-{uuid.uuid4().hex[:12]}" for name in buyers}

    def placed() -> int:
        return cluster.query(
            "SELECT count(*) FROM orders_order WHERE customer_id::text = ANY(%s)", customer_ids
        )[0][0]

    deadline = time.monotonic() + 60
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {
            name: pool.submit(_checkout, cluster, store["tokens"][name], keys[name], deadline)
            for name in buyers
        }
        wait_until(lambda: placed() >= 2, timeout=30, what="the first orders", every=0.02)
        before_kill = placed()
        cluster.kill_node(0)
        killed_after = time.monotonic() - started
        results = {name: future.result() for name, future in futures.items()}
    burst = time.monotonic() - started
    cluster.restart_node(0)
    cluster.wait_balanced(timeout=20)

    statuses = Counter(result["status"] for result in results.values())
    assert set(statuses) <= {200, 201}, results
    numbers = {name: result["order"]["number"] for name, result in results.items()}
    rows = cluster.query(
        "SELECT customer_id::text, number FROM orders_order WHERE customer_id::text = ANY(%s)",
        customer_ids,
    )
    by_customer = Counter(customer for customer, _number in rows)
    assert all(count == 1 for count in by_customer.values()), by_customer
    assert {number for _customer, number in rows} == set(numbers.values())
    assert len(rows) == len(buyers)
    sold = cluster.query(
        "SELECT coalesce(sum(line.quantity), 0) FROM orders_orderline line "
        "JOIN orders_order o ON o.id = line.order_id "
        "WHERE line.variant_id = %s AND o.customer_id::text = ANY(%s)",
        product["variant_id"],
        customer_ids,
    )[0][0]
    stock = cluster.query("SELECT stock FROM catalog_variant WHERE id = %s", product["variant_id"])
    assert sold == quantity * len(buyers)
    assert stock[0][0] == start_stock - sold
    retried = {
        name: result["attempts"] for name, result in results.items() if len(result["attempts"]) > 1
    }
    # Answers that were not the order: the balancer's 502 for a request the kill cut off, a
    # connection error, or a 503 (a node that could not count the checkout, or no node ready).
    refused = Counter(attempt for result in results.values() for attempt in result["attempts"][:-1])
    scenario.figures["orders placed before the kill"] = before_kill
    scenario.figures["kill after, s"] = round(killed_after, 2)
    scenario.figures["burst, s"] = round(burst, 2)
    # 200: the order was placed by a request whose answer the kill cut off; the retry with the
    # same key found it (Idempotent-Replayed).
    scenario.figures["final answers"] = dict(statuses)
    scenario.figures["answers before the order, all retried with the same key"] = dict(refused)
    scenario.figures["customers who retried"] = len(retried)
    scenario.figures["stock"] = f"{start_stock} - {sold} = {stock[0][0]}"


# --- (e) a worker killed during an export ------------------------------------------------------
def test_worker_killed_during_export_finishes_once_within_the_lease(
    cluster: Cluster, store, scenario
):
    token = store["tokens"]["exporter"]
    with cluster.db() as blocker:
        # The export's row stays locked until the worker has been killed: the build then waits
        # on its last step with the task RUNNING, however fast the machine.
        asked = cluster.node_visitor(1, token=token).post("/api/v1/privacy/exports")
        assert asked.status == 202, asked.text
        export_id = asked.json()["id"]
        blocker.execute("BEGIN")
        blocker.execute("SELECT 1 FROM exports_dataexport WHERE id = %s FOR UPDATE", [export_id])
        holder = blocker.info.backend_pid

        def claimed() -> tuple | None:
            row = cluster.query(
                f"SELECT id, status, worker_ids FROM {TASKS_TABLE} "  # noqa: S608 - a constant
                "WHERE task_path = 'lumeire.exports.tasks.build_export' "
                "AND args_kwargs::text LIKE %s",
                f"%{export_id}%",
            )
            if row and row[0][1] == "RUNNING" and waiting_on_us():
                return row[0]
            return None

        def waiting_on_us() -> list[int]:
            rows = cluster.query(
                "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", holder
            )
            return [pid for (pid,) in rows]

        task_id, _status, worker_ids = wait_until(
            claimed, timeout=20, what="a worker building the export", every=0.05
        )
        victim = cluster.worker_index(worker_ids[-1])
        assert victim is not None, worker_ids
        cluster.kill_worker(victim)
        killed_at = time.monotonic()
        # The killed machine's database connections die with it.
        for pid in waiting_on_us():
            blocker.execute("SELECT pg_terminate_backend(%s)", [pid])
        blocker.execute("COMMIT")

    survivor = 1 - victim
    limit = LEASE_SECONDS + HOUSEKEEPING_SECONDS + 5

    def finished() -> tuple | None:
        row = cluster.query(
            f"SELECT status, worker_ids FROM {TASKS_TABLE} WHERE id = %s",  # noqa: S608
            task_id,
        )[0]
        return row if row[0] in ("SUCCESSFUL", "FAILED") else None

    status, worker_ids = wait_until(finished, timeout=limit + 10, what="the export task", every=0.2)
    took = time.monotonic() - killed_at
    cluster.restart_worker(victim)
    assert status == "SUCCESSFUL"
    assert worker_ids[-1] == cluster.workers[survivor].worker_id, worker_ids
    assert took <= limit, f"finished {took:.1f} s after the kill (lease {LEASE_SECONDS} s)"
    # Once: one task, one ready export, one file.
    tasks = cluster.query(
        f"SELECT count(*) FROM {TASKS_TABLE} WHERE args_kwargs::text LIKE %s",  # noqa: S608
        f"%{export_id}%",
    )
    assert tasks[0][0] == 1
    assert cluster.query("SELECT status FROM exports_dataexport WHERE id = %s", export_id) == [
        ("ready",)
    ]
    assert [key for key in cluster.s3.keys("exports/") if export_id in key] == [
        f"exports/{export_id}.sealed"
    ]
    download = cluster.node_visitor(0, token=token).get(
        f"/api/v1/privacy/exports/{export_id}/download"
    )
    assert download.status == 200
    assert zipfile.ZipFile(io.BytesIO(download.body)).namelist()
    scenario.figures["finished after the kill, s"] = round(took, 2)
    scenario.figures["lease, heartbeat, s"] = (LEASE_SECONDS, HEARTBEAT_SECONDS)
    scenario.figures["runs"] = worker_ids


# --- (f) Redis cut on one node ----------------------------------------------------------------
def _timed_pages(visitor_for, paths: list[str]) -> list[tuple[int, float]]:
    return [(answer.status, round(answer.seconds, 3)) for answer in map(visitor_for, paths)]


def test_redis_cut_on_one_node(cluster: Cluster, store, scenario):
    slug = store["products"][0]["slug"]
    customer = cluster.node_visitor(0)
    assert _sign_in_page(customer, "stay", PASSWORD)[-1].status == 302
    assert _signed_in(customer.get("/en/account/"))
    pages = ["/en/", f"/en/p/{slug}/", "/en/c/" + store["products"][0]["category"] + "/"]

    for mode in (BLACKHOLE, REFUSE):
        cluster.cut_redis(0, mode)
        cut_at = time.monotonic()
        try:
            ready = cluster.node_visitor(0).get("/readyz")
            assert ready.status == 503, ready.text
            checks = ready.json()["checks"]
            assert checks["redis"] != "ok" and checks["database"] == "ok", checks
            # Pages for visitors (shared page cache) and for the signed-in customer (none).
            served = _timed_pages(lambda path: cluster.node_visitor(0).get(path), pages)
            served += _timed_pages(customer.get, [f"/en/p/{slug}/", "/en/cart/"])
            assert all(status == 200 for status, _seconds in served), served
            assert max(seconds for _status, seconds in served) < 2.5, served
            assert _signed_in(customer.get("/en/account/")), "signed out by a Redis outage"
            # Sign-in needs the lockout counters: refused plainly, never a 500, never let through.
            refused = _api_sign_in(cluster.node_visitor(0), "lock-y", PASSWORD)
            assert refused.status == 503, refused.text
            assert refused.headers.get("retry-after") == "30"
            assert cluster.node_visitor(1).get("/readyz").status == 200
            assert _api_sign_in(cluster.node_visitor(1), "lock-y", PASSWORD).status == 200

            def only_node2() -> bool:
                return {cluster.visitor().get("/healthz").node for _ in range(4)} == {"node2"}

            wait_until(only_node2, timeout=10, what="haproxy taking node1 out", every=0.2)
            scenario.figures[f"{mode}: readyz"] = f"{ready.status} {checks} {ready.seconds:.2f} s"
            scenario.figures[f"{mode}: pages (status, s)"] = served
            scenario.figures[f"{mode}: node1 out of the balancer after, s"] = round(
                time.monotonic() - cut_at, 2
            )
        finally:
            cluster.restore_redis(0)
            restored = time.monotonic()
        wait_until(
            lambda: cluster.node_visitor(0).get("/readyz").status == 200,
            timeout=15,
            what="node1 ready again",
            every=0.2,
        )
        cluster.wait_balanced(timeout=15)
        scenario.figures[f"{mode}: node1 back in the balancer after restore, s"] = round(
            time.monotonic() - restored, 2
        )
    for index in range(2):
        stayed = Visitor(cluster.node_url(index), cookies=dict(customer.cookies))
        assert _signed_in(stayed.get("/en/account/")), f"signed out on node {index + 1}"


def test_redis_cut_on_every_node_still_serves_pages(cluster: Cluster, store, scenario):
    """The one Redis every node shares is gone: no node is ready, yet the balancer keeps serving
    pages through its liveness backend; sign-in answers 503 until Redis is back."""
    slug = store["products"][0]["slug"]
    for index in range(2):
        cluster.cut_redis(index, REFUSE)
    cut_at = time.monotonic()
    try:
        for index in range(2):
            assert cluster.node_visitor(index).get("/readyz").status == 503
        # haproxy takes both nodes out after two failed checks a second apart (about 2 s) and
        # then falls back to its liveness backend: pages are served all along, never its own 503.
        served: list[int] = []
        while time.monotonic() - cut_at < 4.0:
            served += [cluster.visitor().get(path).status for path in ("/en/", f"/en/p/{slug}/")]
            time.sleep(0.1)
        assert set(served) == {200}, Counter(served)
        refused = _api_sign_in(cluster.visitor(), "lock-y", PASSWORD)
        assert refused.status == 503 and refused.headers.get("retry-after") == "30"
        scenario.figures["pages through the balancer over 4 s with no node ready"] = dict(
            Counter(served)
        )
    finally:
        for index in range(2):
            cluster.restore_redis(index)
    cluster.wait_balanced(timeout=15)
    # Each gunicorn process leaves Redis alone for a few seconds after its last failure.
    wait_until(
        lambda: _api_sign_in(cluster.visitor(), "lock-y", PASSWORD).status == 200,
        timeout=15,
        what="sign-in open again",
        every=0.5,
    )


# --- (g) two schedulers, one run per periodic slot ---------------------------------------------
def test_each_periodic_slot_runs_once(cluster: Cluster, scenario):
    periods = cluster.agent("periodic")
    runs = cluster.query(
        f"SELECT task_path, run_after, status, started_at, finished_at FROM {TASKS_TABLE} "  # noqa: S608
        "WHERE task_path = ANY(%s) ORDER BY run_after",
        list(periods),
    )
    slots = cluster.query(
        "SELECT task_path, slot_start, task_result_id FROM core_periodicslot "
        "WHERE task_path = ANY(%s)",
        list(periods),
    )
    per_slot = Counter((path, run_after) for path, run_after, *_rest in runs)
    assert all(count == 1 for count in per_slot.values()), per_slot
    assert len(runs) == len([slot for slot in slots if slot[2] is not None])
    by_task: dict[str, list] = defaultdict(list)
    for path, _run_after, _status, started, finished in runs:
        if started is not None:
            by_task[path].append((started, finished))
    # Runs of one task never overlap.
    for path, spans in by_task.items():
        spans.sort()
        for (_start, end), (next_start, _next_end) in itertools.pairwise(spans):
            assert end is not None and end <= next_start, path
    assert set(by_task) == set(periods), f"some periodic task never ran: {periods}"
    elapsed = time.time() - cluster.started_at
    scenario.figures["cluster age, s"] = round(elapsed)
    scenario.figures["slots per task"] = dict(Counter(path for path, *_rest in slots))
    scenario.figures["duplicate runs"] = sum(count - 1 for count in per_slot.values())
    scenario.figures["workers that queued a slot"] = _schedulers(cluster)


def _schedulers(cluster: Cluster) -> list[str]:
    """Which workers' logs say they queued a periodic run (both race for every slot)."""
    found = []
    for log in sorted(Path(cluster.logs).glob("worker*.log")):
        if "periodic_task_queued" in log.read_text(errors="replace"):
            found.append(log.stem)
    return found
