# dinarwatch — one command per job. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KAFKA := deploy/kafka/kafka-local.sh
# What the product, its scripts and tests write at run time (all untracked, see .gitignore).
RUNTIME := .demo .dinarwatch-data .kafka-local .dinarwatch-desk.db .dinarwatch-desk.db-wal \
	.dinarwatch-desk.db-shm .dinarwatch-desk.db-journal
CACHES := .pytest_cache .mypy_cache .ruff_cache .hypothesis
# The screening core compiled with mypyc in place (infra/native.py); `make install NATIVE=0` runs
# it as plain Python (same decisions, slower). Rebuilt when a source of rules/ is newer.
NATIVE ?= 1
NATIVE_STAMP := build/.native-$(NATIVE)
CORE := $(wildcard rules/*.py rules/matching/*.py rules/windows/*.py)
# `make demo DEMO_ARGS="--duration 20 --rate 100"`
DEMO_ARGS ?=
# The fast tier: unit tests that need no broker and no external program (tests/conftest.py),
# spread over the machine's cores (pytest-xdist).
FAST := unit and not integration and not external and not slow

.PHONY: install demo stop test test-fast test-unit test-integration bench lint format schemas \
	broker clean distclean help

help:
	@echo "make demo       - local Kafka broker + worker + generator, live view of decisions and alerts"
	@echo "make test       - install everything and run the whole test suite (what CI runs)"
	@echo "make test-fast  - unit tier on all cores: no broker, no Prometheus, no browser"
	@echo "make stop       - stop the demo worker and the local broker"
	@echo "make bench      - benchmarks (print figures; see docs/benchmarks.md)"
	@echo "make lint       - ruff + mypy + import contracts"
	@echo "make clean      - stop, then delete runtime state ($(RUNTIME)) and tool caches"
	@echo "make distclean  - clean, and delete the virtualenv"

install: $(STAMP) $(NATIVE_STAMP)

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

# A failed compile leaves the core in plain Python (infra/native.py prints why and where the log is).
$(NATIVE_STAMP): $(STAMP) $(CORE)
	@mkdir -p build && rm -f build/.native-*
	@if [ "$(NATIVE)" = 1 ]; then $(PY) -m infra.native build || true; else $(PY) -m infra.native clean; fi
	@touch $@

broker: install
	bash $(KAFKA) start

demo: install
	bash deploy/install-system-deps.sh kafka
	$(VENV)/bin/dinarwatch demo $(DEMO_ARGS)

stop:
	-@test -x $(PY) && $(PY) -c "from cli.demo import stop_demo; stop_demo()"
	bash $(KAFKA) stop

test: install
	bash deploy/install-system-deps.sh
	bash $(KAFKA) fetch
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest tests/unit -q -n auto -m "$(FAST)"

test-unit: install
	$(PY) -m pytest tests/unit

test-integration: install
	$(PY) -m pytest tests/integration

bench: install
	$(PY) -m bench.run_all

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy rules schemas infra lists screening streams offline generator alerts desk cli
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

schemas: install
	$(PY) -m schemas.export

# Only untracked runtime state: refuses if git tracks anything under those folders.
clean: stop
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  tracked="$$(git ls-files -- $(RUNTIME) $(CACHES))"; \
	  if [ -n "$$tracked" ]; then \
	    echo "make clean: refusing, git tracks files under runtime folders:"; \
	    echo "$$tracked" | head -n 20; exit 1; \
	  fi; \
	fi
	rm -rf $(RUNTIME) $(CACHES)

distclean: clean
	-@test -x $(PY) && $(PY) -m infra.native clean
	rm -rf $(VENV) build
