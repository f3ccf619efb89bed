PYTHON ?= python3

.PHONY: install system-deps test bench hil

install:
	$(PYTHON) -m pip install -q -e '.[test,plot]'

system-deps:
	./scripts/install-system-deps.sh

# everything the tests need, then every test
test: system-deps install
	$(PYTHON) -m pytest

# the main job: the conformance suite against the virtual dev board
hil: install
	scs hil

bench: install
	$(PYTHON) -m pip install -q -e '.[bench]'
	$(PYTHON) benchmarks/bench_scheduler.py
	$(PYTHON) benchmarks/bench_protocol.py
	$(PYTHON) benchmarks/bench_battery.py
	$(PYTHON) benchmarks/bench_bridge.py
	$(PYTHON) benchmarks/bench_board.py
