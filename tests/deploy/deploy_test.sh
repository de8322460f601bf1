#!/usr/bin/env bash
# The deployment of docs/OPERATIONS.md, step by step, on this machine (registered with ctest as
# Deploy.*): deploy/install.sh into a scratch root (files, modes, an upgrade that keeps the
# settings), the systemd unit checked by systemd-analyze, the installed server behind Caddy with
# deploy/Caddyfile and Caddy's internal CA (https, the web client, a WebSocket upgrade, and
# pingyi-verify trusting Caddy's root certificate), and a backup with the installed binary.
# Every wait is bounded; every process started here is stopped on exit.
#   tests/deploy/deploy_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/pingyi-deploy-test.XXXXXX)
pids=()
cleanup() {  # KEEP=1 keeps the scratch directory for a look
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# Polls a command until it succeeds, at most $1 seconds.
until_ok() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# A TCP port nothing on loopback listens on now.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  fail "no free port"
}

mode_of() { stat -c '%a' "$1"; }

step "install.sh into a scratch root"
root=$tmp/root
web=$tmp/web
mkdir -p "$web/assets"
echo '<!doctype html><title>pingyi</title><p>pingyi web client</p>' > "$web/index.html"
echo 'console.log(1)' > "$web/assets/app.js"
(cd "$src" && ./deploy/install.sh --destdir "$root" --build-dir "$build" --web-dir "$web") > "$tmp/install.log"
bin=$root/usr/local/bin
[ -x "$bin/pingyi-server" ] && [ -x "$bin/pingyi-verify" ] || fail "programs not installed"
[ "$(mode_of "$bin/pingyi-server")" = 755 ] || fail "pingyi-server mode $(mode_of "$bin/pingyi-server")"
[ -f "$root/usr/local/share/pingyi/web/index.html" ] || fail "web client not installed"
[ -f "$root/usr/local/share/doc/pingyi/OPERATIONS.md" ] || fail "documentation not installed"
unit=$root/etc/systemd/system/pingyi.service
grep -q '^ExecStart=/usr/local/bin/pingyi-server --data-dir /var/lib/pingyi ' "$unit" || fail "ExecStart: $(grep ExecStart= "$unit")"
grep -q '@PREFIX@' "$unit" && fail "unit still holds @PREFIX@"
[ "$(mode_of "$root/etc/pingyi")" = 750 ] || fail "/etc/pingyi mode $(mode_of "$root/etc/pingyi")"
[ "$(mode_of "$root/etc/pingyi/pingyi.env")" = 640 ] || fail "pingyi.env mode"

step "an upgrade keeps the settings and replaces the web client whole"
echo 'PINGYI_LISTEN=192.0.2.7:8443' >> "$root/etc/pingyi/pingyi.env"
rm "$web/assets/app.js"
(cd "$src" && ./deploy/install.sh --destdir "$root" --build-dir "$build" --web-dir "$web") > "$tmp/upgrade.log"
grep -q 'kept the existing' "$tmp/upgrade.log" || fail "upgrade: $(cat "$tmp/upgrade.log")"
grep -q '192.0.2.7:8443' "$root/etc/pingyi/pingyi.env" || fail "upgrade overwrote pingyi.env"
[ ! -e "$root/usr/local/share/pingyi/web/assets/app.js" ] || fail "a file of the old web client lingers"

step "systemd-analyze verify deploy/pingyi.service"
if command -v systemd-analyze >/dev/null; then
  # The unit as installed, its programs at the scratch root's paths (verify checks they exist).
  sed "s|/usr/local/|$root/usr/local/|g" "$unit" > "$tmp/pingyi.service"
  systemd-analyze verify "$tmp/pingyi.service" > "$tmp/verify.log" 2>&1 || { cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
  [ ! -s "$tmp/verify.log" ] || { cat "$tmp/verify.log"; fail "systemd-analyze verify printed warnings"; }
else
  fail "systemd-analyze is missing (deploy/install-deps.sh installs systemd)"
fi

step "the installed server behind Caddy with deploy/Caddyfile (internal CA)"
command -v caddy >/dev/null || fail "caddy is missing (deploy/install-deps.sh installs it)"
"$bin/pingyi-server" --listen 127.0.0.1:0 --data-dir "$tmp/data" --demo --static-dir "$root/usr/local/share/pingyi/web" \
  --log-level warn > "$tmp/server.out" 2> "$tmp/server.err" &
pids+=($!)
until_ok 30 grep -q '^listening on http://127.0.0.1:' "$tmp/server.out" || fail "server: $(cat "$tmp/server.err")"
upstream=$(sed -n 's|^listening on http://\(127.0.0.1:[0-9]*\)$|\1|p' "$tmp/server.out")
until_ok 30 grep -q '^  session id ' "$tmp/server.out" || fail "no demo session: $(cat "$tmp/server.out")"
session=$(sed -n 's/^  session id   \([0-9a-f]\{64\}\)$/\1/p' "$tmp/server.out")
[ ${#session} -eq 64 ] || fail "demo session id: $session"

https_port=$(free_port)
http_port=$(free_port)
mkdir -p "$tmp/caddy-home"
HOME=$tmp/caddy-home XDG_DATA_HOME=$tmp/caddy-data XDG_CONFIG_HOME=$tmp/caddy-config \
  PINGYI_HOST=localhost PINGYI_UPSTREAM=$upstream PINGYI_CADDY_ADMIN=off \
  PINGYI_HTTP_PORT=$http_port PINGYI_HTTPS_PORT=$https_port \
  caddy run --config "$src/deploy/Caddyfile" --adapter caddyfile > "$tmp/caddy.log" 2>&1 &
pids+=($!)
ca=$tmp/caddy-data/caddy/pki/authorities/local/root.crt
base=https://localhost:$https_port
until_ok 60 curl -sf --cacert "$ca" "$base/healthz" || { cat "$tmp/caddy.log"; fail "no https through Caddy"; }
curl -sf --cacert "$ca" "$base/" | grep -q 'pingyi web client' || fail "the web client is not served through Caddy"
curl -sf "$base/healthz" && fail "a certificate not from Caddy's root was accepted"
status=$(curl -s --http1.1 --cacert "$ca" -o /dev/null -w '%{http_code}' -m 3 \
  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$base/observe?session=$session&from=0" || true)
[ "$status" = 101 ] || fail "WebSocket upgrade through Caddy: $status"
"$bin/pingyi-verify" --url "$base" --session "$session" --cacert "$ca" --lang en > "$tmp/verify.out" 2>&1 \
  || { cat "$tmp/verify.out"; fail "pingyi-verify through Caddy"; }
grep -q 'verdict: ✓ everything verified' "$tmp/verify.out" || fail "pingyi-verify: $(cat "$tmp/verify.out")"

step "a backup with the installed binary while the server runs"
"$bin/pingyi-server" backup --data-dir "$tmp/data" --to "$tmp/backup.pingyi" > "$tmp/backup.out" \
  || fail "backup: $(cat "$tmp/backup.out")"
grep -q "$session" "$tmp/backup.out" || fail "the backup does not list the session"
[ "$(mode_of "$tmp/backup.pingyi")" = 600 ] || fail "backup mode $(mode_of "$tmp/backup.pingyi")"

echo "deploy test: all steps passed"
