# Two commands (README quickstart): `make run` and `make test`. Everything else is a step they call.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-repeat lint console migrate bench clean
N ?= 20
ARGS ?=

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,gazetteer]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot migrate
	$(BIN)/python -m bot run

console: $(STAMP)
	$(BIN)/python -m bot console

migrate: $(STAMP)
	$(BIN)/python -m bot migrate

lint: $(STAMP)
	$(BIN)/ruff check .

# The whole suite, in random order (pytest-randomly), on 4 pytest-xdist workers (most tests wait on loopback I/O, so
# two workers per core of the 2-core machine); each test has its own database file and fake servers.
test: lint
	$(BIN)/python -m pytest -q -n 4 --durations=15

# Flakiness check: N runs in a row, each in a new random order; lists every test that ever failed, with seeds.
test-repeat: $(STAMP)
	$(BIN)/python tests/repeat.py --runs $(N) $(ARGS)

bench: $(STAMP)
	for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
