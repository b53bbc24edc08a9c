#!/usr/bin/env bash
# Two app instances on one PostgreSQL database, listening on 127.0.0.1:8501 and :8502 for the nginx in
# deploy/nginx.conf. For a server, use the systemd units instead (deploy/systemd/cpme@.service, one
# instance per port; README, "A server on an intranet").
#
#   DATABASE_URL=postgresql+psycopg://cpme:...@127.0.0.1:5432/cpme \
#   APP_SECRET_KEY="$(cat /etc/cpme/secret_key)" deploy/run-two-instances.sh
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the shared PostgreSQL database (postgresql+psycopg://user@host/db)}"
: "${APP_SECRET_KEY:?set APP_SECRET_KEY (at least 32 characters), the same value for every instance}"
case "$DATABASE_URL" in
  postgresql*) ;;
  *) echo "several instances need PostgreSQL: a SQLite file cannot be shared between processes on different hosts" >&2
     exit 1 ;;
esac
export DATABASE_URL APP_SECRET_KEY  # identical for both: cookies and voter keys must match across instances

PYTHON="${PYTHON:-.venv/bin/python}"
LOGS="${LOGS:-data/logs}"
mkdir -p "$LOGS"

# Prepare the database once before serving (each instance would otherwise do it on its first page
# view; two at once are serialised by a PostgreSQL advisory lock in seed_data.loader, so this is only tidier).
"$PYTHON" -m seed_data.loader

pids=()
for port in 8501 8502; do
  # 127.0.0.1 only: the instances are reached through nginx, and Streamlit trusts X-Forwarded-For
  # only from the loopback address.
  "$PYTHON" -m streamlit run app.py --server.port="$port" --server.address=127.0.0.1 --server.headless=true \
    --browser.gatherUsageStats=false >>"$LOGS/streamlit-$port.log" 2>&1 &
  pids+=("$!")
done
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
echo "instances on 127.0.0.1:8501 and 127.0.0.1:8502 (pids ${pids[*]}); logs in $LOGS"
wait  # until both stop (Ctrl-C stops both)
