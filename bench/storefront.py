"""Storefront load: pages per second and latency through gunicorn, as a share of the floor.

The issue's targets hold on PostgreSQL with 100,000 products, so run it there:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lumeire_bench make bench
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/0 python -m bench storefront

The database must be migrated and loaded (`manage.py load_demo --products 100000`); the benchmark
only reads it, apart from the guest carts its add-to-cart requests make, which it deletes again,
and one new catalogue version (cached pages start afresh, as after a staff edit).
Without DATABASE_URL it builds a temporary SQLite database with `load_demo --products 2000`
(product images go to var/media/, as with `make run`): a smoke run whose figures are not the
targets'.

gunicorn serves the store with two workers per core (``LUMEIRE_BENCH_THREADS`` threads each,
default 2: on the 2-core machine, 2 threads served the floor 7 % more than 1 and the pages about
the same, with slightly higher p95; 1 thread means sync workers without keep-alive) on
127.0.0.1 and a free port, DEBUG off, request logs off (LOG_LEVEL=WARNING), with bench.urls
adding /bench/floor: a tiny template through the same middleware, the floor every page is
compared with. Each scenario is warmed (every URL four times per worker, so each worker's own
cache holds it), then driven by wrk (or, without wrk, an asyncio client) at concurrency 8 for a
fixed time. Searches run twice: ten repeated queries (served from cached pages) and search pages
nobody asked for before (product and category names in both languages, also with a typo,
one word alone, a plural or the Arabic article; each page language and sort once),
without warm-up and after a new catalogue version (as a staff edit makes) so no earlier run's
cache answers: what search itself costs. Product pages are asked for over the whole catalogue
(every listed product in both languages, in one random order that the connections share), after
a warm-up that asks for each once: the workers of a machine share the pages they render, as a
store sees them once each page has been viewed since the last catalogue edit. The same pages
are then asked for by a signed-in customer (the demo customer, signed in through the sign-in
form and signed out after, so no session is left), never served from the page cache. Add to cart
always uses the Python client: a fresh guest per request, spread over loopback source
addresses so the per-address add limit is not what is measured; the carts are deleted after.
The driver runs on the same cores as gunicorn and the database, so absolute figures are below
what a separate load machine would see; the ratios to the floor are the comparable part, and
each is taken against the floor measured just before that scenario (5 s), so a machine that
gets busier during the run skews them less. The run warns when the CPU was busy before it
started and when the floor moved by more than 25 % during the run.

A storefront page that answers 404 (not built yet) is skipped with a line saying so.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.environment import store_database_url
from bench.load import LoadResult, RawRequest, run_python, run_wrk, wrk_available

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_SECONDS = float(os.environ.get("LUMEIRE_BENCH_SECONDS", "15"))
WARM_SECONDS = 3
WARM_LIMIT_SECONDS = 180
FLOOR_CHECK_SECONDS = 5
WORKERS = 2 * (os.cpu_count() or 1)
CONCURRENCY = 8
MAX_REQUESTS = 100_000
SQLITE_PRODUCTS = 2000
SEED = 20261125
THREADS = int(os.environ.get("LUMEIRE_BENCH_THREADS", "2"))
# Scenario names to run beside the floor, separated by ";" (e.g. "search, unseen;API search").
ONLY = {
    name.strip() for name in os.environ.get("LUMEIRE_BENCH_ONLY", "").split(";") if name.strip()
}
# A product page per product and language, up to this many: a random sample of a larger
# catalogue (100,000 products would take longer to warm than to measure).
MAX_PRODUCT_PATHS = 4000
START_TIMEOUT_SECONDS = 90
# 253 loopback addresses at 50 adds each stay far below 120 adds a minute per address.
ADD_SOURCES = [f"127.0.0.{n}" for n in range(2, 255)]
ADDS_PER_SOURCE = 50
TARGET_PAGE_SHARE = 0.40
TARGET_SEARCH_P95_MS = 80.0
TARGET_SQLITE_SEARCH_P95_MS = 50.0


@dataclass
class Scenario:
    name: str
    paths: list[str]
    storefront: bool = False  # skipped while the page answers 404
    warm: bool = True  # False: every URL is new to the server when measured
    add_to_cart: list[str] | None = None  # SKUs: POST /api/v1/cart/lines instead of GETs
    # One random order shared by every connection: each page asked once per pass over the list.
    spread: bool = False
    signed_in: bool = False  # as the demo customer, signed in for the scenario and out after


@dataclass
class Row:
    scenario: Scenario
    result: LoadResult | None
    note: str = ""
    floor: LoadResult | None = None  # measured just before this scenario

    @property
    def share(self) -> float | None:
        """Throughput as a share of the floor measured next to it."""
        if self.result is None:
            return None
        if self.floor is None:
            return 1.0
        return self.result.per_second / self.floor.per_second if self.floor.per_second else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env: dict[str, str], *arguments: str) -> None:
    """Run a management command quietly; its output is shown only if it fails."""
    finished = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{finished.stderr[-3000:]}")


def _server_env(database_url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LUMEIRE_ENV_FILE": os.environ.get("LUMEIRE_ENV_FILE", str(ROOT / "var" / "secrets.env")),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LUMEIRE_ROOT_URLCONF": "bench.urls",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }


@contextlib.contextmanager
def _database(workdir: Path) -> Iterator[tuple[str, str]]:
    """The database URL and a description of it for the report."""
    url = store_database_url()
    if url:
        yield url, f"{url.split('://', 1)[0]} database named by DATABASE_URL"
        return
    url = f"sqlite:///{workdir / 'storefront.sqlite3'}"
    env = _server_env(url, workdir)
    started = time.monotonic()
    _manage(env, "migrate", "--noinput")
    _manage(env, "createcachetable")
    _manage(env, "load_demo", "--products", str(SQLITE_PRODUCTS))
    yield (
        url,
        (
            f"temporary SQLite with load_demo --products {SQLITE_PRODUCTS} "
            f"(built in {time.monotonic() - started:.0f} s): NOT the targets' PostgreSQL with "
            "100,000 products"
        ),
    )


def _get(base: str, path: str, language: str = "en") -> tuple[int, bytes]:
    request = urllib.request.Request(f"{base}{path}", headers={"Accept-Language": language})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def _api(base: str, path: str, language: str = "en"):
    status, body = _get(base, f"/api/v1{path}", language)
    if status != 200:
        raise RuntimeError(f"GET /api/v1{path} answered {status}")
    return json.loads(body)


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], workdir: Path, threads: int) -> Iterator[str]:
    """gunicorn on a free port, stopped by its process id on the way out."""
    port = _free_port()
    log = workdir / f"gunicorn-{port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(threads),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while _get_status(base, "/healthz") != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def _get_status(base: str, path: str) -> int | None:
    try:
        return _get(base, path)[0]
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _plan(base: str) -> list[Scenario]:
    """What to request, found through the API so any loaded catalogue will do."""
    categories = [c for c in _api(base, "/catalog/categories") if c["product_count"] > 0]
    if not categories:
        raise RuntimeError("The catalogue is empty: run manage.py load_demo first.")
    leaves = [c for c in categories if not any(o["parent"] == c["slug"] for o in categories)]
    products: list[str] = []
    for category in leaves:
        page = _api(base, f"/catalog/products?category={category['slug']}&limit=8")
        products += [item["slug"] for item in page["items"]]
    details = [_api(base, f"/catalog/products/{slug}") for slug in products[:40]]
    skus = [v["sku"] for d in details for v in d["variants"] if v["in_stock"]][:40]
    arabic = [_api(base, f"/catalog/products/{slug}", "ar")["name"] for slug in products[:40:8]]
    words = [d["name"].split()[1].lower() for d in details[::8] if len(d["name"].split()) > 2]
    queries = [*dict.fromkeys(words), *[name.split()[0] for name in arabic]]
    category_slugs = [c["slug"] for c in categories]
    unseen = _name_queries(base, leaves)
    catalogue = _product_paths(base)
    return [
        Scenario("floor", ["/bench/floor"]),
        Scenario("home", ["/en/"], storefront=True),
        Scenario("category page", [f"/en/c/{s}/" for s in category_slugs], storefront=True),
        Scenario("product page", catalogue, storefront=True, spread=True),
        Scenario("product, signed in", catalogue, storefront=True, spread=True, signed_in=True),
        Scenario(
            "search, repeated", [f"/en/search/?q={_quote(q)}" for q in queries], storefront=True
        ),
        Scenario(
            "search, unseen",
            unseen,
            storefront=True,
            warm=False,
        ),
        Scenario("add to cart (API)", ["/api/v1/cart/lines"], add_to_cart=skus),
        Scenario(
            "API category list",
            [f"/api/v1/catalog/products?category={s}" for s in category_slugs],
        ),
        Scenario("API product", [f"/api/v1/catalog/products/{s}" for s in products]),
        Scenario("API search", [f"/api/v1/catalog/products?q={_quote(q)}" for q in queries]),
    ]


def _product_paths(base: str) -> list[str]:
    """Every listed product's page in both languages, in a random order: a shopper lands
    anywhere in the catalogue, so no page is favoured and every worker's cache must hold them."""
    slugs: list[str] = []
    cursor = ""
    while True:
        page = _api(
            base, f"/catalog/products?limit=100{f'&cursor={_quote(cursor)}' if cursor else ''}"
        )
        slugs += [item["slug"] for item in page["items"]]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            break
    paths = [f"/{language}/p/{slug}/" for slug in slugs for language in ("en", "ar")]
    random.Random(SEED).shuffle(paths)  # noqa: S311 - an order of requests, not a secret
    return paths[:MAX_PRODUCT_PATHS]


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the finger in a word long enough to be forgiven: a swap, a double or a drop."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 2)
    slip = rng.choice(("swap", "double", "drop"))
    if slip == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if slip == "double":
        return word[: at + 1] + word[at] + word[at + 1 :]
    return word[:at] + word[at + 1 :]


def _query_variants(name: str, rng: random.Random) -> list[str]:
    """What shoppers type for a product: its name, with a typo, one word alone, a plural, and
    (in Arabic) with the article."""
    words = name.split()
    variants = [name, " ".join(_typo(word, rng) for word in words)]
    longest = max(words, key=len)
    variants.append(longest)
    if longest.isascii():
        variants.append(longest + ("es" if longest.endswith(("s", "x", "ch", "sh")) else "s"))
    else:
        variants.append("ال" + longest)
    return variants


def _name_queries(base: str, categories: list[dict]) -> list[str]:
    """Search pages nobody asked for before: product names without their numbers, in English
    and Arabic, as typed (with a typo, one word, a plural, the Arabic article) and category
    names, each in both languages of the page and all four sorts, each asked for once.

    Shoppers type names; a page nobody asked for misses every cache, so this scenario shows what
    search itself costs at this catalogue size. There are more of them than a run can ask.
    """
    rng = random.Random(SEED)  # noqa: S311 - typos for a benchmark, not a secret
    names: dict[str, None] = {}
    for language in ("en", "ar"):
        for shelf in _api(base, "/catalog/categories", language):
            names[shelf["name"].lower()] = None
            names[_typo(shelf["name"].lower(), rng)] = None
        for category in categories:
            page = _api(base, f"/catalog/products?category={category['slug']}&limit=100", language)
            for item in page["items"]:
                words = [word for word in item["name"].split() if not word.isdigit()]
                for variant in _query_variants(" ".join(words).lower(), rng):
                    names[variant] = None
    paths = [
        f"/{language}/search/?q={_quote(name)}{sort}"
        for name in names
        for language in ("en", "ar")
        for sort in ("", "&sort=price", "&sort=-price", "&sort=newest")
    ]
    random.Random(SEED).shuffle(paths)  # noqa: S311 - an order of requests, not a secret
    return paths


def _drive(base: str, scenario: Scenario, seconds: float, cookie: str = "") -> LoadResult:
    host = base.removeprefix("http://")
    address, port = host.split(":")
    if scenario.add_to_cart is not None:
        skus = scenario.add_to_cart
        adds = [
            RawRequest.post_json(host, scenario.paths[0], {"sku": s, "quantity": 1}) for s in skus
        ]

        def cycle() -> Iterator[RawRequest]:
            while True:
                yield from adds

        return run_python(
            address,
            int(port),
            cycle,
            connections=CONCURRENCY,
            seconds=seconds,
            max_requests=MAX_REQUESTS,
            sources=ADD_SOURCES,
            per_source=ADDS_PER_SOURCE,
            want_header="X-Cart-Token",
        )
    if wrk_available() and not cookie:
        return run_wrk(base, scenario.paths, connections=CONCURRENCY, seconds=seconds)
    headers = {"Accept": "text/html", **({"Cookie": cookie} if cookie else {})}
    gets = [RawRequest.get(host, path, headers) for path in scenario.paths]
    shared = itertools.cycle(gets)

    def walk() -> Iterator[RawRequest]:
        if scenario.spread:  # every connection takes the next page of one shared order
            while True:
                yield next(shared)
        while True:
            yield from gets

    return run_python(
        address,
        int(port),
        walk,
        connections=CONCURRENCY,
        seconds=seconds,
        max_requests=MAX_REQUESTS,
    )


def _measure(
    base: str, scenario: Scenario, env: dict[str, str], floor: Scenario | None = None
) -> Row:
    """Warm the scenario, measure the floor (when given) right then, and drive the scenario.

    The floor measured next to each scenario makes the share robust to the machine getting
    busier or quieter during the run.
    """
    if scenario.add_to_cart is None:
        # A whole catalogue is not probed page by page: that would be a warm-up of its own.
        probed = scenario.paths if scenario.warm and not scenario.spread else scenario.paths[-1:]
        statuses = {path: _get_status(base, path) for path in probed}
        if scenario.storefront and 404 in statuses.values():
            missing = next(path for path, status in statuses.items() if status == 404)
            return Row(scenario, None, f"skipped: {missing} answers 404 (page not built yet)")
    elif not scenario.add_to_cart:
        return Row(scenario, None, "skipped: no SKU in stock")
    if scenario.signed_in:
        return _measure_signed_in(base, scenario, env, floor)
    if not scenario.warm:
        _run_django(env, _FORGET_CACHED_PAGES)
    warm = _warm(base, scenario) if scenario.warm else None
    beside = _drive(base, floor, FLOOR_CHECK_SECONDS) if floor is not None else None
    result = _drive(base, scenario, SCENARIO_SECONDS)
    if warm is None:
        repeated = "" if result.requests <= len(scenario.paths) else ", SOME ASKED TWICE"
        note = f"{len(scenario.paths)} distinct pages, no warm-up{repeated}"
        return Row(scenario, result, note, beside)
    if scenario.add_to_cart is not None:
        _forget_carts(env, warm.headers_seen + result.headers_seen)
    note = f"{warm.errors} errors while warming" if warm.errors else ""
    return Row(scenario, result, note, beside)


def _measure_signed_in(
    base: str, scenario: Scenario, env: dict[str, str], floor: Scenario | None
) -> Row:
    """The same pages for a signed-in customer: never from the page cache (the header names
    their cart), built from the fragments the anonymous scenario's warm-up left in each worker.
    The session is made by the sign-in form and ended by signing out, so none is left behind."""
    cookie = _sign_in(base, env)
    try:
        beside = _drive(base, floor, FLOOR_CHECK_SECONDS) if floor is not None else None
        result = _drive(base, scenario, SCENARIO_SECONDS, cookie)
    finally:
        _sign_out(base, cookie)
    bad = sum(count for status, count in result.statuses.items() if status != 200)
    note = f"as the demo customer; {bad} answers not 200" if bad else "as the demo customer"
    return Row(scenario, result, note, beside)


def _form_request(
    base: str, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None
) -> tuple[int, str]:
    """One request with the cookies given; the cookies it sets are added to them."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    headers = {"Accept-Language": "en", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"{base}{path}"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text
    finally:
        connection.close()


def _csrf_field(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("no CSRF token on the sign-in page")
    return found[1]


_DEMO_SIGN_IN = """
import django
django.setup()
from lumeire.demo.accounts import DEMO_PASSWORD, DEMO_USERNAME
print(DEMO_USERNAME)
print(DEMO_PASSWORD)
"""


def _sign_in(base: str, env: dict[str, str]) -> str:
    """Sign the demo customer in through the store's own form; returns the Cookie header."""
    finished = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", _DEMO_SIGN_IN],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    username, password = finished.stdout.splitlines()[-2:]
    cookies: dict[str, str] = {}
    path = "/en/account/sign-in/"
    _status, html = _form_request(base, "GET", path, cookies)
    form = {"csrfmiddlewaretoken": _csrf_field(html), "login": username}
    status, _html = _form_request(base, "POST", path, cookies, {**form, "password": password})
    if status != 302:
        raise RuntimeError(f"the demo customer's sign-in answered {status}, not a redirect")
    return "; ".join(f"{name}={value}" for name, value in cookies.items() if value)


def _sign_out(base: str, cookie: str) -> None:
    """Sign out (which ends the session in the database), keeping no session behind."""
    cookies = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    _status, html = _form_request(base, "GET", "/en/account/", cookies)
    token = _csrf_field(html)
    status, _html = _form_request(
        base, "POST", "/en/account/sign-out/", cookies, {"csrfmiddlewaretoken": token}
    )
    if status != 302:
        raise RuntimeError(f"signing the demo customer out answered {status}")


def _warm(base: str, scenario: Scenario) -> LoadResult:
    """Ask for every URL a few times per worker, so each worker's own cache holds it.

    Workers take connections at random; four requests per worker and URL leave about one URL
    in a hundred cold in a given worker (with Redis the cache is shared and one request does).
    """
    if scenario.add_to_cart is not None:
        return _drive(base, scenario, WARM_SECONDS)
    host = base.removeprefix("http://")
    address, port = host.split(":")
    gets = [RawRequest.get(host, path, {"Accept": "text/html"}) for path in scenario.paths]
    # A whole catalogue is asked for once: the workers of a machine share the pages they render
    # (lumeire.storefront.page_memory), so one rendering serves every worker, as in a store
    # where each page has been seen once since the last catalogue edit.
    rounds = 1 if scenario.spread else 4 * WORKERS
    shared = itertools.chain.from_iterable(itertools.repeat(gets, rounds))

    def every_url_repeatedly() -> Iterator[RawRequest]:
        if scenario.spread:
            yield from shared
            return
        for _ in range(rounds):
            yield from gets

    return run_python(
        address,
        int(port),
        every_url_repeatedly,
        connections=CONCURRENCY,
        seconds=WARM_LIMIT_SECONDS,
        max_requests=len(gets) * rounds,
    )


_FORGET = """
import sys, django
django.setup()
from lumeire.cart.models import Cart
from lumeire.core.tokens import secret_hash
hashes = [secret_hash(token) for token in sys.stdin.read().split()]
for start in range(0, len(hashes), 500):
    Cart.objects.filter(token_hash__in=hashes[start:start + 500], user__isnull=True).delete()
"""


# What the figures depend on: the catalogue's size and, on PostgreSQL, whether the planner has
# statistics and a visibility map (autovacuum may be off on a benchmark machine).
_DESCRIBE = """
import django
django.setup()
from django.db import connection
from lumeire.catalog.models import Category, Product
listed = Product.objects.filter(is_listed=True).count()
print(f"catalogue: {listed:,} listed products in {Category.objects.count()} categories")
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute(
            "SELECT n_live_tup, n_dead_tup, last_vacuum IS NOT NULL OR last_autovacuum IS NOT NULL"
            " FROM pg_stat_user_tables WHERE relname = 'catalog_product'"
        )
        live, dead, vacuumed = cursor.fetchone()
    share = dead / max(1, live + dead)
    print(
        f"PostgreSQL: autovacuum {autovacuum}; catalog_product {share:.0%} dead rows, "
        f"{'vacuumed' if vacuumed else 'never vacuumed'}"
    )
    if share > 0.1 or not vacuumed:
        print(
            "WARNING: run VACUUM ANALYZE on the catalog_ tables first: without a visibility map"
            " counts read the whole table, and the figures are not a live store's"
        )
"""


def _describe(env: dict[str, str]) -> list[str]:
    finished = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", _DESCRIBE],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return finished.stdout.splitlines()


# A query asked in an earlier run is still cached (Redis outlives the server): a new catalogue
# version, as after any staff edit, makes every cached fragment stale.
_FORGET_CACHED_PAGES = """
import django
django.setup()
from lumeire.catalog.services import catalog_changed
catalog_changed()
"""


def _run_django(env: dict[str, str], code: str, stdin: str = "") -> None:
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", code], input=stdin, text=True, cwd=ROOT, env=env, check=True
    )


def _forget_carts(env: dict[str, str], tokens: list[str]) -> None:
    """Delete the guest carts the add-to-cart requests made, and nothing else."""
    _run_django(env, _FORGET, "\n".join(tokens))


def _table(rows: list[Row]) -> list[str]:
    lines = [
        f"{'scenario':<20}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'floor':>9}{'of floor':>10}  driver"
    ]
    for row in rows:
        if row.result is None:
            lines.append(f"{row.scenario.name:<20}{row.note}")
            continue
        note = f"; {row.note}" if row.note else ""
        r = row.result
        floor = (row.floor or r).per_second
        share = f"{row.share:>9.0%}" if row.share is not None else ""
        lines.append(
            f"{row.scenario.name:<20}{r.per_second:>9.1f}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}"
            f"{r.p99_ms:>9.1f}{r.errors:>8d}{floor:>9.0f}{share:>10}  {r.driver}, "
            f"{r.requests} requests{note}"
        )
    return lines


def _steadiness(rows: list[Row]) -> list[str]:
    """How much the floor moved during the run: a machine that got busier shows here."""
    floors = [(row.floor or row.result).per_second for row in rows if row.result is not None]
    if len(floors) < 2 or not min(floors):
        return []
    spread = max(floors) / min(floors) - 1
    line = (
        f"floor measured next to each scenario: {min(floors):.0f} to {max(floors):.0f} req/s "
        f"(shares use the one next to each)"
    )
    if spread > 0.25:
        line += "; it moved by more than 25 %: other work shared the CPU, compare with care"
    return [line]


def _verdicts(rows: list[Row], *, on_target_database: bool) -> list[str]:
    by_name = {row.scenario.name: row.result for row in rows if row.result is not None}
    shares = {row.scenario.name: row.share for row in rows}
    lines = []
    if not on_target_database:
        lines.append("the targets below are for PostgreSQL with 100,000 products, not this run:")
    for name in ("category page", "product page"):
        share = shares.get(name)
        if share is not None:
            verdict = "met" if share >= TARGET_PAGE_SHARE else "MISSED"
            lines.append(
                f"target {name} >= {TARGET_PAGE_SHARE:.0%} of floor: {share:.0%}, {verdict}"
            )
    signed_in = by_name.get("product, signed in")
    if signed_in is not None:
        lines.append(
            f"product page signed in (never page-cached): {shares['product, signed in']:.0%} "
            f"of floor, p95 {signed_in.p95_ms:.1f} ms (no target)"
        )
    # Search has a target on each database: PostgreSQL with 100,000 products, SQLite demo store.
    targets = [
        ("PostgreSQL, 100,000 products", TARGET_SEARCH_P95_MS, on_target_database),
        ("SQLite demo store", TARGET_SQLITE_SEARCH_P95_MS, not on_target_database),
    ]
    for name in ("search, repeated", "search, unseen"):
        search = by_name.get(name)
        if not search:
            continue
        for database, target, applies in targets:
            verdict = "met" if search.p95_ms < target else "MISSED"
            lines.append(
                f"target {name} p95 < {target:.0f} ms at concurrency {CONCURRENCY} "
                f"({database}): {search.p95_ms:.1f} ms, "
                + (verdict if applies else f"{verdict.lower()} (not this run's database)")
            )
    errors = sum(r.errors for r in by_name.values())
    lines.append(f"target zero errors: {errors} errors, {'met' if errors == 0 else 'MISSED'}")
    return lines


def _cpu_times() -> tuple[int, int] | None:
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    values = [int(value) for value in fields]
    return sum(values), values[3] + values[4]  # all, idle + iowait


def _busy_machine_warning() -> list[str]:
    """Other work on the same cores (a test run, a browser) lowers every figure: say so."""
    before = _cpu_times()
    time.sleep(2)
    after = _cpu_times()
    if before is None or after is None or after[0] == before[0]:
        return []
    busy = 1 - (after[1] - before[1]) / (after[0] - before[0])
    if busy < 0.15:
        return []
    return [
        f"WARNING: the CPU was {busy:.0%} busy before the run: other processes share the "
        "cores, so every figure is low; run again on a quiet machine"
    ]


def run() -> list[str]:
    busy = _busy_machine_warning()
    with tempfile.TemporaryDirectory(prefix="lumeire-bench-storefront-") as tmp:
        workdir = Path(tmp)
        with _database(workdir) as (url, about):
            env = _server_env(url, workdir)
            described = _describe(env)
            _manage(env, "collectstatic", "--noinput")
            with _gunicorn(env, workdir, THREADS) as base:
                floor, *others = _plan(base)
                if ONLY:
                    others = [s for s in others if s.name in ONLY]
                rows = [_measure(base, floor, env)]
                rows += [_measure(base, scenario, env, floor) for scenario in others]
    driver = "wrk (2 threads)" if wrk_available() else "the Python asyncio client"
    return [
        *busy,
        f"database: {about}",
        *described,
        f"cache: {'Redis at REDIS_URL' if os.environ.get('REDIS_URL') else 'local memory'}"
        " (+ the shared cache for counters and the catalogue version)",
        f"gunicorn: {WORKERS} workers x {THREADS} threads on {os.cpu_count()} cores, DEBUG off; "
        f"{CONCURRENCY} connections per scenario, {SCENARIO_SECONDS:.0f} s each after "
        f"{WARM_SECONDS} s of warm-up, driven by {driver} on the same cores",
        *_table(rows),
        *_steadiness(rows),
        *_verdicts(rows, on_target_database=store_database_url() is not None),
    ]
