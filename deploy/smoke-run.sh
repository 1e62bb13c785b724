#!/usr/bin/env bash
# Smoke test of the first command a new user types: `make run` must serve the login page and
# the static assets within a few minutes, then stop cleanly. Used by .ci/run; runs anywhere.
#   bash deploy/smoke-run.sh [port]
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-8765}
base="http://127.0.0.1:$port"
log=var/smoke-run.log
mkdir -p var
# Own process group, so the whole tree (make, runserver, celery) can be stopped at once.
setsid make run PORT="$port" >"$log" 2>&1 < /dev/null &
pgid=$!
stop() { kill -TERM -- "-$pgid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$pgid" 2>/dev/null || true; }
trap stop EXIT

code=000
for _ in $(seq 1 240); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/login/" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pgid" 2>/dev/null || break
    sleep 1
done
fail() { echo "smoke: $*" >&2; tail -n 60 "$log" >&2; exit 1; }
[ "$code" = 200 ] || fail "login page answered $code"

page=$(curl -s "$base/login/")
css=$(printf '%s' "$page" | grep -o 'href="[^"]*\.css"' | head -n1 | sed 's/^href="//; s/"$//')
[ -n "$css" ] || fail "no stylesheet link on the login page"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base$css")
[ "$code" = 200 ] || fail "stylesheet $css answered $code"
# The embedded worker must be up beside the web server.
for _ in $(seq 1 60); do
    grep -q "ready\." "$log" && break
    sleep 1
done
grep -q "ready\." "$log" || fail "the embedded celery worker did not report ready"
echo "smoke: make run serves $base/login/ and $css; worker ready"
