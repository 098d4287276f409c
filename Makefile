# Dataset Research Assistant — developer commands.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: venv install lock run run-prod worker beat test test-fast lint typecheck migrations-check bench ci clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first, alone, from the lock: its only hash there is the local CPU wheel's (2.13.0+cpu), and
	# --no-deps keeps pip from looking for anything else; nothing can then pull a multi-GB CUDA build.
	awk '/^torch==/{p=1} p{print; if ($$0 !~ /\\$$/) exit}' requirements.txt > $(VENV)/torch.lock
	$(PIP) install --quiet --require-hashes --no-deps -r $(VENV)/torch.lock
	# Then everything else, exactly as locked (transitive pins, hashes checked; pip itself included).
	$(PIP) install --quiet --require-hashes -r requirements-dev.txt
	touch $@

venv install: $(VENV)/.installed

## make lock: regenerate the hashed locks requirements.txt and requirements-dev.txt from the
## hand-edited requirements.in and requirements-dev.in (keeps locked versions unless told otherwise:
## LOCK_ARGS="--upgrade-package NAME" or LOCK_ARGS=--upgrade).
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: install
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) -o requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile $(LOCK_FLAGS) $(LOCK_ARGS) -o requirements-dev.txt requirements-dev.in

## make run: the embedded default (SQLite, local cache, eager tasks) on HOST:PORT.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap
	$(PY) manage.py runserver $(HOST):$(PORT)

## make run-prod: gunicorn + a Celery worker + beat against DATABASE_URL and REDIS_URL.
run-prod: install
	@test -n "$$REDIS_URL" || { echo "run-prod needs REDIS_URL (and DATABASE_URL)"; exit 1; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py bootstrap
	$(VENV)/bin/celery -A research_assistant worker -Q default,embeddings,previews,celery --loglevel=INFO & \
	$(VENV)/bin/celery -A research_assistant beat --loglevel=INFO & \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py research_assistant.wsgi

worker: install
	$(VENV)/bin/celery -A research_assistant worker -Q default,embeddings,previews,celery --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A research_assistant beat --loglevel=INFO

## make test: the whole suite (uses DATABASE_URL / REDIS_URL when set).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## make test-fast: the suite without the slow (embedding model, big catalog, server processes),
## browser and worker tests: a few minutes, for the edit-test loop.
test-fast: install
	$(PY) -m pytest -m "not slow and not browser and not worker" $(PYTEST_ARGS)

## make lint: ruff, the import contracts (lint-imports reads .importlinter), then make typecheck.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory typecheck

## make typecheck: mypy with the django-stubs plugin on the modules listed in pyproject.toml.
typecheck: install
	$(VENV)/bin/mypy

migrations-check: install
	DATABASE_URL=sqlite:////tmp/ra-migrations-check.sqlite3 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles var/index db.sqlite3
