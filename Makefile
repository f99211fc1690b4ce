# Two commands matter: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYPROJECT_ID := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# `make run` installs the package only; `make test`, `lint` and `bench` add the test extras.
RUN_STAMP := $(VENV)/.installed-run-$(PYPROJECT_ID)
STAMP := $(VENV)/.installed-test-$(PYPROJECT_ID)
HOST ?= 127.0.0.1
PORT ?= 8000

export OSTIARY_PUBLIC_SCHEME ?= http

.PHONY: run test lint bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	rm -f $(VENV)/.installed-run-*
	touch $(RUN_STAMP)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP) $(RUN_STAMP)

venv: $(STAMP)

## Serve on http://$(HOST):$(PORT) (default 127.0.0.1:8000) with the local SQLite database in the per-user data
## directory (migrated, demo tenant on first start; `ostiary demo` shows its credentials again).
run: $(RUN_STAMP)
	OSTIARY_LOG_FORMAT=$${OSTIARY_LOG_FORMAT:-text} $(BIN)/ostiary serve --dev --host $(HOST) --port $(PORT)

## The whole test suite, in PYTEST_WORKERS parallel pytest processes (0 = one process).
## PostgreSQL tests skip when no server answers (CI makes them mandatory).
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/mypy

## Benchmarks (not part of `make test`).
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
