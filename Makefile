# Two commands set everything up on a machine with only Python >= 3.11:
#   make run   - install, migrate, seed demo data, serve with in-process worker + scheduler
#   make test  - the whole suite on SQLite with the in-memory broker
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-services test-browser worker scheduler serve static-files install install-dev install-bench lint lint-imports messages check-deploy clean seed-scale bench load chaos

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# Mozilla's ical.js, the calendar tests' third parser, when Node.js is here.
ICALJS := tests/integrations/calendar/js
$(ICALJS)/node_modules/.installed: $(ICALJS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(ICALJS) && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not found: the calendar tests will skip their ical.js check"; fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev $(ICALJS)/node_modules/.installed

$(VENV)/.installed-bench: requirements.txt requirements-dev.txt requirements-bench.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed
install-bench: $(VENV)/.installed-bench $(ICALJS)/node_modules/.installed

# Address and port as for `make serve`: BIND=host:port, or PORT alone (default 127.0.0.1:8000).
RUN_BIND = $${BIND:-127.0.0.1:$${PORT:-8000}}

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty --serving-at "$(RUN_BIND)"
	$(BIN)/python manage.py runembedded "$(RUN_BIND)"

# Embedded mode: SQLite and the in-memory broker, whatever the environment says.
test: install-dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest $(PYTEST_ARGS)

# Services mode: PostgreSQL and Redis (local defaults; override DATABASE_URL / REDIS_URL).
test-services: install-dev
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-$(REDIS_TEST_URL)} \
	DRAMATIQ_NAMESPACE=ips-crm-test $(BIN)/pytest $(PYTEST_ARGS)

test-browser: install-dev
	env -u DATABASE_URL -u REDIS_URL REQUIRE_BROWSER=1 $(BIN)/pytest -m browser $(PYTEST_ARGS)

# Services-mode processes (set DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0, ALLOWED_HOSTS).
worker: install
	$(BIN)/python manage.py rundramatiq --processes $${WORKER_PROCESSES:-2} --threads $${WORKER_THREADS:-4}

# The scheduler re-takes its Redis lock after a Redis flush or restart, or exits
# non-zero (supervisor configuration: docs/operations.md).
scheduler: install
	$(BIN)/python manage.py runscheduler

# Static files as production serves them (DEBUG off: whitenoise's compressed manifest
# in var/static), for `make load` and its test; `make serve` collects with its own settings.
static-files: install
	DEBUG=0 GEOCODER=fake SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=localhost $(BIN)/python manage.py collectstatic --noinput -v 0

# Access log with feed and password-reset tokens masked (config/gunicorn.conf.py).
serve: install
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/gunicorn config.wsgi:application -c config/gunicorn.conf.py --bind $${BIND:-127.0.0.1:$${PORT:-8000}} --workers $${WEB_CONCURRENCY:-3}

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The apps' layers (pyproject.toml, [tool.importlinter]): dependencies point one way.
lint-imports: install-dev
	$(BIN)/lint-imports

messages: install-dev
	$(BIN)/python manage.py makemessages -l fr --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages -l fr --ignore '.venv/*'

check-deploy: install
	GEOCODER=$${GEOCODER:-ban} DEBUG=0 SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-crm.example.org} $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static

# Scale, speed and resilience (docs/performance.md). PostgreSQL + Redis only: each
# uses its own database and Redis db so the test suites' data is never touched.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/ips_bench
BENCH_REDIS ?= redis://127.0.0.1:6379/13
CHAOS_DB ?= postgres://postgres@127.0.0.1:5432/ips_chaos
CHAOS_REDIS ?= redis://127.0.0.1:6379/12
SCALE_ENV = DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)} REDIS_URL=$${REDIS_URL:-$(BENCH_REDIS)} DRAMATIQ_NAMESPACE=ips-crm-bench GEOCODER=fake

# A national or regional data set: make seed-scale PROFILE=regional (SEED_ARGS for more).
seed-scale: install-bench
	$(SCALE_ENV) $(BIN)/python manage.py seed_scale --profile $${PROFILE:-regional} $(SEED_ARGS)

# Every figure against its floor, measured in the same run: var/bench/results.json.
bench: install-bench
	$(SCALE_ENV) $(BIN)/python manage.py bench $(BENCH_ARGS)

# Mixed workload against gunicorn from a second process (locust), bounded in time.
load: install-bench
	$(SCALE_ENV) $(BIN)/python manage.py loadtest $(LOAD_ARGS)

# Worker SIGKILLs, Redis flush and restart, PostgreSQL restart, under supervisord.
chaos: install-bench
	DATABASE_URL=$${DATABASE_URL:-$(CHAOS_DB)} REDIS_URL=$${REDIS_URL:-$(CHAOS_REDIS)} DRAMATIQ_NAMESPACE=ips-crm-chaos GEOCODER=fake \
	$(BIN)/python manage.py chaos $(CHAOS_ARGS)
