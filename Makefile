# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
NOQT := .venv-noqt
PY := $(VENV)/bin/python
# PostgreSQL the store tests run against (a scratch database is created and dropped per run).
LINKAGE_TEST_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export LINKAGE_TEST_PG

.PHONY: run test test-all test-domain-noqt lint typecheck system clean translations dist-hub

run: $(VENV)/.installed
	$(PY) main.py

# The linter (ruff, the import contracts) and the type checker first: they take seconds and
# name the line, where a failing test only shows the consequence. Then one pytest worker per
# core (pytest-xdist): the suite waits on sockets, timers and child processes more than it
# computes. Tests that time work on the CPU (marked `timing`) then run alone, so that another
# worker does not take their core.
#
# Tests marked `slow` (a dozen: drills, failover, the whole demo, long floods) make the suite
# half again as long; a developer's `make test` leaves them out, CI (the CI variable set) and
# `make test-all` run them too.
SELECT := $(if $(CI),,and not slow)
test: $(VENV)/.installed lint typecheck test-domain-noqt
	$(PY) -m pytest -q -n auto --dist worksteal -m "not timing $(SELECT)"
	$(PY) -m pytest -q -m "timing $(SELECT)"

test-all:
	$(MAKE) test CI=true

system:
	@installer/debian-packages.sh

$(VENV)/.installed: pyproject.toml | system
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Linkage Console needs Python 3.11 or newer; this is " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# The domain must work with Qt absent: a second environment that has no PySide6 at all runs its tests.
$(NOQT)/.installed: pyproject.toml
	@test -x $(NOQT)/bin/python || $(PYTHON) -m venv $(NOQT)
	$(NOQT)/bin/python -m pip install -q --disable-pip-version-check pytest pytest-timeout hypothesis shapely tzdata
	@touch $@

# pytest-qt is not there, so its settings in pyproject.toml are unknown options to this run.
test-domain-noqt: $(NOQT)/.installed
	@! $(NOQT)/bin/python -c 'import PySide6' 2>/dev/null || { echo "PySide6 leaked into $(NOQT)"; exit 1; }
	$(NOQT)/bin/python -m pytest -q -p no:cacheprovider -W "ignore::pytest.PytestConfigWarning" tests/domain

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Refresh the Chinese translation source from the code, then compile what the console loads.
# The hub's refusal templates are listed for lupdate first (tools/refusal_catalogue.py).
# Translate the new entries (Qt Linguist, by hand in the .ts, or tools/ts_fill.py) before committing.
translations: $(VENV)/.installed
	$(PY) tools/refusal_catalogue.py
	$(VENV)/bin/pyside6-lupdate -silent -extensions py -no-obsolete -locations none console/views console/map console/ui -ts console/resources/i18n/linkage_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease -silent console/resources/i18n/linkage_zh_CN.ts -qm console/resources/i18n/linkage_zh_CN.qm

# The desktop console as a folder that runs where no Python is (PyInstaller, installer/console.spec):
# dist/linkage-console/linkage-console with its .desktop file and icon (docs/packaging.md).
# Takes minutes; the slow test tests/test_desktop_build.py builds it the same way.
.PHONY: dist-console
dist-console: $(VENV)/.installed
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/console.spec

# The hub as a Debian package with a bundled venv, its systemd unit and default settings
# (installer/build-deb.sh, docs/deploy.md): dist/linkage-hub_VERSION_ARCH.deb.
dist-hub: $(VENV)/.installed
	PIP="$(PY) -m pip" installer/build-deb.sh

clean:
	rm -rf $(VENV) $(NOQT) dist
