# Speech Recognition from Scratch: the two commands are `make lab` and `make test`.
# Both create .venv when it is missing and install the pinned project into it: `make lab`
# the core the lessons use, `make test` also the test tools and the optional speech
# engines (the `dev` extra), so that every test runs.  The first set-up warms librosa's
# numba cache; when nothing changed, the set-up step is a no-op.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.asrlab-installed
DEV_STAMP := $(VENV)/.asrlab-dev-installed
PORT   ?= 8888
JOBS   ?= 2

.PHONY: setup setup-dev lab test lessons release bench clean-venv help

help:
	@echo "make lab      set up the core, then start JupyterLab on lessons/"
	@echo "make test     set up with the test tools and optional voices, then run the whole test suite"
	@echo "make lessons  regenerate lessons/ from solutions/"
	@echo "make release  write handout/: the student notebooks and a check package with public cases only"
	@echo "make bench    run the benchmarks (ratios against librosa / jiwer / torch)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e .
	$(PY) -m asrlab.warmup
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $(DEV_STAMP)

setup: $(STAMP)

setup-dev: $(DEV_STAMP)

lab: setup
	@echo "Starting JupyterLab on lessons/ (Ctrl+C to stop)."
	$(PY) -m jupyter lab --ServerApp.root_dir=lessons --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

test: setup-dev
	$(PY) -m pytest -n $(JOBS) --dist loadfile tests solutions \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(PYTEST_ARGS)

lessons: setup
	$(PY) -m autograder release

release: setup
	$(PY) -m autograder release --student handout

bench: setup-dev
	$(PY) -m bench

clean-venv:
	rm -rf $(VENV)
