#!/usr/bin/env bash
# Installs what is missing, builds pingyi, and starts a demo session.
#
# Runs pingyi-server in the foreground (Ctrl-C stops it cleanly) with --demo: at first start it
# creates, through the same API the secretariat uses, a 述职评议 session of a county standing
# committee (15 members, scrutineers m03 and m07, three rounds: an evaluation of six departments,
# a motion and a selection) and prints the URLs to open — chair console (with the chair code),
# projector, observer, secretariat and one tablet link per member. Later starts reuse the session.
#   ./deploy/demo.sh           start (or resume) the demo
#   ./deploy/demo.sh --fresh   delete the demo's database, secrets and demo.json, then start afresh
# Everything lives in ./pingyi-data (mode 0700); the admin token is printed once, at its creation,
# and kept in ./pingyi-data/admin-token. PINGYI_LISTEN=0.0.0.0:8080 lets tablets on the room's
# network in (the default, 127.0.0.1:8080, serves this machine only).
set -euo pipefail
cd "$(dirname "$0")/.."

server_args=(--demo --data-dir ./pingyi-data --listen "${PINGYI_LISTEN:-127.0.0.1:8080}")
case "${1:-}" in
  "") ;;
  --fresh) server_args+=(--demo-fresh) ;;
  *) echo "usage: $0 [--fresh]" >&2; exit 2 ;;
esac

./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target pingyi-server

# The web client (its packages were installed by install-deps.sh), served from client-web/dist.
(cd client-web && npm run build --silent)

echo
exec ./build/release/server/app/pingyi-server "${server_args[@]}"
