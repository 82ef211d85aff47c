# `make run` and `make test` do all set-up themselves: a local virtual
# environment in .venv, filled from pyproject.toml (re-filled when it changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench check-export clean

$(STAMP): pyproject.toml
	sh .ci/qt-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/nnsim $(ARGS)

# The layer contracts (pyproject.toml [tool.importlinter]) first: a second.
test: $(STAMP)
	$(BIN)/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Benchmarks run in their own environment, .venv-bench, with the `bench` extra
# (PyTorch and scikit-learn to compare against), so .venv and `make test` stay
# lean. ARGS go to `python -m bench` (e.g. ARGS=--quick, ARGS="--only train").
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	sh .ci/qt-system-deps.sh
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	QT_QPA_PLATFORM=offscreen $(BENCH_VENV)/bin/python -m bench $(ARGS)

# The export checks that need PyTorch, scikit-learn and torch.onnx, in .venv-bench
# (docs/export.md): the PyTorch script's forward and SGD step against nnsim's to
# 1e-12, its epochs against `nnsim train`, a 2-process torchrun run, and models
# from skl2onnx and torch.onnx opened and stepped. In .venv these tests skip.
EXPORT_TESTS := tests/io/test_pytorch_export.py tests/io/test_onnx_from_other_tools.py \
	tests/io/test_onnx_export.py tests/io/test_onnx_import.py

check-export: $(BENCH_STAMP)
	QT_QPA_PLATFORM=offscreen $(BENCH_VENV)/bin/python -m pytest -q $(EXPORT_TESTS)

clean:
	rm -rf $(VENV) $(BENCH_VENV)
