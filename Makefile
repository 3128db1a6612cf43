# Two entry points, each of which sets everything up on a fresh machine first:
#   make demo   - run the checklist on example_project/ and write its reports to reports/
#   make demo-safety-nets - the same repository against the safety-nets catalog
#   make test   - run the test suite
# Everything is installed into .venv from the package registry; nothing else is assumed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TODAY ?=

.PHONY: setup demo demo-safety-nets test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	cd example_project && ../$(BIN)/python -m pytest --ml-checklist \
		--ml-checklist-json=../reports/example_project.json \
		--ml-checklist-md=../reports/example_project.md \
		--ml-checklist-sarif=../reports/example_project.sarif \
		--ml-checklist-html=../reports/example_project.html $(if $(TODAY),--ml-checklist-today=$(TODAY))
	@echo "Reports written to reports/example_project.{json,md,sarif,html}"

demo-safety-nets: $(STAMP)
	cd example_project && ../$(BIN)/python -m pytest --ml-checklist \
		--ml-checklist-config=mlchecklist.safety-nets.yaml \
		--ml-checklist-json=../reports/example_project.safety-nets.json \
		--ml-checklist-md=../reports/example_project.safety-nets.md $(if $(TODAY),--ml-checklist-today=$(TODAY))
	@echo "Reports written to reports/example_project.safety-nets.json and reports/example_project.safety-nets.md"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scan.py

clean:
	rm -rf $(VENV) reports .pytest_cache example_project/.pytest_cache
