# Digital Bridge — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
ARGS ?=

.PHONY: run test test-slow install bench messages clean-data lint

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m core.runner run

# Import contracts first ([tool.importlinter] in pyproject.toml; docs/architecture.md, "Layers").
test: $(STAMP) lint
	$(PY) -m core.runner test $(ARGS)

# The layers, the cycles and what production code may import (lint-imports), then the check that the
# contracts see every top-level package (no database: plain pytest without pytest-django).
lint: $(STAMP)
	$(VENV)/bin/lint-imports --no-logo --no-cache
	$(PY) -m pytest tests/test_import_graph.py -q -p no:django -p no:cacheprovider -W ignore::pytest.PytestConfigWarning

# Repetitions that let a race show (pytest marker `slow`; `make test` skips them). LIFECYCLE_REPEAT=n: n of each.
test-slow: $(STAMP)
	$(PY) -m core.runner test -m slow $(ARGS)

bench: $(STAMP)
	$(PY) bench/provision.py --quick
	$(PY) bench/stock_ledger.py --quick
	$(PY) bench/imports.py --quick
	$(PY) bench/mrp.py --quick
	$(PY) bench/board_search.py --quick
	$(PY) bench/pdm.py --quick
	$(PY) bench/tracking.py --quick

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'bench/*' --ignore '.data/*' --ignore 'build/*' --ignore 'templates/admin/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean-data:
	rm -rf .data
