# `make run` serves the dashboard on SQLite; `make test` runs the whole suite.
# Both set up .venv themselves, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
DEV_ENV := instance/dev.env
# Loads the development keys, then runs the flask command that follows.
FLASK := set -a && . ./$(DEV_ENV) && set +a && $(BIN)/flask --app wsgi

.PHONY: run serve test lint install clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Development keys are generated once and kept, so restarts can still decrypt.
$(DEV_ENV): | $(VENV)/.installed
	mkdir -p instance
	$(BIN)/python -m dashboard.devkeys > $@.tmp && mv $@.tmp $@

run: $(VENV)/.installed $(DEV_ENV)
	$(FLASK) init-db
	$(FLASK) setup-url --base http://$(HOST):$(PORT)
	$(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

# Production-style serving with gunicorn. Settings come from the environment;
# without SECRET_KEY set, the development keys of `make run` are used.
WORKERS ?= 2
BIND ?= 127.0.0.1:8000
serve: $(VENV)/.installed
	@if [ -z "$$SECRET_KEY" ] && [ ! -f $(DEV_ENV) ]; then \
		$(MAKE) --no-print-directory $(DEV_ENV); fi
	@if [ -z "$$SECRET_KEY" ]; then set -a; . ./$(DEV_ENV); set +a; fi; \
	$(BIN)/flask --app wsgi db upgrade && \
	exec $(BIN)/gunicorn --workers $(WORKERS) --bind $(BIND) \
		--forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" wsgi:app

test: $(VENV)/.installed
	$(BIN)/ruff check dashboard tests wsgi.py
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "Running the suite again on $${TEST_DATABASE_URL%%@*}@…"; \
		$(BIN)/python -m pytest; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check dashboard tests wsgi.py
	$(BIN)/ruff format --check dashboard tests wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
