PYTHON ?= python3

.PHONY: install system-deps test quick lint metrics bench hil fuzz

install:
	$(PYTHON) -m pip install -q -e '.[test,plot,lab]'

system-deps:
	./scripts/install-system-deps.sh

# everything the tests need, then lint, types and every test
test: system-deps install lint
	$(PYTHON) -m pytest
	@$(MAKE) -s metrics

# the daily loop: every test but those needing QEMU/the ARM build, a lab stack, external tools, or long runs
quick:
	$(PYTHON) -m pytest -m "not qemu and not lab and not tools and not slow"

# information only: the functions over 80 lines or complexity 15 (lizard) and the Python grades (radon)
metrics:
	@echo "functions over 80 lines or cyclomatic complexity 15 (lizard):"
	@$(PYTHON) -m lizard -w -L 80 -C 15 hil/board/core hil/board/ports firmware_model protocol hil || true
	@echo "Python blocks graded D or worse, and the average (radon):"
	@$(PYTHON) -m radon cc -n D -s firmware_model protocol hil
	@$(PYTHON) -m radon cc -a firmware_model protocol hil | tail -1

# ruff and mypy (configured in pyproject.toml) on the three packages
lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy

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
	$(PYTHON) benchmarks/bench_board.py
