# The two commands of the README: `make run` and `make test`. Both set up .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= instance/stance.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench clean

$(BIN)/stance: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(BIN)/stance pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	scripts/install-test-deps
	touch $@

run: $(BIN)/stance
	mkdir -p $(dir $(DB))
	$(BIN)/stance serve --host $(HOST) --port $(PORT) --db $(DB) --load-seed

test: $(VENV)/.test-deps
	$(BIN)/ruff check stance tests bench scripts
	$(BIN)/ruff format --check stance tests bench scripts
	$(BIN)/pytest

lint: $(VENV)/.test-deps
	$(BIN)/ruff check stance tests bench scripts

format: $(VENV)/.test-deps
	$(BIN)/ruff format stance tests bench scripts

bench: $(BIN)/stance
	$(BIN)/python bench/attribution.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache bench/out
