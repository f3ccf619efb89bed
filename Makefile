PYTHON ?= python3

.PHONY: install system-deps test bench hil fuzz

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

# the fuzz harnesses (fuzz/), each for FUZZ_SECONDS (default 60); the tests run each for 3 s
fuzz: system-deps install
	$(MAKE) -C fuzz run PYTHON=$(PYTHON) FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

bench: install
	$(PYTHON) -m pip install -q -e '.[bench]'
	$(PYTHON) benchmarks/bench_scheduler.py
	$(PYTHON) benchmarks/bench_protocol.py
	$(PYTHON) benchmarks/bench_battery.py
	$(PYTHON) benchmarks/bench_bridge.py
