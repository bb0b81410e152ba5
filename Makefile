# dinarwatch — one command per job. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA := deploy/kafka/kafka-local.sh

.PHONY: install demo stop test test-unit test-integration bench lint format schemas broker clean help

help:
	@echo "make demo   - local Kafka broker + worker + generator, live view of alerts, /metrics served"
	@echo "make test   - install everything and run the whole test suite (starts its own broker)"
	@echo "make stop   - stop the demo worker and the local broker"
	@echo "make bench  - benchmarks (print figures; see docs/benchmarks.md)"
	@echo "make lint   - ruff + mypy"

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

broker: install
	bash $(KAFKA) start

demo: install
	bash deploy/install-system-deps.sh kafka
	$(VENV)/bin/dinarwatch demo

stop:
	-@test -x $(PY) && $(PY) -c "from streams.demo import stop_demo; stop_demo()"
	bash $(KAFKA) stop

test: install
	bash deploy/install-system-deps.sh
	bash $(KAFKA) fetch
	$(PY) -m pytest

test-unit: install
	$(PY) -m pytest tests/unit

test-integration: install
	$(PY) -m pytest tests/integration

bench: install
	$(PY) -m bench.run_all

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy rules schemas streams alerts

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: install
	$(PY) -m schemas.export

clean:
	rm -rf $(VENV) .kafka-local .demo .dinarwatch-data .pytest_cache .mypy_cache .ruff_cache
