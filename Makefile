# Lumeire: `make run` serves the demo store, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SECRETS := var/secrets.env
HOST ?= 127.0.0.1
PORT ?= 8000
export LUMEIRE_ENV_FILE := $(CURDIR)/$(SECRETS)
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test lint bench messages clean-local

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
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
	@# The background-task worker (exports, retention) runs beside gunicorn and stops with it.
	@$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 --graceful-timeout 5 \
		--access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(B)sB %(M)sms'

test: $(VENV)/.installed-test $(SECRETS)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-test $(SECRETS)
	$(PY) -m bench

# Rebuild the Arabic translations after editing a .po file (needs gettext's msgfmt).
messages: $(VENV)/.installed
	cd lumeire && ../$(PY) ../manage.py compilemessages --ignore '.venv'

clean-local:
	rm -rf var/lumeire.sqlite3* var/static
