# Developer entry points. Only Python 3.11+ and make are needed: everything else installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev migrate worker beat lint format schema schema-check prod-check bench clean

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

## test: the whole suite with coverage (PostgreSQL when DATABASE_URL is set, SQLite otherwise)
test: install-dev
	$(BIN)/pytest --create-db --cov --cov-report=term --cov-fail-under=90 $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

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

clean:
	rm -rf $(VENV) .coverage htmlcov
