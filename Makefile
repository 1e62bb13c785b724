# 综治中心平台 — the two commands a new machine needs: `make run` and `make test`.
#
#   make run      set up, migrate, load the demo city (铜川市), start the web server and the
#                 embedded Celery worker + beat (escalation sweep); Ctrl-C stops both
#   make test     set up, then the whole pytest suite (unit, API, pages, e2e in Chromium,
#                 real Celery worker)
#
# Everything is idempotent: a second `make setup` installs nothing that is already there.
# Requires GNU make, Python 3.11 and Node/npm; Debian packages are installed when we can.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON_BIN ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Parallel pytest workers (pytest-xdist) for the main pass; 0 runs in one process.
TEST_WORKERS ?= 2
# Extra pytest options, e.g. PYTEST_ARGS="-k intake" or "--create-db".
PYTEST_ARGS ?=
# When set (e.g. var/junit-pg), each pytest pass writes <JUNIT>-<pass>.xml.
JUNIT ?=
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium gettext

# Stamps make setup incremental: pip runs again only when a requirements file changed,
# npm only when package-lock.json changed.
PIP_STAMP := $(VENV)/.requirements.stamp
NPM_STAMP := node_modules/.package-lock.stamp

.PHONY: help setup system-packages migrate compilemessages seed run test lint format \
        check-deploy migrations-check clean-broker

help:
	@echo "make run               start the platform with demo data at http://$(HOST):$(PORT)/"
	@echo "make test              run the whole test suite"
	@echo "make setup             venv, Python and npm packages, system packages, migrations"
	@echo "make lint              ruff check and bandit"
	@echo "make check-deploy      manage.py check --deploy with production-like settings"
	@echo "make migrations-check  fail when models and migrations disagree"

# --- setup ------------------------------------------------------------------------------

$(VENV)/bin/python:
	$(PYTHON_BIN) -m venv $(VENV)

$(PIP_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package-lock.json
	@# npm keeps its own record of what it installed; trust it when it is newer than the lock.
	@if [ node_modules/.package-lock.json -nt package-lock.json ]; then touch $@; exit 0; fi; \
	command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (Debian: apt-get install -y nodejs npm)"; exit 1; }; \
	echo "npm ci"; npm ci --no-audit --no-fund --loglevel=error; \
	touch $@

# Debian packages: CJK fonts and HarfBuzz subsetting for PDFs (WeasyPrint), Chromium for
# the browser tests, gettext for compilemessages. Installed when we are root or have
# password-less sudo; otherwise the exact command is printed and setup goes on.
system-packages:
	@if ! command -v dpkg >/dev/null; then \
	  echo "note: not a Debian-like system; install the equivalents of: $(SYSTEM_PACKAGES)"; exit 0; \
	fi; \
	missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s "$$p" >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else \
	  echo "missing system packages:$$missing"; \
	  echo "install them with:  sudo apt-get update && sudo apt-get install -y$$missing"; \
	  exit 0; \
	fi; \
	echo "installing system packages:$$missing"; \
	$$sudo apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

setup: system-packages $(PIP_STAMP) $(NPM_STAMP) compilemessages migrate

compilemessages: $(PIP_STAMP)
	@if find . -path ./$(VENV) -prune -o -path ./node_modules -prune -o -name '*.po' -print -quit | grep -q .; then \
	  if command -v msgfmt >/dev/null; then \
	    $(MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules -v 0; \
	  else echo "note: gettext (msgfmt) missing, Chinese translations not compiled"; fi; \
	fi

migrate: $(PIP_STAMP)
	$(MANAGE) migrate --noinput -v 0

# --- run --------------------------------------------------------------------------------

# seed_demo loads every app's demo.py (idempotent: a second run adds nothing).
seed: migrate
	@if $(MANAGE) help seed_demo >/dev/null 2>&1; then $(MANAGE) seed_demo; \
	else echo "note: manage.py seed_demo not available, starting without demo data"; fi

# The web server and the embedded worker run side by side (tools/run_embedded.py): whichever
# stops first stops the other. Ctrl-C stops both and `make run` exits 0 (the pair owns the
# terminal, so the interrupt does not reach make). With REDIS_URL unset the worker uses kombu's
# filesystem broker under var/broker, and -B runs the beat schedule (deadline sweep).
run: setup seed
	@echo
	@echo "  综治中心平台:  http://$(HOST):$(PORT)/      (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  demo logins (docs/demo.md): hongqi_clerk 乡镇受理员 · wangyi_dispatcher 县调度员 ·"
	@echo "    hongqi_sfs 司法所办理人 · hongqi_grid 网格员 · city_leader 市领导 ·"
	@echo "    admin 系统管理员 · secadmin 安全管理员 · auditor 审计管理员 (bind a phone authenticator at first sign-in)"
	@echo "    password: Demo-2026!  (all accounts: docs/demo.md)"
	@echo "  Ctrl-C stops the web server and the worker."
	@echo
	@mkdir -p var
	@$(PY) tools/run_embedded.py --host $(HOST) --port $(PORT)

# --- quality ------------------------------------------------------------------------------

# Two passes. The main pass runs in parallel; tests marked celery_worker start a real
# worker on the shared Redis queues, so they run alone in one process afterwards.
# Tests marked postgres are deselected (not skipped) when the database is SQLite.
MARK_DB := $(if $(filter postgres%,$(DATABASE_URL)),,and not postgres)
XDIST := $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS))
junit = $(if $(JUNIT),--junitxml=$(JUNIT)-$(1).xml,)

test: setup
	$(if $(JUNIT),@rm -f $(JUNIT)-*.xml,)
	$(PY) -m pytest -p no:cacheprovider $(XDIST) -m "not celery_worker $(MARK_DB)" --durations=15 \
	    $(call junit,main) $(PYTEST_ARGS)
	@# exit code 5 = nothing selected (no celery_worker tests): fine for this pass.
	$(PY) -m pytest -p no:cacheprovider -p no:xdist -m "celery_worker $(MARK_DB)" \
	    $(call junit,worker) $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check .
	@# Security lint of the product code (offline; reviewed exceptions: pyproject.toml, docs/security.md).
	$(VENV)/bin/bandit -q -c pyproject.toml -r governance grids disputes partybuilding assessment \
	    -x '*/migrations/*' 2>/dev/null

format: $(PIP_STAMP)
	$(VENV)/bin/ruff format .

# Production-like environment with dummy values; zero warnings allowed.
CHECK_ENV := DEBUG=0 ALLOWED_HOSTS=zongzhi.example.gov.cn \
	SECRET_KEY=check-deploy-3kJ9xQ2mV7pL5nR8tY1wZ4bC6dF0gH2jK5lM8nP1qS4tV7wX0yZ \
	DATABASE_URL=sqlite:///$(CURDIR)/var/check-deploy.sqlite3 \
	PARTY_DATA_KEY=0f1e2d3c4b5a69788796a5b4c3d2e1f0 PARTY_HASH_KEY=check-deploy-hash-key \
	TRUSTED_PROXY=127.0.0.1

check-deploy: $(PIP_STAMP)
	$(CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

migrations-check: $(PIP_STAMP)
	$(MANAGE) makemigrations --check --dry-run

# Drops queued messages of the embedded filesystem broker (e.g. after a long pause).
clean-broker:
	rm -rf var/broker/in/* var/broker/processed/*
