#!/usr/bin/env bash
# Installs what is missing, builds pingyi, and runs every test. Exits non-zero on any failure.
#   ./deploy/test.sh            release build + the whole suite, then the ASan+UBSan build + suite
#   PINGYI_SKIP_ASAN=1 ./deploy/test.sh   release only (quicker, for local iteration)
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

run_suite release
if [ "${PINGYI_SKIP_ASAN:-0}" != "1" ]; then
  run_suite asan
fi

echo
echo "== summary"
for line in "${summary[@]}"; do echo "  $line"; done
if [ $status -eq 0 ]; then echo "all suites passed"; else echo "SOME TESTS FAILED"; fi
cd "$root"
exit $status
