#!/usr/bin/env bash
# `make bench-limit`: the physical limit. Serves the scale data twice with the same gunicorn configuration
# (config/gunicorn.conf.py): the Django app with production settings, and bench/raw_app.py (plain WSGI,
# psycopg 3, json.dumps); checks that both answer byte-identical JSON, then runs wrk against each in
# alternating rounds and writes requests/s and app CPU per request, side by side, to docs/performance.md.
#
# Tunables: BENCH_DATABASE_URL, BENCH_USERS (as `make bench`), BENCH_LIMIT_ROUNDS (3), BENCH_LIMIT_SECONDS (10),
# BENCH_LIMIT_CONNECTIONS (16), BENCH_LIMIT_THREADS (2), BENCH_LIMIT_PORTS (8766,8767), BENCH_LABEL,
# BENCH_LIMIT_ROUTES (time only the routes whose label contains one of these comma-separated words, e.g.
# "me,certificates,payment,xp,enrollments"; every route is still checked byte for byte). A short run of the
# personal reads: BENCH_LIMIT_ROUNDS=1 BENCH_LIMIT_SECONDS=3 BENCH_LIMIT_ROUTES=me,certificates,payment,xp,enrollments
# make bench-limit. Arguments of `bash bench/limit.sh ...` go to bench/limit.py (--check-only, --no-doc).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends wrk
fi

# Environment, database and scale data (shared with bench/run.sh).
source bench/setup.sh
# One access token serves the whole run (several minutes): the default lifetime is 5 minutes.
export JWT_ACCESS_TOKEN_LIFETIME=${BENCH_JWT_LIFETIME:-3600}
$PY manage.py collectstatic --noinput -v 0
exec $PY bench/limit.py "$@"
