# Countermark: the two commands a new user needs are `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
# The test suite runs once on SQLite and once on PostgreSQL (trust auth on 127.0.0.1:5432 by default).
COUNTERMARK_TEST_POSTGRES_URL ?= postgresql+psycopg://root@127.0.0.1:5432/postgres
export COUNTERMARK_TEST_POSTGRES_URL

.PHONY: serve test lint test-sqlite test-postgresql install clean

# Serving needs only the runtime dependencies; the dev tools (pytest, mypy, ...) come on top
# for lint and test. Both stamps follow pyproject.toml, so a changed dependency reinstalls.
$(BIN)/countermark: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(BIN)/countermark
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.dev-installed

serve: $(BIN)/countermark
	$(BIN)/countermark serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test-sqlite: install
	COUNTERMARK_TEST_DATABASE=sqlite $(BIN)/pytest -n 2 -q

test-postgresql: install
	COUNTERMARK_TEST_DATABASE=postgresql $(BIN)/pytest -n 2 -q

test: lint test-sqlite test-postgresql

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
