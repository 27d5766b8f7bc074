# tpcore's developer commands. Each target does its own set-up: a virtual environment in
# .venv with the development extras, and a release build of the extension.
#
#   make demo    run the main job: the matching fleet on an embedded nats-server, with a crash
#   make test    cargo test + pytest (benchmarks off)
#   make bench   every benchmark against its peer; writes benches/RESULTS.md
#   make lint    rustfmt, clippy, ruff, mypy, stubtest, actionlint

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEV_STAMP := $(VENV)/.dev-installed
BENCH_JSON := .benchmarks/latest.json
BENCH_RUNS ?= 3

.PHONY: all venv dev build demo test test-rust test-python bench bench-quick lint lint-rust lint-python lint-workflows fmt clean

all: test

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

# The development set-up, as a user would do it: an editable install with the dev extras.
$(DEV_STAMP): pyproject.toml Cargo.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

dev: $(DEV_STAMP)

# Rebuild the extension from the current Rust sources (incremental, release profile).
build: $(DEV_STAMP)
	$(BIN)/maturin develop --release --quiet

demo: build
	$(BIN)/tpcore demo

test: test-rust test-python

test-rust:
	cargo test --workspace

test-python: build
	$(BIN)/pytest -q --benchmark-disable

# BENCH_RUNS full runs (about 4 minutes each here); the table takes each comparison's
# median run and shows the range, since one run on a shared machine can be 30% off.
bench: build
	mkdir -p .benchmarks
	for run in $$(seq $(BENCH_RUNS)); do \
		$(BIN)/pytest benches -q --benchmark-only --benchmark-json=.benchmarks/run-$$run.json \
			|| exit 1; \
	done
	$(PY) benches/report.py $$(seq -f '.benchmarks/run-%g.json' $(BENCH_RUNS)) \
		--markdown benches/RESULTS.md
	cargo bench --workspace

# A short pass for CI: few rounds, prints each tpcore-vs-peer ratio.
bench-quick: build
	TPCORE_BENCH_QUICK=1 $(BIN)/pytest benches -q --benchmark-only --benchmark-min-rounds=3 \
		--benchmark-max-time=0.05 --benchmark-warmup=off --benchmark-json=$(BENCH_JSON)
	$(PY) benches/report.py $(BENCH_JSON)

lint: lint-rust lint-python lint-workflows

lint-rust:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

lint-python: build
	$(BIN)/ruff check python tests benches
	$(BIN)/ruff format --check python tests benches
	$(BIN)/mypy --strict python/tpcore
	$(PY) -m mypy.stubtest tpcore._core

lint-workflows: $(DEV_STAMP)
	$(BIN)/actionlint

fmt: $(DEV_STAMP)
	cargo fmt --all
	$(BIN)/ruff format python tests benches
	$(BIN)/ruff check --fix python tests benches

clean:
	cargo clean
	rm -rf $(VENV) .benchmarks .pytest_cache .mypy_cache .ruff_cache python/tpcore/_core*.so
