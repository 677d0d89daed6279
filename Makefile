# `make run` and `make test` are all a new user needs; each bootstraps .venv.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lint translations messages browser screenshots clean

# uv installs what pyproject.toml asks for in 40 s where pip took 97 (2 cores, caches
# warm). Bytecode is compiled at install, as pip does: compiled at first import instead,
# jieba's invalid escapes would warn, which the suite's warning filter makes errors.
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $@

translations: $(STAMP)
	@$(BIN)/pybabel compile -d translations >/dev/null

# After adding UI text: extract it and merge it into translations/zh (then translate).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* .venv node_modules' \
		--no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

# The site and, beside it, a worker for mail and the periodic jobs (on the SQLite queue in
# instance/, no server needed; mail lands in instance/mail/ and its link is printed here).
# Ctrl-C stops both.
run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	@export FANFORGE_SITE_URL=$${FANFORGE_SITE_URL:-http://$(HOST):$(PORT)}; \
		$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
		$(FLASK) run --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests, nginx fronts gunicorn in the deployment
# test (deploy/nginx.conf), and a CJK font (fonts-wqy-microhei, 4.5 MB) lets share posters
# and the browser draw Chinese; install whichever is missing.
browser:
	@missing=; \
	{ command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; } || missing="$$missing chromium"; \
	{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx-light"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
		|| missing="$$missing fonts-wqy-microhei"; \
	[ -z "$$missing" ] || { \
		echo "Installing Debian's$$missing for the browser and deployment tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
		|| echo "Could not install$$missing; those tests will fail under CI=true and skip otherwise."; }

# The database tests run again on PostgreSQL when the local server answers.
PG_TEST_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
# pytest-xdist workers, each with its own databases and ports: one more than the cores,
# since a third of a run waits on servers, PostgreSQL and the browser (a 2-core run with
# three workers kept the cores 68% busy). Four were slower still on 2 cores, and starved
# requests past the 5 s statement deadline, whose watchdog then cuts the connection.
# The long tests come first (tests/conftest.py) and idle workers steal the short ones.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode caches are written even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): the workers, the warm zygotes and the processes the tests
# start then share one compile of the code and of pytest's rewritten tests, where each
# compiled them again (collecting took 23 s of CPU per worker, 9 s with the caches).
# bandit: medium and high findings fail the run; each reviewed one carries `# nosec BXXX`
# under a comment saying why it is safe, so a new finding stands out.
test: $(STAMP) translations browser
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r app.py community products demo --severity-level medium
	@if [ -z "$${FANFORGE_TEST_DATABASE_URL:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
		export FANFORGE_TEST_DATABASE_URL=$(PG_TEST_URL); echo "PostgreSQL answers: database tests run on it too."; fi; \
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Benchmarks at scale, not part of `make test`: seeds bench/.data (large: ~10 min the first
# time), runs bench/http.py and bench/scaling.py, and adds a section to bench/RESULTS.md.
# wrk drives the read load when it is installed (Debian's wrk is tried here), else a Python
# client does. E.g. `make bench BENCH_ARGS="--scale small --seconds 3 --skip-scaling"`.
BENCH_ARGS ?=
bench: $(STAMP) translations
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| echo "wrk is not installed: the Python load client drives the reads."; }
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

# The main pages at 390 and 1280 px, in zh and en, signed out and in, on the demo community:
# PNG files in screenshots/ (git-ignored) for review. SCREENSHOT_ARGS="--full-page" for whole pages.
SCREENSHOT_ARGS ?=
screenshots: $(STAMP) translations browser
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
		echo "Installing Debian's fonts-wqy-microhei: Chinese pages need a CJK font to be looked at..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
		|| echo "No CJK font: Chinese text shows as boxes in the screenshots."; }
	$(BIN)/python tests/e2e/screenshots.py --out screenshots $(SCREENSHOT_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
