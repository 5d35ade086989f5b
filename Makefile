# ddj task file. Two commands are all a new user needs:
#   make reports   set up .venv and run the main job on the shipped data
#   make test      set up .venv (and Debian's chromium for browser tests) and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ddj-installed
UV_VERSION := 0.13.8
# The suite on parallel workers (pytest-xdist): each test module runs whole on one worker (--dist loadfile), so a
# module's set-up that runs reports is built once, and the longest modules start first (tests/conftest.py orders
# them; --no-loadscope-reorder keeps that order). The two cores are the limit (busy about 95% of a run), and two
# workers load the machine least for the tests that wait on kernels; three took 377-394 s, one process about 550 s.
# Two workers on December 6, 2026: 289-307 s in three runs of the handed-over code, 317-356 s in four runs of the
# afternoon's earlier code (318 and 334 s against 330 and 355 s for the morning's, run in turn with it); the same
# code varies by 15-25% from hour to hour here.
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Python keeps the modules it compiles (ddj's and the tests', in __pycache__/) even where the environment says
# not to (PYTHONDONTWRITEBYTECODE=1 on this machine and CI's): every report kernel, Explorer kernel and `ddj`
# command would otherwise compile ddj from source again (0.26 s of CPU a process), and pytest its rewritten tests.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install reports test test-fast lint bench browser lock clean help

help:
	@echo "make reports  - set up and run the main job on the shipped data"
	@echo "make test     - set up, check style and types (make lint), and run the test suite"
	@echo "make test-fast - the suite without the tests marked slow, for the inner loop"
	@echo "make lint     - ruff (format and rules) and mypy over ddj/, as make test runs them"
	@echo "make bench    - run the benchmarks (not part of the tests)"
	@echo "make lock     - re-pin constraints.txt after changing dependencies"

install: $(STAMP)

# The virtual environment, with every dependency pinned by constraints.txt.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -c constraints.txt -e ".[dev,distributed]"
	@touch $(STAMP)

# Validate every shipped dataset, then run every report in reports.toml into reports/. The reports run
# even when a dataset is invalid (the reports that use it fail on their own); the exit is non-zero if
# either step found a problem.
reports: $(STAMP)
	@status=0; \
	$(BIN)/ddj validate --all --quiet || status=1; \
	$(BIN)/ddj run --config reports.toml --out reports || status=1; \
	exit $$status

test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q $(PARALLEL)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" $(PARALLEL)

# The style and types the code claims: formatting, ruff's rules (pyproject.toml) and mypy over ddj/.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy ddj

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@sh scripts/ensure-chromium.sh

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra distributed --python-version 3.11 -o constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache
