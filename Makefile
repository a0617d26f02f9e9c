# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist; each worker has its own test database). PYTEST_WORKERS=0
# runs it in one process, e.g. to use --lf or a debugger.
PYTEST_WORKERS ?= auto

.PHONY: run test install install-test messages migrate load load-content serve check-deploy clean
.PHONY: benchmark benchmark-ideas benchmark-search benchmark-reports bench
.PHONY: lint fuzz
.PHONY: worker beat cluster-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The Nu Html Checker (vnu-jar from npm, run with Java) for tests/test_html_validity.py; skipped
# without npm (on a developer's machine the test is then skipped with a reason).
node_modules/.installed: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed

# Translation catalogues are compiled here (no gettext needed), never committed.
messages: install
	$(BIN)/pybabel compile --domain django --directory locale --statistics

migrate: messages
	$(BIN)/python manage.py migrate --noinput

# Loading twice changes nothing: fixtures use natural keys, so rows are updated, never duplicated.
# load-content: the module only (production too). load: plus the demo accounts, whose passwords
# are published in README.md, so it refuses to run with production settings (DJANGO_SECRET_KEY set).
load-content: migrate
	$(BIN)/python manage.py loaddata module6 module6_quizzes module6_compounds
	$(BIN)/python manage.py createinitialrevisions --comment "Eerste versie" --verbosity 0

load: load-content
	@test -z "$$DJANGO_SECRET_KEY" || { echo "Demo-accounts worden niet geladen met productie-instellingen (DJANGO_SECRET_KEY is gezet)."; exit 1; }
	$(BIN)/python manage.py loaddata demo
	$(BIN)/python manage.py load_demo_activity

run: load
	@echo ""
	@echo "  Module 6 draait op http://$(HOST):$(PORT)/   (beheer: http://$(HOST):$(PORT)/beheer/)"
	@echo "  Demo-accounts en wachtwoorden: zie README.md (beheer, centrummanager, trainer, deelnemers)."
	@echo "  Inloggen: http://$(HOST):$(PORT)/account/login/   deelnamelink demo-cohort: http://$(HOST):$(PORT)/deelnemen/DEMO2026/"
	@echo "  E-mail (bevestigingslinks, uitnodigingen) wordt niet verstuurd maar hier in de terminal getoond."
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test messages
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Production-style serving: gunicorn + WhiteNoise with compressed, hashed static files.
serve: load-content
	DJANGO_DEBUG=$${DJANGO_DEBUG:-false} $(BIN)/python manage.py collectstatic --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-false} $(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

check-deploy: install
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-cursus.example.org} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Background work for real: a Celery worker (mail, link checks) and beat (the schedule: nightly link
# check, the outbox sweep). Both need REDIS_URL, the same as the web nodes'. Run beat once per site.
worker: install messages
	@test -n "$$REDIS_URL$$CELERY_BROKER_URL" || { echo "make worker heeft REDIS_URL nodig (dezelfde als die van de webservers)."; exit 1; }
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=$${WORKER_CONCURRENCY:-2}

beat: install
	@test -n "$$REDIS_URL$$CELERY_BROKER_URL" || { echo "make beat heeft REDIS_URL nodig (dezelfde als die van de webservers)."; exit 1; }
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-.celerybeat-schedule}

# Two gunicorn nodes, PostgreSQL, Redis, a Celery worker and an SMTP sink on this machine
# (tests/cluster/). Restarts PostgreSQL: CI runs it as its own step, never beside the suite.
cluster-test: install-test messages
	$(BIN)/python -m pytest -m cluster tests/cluster $(PYTEST_ARGS)

benchmark: load
	$(BIN)/python scripts/benchmark.py

# The idea wall's polling: 30 learners every 4 s against a local gunicorn, CPU from /proc (issue 14).
benchmark-ideas: install messages
	$(BIN)/python scripts/benchmark_ideas_polling.py

# Search on 10 × Module 6 (480 slides) in scratch databases: SQLite, then PostgreSQL (target: 20 ms p95).
benchmark-search: messages
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(BIN)/python scripts/benchmark_search.py
# The centre and programme reports at programme size (20 cohorts × 1,000 learners; 20 centres), in a
# scratch database: SQLite, then PostgreSQL too when DATABASE_URL points at one.
benchmark-reports: install messages
	$(BIN)/python scripts/benchmark_reports.py

# The production way (gunicorn, its own database clone) against the bare view /healthz: see README.
# BENCH_ARGS="--postgres", "--big" (480 slides), "--browser" (Chromium timings), "--redis redis://...".
BENCH_ARGS ?= --browser
bench: install-test messages
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || sudo -n apt-get install -y wrk >/dev/null 2>&1 \
		|| echo "wrk is not installed: the Python load generator measures instead (slower, less exact)."
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# Lint: ruff (pyflakes, pycodestyle, import order) on the whole tree, then bandit's security checks
# on the app code (every app with an apps.py, and config/; no tests, no migrations). Run by .ci/run
# before the tests; `ruff check --fix .` sorts imports.
APP_DIRS = $(sort $(dir $(wildcard */apps.py))) config/
lint: install-test
	$(BIN)/ruff check .
	@# bandit warns on every other node of a line that carries a reviewed '# nosec': those lines are dropped.
	@$(BIN)/bandit -q -c pyproject.toml -r $(APP_DIRS) 2>.bandit.err; status=$$?; \
		grep -v "nosec encountered" .bandit.err >&2; rm -f .bandit.err; exit $$status

# The fuzz test at full size: 4,000 Hypothesis examples per role (5 roles: 20,000), a new random
# seed each run. On PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> make fuzz
FUZZ_EXAMPLES ?= 4000
fuzz: install-test messages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -s -p no:logging tests/test_fuzz.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 locale/*/LC_MESSAGES/*.mo
