# The entry point next to `dvc repro`. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CFF_VENV := .venv-cff
CFF_STAMP := $(CFF_VENV)/.installed
NODE_STAMP := node_modules/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)
export GX_ANALYTICS_ENABLED := False
export DVC_NO_ANALYTICS := 1

.DEFAULT_GOAL := help

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# cffconvert needs jsonschema<4 and frictionless >=4.20: it gets its own environment
$(CFF_STAMP): requirements-cff.lock
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.lock
	touch $(CFF_STAMP)

# the JavaScript datapackage library for tests/test_clients.py, exactly as package-lock.json pins it;
# after the first install npm's cache serves it, so this works offline
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test needs Node.js 20 and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --prefer-offline --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

## Create .venv with the pinned dependencies and the package
venv: $(STAMP)

## Rebuild the package: dvc repro (creates .venv first if needed; repairs a broken dvc.lock or DVC's lock record and finishes an interrupted publish first)
repro: $(STAMP)
	$(BIN)/python -m stopitnow_figures.publishing.preflight
	$(BIN)/dvc repro

## Install Debian's chromium for the browser test, where it is missing (needs root)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: install Debian's chromium to run the browser test (it is skipped without it)"; fi; }

## Run the tests (creates .venv and .venv-cff, installs chromium and node_modules/, where needed); says why any test skipped
test: $(STAMP) $(CFF_STAMP) $(NODE_STAMP) browser
	$(BIN)/python -m pytest -n auto --dist worksteal -ra

## Check style with ruff
lint: $(STAMP)
	$(BIN)/ruff check src tests && $(BIN)/ruff format --check src tests

## Rewrite requirements.lock from the current .venv
lock: $(STAMP)
	{ echo "# Exact versions of every dependency (runtime and test), installed by the Makefile."; \
	  echo "# Regenerate with: make lock"; echo "setuptools==80.9.0"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^stopitnow'; } > requirements.lock

## Run the benchmarks (prints figures; see BENCHMARKS.md)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## Build the release archive in dist/
release: $(STAMP)
	$(BIN)/stopitnow-figures release

## Remove .venv, .venv-cff, build/ and dist/
clean:
	rm -rf $(VENV) $(CFF_VENV) build dist

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z][a-z-]*:/{if(doc){split($$1,t,":"); printf "  %-8s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: venv repro browser test lint lock bench release clean help
