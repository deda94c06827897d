# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
PYTHON3 ?= python3
# Downloads (chdb's wheel is large) are kept between runs where the machine keeps them.
export PIP_CACHE_DIR ?= $(HOME)/.cache/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# cargo test links libpython (the extension-module feature is off there) and must find it at run time.
PYLIBDIR = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")' 2>/dev/null)

.PHONY: help run test deps venv build lint rust-test py-test services bench-quick clean proto

help:
	@echo "make run   - build, start the backing services, run the platform (coffee up) and a demo"
	@echo "make test  - install everything, start the backing services, run cargo test, lints and pytest"

$(VENV)/bin/activate:
	scripts/system-deps.sh
	$(PYTHON3) -m venv $(VENV)
	$(PIP) install --upgrade pip 'maturin>=1.7,<2'

venv: $(VENV)/bin/activate

# Builds the extension in release mode into the venv, with the test and runtime dependencies.
build: venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release --extras test

services:
	scripts/services.sh

lint: build
	$(VENV)/bin/ruff check pysrc bench tests
	$(VENV)/bin/ruff format --check pysrc bench tests
	cargo clippy --all-targets --locked -- -D warnings

rust-test: venv
	PYO3_PYTHON=$(abspath $(PY)) LD_LIBRARY_PATH=$(PYLIBDIR) cargo test --locked

py-test: build services
	$(PY) -m pytest -q

test: build services lint rust-test py-test

# The platform: every role under `coffee up` (migrations, readiness, heartbeats) and a short demo;
# Ctrl-C stops it. `coffee up --no-demo` keeps it serving.
run: build services
	$(VENV)/bin/coffee up

bench-quick: build
	$(PY) -m bench all --quick

# Regenerates the committed gRPC stubs from proto/events.proto.
proto: build
	PYTHON=$(PY) scripts/gen-proto.sh

clean:
	rm -rf $(VENV) target
