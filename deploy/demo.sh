#!/usr/bin/env bash
# Installs what is missing, builds pingyi, and starts a demo session.
#
# Today pingyi has its cryptographic core (crypto/), the session engine (server/core) and the
# durable store with replay (server/store); the network server that runs a live session,
# pingyi-server over Boost.Beast, arrives with the next issue. Until then this script builds everything and
# shows what exists by generating the cross-implementation vectors, which play a small
# session's cryptography end to end: key ceremony, check-ins, tokens, ballots, joint decryption
# and signed chain heads. It does not pretend to be a server.
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)"

out=$(mktemp -d)/pingyi-v1.json
./build/release/server/tools/pingyi-vectors --out "$out"
echo
echo "pingyi: built. The crypto library played a whole small session in $out"
echo "        (key ceremony, tokens, ballots, decryption, chain heads)."
echo
echo "There is no server to open yet: pingyi-server, with its chair console, projector, observer"
echo "and tablet URLs, arrives with the next issue (#4 network server)."
