# tatracker: `make run` sets everything up and serves; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 found: python3.13, python3.12, python3, then pyenv's installs.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[3-9]*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$p"; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The catalogs of the five languages besides English (their directory names).
LOCALES := ar zh_Hans fr ru es
MESSAGES_IGNORE := -i .venv -i var -i tests -i bench

.PHONY: help venv run test lint serve clean messages backup restore

help:
	@echo "make run    set up (venv, install, migrate, reference + demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite (SQLite, or the database DATABASE_URL names)"
	@echo "make lint   ruff and the migrations check"
	@echo "make serve  production server (gunicorn + whitenoise); needs SECRET_KEY and ALLOWED_HOSTS"
	@echo "make backup [FILE=path]  back up the database (var/backups/ by default)"
	@echo "make restore FILE=path   replace the database's contents with a backup"
	@echo "make messages  update the translation catalogs from the code and compile them"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "tatracker needs Python 3.12 or newer (Django 6.1 requires it)."; \
		echo "Install python3.12 or python3.13, or run: make PYTHON=/path/to/python3.12 ..."; \
		exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	"$(PYTHON)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py load_reference
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py create_local_admin
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Workers: 2 x cores + 1 is gunicorn's rule of thumb (WORKERS=...); every worker
# shares the sessions, the lockout and the caches through the database (or Redis).
# The app writes one JSON line per request itself, so gunicorn keeps no access log;
# PROMETHEUS_MULTIPROC_DIR lets /metrics add up the workers' counts.
WORKERS ?= 3
serve: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input
	rm -rf var/prometheus && mkdir -p var/prometheus
	PROMETHEUS_MULTIPROC_DIR=var/prometheus $(BIN)/gunicorn tatracker.wsgi \
		--bind $(HOST):$(PORT) --workers $(WORKERS)

backup: $(STAMP)
	$(BIN)/python manage.py backup $(if $(FILE),--output "$(FILE)")

restore: $(STAMP)
	@if [ -z "$(FILE)" ]; then echo "make restore FILE=path/to/backup"; exit 1; fi
	$(BIN)/python manage.py restore "$(FILE)"
	$(BIN)/python manage.py migrate --no-input

messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=1 $(BIN)/python manage.py compilemessages $(addprefix -l ,$(LOCALES)) $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var/static
