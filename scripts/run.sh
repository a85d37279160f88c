#!/usr/bin/env bash
# Start the whole product on embedded defaults (SQLite, in-process fan-out) or on what .env says.
# Called by `make run` after setup and training.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export BACKEND_PORT="${BACKEND_PORT:-8000}" RASA_PORT="${RASA_PORT:-5005}" ACTION_PORT="${ACTION_PORT:-5055}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/ioc.db}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export BACKEND_URL="${BACKEND_URL:-http://127.0.0.1:$BACKEND_PORT}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$BACKEND_PORT}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
# Rasa and the action server are private to the backend: loopback only unless an address is set.
export RASA_HOST="${RASA_HOST:-127.0.0.1}" ACTION_HOST="${ACTION_HOST:-127.0.0.1}"
# Rasa's HTTP API (tracker, model, ...) stays off unless asked for, and then needs RASA_API_TOKEN.
rasa_api=()
if [ "${RASA_ENABLE_API:-false}" = true ]; then
  [ -n "${RASA_API_TOKEN:-}" ] || { echo "RASA_ENABLE_API=true needs RASA_API_TOKEN (a secret)" >&2; exit 2; }
  rasa_api=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
# Local secrets for the embedded default, made once and kept under var/ (never committed).
local_secret() {
  mkdir -p var
  [ -f "var/$1" ] || (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=' > "var/$1")
  cat "var/$1"
}
[ -n "${SERVICE_TOKEN:-}" ] || { SERVICE_TOKEN=$(local_secret service_token); export SERVICE_TOKEN; }
[ -n "${SECRET_KEY:-}" ] || { SECRET_KEY=$(local_secret secret_key); export SECRET_KEY; }
[ -n "${RASA_GATEWAY_TOKEN:-}" ] || { RASA_GATEWAY_TOKEN=$(local_secret rasa_gateway_token); export RASA_GATEWAY_TOKEN; }
[ -n "${ACTION_TOKEN:-}" ] || { ACTION_TOKEN=$(local_secret action_token); export ACTION_TOKEN; }
# Rasa keeps conversations in its SQL tracker store (schema rasa, made by the migrations, or var/).
TRACKER_STORE_URL=$(.venv/bin/python -m backend.entrypoints.cli tracker-store-url); export TRACKER_STORE_URL
# bot/endpoints.yml names the action server's default address; write a copy for the configured one.
mkdir -p var
ENDPOINTS=var/endpoints.yml
sed "s#http://127.0.0.1:5055/webhook#$ACTION_ENDPOINT_URL#" bot/endpoints.yml > "$ENDPOINTS"
if [ -n "${REDIS_URL:-}" ]; then
  ENDPOINTS=bot/endpoints.redis.yml
  eval "$(.venv/bin/python scripts/redis_env.py "$REDIS_URL")"
fi

pids=()
cleanup() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

.venv/bin/python -m backend.entrypoints.cli prepare   # migrate, load reference data, seed demo data on first start

.venv-bot/bin/python -m actions.server & pids+=($!)   # ACTION_HOST:ACTION_PORT, needs ACTION_TOKEN
.venv-bot/bin/rasa run "${rasa_api[@]}" --model models --endpoints "$ENDPOINTS" \
  --credentials bot/credentials.yml --interface "$RASA_HOST" --port "$RASA_PORT" --quiet & pids+=($!)
.venv/bin/python -m backend.entrypoints.workers & pids+=($!)
.venv/bin/python -m backend & pids+=($!)

cat <<MSG

  IOC phản ánh is starting (Rasa needs ~30 s to load its model):
    Web chat:        http://127.0.0.1:$BACKEND_PORT/chat
    Console:         http://127.0.0.1:$BACKEND_PORT/console   (demo log-ins are printed above)
    Dashboard:       http://127.0.0.1:$BACKEND_PORT/console/dashboard
    API docs:        http://127.0.0.1:$BACKEND_PORT/docs
    Open311:         http://127.0.0.1:$BACKEND_PORT/open311/v2/services.json
    Rasa:            http://$RASA_HOST:$RASA_PORT      Action server: http://$ACTION_HOST:$ACTION_PORT
                     (private to the backend: they answer only with their secrets)
  Press Ctrl+C to stop.

MSG
wait -n "${pids[@]}"
