# inklab developer commands. On a fresh clone:
#   make serve   – create .venv, install the server, start it on http://127.0.0.1:8080/
#   make test    – create .venv, install everything, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8080
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: serve test test-sqlite test-postgres services lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-server: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[server]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[server,pytorch,dev]"
	touch $@ $(VENV)/.installed-server

serve: $(VENV)/.installed-server
	$(BIN)/inklab serve --host $(HOST) --port $(PORT)

services:
	scripts/ensure-services

# Both halves always run; the target fails at the end if either did.
test: $(VENV)/.installed-dev services
	@status=0; \
	$(BIN)/python -m pytest || status=1; \
	INKLAB_TEST_POSTGRES=1 $(BIN)/python -m pytest tests/server tests/compat || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: at least one half of the suite failed (see above)" >&2; fi; \
	exit $$status

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m mypy --strict src/inklab/sdk

clean:
	rm -rf $(VENV) build dist src/*.egg-info artifacts
