# Two environments: .venv-bot (Python 3.10, Rasa) and .venv (Python 3.11+, backend).
# See README.md. Every target sets up what it needs.
SHELL := /bin/bash
BOT_VENV := .venv-bot
APP_VENV := .venv
BOT_PY := $(BOT_VENV)/bin/python
APP_PY := $(APP_VENV)/bin/python
RASA := $(BOT_VENV)/bin/rasa
RASA_DATA := nlu_data bot/data
RASA_DOMAIN := bot/domain
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo screenshots setup setup-bot setup-app setup-browser train run test test-bot test-app validate test-stories bench bench-nlu bench-backend lint lock clean

setup: setup-bot setup-app

setup-bot: $(BOT_VENV)/.installed
setup-app: $(APP_VENV)/.installed

$(BOT_VENV)/.installed: requirements/bot.in requirements/bot.lock
	@PY=$$(scripts/find_python310.sh) && { [ -x $(BOT_PY) ] || $$PY -m venv $(BOT_VENV); }
	$(BOT_PY) -m pip install -q --upgrade "pip==24.3.1"
	$(BOT_PY) -m pip install -q -r requirements/bot.in -c requirements/bot.lock
	touch $@

$(APP_VENV)/.installed: requirements/app.in requirements/app.lock
	@PY=$$(scripts/find_python311.sh) && { [ -x $(APP_PY) ] || $$PY -m venv $(APP_VENV); }
	$(APP_PY) -m pip install -q --upgrade "pip==24.3.1"
	$(APP_PY) -m pip install -q -r requirements/app.in -c requirements/app.lock
	touch $@

# Debian's chromium drives the browser tests (Playwright's own download does not work offline).
setup-browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install_chromium.sh

# Rasa skips training when the data, config and domain are unchanged since the last model. It does not
# see the custom components' code or the data files they read, so a change there forces training.
TRAIN_INPUTS := bot/components/*.py nlu_data/normalization/* nlu_data/gazetteer/*
train: setup-bot
	@h=$$(cat $(TRAIN_INPUTS) | sha256sum | cut -c1-16); force=; \
	if [ "$$(cat models/.component_inputs 2>/dev/null)" != "$$h" ]; then force=--force; fi; \
	$(RASA) train --config config.yml --domain $(RASA_DOMAIN) --data $(RASA_DATA) --out models --quiet $$force \
	&& echo "$$h" > models/.component_inputs

validate: setup-bot
	$(RASA) data validate --config config.yml --domain $(RASA_DOMAIN) --data $(RASA_DATA) --fail-on-warnings

test-stories: train
	$(RASA) test core --stories tests/stories --model models --fail-on-prediction-errors --out results/core

test-bot: setup-bot
	$(BOT_PY) scripts/test_servers.py $(BOT_PY) -m pytest tests/bot -q --confcutdir tests/bot

test-app: setup-app setup-browser train
	$(APP_PY) scripts/test_servers.py $(APP_PY) -m pytest tests/unit tests/integration tests/e2e -q

test: setup validate test-bot test-stories test-app

run: setup train
	scripts/run.sh

# Demo accounts (password demo-ioc-2026) and ~300 tickets, into the configured database if it holds
# no ticket. `make run` seeds them by itself only on the embedded default (SQLite).
demo: setup-app
	$(APP_PY) -m backend.entrypoints.cli prepare --demo

bench: bench-nlu bench-backend

bench-nlu: setup-bot
	$(BOT_PY) bench/nlu_compare.py

bench-backend: setup-app
	$(APP_PY) bench/backend_load.py

# README screenshots of the console from the demo data set (needs PostgreSQL and chromium).
screenshots: setup-app setup-browser
	$(APP_PY) scripts/screenshots.py

lint: setup
	$(APP_VENV)/bin/ruff check backend channels tests bench
	$(APP_VENV)/bin/ruff format --check backend channels tests bench
	$(APP_VENV)/bin/mypy backend channels

# Re-pin after changing requirements/*.in (writes the lock files from the installed environments).
lock:
	$(BOT_PY) -m pip freeze --exclude-editable > requirements/bot.lock
	$(APP_PY) -m pip freeze --exclude-editable > requirements/app.lock

clean:
	rm -rf $(BOT_VENV) $(APP_VENV) results .pytest_cache
