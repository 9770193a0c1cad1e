# Two entry points for a fresh Debian machine (run as root or with sudo available):
#   make run    installs everything and starts `cuecard serve` with the embedded defaults
#   make test   installs everything and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := espeak-ng sox libsndfile1 chromium redis-server haproxy
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint system-deps venv clean

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

venv: $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"

run: system-deps venv
	$(BIN)/cuecard serve

lint: venv
	$(BIN)/ruff check cuecard tests
	$(BIN)/ruff format --check cuecard tests
	$(BIN)/mypy

test: system-deps venv lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) *.egg-info
