# Two commands: `make run` serves the whole product on the embedded default, `make test` tests it.
# Everything they need is installed here: the virtualenv, Python packages (`make run` the runtime
# set in requirements.txt, `make test` also the development set in requirements-dev.txt), and (as
# root, through apt) gettext for the translation catalogues, DejaVu fonts for the PDFs and
# Chromium for the browser tests.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: run test check setup install install-runtime system-deps browser-deps messages migrate demo format

# The product's own error pages; `DEBUG=1 make run` shows Django's debug pages instead.
run: setup demo
	$(MANAGE) runserver $(HOST):$(PORT)

test: install system-deps browser-deps messages
	$(BIN)/python -m pytest

check: install system-deps
	@mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) derive_cyrillic_messages --check

setup: install-runtime system-deps messages migrate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The runtime set (what the product runs on) and the development set (tests, linters, types).
install-runtime: $(VENV)/.runtime-installed
install: $(VENV)/.installed

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# gettext compiles the translation catalogues; DejaVu fonts print Uzbek and Russian in PDFs.
system-deps:
	@command -v msgfmt >/dev/null || { apt-get update -qq && $(APT_INSTALL) gettext; }
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { apt-get update -qq && $(APT_INSTALL) fonts-dejavu-core; }

# Debian's Chromium drives the end-to-end tests (Playwright never downloads a browser here).
browser-deps:
	@command -v chromium >/dev/null || { apt-get update -qq && $(APT_INSTALL) chromium fonts-dejavu-core; }

messages: install-runtime system-deps
	$(MANAGE) compilemessages --ignore=$(VENV) -v0

migrate: install-runtime
	@mkdir -p var
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) createcachetable

demo: migrate
	$(MANAGE) load_demo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
