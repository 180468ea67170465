# Developer entry points. Only Python 3.11+ and make are needed: everything else installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
comma := ,

.PHONY: run test test-clocks install install-dev migrate worker beat lint format schema schema-check prod-check bench bench-limit bench-upkeep bench-writes clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

## run: install, migrate, load the demo data and serve on http://127.0.0.1:8000
run: migrate
	@if $(MANAGE) help seed_demo >/dev/null 2>&1; then $(MANAGE) seed_demo; fi
	$(MANAGE) runserver $(HOST)

## test: the whole suite with coverage (PostgreSQL when DATABASE_URL is set, SQLite otherwise), on TEST_WORKERS
## processes (pytest-xdist; each has its own test database). COVERAGE= runs it without coverage.
TEST_WORKERS ?= auto
COVERAGE ?= --cov --cov-report=term --cov-fail-under=90
XDIST = $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup)
test: install-dev
	$(BIN)/pytest --create-db $(XDIST) $(COVERAGE) $(PYTEST_ARGS)

## test-clocks: the `calendar` tests (weeks, months, "today") again under each of CLOCKS (--clock, time-machine):
## a minute into a Monday in IST, a Monday in IST that is still Sunday in UTC, a Wednesday the 1st, the last
## minute of a year, a leap day. A fresh test database each time (migrated under that clock).
CLOCKS ?= 2026-11-30T00:01+05:30 2026-11-29T19:00+00:00 2027-09-01T00:01+05:30 2026-12-31T23:59+05:30 2028-02-29T12:00+05:30
test-clocks: install-dev
	@set -e; for clock in $(CLOCKS); do \
		echo "--- calendar tests at $$clock"; \
		$(BIN)/pytest -m calendar --clock=$$clock --create-db -q $(XDIST) $(PYTEST_ARGS); \
	done

## worker: a Celery worker on every queue, or only some: make worker QUEUES=pdf,email (queues: celery, pdf, email, upkeep)
worker: install
	$(BIN)/celery -A config worker --loglevel=INFO $(if $(QUEUES),-Q $(QUEUES) --hostname=$(subst $(comma),-,$(QUEUES))@%h)

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## schema: regenerate the committed OpenAPI document
schema: install
	$(MANAGE) spectacular --validate --fail-on-warn --file docs/openapi.yaml

## error-codes: regenerate docs/error-codes.md from the apps' errors.py (a test fails when it is stale)
error-codes: install
	DJANGO_SETTINGS_MODULE=config.settings $(BIN)/python -c "import django; django.setup(); from common.error_codes import error_codes_markdown; \
	open('docs/error-codes.md', 'w').write(error_codes_markdown())"

## schema-check: fail when docs/openapi.yaml is out of date
schema-check: install
	$(MANAGE) spectacular --validate --fail-on-warn --file $(VENV)/openapi.current.yaml
	diff -u docs/openapi.yaml $(VENV)/openapi.current.yaml

## prod-check: Django's deployment checklist with production-like settings
prod-check: install
	DEBUG=false SECRET_KEY=$${SECRET_KEY:-prod-check-$$(printf 'x%.0s' $$(seq 1 60))} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-api.example.com} SECURE_SSL_REDIRECT=true \
	JWT_PRIVATE_KEY="$${JWT_PRIVATE_KEY:-$$(cat config/dev_jwt_private_key.pem)}" \
	$(MANAGE) check --deploy --fail-level WARNING

## bench: seed 10,000 users into PostgreSQL (dca_bench), serve them with gunicorn and production settings,
## load the hot routes with locust (50 users, 60 s) and write the figures to docs/performance.md
bench: install
	bash bench/run.sh

## bench-limit: the physical limit: the API and a framework-free WSGI app (bench/raw_app.py) on the same data and
## gunicorn settings, byte-identical JSON checked first, wrk in alternating rounds; writes docs/performance.md
bench-limit: install
	bash bench/limit.sh

## bench-upkeep: rebuild_leaderboards on the scale data, its XP ledger grown to BENCH_UPKEEP_EVENTS (default 5,000,000):
## time and peak memory of the check and of a repair, and the latency of XP awards made meanwhile; writes
## docs/performance.md (BENCH_UPKEEP_DRIFT rows damaged, default 1000)
bench-upkeep: install
	bash -c 'source bench/setup.sh && exec $$PY bench/upkeep.py --drift $${BENCH_UPKEEP_DRIFT:-1000} --events $${BENCH_UPKEEP_EVENTS:-5000000}'

## bench-writes: CPU ms and SQL statements per request of the hot writes (lesson complete, forum post, Razorpay
## webhook, quiz submit), in-process with production settings and a Bearer token, on PostgreSQL
## (BENCH_WRITES_DATABASE_URL, default dca_writes_bench; Redis BENCH_WRITES_REDIS_URL); BENCH_WRITES_ARGS, e.g. --profile
bench-writes: install
	$(BIN)/python bench/writes.py $(BENCH_WRITES_ARGS)

clean:
	rm -rf $(VENV) .coverage htmlcov

# --- Reliability and security (real processes; need PostgreSQL and Redis on 127.0.0.1) ---------------
.PHONY: fuzz system-test celery-e2e scale-out security-test browser-test

## security-test: the authorization matrix, mass-assignment and bad-input tests (also part of `make test`)
security-test: install-dev
	$(BIN)/pytest tests/security $(PYTEST_ARGS)

## browser-test: the staff site in headless chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH); screenshots
## land in tests/browser/screenshots/
browser-test: install-dev
	$(BIN)/pytest tests/browser -m browser $(PYTEST_ARGS)

## fuzz: schemathesis (default checks) against gunicorn as anonymous, student, instructor and admin
fuzz: install-dev
	$(BIN)/python -m scripts.fuzz $(FUZZ_ARGS)

## system-test: rate limits across processes, Celery end to end, object storage (moto S3), a read replica, PgBouncer, a killed worker, Redis outage, the scale-out drill
system-test: install-dev
	$(BIN)/pytest tests/system -m system $(PYTEST_ARGS)

## celery-e2e: a real Celery worker on Redis renders a certificate for a course completed over the API
celery-e2e: install-dev
	$(BIN)/pytest tests/system/test_celery_certificate.py -m system $(PYTEST_ARGS)

## scale-out: two gunicorn servers + two Celery workers (split by queue) on a primary + streaming replica behind PgBouncer,
## object storage on a local S3 server; concurrent purchases/progress/votes, then the same under faults (PostgreSQL
## restart, Redis killed, a worker and a web process killed, a hot table locked); exactly-once checks and a report
scale-out: install-dev
	$(BIN)/python -m scripts.scale_out $(SCALE_OUT_ARGS)
