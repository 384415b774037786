# Engagement Atlas. `make run` serves the seeded knowledge base; `make test` runs the suite.
# DATABASE_URL (optional) points both at PostgreSQL instead of the embedded SQLite file.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-quick test-fast lint fmt seed migrate clean browser-deps doc-deps wrk-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp is rebuilt whenever the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed

# The development server, with a task worker beside it (background uploads: `db_worker`
# takes tasks from the database queue); the worker stops when the server does.
run: seed
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production configuration (DEBUG=0, gunicorn, hashed and compressed static files) on
# http://$(HOST):$(PORT)/. Plain http, so SECURE_SSL_REDIRECT is off unless you set it.
# Without SECRET_KEY a random throwaway key is made for this run only (sessions end with it).
serve: seed
	@export DEBUG=0 SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} \
	  SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  HOST=$(HOST) PORT=$(PORT) && \
	$(BIN)/python manage.py collectstatic --noinput -v0 && \
	$(BIN)/python manage.py check --deploy --fail-level ERROR && \
	exec $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# Browser tests: Debian's Chromium (never a downloaded browser); from npm, axe-core and the
# annotation libraries the reader is checked with (bundled for the page by esbuild), the W3C's
# Nu HTML checker (vnu-jar, run by Debian's Java) and Lighthouse (run on Debian's Chromium;
# 12.x, since 13 needs Node 22). One npm command installs them all: without a package.json,
# a later install would drop the others.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
		else sudo apt-get update && sudo apt-get install -y chromium; fi; \
	fi
	@if ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y default-jre-headless; \
		else sudo apt-get update && sudo apt-get install -y default-jre-headless; fi; \
	fi
	@for package in axe-core dom-anchor-text-quote dom-anchor-text-position text-fragments-polyfill esbuild vnu-jar lighthouse; do \
		[ -f node_modules/$$package/package.json ] || missing=1; \
	done; \
	[ -z "$$missing" ] || npm install --prefix . --no-save --no-package-lock --no-audit --no-fund \
		axe-core@4 dom-anchor-text-quote@4 dom-anchor-text-position@4 text-fragments-polyfill@6 esbuild@0.28 \
		vnu-jar@26 lighthouse@12

# The reference exports are read as think-tank staff read them: with Debian's pandoc
# (`--citeproc`, Markdown to HTML and DOCX).
doc-deps:
	@if ! command -v pandoc >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y pandoc; \
		else sudo apt-get update && sudo apt-get install -y pandoc; fi; \
	fi

# wrk loads a real server in tests/hardening/test_serving.py.
wrk-deps:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y wrk; \
		else sudo apt-get update && sudo apt-get install -y wrk; fi; \
	fi

# Three tiers (docs/testing.md). `test`: everything. TEST_ARGS passes pytest options (CI's
# PostgreSQL run: `TEST_ARGS='-m "not browser"'`, the browser tier having run on SQLite).
TEST_ARGS ?=
test: install browser-deps doc-deps wrk-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(TEST_ARGS)

# Everything against the seeded database but the tests that start servers, a browser, wrk,
# pandoc or a generated client, and the long generated-example runs: about a minute, over
# every core (pytest-xdist: a seeded test database each).
QUICK := not (server or browser or wrk or pandoc or client or slow)
test-quick: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -q -n auto -m "$(QUICK)"

# The unit tests alone (tests/unit/): the pure parts, with no database and no seeded
# knowledge base, in seconds.
test-fast: install doc-deps
	$(BIN)/python -m pytest tests/unit -q

# Style, the layers (no package imports one above it: pyproject.toml [tool.importlinter]) and
# the type hints of core/ and the pure modules (pyproject.toml [tool.mypy]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var

# Benchmarks (bench/run.py): gunicorn + wrk, its tables; see docs/benchmarks.md.
# make bench BENCH_ARGS="--scale 1 --seconds 3 --memory-scale 0"
# Both databases in one run: SQLite (a file per scale) and the PostgreSQL database BENCH_POSTGRES
# (created when missing). BENCH_ARGS replaces the whole list.
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/atlas_bench
BENCH_ARGS ?= --database-url sqlite --database-url $(BENCH_POSTGRES)
# Datasette, served beside the app on the same SQLite file, in a virtual environment of its
# own so that its dependencies never meet the project's (kept with ours, gone with `clean`).
DATASETTE_VENV := $(VENV)/datasette
.PHONY: bench bench-deps
bench-deps: wrk-deps $(DATASETTE_VENV)/bin/datasette

$(DATASETTE_VENV)/bin/datasette:
	$(PYTHON) -m venv $(DATASETTE_VENV)
	$(DATASETTE_VENV)/bin/pip install --quiet "datasette>=0.65,<0.66"

bench: install bench-deps
	$(BIN)/python -m bench.run $(BENCH_ARGS)
