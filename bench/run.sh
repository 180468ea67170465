#!/usr/bin/env bash
# `make bench`: seed scale data into a dedicated PostgreSQL database, serve it with gunicorn and production
# settings, drive it with locust (50 users, loopback only) and write the figures to docs/performance.md.
#
# Tunables: BENCH_DATABASE_URL, BENCH_USERS (scale, default 10000), BENCH_CLIENTS (50), BENCH_DURATION (60s),
# BENCH_PORT (8765), BENCH_THINK_MIN/MAX (think time, 1-3 s), BENCH_LABEL (a title for this run in docs/performance.md, e.g. "after: leaderboard cache").
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_VENV=bench/.venv
CLIENTS=${BENCH_CLIENTS:-50}
DURATION=${BENCH_DURATION:-60s}
PORT=${BENCH_PORT:-8765}

if [ ! -x "$BENCH_VENV/bin/locust" ] || ! cmp -s requirements-bench.txt "$BENCH_VENV/.requirements"; then
  echo "== installing the load generator into $BENCH_VENV"
  python3 -m venv "$BENCH_VENV"
  "$BENCH_VENV/bin/pip" install --quiet -r requirements-bench.txt
  cp requirements-bench.txt "$BENCH_VENV/.requirements"
fi

# Environment, database and scale data (shared with bench/limit.sh).
source bench/setup.sh
$PY manage.py collectstatic --noinput -v 0

echo "== gunicorn on 127.0.0.1:$PORT"
HOST=127.0.0.1 PORT=$PORT .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi \
  --access-logfile /dev/null --error-logfile "$RESULTS/gunicorn.log" &
GUNICORN_PID=$!
trap 'kill $GUNICORN_PID 2>/dev/null || true; wait $GUNICORN_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/api/health/" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/api/health/" >/dev/null

echo "== signing in $CLIENTS learners (outside the measured window)"
$PY bench/prepare.py "http://127.0.0.1:$PORT" "$CLIENTS" "$RESULTS/sessions.json"
LOADAVG=$(cat /proc/loadavg)
echo "== locust: $CLIENTS users for $DURATION (load average before: $LOADAVG)"
BENCH_SESSIONS="$RESULTS/sessions.json" "$BENCH_VENV/bin/locust" -f bench/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
  -u "$CLIENTS" -r "$CLIENTS" -t "$DURATION" --reset-stats --only-summary \
  --csv "$RESULTS/locust" --exit-code-on-error 0 2>&1 | tail -n 30

$PY bench/report.py --stats "$RESULTS/locust_stats.csv" --seed-log "$RESULTS/seed.log" \
  --clients "$CLIENTS" --duration "$DURATION" --workers "${WEB_CONCURRENCY:-default}" --label "${BENCH_LABEL:-latest run}" \
  --think "${BENCH_THINK_MIN:-1}-${BENCH_THINK_MAX:-3} s" --loadavg "$LOADAVG"
echo "== results written to docs/performance.md"
