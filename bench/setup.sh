# Sourced by bench/run.sh (`make bench`) and bench/limit.sh (`make bench-limit`): production-like settings
# for the served app, the benchmark database migrated and the scale data seeded (skipped when present).
#
# Tunables: BENCH_DATABASE_URL, BENCH_USERS (scale, default 10000), BENCH_REDIS_URL.
PY=.venv/bin/python
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dca_bench}
USERS=${BENCH_USERS:-10000}
RESULTS=bench/results
mkdir -p "$RESULTS"

# Production settings: DEBUG off, a throw-away secret, the development JWT key, no TLS redirect on loopback.
export DATABASE_URL="$DB_URL"
export DEBUG=false
export SECRET_KEY="bench-$($PY -c 'import secrets; print(secrets.token_urlsafe(48))')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/2}
export SECURE_SSL_REDIRECT=false
export JWT_PRIVATE_KEY="$(cat config/dev_jwt_private_key.pem)"
# The load run measures the application, not the limits meant to stop abuse: rate limits off, and the
# per-module daily quiz quota raised (50 users submit quizzes for a minute; repeated runs add up).
export RATELIMIT_ENABLE=false
export QUIZ_ATTEMPTS_PER_DAY=100000
export LOG_LEVEL=WARNING

echo "== database $DB_URL"
$PY bench/database.py create "$DB_URL"
$PY manage.py migrate --noinput -v 0
echo "== seeding scale data (skipped when present)"
start=$(date +%s)
$PY manage.py seed_demo --force --users "$USERS" 2>&1 | tee "$RESULTS/seed.log" | grep -v -E '^\s*$|rows/s\]|it/s\]' || true
grep -q "Scale data" "$RESULTS/seed.log" || { echo "seeding failed (see $RESULTS/seed.log)"; exit 1; }
echo "seed_demo took $(( $(date +%s) - start )) s"
