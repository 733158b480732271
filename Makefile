# Digital Bridge — two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
ARGS ?=

.PHONY: run test install bench messages clean-data lint

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m core.runner run

test: $(STAMP)
	$(PY) -m core.runner test $(ARGS)

bench: $(STAMP)
	$(PY) bench/provision.py --quick
	$(PY) bench/stock_ledger.py --quick
	$(PY) bench/imports.py --quick
	$(PY) bench/mrp.py --quick
	$(PY) bench/board_search.py --quick

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'bench/*' --ignore '.data/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean-data:
	rm -rf .data
