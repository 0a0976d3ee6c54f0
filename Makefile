# Two entry points for a fresh machine (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core for the browser tests' accessibility checks (skipped with a reason without npm).
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi

install: $(STAMP)

run: $(STAMP)
	$(BIN)/repmail serve

lint: $(STAMP)
	$(BIN)/ruff check service tests bench migrations
	$(BIN)/ruff format --check service tests bench migrations
	$(BIN)/mypy

# Every test, on the embedded SQLite and on PostgreSQL (127.0.0.1:5432, database `test`).
# Without a PostgreSQL server the second run is skipped with a reason; under CI=true it fails.
test: lint node_modules/.package-lock.json
	$(BIN)/pytest --db sqlite
	$(BIN)/pytest --db postgres

bench: $(STAMP)
	$(BIN)/python bench/lookup.py
