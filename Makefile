# Phase Lab: `make run` sets up and serves the app; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := static/vendor

.PHONY: setup run test test-fast checks tools chromium bench bench-load clean

# Stops in its first second, with one line, when a tool the set-up needs is missing.
tools:
	@scripts/check-tools

setup: tools $(STAMP) $(VENDOR)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end libraries come from the npm registry at the versions in package-lock.json,
# copied into a git-ignored folder; nothing is fetched from a CDN at run time.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js $(VENDOR)/plotly.min.js
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $@

run: setup
	$(BIN)/python -m app

# Finds a Chromium for the browser tests (installs Debian's when it can), or stops with
# one line saying what to install: first, before the minutes of set-up.
chromium:
	@scripts/find-chromium >/dev/null

# Linters, types, the import layers and the JavaScript unit tests: about half a minute.
checks: setup
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	npm run --silent lint
	npm run --silent test:js

test: tools chromium checks
	PHASELAB_CHROMIUM="$$(scripts/find-chromium)" $(BIN)/python -m pytest

# Everything but the browser, live-server and fuzz tests.
test-fast: checks
	$(BIN)/python -m pytest -m "not browser and not server and not fuzz"

# The engine against scikit-learn, and a short class against the canned reference server
# (a few minutes); docs/benchmarks.md says what each measures and on what machine.
bench: setup
	$(BIN)/python bench/bench_mlp.py
	$(BIN)/python bench/bench_models.py
	$(BIN)/python bench/bench_load.py --quick

# The full classroom schedule, the app as shipped (a cap of 40 live streams): 50, 100 and
# three rounds of 200 learners, both cores for about 3 minutes.
bench-load: setup
	$(BIN)/python bench/bench_load.py --app-env PHASELAB_MAX_LIVE_STREAMS=40

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
