# Two commands do all set-up on a fresh Debian machine:
#   make demo   - audit the bundled demo portals (SQLite file citylabel.db)
#   make test   - run the test suite
# Each creates .venv, installs the package with its pinned dependencies and the
# Debian packages it needs, and does nothing of that again when already done.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.citylabel-installed

.PHONY: demo test install benchmark lock clean

demo: install
	@scripts/system-deps.sh demo
	$(VENV)/bin/citylabel demo

test: install
	@scripts/system-deps.sh test
	$(PY) -m pytest -q -p no:cacheprovider

benchmark: install
	$(PY) benchmarks/crawl.py

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "citylabel needs Python >= 3.11 (PYTHON=$(PYTHON))"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
	@touch $(STAMP)

# Re-pin every dependency after changing pyproject.toml.
lock: install
	$(PY) -m pip freeze --exclude-editable --exclude citylabel > requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info
