# Dataset Research Assistant — developer commands.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: venv install run run-prod worker beat test test-fast lint migrations-check bench ci clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch first, pinned: the CPU wheel; anything else would pull a multi-GB CUDA build.
	$(PIP) install --quiet "$$(grep '^torch==' requirements.txt)"
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv install: $(VENV)/.installed

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
	$(VENV)/bin/celery -A research_assistant worker -Q default,embeddings,celery --loglevel=INFO & \
	$(VENV)/bin/celery -A research_assistant beat --loglevel=INFO & \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py research_assistant.wsgi

worker: install
	$(VENV)/bin/celery -A research_assistant worker -Q default,embeddings,celery --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A research_assistant beat --loglevel=INFO

## make test: the whole suite (uses DATABASE_URL / REDIS_URL when set).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

migrations-check: install
	DATABASE_URL=sqlite:////tmp/ra-migrations-check.sqlite3 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles var/index db.sqlite3
