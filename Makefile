PYTHON ?= python3

.PHONY: install system-deps test evidence-gates quick lint metrics bench bench-quick hil fuzz evidence

install:
	$(PYTHON) -m pip install -q -e '.[test,plot,lab,bench]'

system-deps:
	./scripts/install-system-deps.sh

# everything the tests need, then lint, types, every test and the cheap evidence gates (README, Evidence)
CI_EVIDENCE ?= build/ci-evidence
test: system-deps install lint
	rm -rf $(CI_EVIDENCE)
	$(PYTHON) -m pytest --scs-record $(CI_EVIDENCE)/records/tests.json --junitxml=$(CI_EVIDENCE)/junit/tests.xml
	@$(MAKE) -s evidence-gates
	@$(MAKE) -s metrics

# the evidence gates CI holds (make test runs them after the tests): the generated requirements are fresh,
# the conformance suite on the model and on the C core in process writes its records (and, on qemu-rt, the
# two fault tests only the pin observer can check: outputs low through a watchdog or brown-out reset), the MISRA gate is
# clean against docs/misra-deviations.md, the traceability matrix over the records has no untested, failing
# or unknown requirement (build/ci-evidence/traceability.html), and the C core's branch coverage is >= 90 %
evidence-gates:
	$(PYTHON) -m hil.evidence.requirements --check
	$(PYTHON) -m pytest -q hil/harness/conformance --scs-target model --scs-record $(CI_EVIDENCE)/records/model.json --junitxml=$(CI_EVIDENCE)/junit/model.xml
	$(PYTHON) -m pytest -q hil/harness/conformance --scs-target core --scs-record $(CI_EVIDENCE)/records/core.json --junitxml=$(CI_EVIDENCE)/junit/core.xml
	$(PYTHON) -m pytest -q hil/harness/conformance/test_faults.py --scs-target qemu-rt -k watchdog_or_brown_out --scs-record $(CI_EVIDENCE)/records/qemu-rt.json --junitxml=$(CI_EVIDENCE)/junit/qemu-rt.xml
	$(PYTHON) -m hil.evidence.misra --out $(CI_EVIDENCE)/misra.txt
	$(PYTHON) -m hil.evidence.trace --records $(CI_EVIDENCE)/records --out $(CI_EVIDENCE)
	$(PYTHON) -m hil.evidence.coverage --out $(CI_EVIDENCE)/coverage --build hil/board/build/coverage

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

# every benchmark; each run appended to benchmarks/history.jsonl (SCS_BENCH_HISTORY=FILE: elsewhere), each
# ratio printed beside the previous run's, a drop of more than 20 % flagged (exit 1). Quick modes: bench-quick
bench: install
	$(PYTHON) benchmarks/run_all.py

bench-quick: install
	$(PYTHON) benchmarks/run_all.py --quick

# the evidence bundle (README, Evidence): conformance on model, sim, qemu, qemu-rt; coverage; MISRA; SBOM;
# traceability; index.html and SHA256SUMS in evidence/ (exit 1 when a gate fails; every file is still written)
evidence: system-deps
	$(PYTHON) -m pip install -q -e '.[test,evidence]'
	$(PYTHON) -m hil.evidence.bundle --out evidence $(if $(TARGETS),--targets $(TARGETS))
