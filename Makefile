# mailforensics — the two commands a newcomer runs:
#   make demo   the main job on the bundled sample_mail/, offline
#   make test   everything the tests need, then the whole suite (what CI runs)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint unit sysdeps bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Offline: every DNS answer comes from the recorded evidence; no socket is opened.
demo: $(STAMP)
	$(VENV)/bin/mailforensics analyze sample_mail/eml --internal-domain example.net \
		--offline --evidence sample_mail/dns/evidence.jsonl

lint: $(STAMP)
	$(VENV)/bin/ruff check mailforensics tests benchmarks
	$(VENV)/bin/mypy

# Debian packages the integration tier needs (Knot DNS for the live-resolver tests).
sysdeps:
	bash scripts/install-test-deps.sh

unit: $(STAMP)
	$(PY) -m pytest -q

test: $(STAMP) sysdeps
	$(MAKE) lint
	$(PY) -m pytest -q

# Benchmarks print ratios against a baseline measured in the same run; none is a test.
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
