# contract-checker: one entry point for set-up, the demo, tests, lint and the benchmark.
# Another interpreter in its own venv: make test PYTHON=python3.13 VENV=.venv-3.13
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
AS_OF  ?= 2026-11-22

NIGHTLY := out

.PHONY: install run nightly test lint bench golden docs clean

# durable_rules 2.0.28 (source only, compiled on install) calls PyEval_CallObject, which Python
# 3.13 removed: it builds there but fails to import. Its setup.py overwrites CFLAGS, but CPPFLAGS
# reaches the compiler, so the old name is mapped onto PyObject_CallObject (harmless before 3.13).
DURABLE_CPPFLAGS := -DPyEval_CallObject=PyObject_CallObject
# A venv whose install failed half-way is rebuilt next time instead of looking up to date.
.DELETE_ON_ERROR:

$(BIN)/contract-checker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	CPPFLAGS="$(DURABLE_CPPFLAGS) $(CPPFLAGS)" $(BIN)/pip install --quiet -e '.[dev]'
	@# A durable_rules wheel built earlier without the flag may come from pip's cache: rebuild it.
	@$(BIN)/python -c 'import durable.lang' 2>/dev/null || { \
	    echo "durable_rules does not import with $(PYTHON); rebuilding it without pip's cache"; \
	    CPPFLAGS="$(DURABLE_CPPFLAGS) $(CPPFLAGS)" $(BIN)/pip install --quiet --no-cache-dir \
	        --force-reinstall --no-deps "durable-rules==$$($(BIN)/python -c \
	        'import importlib.metadata as m; print(m.version("durable-rules"))')" && \
	    $(BIN)/python -c 'import durable.lang'; }
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
	$(BIN)/hadolint Dockerfile

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
	rm -rf $(VENV) .venv-3.* build *.egg-info .pytest_cache .mypy_cache .ruff_cache $(NIGHTLY)
