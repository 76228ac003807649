# shegong — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run install install-test setup test lint bench seed-national assets messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP) $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

setup: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_regions --quiet
	$(PY) manage.py load_holidays --quiet
	$(PY) manage.py seed_demo --quiet
	$(PY) manage.py collectstatic --no-input -v 0

run: setup
	@echo ""
	@echo "shegong 全国社会工作信息系统: http://$(HOST):$(PORT)/"
	@$(PY) manage.py seed_demo
	@echo "Ctrl-C stops the web server and the worker."
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py serve

# The whole suite on SQLite, then on PostgreSQL when one is reachable (required when CI=true).
test: install-test
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(PY) manage.py collectstatic --no-input -v 0
	bash scripts/test.sh

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check shegong tests bench

bench: install-test
	$(PY) -m bench

# National-scale synthetic data (docs/architecture.md) and sample import files in var/samples/; SCALE=0.01 for a quick one.
# Point SHEGONG_DATABASE_URL at a PostgreSQL database for the full scale.
SCALE ?= 1.0
seed-national: setup
	$(PY) manage.py seed_national --scale $(SCALE)

# Refresh the vendored front-end assets from the npm registry (package.json) into static/vendor.
assets:
	npm install --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/

# Update the translation catalogues after changing user-visible text.
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=var --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=var --ignore=static/vendor --no-obsolete

clean:
	rm -rf var
