# contract-checker: one entry point for set-up, the demo, tests, lint and the benchmark.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
AS_OF  ?= 2026-11-22

NIGHTLY := out

.PHONY: install run nightly test lint bench golden docs clean

$(BIN)/contract-checker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/contract-checker

run: install
	$(BIN)/contract-checker run --rules rules/ --facts fixtures/demo/ --as-of $(AS_OF) || test $$? -eq 1

# The nightly job on the demo: state kept in out/state.sqlite (run it again with another AS_OF to
# see new/open/resolved), every report written to out/, chat digests printed, not sent (--dry-run).
nightly: install
	mkdir -p $(NIGHTLY)
	$(BIN)/contract-checker run --rules rules/ --facts fixtures/demo/ --as-of $(AS_OF) \
	    --state $(NIGHTLY)/state.sqlite --notify notifications.example.yaml --dry-run \
	    --report html:$(NIGHTLY)/report.html --report markdown:$(NIGHTLY)/report.md \
	    --report ics:$(NIGHTLY)/deadlines.ics --report junit:$(NIGHTLY)/junit.xml \
	    --report csv:$(NIGHTLY)/findings.csv --format table || test $$? -eq 1

test: install
	$(BIN)/pytest -q
	$(BIN)/contract-checker test rules/

lint: install
	$(BIN)/ruff check checker tests fixtures
	$(BIN)/ruff format --check checker tests fixtures
	$(BIN)/mypy

golden: install
	UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden_rulesets.py tests/test_validate_messages.py

# The JSON Schemas (rule, scenario, waivers, fact-type and notifications files) and docs/clauses.md
# are generated from the models; tests fail when any is stale.
docs: install
	$(BIN)/contract-checker schema --all --output-dir schema/
	$(BIN)/python -m checker.authoring.kind_docs_markdown --output docs/clauses.md

bench: install
	$(BIN)/python -m fixtures.bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache $(NIGHTLY)
