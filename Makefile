# govcluster: the two commands of the README, and a few more.
#   make run     create the environment if missing, then run the whole pipeline
#   make test    create the environment if missing, then run the whole test suite (as CI does)
#   make test-fast  unit tests only: no Snakemake, no Monte Carlo, no replication (about 2 minutes)
#
# VENV=/path/to/env points every target at an existing environment (nothing is installed
# into it; it must already have govcluster and its dependencies, e.g. from environment.yml).

SHELL := /bin/bash
PYTHON ?= python3
CORES ?= all
UV_VERSION := 0.13.9

ifeq ($(origin VENV),undefined)
VENV := .venv
MANAGED_VENV := 1
endif

BIN := $(VENV)/bin
STAMP := $(VENV)/.govcluster-installed
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)

.PHONY: run init test test-fast lint dag case repro report clean-results env help speccurve

# make run CONFIG=config/<name>.yaml runs a standalone configuration (such as one written by
# make init): it replaces config/config.yaml instead of being merged into it.
CONFIG ?= config/config.yaml
ifeq ($(CONFIG),config/config.yaml)
CONFIG_ARGS :=
else
CONFIG_ARGS := --configfile $(CONFIG) --replace-workflow-config
endif

help:
	@echo "make run     run the whole pipeline on the configured data (default: simulated panel)"
	@echo "make init DATA=data/raw/file.csv   propose config/file.yaml for your own data"
	@echo "make run CONFIG=config/file.yaml   run the pipeline with that configuration"
	@echo "make test    run the whole test suite (as CI does)"
	@echo "make test-fast  unit tests only (no Snakemake, Monte Carlo or replication)"
	@echo "make lint    snakemake --lint, snakefmt --check and ruff"
	@echo "make dag     draw the rule graph to results/dag.txt"
	@echo "make case CASE=jtrain   run a replication case of config/cases/"
	@echo "make env     only create the environment"
	@echo "make speccurve  the specification curve (one job per specification; not in make run)"

# run_guard: one run per directory, recovery after a killed run (--rerun-incomplete)
run: env
	$(BIN)/python -m govcluster.run_guard $(BIN)/snakemake --cores $(CORES) $(CONFIG_ARGS)

# The specification curve (config section speccurve): a separate target, not part of `run`.
speccurve: env
	$(BIN)/python -m govcluster.run_guard $(BIN)/snakemake --cores $(CORES) $(CONFIG_ARGS) speccurve

# Propose a configuration for a data file, e.g.
#   make init DATA=data/raw/firms.csv ARGS="--outcome lscrap --treatment grant"
init: env
	@test -n "$(DATA)" || { echo "usage: make init DATA=<data file> [ARGS='--outcome Y --treatment D']"; exit 1; }
	$(BIN)/govcluster init $(DATA) $(ARGS)

# Two workers; each test file runs on one worker, and the tests that read the shared pipeline run
# (fixture finished_run, tests/conftest.py) all run on the same one, so it is made once.
test: env
	$(BIN)/pytest -n 2 --dist loadfile

# Markers (pyproject.toml): pipeline = runs Snakemake or DVC, slow = Monte Carlo or long runs,
# replication = published numbers on real data, exhibits = every default exhibit built and
# compiled, converted or measured.
FAST_MARKERS := not pipeline and not slow and not replication and not exhibits

test-fast: env
	$(BIN)/pytest -n 2 --dist loadfile -m "$(FAST_MARKERS)"

lint: env
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules
	$(BIN)/ruff check src tests workflow benchmarks
	$(BIN)/ruff format --check src tests workflow benchmarks

dag: env
	mkdir -p results && $(BIN)/snakemake --rulegraph > results/dag.txt

clean-results:
	rm -rf results data/interim data/processed logs .snakemake/metadata

ifdef MANAGED_VENV
env: $(STAMP)

# Bytecode is compiled at install: every Snakemake job is a new Python process, and where
# PYTHONDONTWRITEBYTECODE is set (containers, CI) pandas, SciPy and matplotlib would otherwise
# be compiled from source by each of them (a dry run of the DAG: 20 s of CPU instead of 8).
$(STAMP): uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	$(BIN)/python -m compileall -q src
	touch $@

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"
else
env:
	@test -x $(BIN)/python || { echo "VENV=$(VENV) has no bin/python"; exit 1; }
	@$(BIN)/python -c "import govcluster, snakemake, linearmodels" || { \
	  echo "VENV=$(VENV) lacks govcluster or its dependencies: install them first,"; \
	  echo "e.g. conda env update -p $(VENV) -f environment.yml"; exit 1; }
endif

# A standalone case configuration of config/cases/, e.g. make case CASE=jtrain
case: env
	@test -n "$(CASE)" || { echo "usage: make case CASE=<name of config/cases/NAME.yaml>"; exit 1; }
	$(BIN)/python -m govcluster.run_guard $(BIN)/snakemake --cores $(CORES) --configfile config/cases/$(CASE).yaml --replace-workflow-config

# Reproduce with DVC (dvc.yaml drives the Snakemake DAG); its stages run Snakemake with the
# interpreter of this environment (workflow/run_snakemake.sh)
repro: env
	GOVCLUSTER_PYTHON="$(abspath $(BIN))/python" $(BIN)/dvc repro

# The run's report, results/report.html (rule render_report, part of `make run`): the data
# (validation, data quality, cleaning audit, sample, truth) first, then every table and figure
# once, in the order of the paper, its other formats as downloads, captions in render.language.
# Snakemake's own report (rule graph, run times, one entry per exhibit) is still at hand:
# .venv/bin/snakemake --report workflow_report.html
report: env
	$(BIN)/python -m govcluster.run_guard $(BIN)/snakemake --cores $(CORES) $(CONFIG_ARGS) render_report
