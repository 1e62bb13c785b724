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
# (setsid may fork, so the new group's id is read from the shell it starts, not from $!.)
rm -f var/smoke-run.pgid
setsid bash -c 'echo $$ > var/smoke-run.pgid; exec make run PORT="$1"' _ "$port" >"$log" 2>&1 < /dev/null &
for _ in $(seq 1 50); do [ -s var/smoke-run.pgid ] && break; sleep 0.1; done
pgid=$(cat var/smoke-run.pgid)
stop() { kill -TERM -- "-$pgid" 2>/dev/null || true; sleep 2; kill -KILL -- "-$pgid" 2>/dev/null || true; }
trap stop EXIT

code=000
for _ in $(seq 1 900); do  # first run: setup + migrate + seed_demo (about a minute, more on a busy machine)
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
