# The README's commands. Everything runs from .venv, created on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PORT ?= 8000
DEV_ENV := FEDERE_ENV=development
TEST_ENV := FEDERE_ENV=test
# make test runs on every core (pytest-xdist); TEST_WORKERS=0 runs in one process (e.g. to use a debugger).
TEST_WORKERS ?= auto
# make test-postgres keeps its test databases (test_federe_gw0, ...) between runs; PG_TEST_DB=--create-db rebuilds them.
PG_TEST_DB ?= --reuse-db

.PHONY: demo test test-fuzz test-postgres test-browser test-peers lint bench install messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Fédère needs $(PYTHON) (set PYTHON=... to use another 3.11+)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What running needs (make demo), and what testing needs on top (make test, lint, CI: the dev extra).
$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(TEST_ENV) $(BIN)/federe compiletranslations
	@touch $(RUN_STAMP)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	$(TEST_ENV) $(BIN)/federe compiletranslations
	@touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

# make demo PORT=8011 when 8000 is taken.
demo: $(RUN_STAMP)
	$(DEV_ENV) FEDERE_BASE_URL=$${FEDERE_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/federe demo --address 127.0.0.1:$(PORT)

test: $(STAMP)
	$(TEST_ENV) $(BIN)/federe compiletranslations >/dev/null
	$(TEST_ENV) $(BIN)/pytest -q -n $(TEST_WORKERS) -m "not postgres and not browser and not peers" -p no:randomly; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

# The API fuzzed from its OpenAPI schema, longer than the quick pass inside `make test` (CI runs it as its own step).
test-fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-40} $(TEST_ENV) $(BIN)/pytest -q -m fuzz -p no:randomly tests/api/test_fuzz.py

test-postgres: $(STAMP)
	$(TEST_ENV) $(BIN)/federe compiletranslations >/dev/null
	$(TEST_ENV) DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/federe} $(BIN)/pytest -q -n $(TEST_WORKERS) $(PG_TEST_DB) -m "not browser and not peers"; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

# Debian's Chromium (apt-get install chromium) through Playwright; screenshots land in artifacts/screenshots/.
test-browser: $(STAMP)
	$(TEST_ENV) $(BIN)/federe compiletranslations >/dev/null
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(TEST_ENV) $(BIN)/pytest -q -m browser tests/browser; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

# Tests against real servers from ../shared/peers; start them first (see .ci/run) and export their env files.
test-peers: $(STAMP)
	$(TEST_ENV) $(BIN)/pytest -q -m peers; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

bench: $(STAMP)
	$(TEST_ENV) $(BIN)/python bench/ingest.py

messages: $(STAMP)
	cd src/federe && $(TEST_ENV) ../../$(BIN)/federe makemessages -l fr --no-location --no-obsolete

clean:
	rm -rf $(VENV) var
