# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test bench install install-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	# The system pip (23.x) crashes resolving lxml[html_clean]: upgrade it first.
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	# compiled once here, so every launch starts from cached bytecode (~0.2 s less),
	# even where the environment sets PYTHONDONTWRITEBYTECODE
	$(PY) -m compileall -q main.py app archive resources
	$(PY) main.py

test: install-test
	$(PY) -m pytest -q

bench: install
	$(PY) bench/extraction.py
	$(PY) bench/search.py --articles 2000
	$(PY) bench/save.py
	$(PY) bench/import.py
	$(PY) bench/startup.py --articles 2000
	$(PY) bench/ui_latency.py
	$(PY) bench/highlights.py
	$(PY) bench/connector.py

clean:
	rm -rf $(VENV) build *.egg-info
