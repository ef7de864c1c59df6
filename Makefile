# 湖南省全民参保登记 portal. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

setup: $(STAMP) ## Migrate, collect static files and load the seed content (idempotent)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	@# Each app seeds its own part: public content first (the site and its home page), the demo accounts,
	@# then the registration pages and the demo accounts' divisions.
	$(PY) manage.py load_portal_content
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py load_registration_content --demo-divisions

run: setup ## Set everything up and serve the site on http://127.0.0.1:$(PORT)/ (SQLite) with one background worker
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(PY) -m portal.jobs.launcher --workers 1 -- $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: $(STAMP) ## Run one background worker (exports, Wagtail's tasks; docs/jobs.md), e.g. beside `runserver`
	$(PY) manage.py jobs_worker

test: $(STAMP) ## Run every test (browser tests when Chromium is present; E2E=required makes it mandatory)
	@if [ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ]; then echo "Browser tests: on (Chromium found)"; \
	 elif [ "$$E2E" = "required" ]; then echo "E2E=required but /usr/bin/chromium is missing (apt-get install -y chromium)"; exit 1; \
	 else echo "Browser tests: SKIPPED — no /usr/bin/chromium (apt-get install -y chromium to run them)"; fi
	@# axe-core (npm, pinned in package-lock.json) for the accessibility browser tests.
	@if [ ! -f node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; fi
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run -v0
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## Lint: ruff, the import contracts of the wings (import-linter) and bandit
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -ll -c pyproject.toml -r portal home forms_intake faq

messages: $(STAMP) ## Update the .po catalogues from the code and compile them (needs gettext)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=static --ignore=tests --ignore=bench --ignore=node_modules --no-obsolete
	@# Wagtail's admin strings that its zh_Hans catalogue lacks (issue 17): merged in, the project's own entries first.
	msgcat --use-first -o locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/django.po locale/packages/wagtail.zh_Hans.po
	$(PY) manage.py compilemessages -l zh_Hans -l en --ignore=.venv

serve-prod: $(STAMP) ## Production settings locally: PostgreSQL, Redis, gunicorn on http://localhost:$(PORT)/ (docs/deploy.md)
	PORT=$(PORT) $(PY) -m portal.localprod serve

bench: $(STAMP) ## Run the benchmark suite on PostgreSQL + Redis, ~20 min (see bench/README.md)
	$(PY) bench/run.py $(BENCH_ARGS)

cluster: $(STAMP) ## Start the local cluster: HAProxy, 3 app servers, PgBouncer, primary + replica, Redis, 2 workers (docs/deploy.md)
	$(PY) -m portal.cluster start

cluster-stop: ## Stop exactly what `make cluster` started (pid files; CLEAN=1 also removes its data)
	$(PY) -m portal.cluster stop $(if $(CLEAN),--clean,)

cluster-test: $(STAMP) ## A cluster of its own, a short fault drill (bench/faults.py), all stopped and removed; exit 1 on a missed target
	$(PY) -m portal.cluster test

restore-drill: $(STAMP) ## On a running `make cluster`: base backup + kept keys, restore on 5435, one app server, compare (docs/deploy.md)
	$(PY) -m portal.cluster restore-drill $(RESTORE_ARGS)

.PHONY: help install setup run worker test lint messages serve-prod bench cluster cluster-stop cluster-test restore-drill
