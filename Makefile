# Phase Lab: `make run` sets up and serves the app; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := static/vendor

.PHONY: setup run test bench clean

setup: $(STAMP) $(VENDOR)/.installed

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

test: setup
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/bench_mlp.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
