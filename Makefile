PYTHON ?= python3

.PHONY: install system-deps test lint bench hil

install:
	$(PYTHON) -m pip install -q -e '.[test,plot,lab]'

system-deps:
	./scripts/install-system-deps.sh

# everything the tests need, then lint, types and every test
test: system-deps install lint
	$(PYTHON) -m pytest

# ruff and mypy (configured in pyproject.toml) on the three packages
lint:
	$(PYTHON) -m ruff check firmware_model protocol hil
	$(PYTHON) -m mypy

# the main job: the conformance suite against the virtual dev board
hil: install
	scs hil

bench: install
	$(PYTHON) -m pip install -q -e '.[bench]'
	$(PYTHON) benchmarks/bench_scheduler.py
	$(PYTHON) benchmarks/bench_protocol.py
	$(PYTHON) benchmarks/bench_battery.py
	$(PYTHON) benchmarks/bench_bridge.py
