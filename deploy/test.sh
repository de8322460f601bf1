#!/usr/bin/env bash
# Installs what is missing, builds pingyi, and runs every test. Exits non-zero on any failure.
#   ./deploy/test.sh            release build + the whole suite, the web client (type check, build,
#                               Vitest, end-to-end in headless Chromium), then the ASan+UBSan build + suite
#   PINGYI_SKIP_ASAN=1 ./deploy/test.sh   without the sanitizer build (quicker, for local iteration)
#   PINGYI_SKIP_WEB=1 ./deploy/test.sh    without the web client
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

./deploy/install-deps.sh

summary=()
status=0

run_suite() {  # preset
  local preset=$1
  echo "== configure + build ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ctest ($preset)"
  if ctest --preset "$preset" -j "$jobs" 2>&1 | tee "build/$preset/ctest.log"; then
    summary+=("$preset: $(grep -E 'tests passed' "build/$preset/ctest.log" | tail -n 1)")
  else
    summary+=("$preset: FAILED — $(grep -E 'tests passed|tests failed' "build/$preset/ctest.log" | tail -n 1)")
    status=1
  fi
}

run_web() {  # the web client against the release server
  local log=build/web.log
  echo "== web client: type check, build, unit tests, end-to-end"
  if (
    set -euo pipefail
    cd client-web
    npx tsc --noEmit -p tsconfig.json
    npx tsc --noEmit -p e2e/bench/tsconfig.json
    npx vite build --logLevel warn
    npx vitest run --reporter=dot
    PINGYI_SERVER="$root/build/release/server/app/pingyi-server" \
      PINGYI_VERIFY="$root/build/release/server/tools/pingyi-verify" \
      PINGYI_STATIC_DIR="$root/client-web/dist" \
      PINGYI_E2E_ARTIFACTS="$root/build/e2e-artifacts" \
      node --test --test-concurrency=1 e2e/
  ) 2>&1 | tee "$log"; then
    summary+=("web: type check, build, Vitest and end-to-end passed (screenshots in build/e2e-artifacts)")
  else
    summary+=("web: FAILED — see $log")
    status=1
  fi
}

run_suite release
if [ "${PINGYI_SKIP_WEB:-0}" != "1" ]; then
  run_web
fi
if [ "${PINGYI_SKIP_ASAN:-0}" != "1" ]; then
  run_suite asan
fi

echo
echo "== summary"
for line in "${summary[@]}"; do echo "  $line"; done
if [ $status -eq 0 ]; then echo "all suites passed"; else echo "SOME TESTS FAILED"; fi
cd "$root"
exit $status
