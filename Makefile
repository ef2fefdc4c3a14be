# Lumeire: `make run` serves the demo store, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SECRETS := var/secrets.env
HOST ?= 127.0.0.1
PORT ?= 8000
export LUMEIRE_ENV_FILE := $(CURDIR)/$(SECRETS)
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test drill cluster-test lint bench lock messages clean-local

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs come from the locks in requirements/, every file checked against its SHA-256 and only
# wheels (no build step runs code from an unhashed download). pyproject.toml keeps the ranges;
# `make lock` turns them into the locks. Reinstall only when a lock changes.
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes --only-binary :all:
$(VENV)/.installed: requirements/run.txt | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements/run.txt
	touch $@

$(VENV)/.installed-test: requirements/test.txt $(VENV)/.installed
	$(PIP_INSTALL) -r requirements/test.txt
	touch $@

$(SECRETS):
	$(PYTHON) -m config.localsecrets $(SECRETS)

run: $(VENV)/.installed $(SECRETS)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo "Lumeire is serving at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(PY) manage.py schedule_periodic
	@# The background-task worker (exports, retention, the periodic schedule) runs beside
	@# gunicorn and stops with it; it waits out database outages (lumeire/core/worker.py).
	@$(PY) manage.py task_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi:application --config python:config.gunicorn_conf \
		--bind $(HOST):$(PORT) --workers 2 --threads 4 --graceful-timeout 5

# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process.
# TEST_SELECT is a pytest marker expression; the default is the whole suite but the two drills.
TEST_WORKERS ?= auto
TEST_SELECT ?= not drill and not cluster
test: $(VENV)/.installed-test $(SECRETS)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/lint-imports
	$(PY) -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal -m "$(TEST_SELECT)"

# The backup and restore drill (about 30 s): pg_dump, erasure, pg_restore into a fresh database,
# erasure_replay. Needs DATABASE_URL=postgres://…; on SQLite it is skipped. CI runs it.
drill: $(VENV)/.installed-test $(SECRETS)
	$(PY) -m pytest -m drill

# The cluster test (cluster/README.md, under 3 minutes): two gunicorn nodes behind haproxy with
# deploy/haproxy.cfg, one redis-server, two task workers and moto's S3 server, on a fresh
# PostgreSQL database (DATABASE_URL's server, else postgres@127.0.0.1:5432), all on loopback;
# then nodes and workers are killed and Redis cut. Needs haproxy and redis-server. CI runs it.
cluster-test: $(VENV)/.installed-test $(SECRETS)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m pytest cluster -m cluster -p no:xdist

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-test $(SECRETS)
	$(PY) -m bench

# Refresh the locks from pyproject.toml's ranges with pip-tools: `make lock` keeps every pin that
# still fits and adds what is new; `make lock UPGRADE=1` moves every package to the newest release
# that fits. Hashes come from PyPI itself (the machine's pip configuration is ignored), and the
# test lock is held to the runtime lock's pins, so both install the same runtime.
LOCK_TOOLS := var/lock-tools
PIP_COMPILE = env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	$(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock:
	test -x $(LOCK_TOOLS)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/pip install --quiet "pip-tools==7.7.0"; }
	$(PIP_COMPILE) -o requirements/run.txt pyproject.toml
	$(PIP_COMPILE) --extra test --constraint requirements/run.txt -o requirements/test.txt pyproject.toml

# Rebuild the Arabic translations after editing a .po file (needs gettext's msgfmt).
messages: $(VENV)/.installed
	cd lumeire && ../$(PY) ../manage.py compilemessages --ignore '.venv'

clean-local:
	rm -rf var/lumeire.sqlite3* var/static
