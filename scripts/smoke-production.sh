#!/usr/bin/env bash
# The Dockerfile's runtime stage without Docker: production dependencies only, dist/
# and schemas/, `node dist/main.js`; then /healthz, /readyz, a malformed hook request and
# GET /metrics on the metrics port.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

cp "$root/package.json" "$root/package-lock.json" "$work/"
cp -r "$root/dist" "$root/schemas" "$work/"
(cd "$work" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null)

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port)
metrics_port=$(free_port)
(cd "$work" && PORT="$port" METRICS_PORT="$metrics_port" DRAIN_SECONDS=0 HOST=127.0.0.1 LOG_LEVEL=warn NODE_ENV=production node dist/main.js) &
pid=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
# Another process could have taken the port between the probe and the start: answer only for ours.
kill -0 "$pid" 2>/dev/null || { echo "smoke: the service exited during start (port $port taken?)" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$port/healthz"; echo
curl -fsS "http://127.0.0.1:$port/readyz"; echo
code=$(curl -s -o "$work/out.json" -w '%{http_code}' -H 'content-type: application/json' --data '{}' "http://127.0.0.1:$port/sync")
if [ "$code" != "400" ] || ! grep -q '"error":"InvalidRequest"' "$work/out.json"; then
  echo "smoke: expected 400 InvalidRequest from /sync, got $code: $(cat "$work/out.json")" >&2
  exit 1
fi
metrics=$(curl -fsS "http://127.0.0.1:$metrics_port/metrics")
grep -q '^# TYPE environment_sync_hook_requests_total counter' <<<"$metrics" \
  || { echo "smoke: no metrics on METRICS_PORT $metrics_port" >&2; exit 1; }
echo "smoke: production build serves hooks with production dependencies only"
