# Engagement Atlas. `make run` serves the seeded knowledge base; `make test` runs the suite.
# DATABASE_URL (optional) points both at PostgreSQL instead of the embedded SQLite file.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt seed migrate clean

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

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Benchmarks (bench/run.py): gunicorn + wrk, one table; see README.md, "Benchmarks".
# make bench BENCH_ARGS="--scale 1 --seconds 3 --memory-scale 0"
BENCH_ARGS ?=
.PHONY: bench
bench: install
	@command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)
