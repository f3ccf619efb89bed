PYTHON ?= python3

.PHONY: install test bench demo

install:
	$(PYTHON) -m pip install -q -e '.[test,plot]'

# everything the tests need, then every test
test: install
	$(PYTHON) -m pytest

bench: install
	$(PYTHON) -m pip install -q -e '.[bench]'
	$(PYTHON) benchmarks/bench_scheduler.py
	$(PYTHON) benchmarks/bench_protocol.py
	$(PYTHON) benchmarks/bench_battery.py

demo:
	$(PYTHON) -m pip install -q -e . && scs simulate examples/four_areas.toml
