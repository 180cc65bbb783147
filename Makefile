# finrisk-workbench. `make run` and `make test` set everything up on a fresh machine (Python >= 3.11 needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= quick
NBVAL_DIR := build/nbval

# Headless, CPU-only, quiet TensorFlow for every target that executes notebooks or tests.
HEADLESS := CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=3 PYDEVD_DISABLE_FILE_VALIDATION=1

.PHONY: help venv run test coverage test-jax lint format lab ui notebooks sweep bench clean mutate book solutions

help:
	@echo "make run [PROFILE=quick|full] [WORKERS=N]  execute all notebooks in parallel into runs/<timestamp>/"
	@echo "make test [TEST_WORKERS=N]     lint + unit tests + notebooks end to end (papermill, nbval), in parallel"
	@echo "make coverage                  unit tests under line coverage, each module against an 85% goal"
	@echo "make test-jax                  model tests and two notebooks on the JAX Keras backend"
	@echo "make lab                       JupyterLab on notebooks/ with the project installed"
	@echo "make ui                        MLflow UI on the tracking store (runs/mlflow.db)"
	@echo "make notebooks                 re-render committed notebooks (full profile outputs)"
	@echo "make solutions                 run every worked solution (solutions/) into build/solutions/ with outputs"
	@echo "make sweep NB=... GRID=...     sweep a notebook over a YAML grid (see README)"
	@echo "make bench                     time the suite, a 1- vs 2-worker sweep, training throughput"
	@echo "make book                      the book: static HTML of the committed notebooks -> build/book/html/index.html"
	@echo "make lint | format | clean"

# Installs with uv (a pip-compatible installer from PyPI, several times faster on the ~250 packages of the dev
# extra; bytecode compiled at install, as pip does); where uv cannot be installed or fails, with pip.
# Usage: $(call INSTALL,<extras>).
COMMA := ,
INSTALL = $(BIN)/python -m pip install --quiet uv && $(BIN)/python -m uv pip install --quiet --compile-bytecode --python $(BIN)/python \
	-e ".[$(1)]" || { $(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e ".[$(1)]"; }
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(call INSTALL,dev)
	touch $(STAMP)

venv: $(STAMP)

WORKERS ?=
run: $(STAMP)
	$(HEADLESS) $(BIN)/finrisk run --profile $(PROFILE) $(if $(WORKERS),--workers $(WORKERS))

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy finrisk_utils

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One execution per notebook: nbval runs the prepared quick-profile copies (comparing the NBVAL_CHECK_OUTPUT
# cells with the committed outputs) and writes their metrics.json, which the notebook tests (NOTEBOOK_TESTS) then
# check. The worked solutions (their asserts) run in the same parallel session, in solutions/ as a teacher runs
# them, and so do the unit tests (all but NOTEBOOK_TESTS; -m "not solution" skips tests/test_solutions.py's own
# execution of the solutions): one session keeps both cores busy to its end. The notebook checks (they only read
# metrics.json, a few seconds in one process) start after every notebook has finished, so none is executed twice.
# TEST_WORKERS at a time (pytest-xdist, a file's tests on one worker: a notebook's cells share its kernel), the
# longest first (SLOW_FIRST: notebooks by their quick runtime, then the slowest unit-test files) so that no long
# file starts late and finishes alone; --no-loadscope-reorder keeps that order (xdist otherwise sorts files by
# their number of tests, which put notebook 07, ~200 s and 11 cells, in the middle of the queue).
# Lint (ruff, mypy: ~30 s on one core from a cold cache) runs beside the test session, not before it; its output
# is printed at the end and its failure fails `make test` like a test's.
# Each worker's thread pools (OpenMP/BLAS, TensorFlow) get cores / TEST_WORKERS threads, as `finrisk run` caps its
# kernels: two workers with two OpenMP threads each on two cores spin-wait on each other (scikit-learn's
# histogram gradient boosting ran several times slower so).
# Line coverage is measured by `make coverage`, not here: tracing costs the unit tests a quarter of their time.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile
TEST_THREADS := $(shell python3 -c 'import os; print(max(1, len(os.sched_getaffinity(0)) // $(TEST_WORKERS)))' 2>/dev/null || echo 1)
CAPPED := $(foreach v,OMP_NUM_THREADS MKL_NUM_THREADS OPENBLAS_NUM_THREADS TF_NUM_INTRAOP_THREADS TF_NUM_INTEROP_THREADS,$(v)=$(TEST_THREADS))
NOTEBOOK_TESTS := tests/test_notebooks.py $(wildcard tests/test_notebook_[0-9][0-9]_*.py)
PYTEST := $(HEADLESS) $(CAPPED) MPLBACKEND=Agg FINRISK_NO_TRACK=1 $(BIN)/python -m pytest -p no:cacheprovider
SLOW_FIRST := $(addprefix $(NBVAL_DIR)/,07_*.ipynb 03_*.ipynb 08_*.ipynb 02_*.ipynb 10_*.ipynb 11_*.ipynb 09_*.ipynb \
	04_*.ipynb) $(addprefix tests/test_,tracking.py sweep.py runner.py parallel_run.py training_check.py ratings.py lab.py)
# Files, not folders, so that pytest keeps their order (a folder argument is collected in name order; a file
# named twice is collected once, where it first appears). The nbval copies exist only once the harness has run.
TEST_FILES := $(SLOW_FIRST) $(NBVAL_DIR)/*.ipynb $(wildcard solutions/*.ipynb) \
	$(filter-out $(NOTEBOOK_TESTS),$(wildcard tests/test_*.py))
test: $(STAMP)
	rm -rf $(NBVAL_DIR) && mkdir -p build
	$(MAKE) --no-print-directory lint > build/lint.log 2>&1 & lint=$$!; \
	$(HEADLESS) $(BIN)/python tests/notebook_harness.py $(NBVAL_DIR) && \
	$(PYTEST) $(TEST_FILES) -m "not solution" $(XDIST) --no-loadscope-reorder --durations=25 --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600; first=$$?; \
	$(PYTEST) $(NOTEBOOK_TESTS); notebooks=$$?; \
	wait $$lint; linted=$$?; echo "--- make lint:"; cat build/lint.log; \
	test $$first -eq 0 -a $$notebooks -eq 0 -a $$linted -eq 0

# Unit tests under line coverage; tests/coverage_report.py lists each module's share and those under the 85% goal.
coverage: $(STAMP)
	$(PYTEST) tests -m "not solution and not notebook" $(addprefix --ignore=,$(NOTEBOOK_TESTS)) $(XDIST) \
		--cov=finrisk_utils --cov-report= --cov-report=json:build/coverage.json
	$(BIN)/python tests/coverage_report.py build/coverage.json 85

# The second Keras backend: the model unit tests and two notebooks (quick profile) with KERAS_BACKEND=jax.
JAX_NOTEBOOKS := notebooks/01_market_risk_price_forecasting_lstm.ipynb notebooks/04_operational_risk_fraud_autoencoder.ipynb
test-jax: $(STAMP)
	$(call INSTALL,dev$(COMMA)jax)
	$(HEADLESS) KERAS_BACKEND=jax MPLBACKEND=Agg $(BIN)/python -m pytest tests/test_models.py \
		tests/test_training_check.py tests/test_deep_var.py tests/test_jax_backend.py -p no:cacheprovider
	rm -rf build/jax-run
	$(HEADLESS) KERAS_BACKEND=jax FINRISK_NO_TRACK=1 $(BIN)/finrisk run $(JAX_NOTEBOOKS) --profile quick \
		--out build/jax-run

# JupyterLab is in the dev extra; `finrisk lab` adds --allow-root when run as root (containers, CI machines).
lab: $(STAMP)
	$(BIN)/finrisk lab

ui: $(STAMP)
	$(BIN)/finrisk ui

# Every notebook in the full profile, except those tests/notebooks.yaml commits in the quick profile
# (`render_profile: quick`, with its reason; none at present).
QUICK_RENDERED :=
notebooks: $(STAMP)
	$(HEADLESS) $(BIN)/finrisk render $(filter-out $(QUICK_RENDERED),$(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb)))
	$(if $(QUICK_RENDERED),$(HEADLESS) $(BIN)/finrisk render --profile quick $(QUICK_RENDERED))

# Worked solutions of the exercises (solutions/*.ipynb, committed without outputs): executed, with their outputs,
# into build/solutions/ for teachers (tests/solution_harness.py; `make test` runs them too, tests/test_solutions.py).
solutions: $(STAMP)
	$(HEADLESS) MPLBACKEND=Agg $(BIN)/python tests/solution_harness.py build/solutions

NB ?= notebooks/02_market_risk_var_es_deep_quantile.ipynb
GRID ?= benchmarks/seed_grid.yaml
sweep: $(STAMP)
	$(HEADLESS) $(BIN)/finrisk sweep $(NB) -f $(GRID) --profile $(PROFILE)

bench: $(STAMP)
	$(HEADLESS) $(BIN)/python benchmarks/run_benchmarks.py

# The book (Sphinx + MyST-NB): the committed notebooks with their stored outputs, nothing executed; syllabus,
# navigation by risk type, glossary, references, notes for teachers (book/). Warnings are errors.
book: $(STAMP)
	$(BIN)/python book/make_book.py --out build/book/html

clean:
	rm -rf build runs .pytest_cache .ruff_cache .hypothesis

# Planted-bug check (not part of `make test`): applies plausible bugs one at a time to a temporary copy of the
# package and reports which science test catches each (benchmarks/mutate.py). Takes several minutes.
mutate: $(STAMP)
	$(HEADLESS) $(BIN)/python benchmarks/mutate.py
