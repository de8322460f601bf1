#!/usr/bin/env bash
# Fuzzes pingyi with libFuzzer (docs/RELIABILITY.md, "Fuzzing"): builds the targets of tests/fuzz
# with clang, ASan and UBSan in build/fuzz, runs each one in turn on its kept corpus, merges what
# it found into tests/fuzz/corpus/<target>/ (minimised), and prints per target the executions,
# exec/s, coverage, corpus and any finding. Not part of ./deploy/test.sh, which replays the kept
# corpus and the regression inputs in every build instead.
#   ./deploy/fuzz.sh [SECONDS_PER_TARGET] [TARGET …]     (default: 300 s each, every target)
#   ./deploy/fuzz.sh 600 ballot chain_replay
# Exits 1 when a target found an input that breaks it (kept in build/fuzz/findings/<target>/):
# reproduce with build/fuzz/tests/fuzz/<target>_fuzz <file>, fix, and add the file to
# tests/fuzz/regressions/<target>/ with a line in docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request_parser record_codec ballot chain_replay)

# ---- what is missing, from Debian's packages (as deploy/install-deps.sh does) ------------------
packages=(clang libclang-rt-dev cmake ninja-build pkg-config libsodium-dev nlohmann-json3-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fuzz: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ---- build -------------------------------------------------------------------------------------
build=build/fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPINGYI_FUZZ=ON >/dev/null
cmake --build "$build" -j 2

# ---- run ---------------------------------------------------------------------------------------
max_len() {  # the longest input worth making: a whole chain for replay, a ballot or line otherwise
  case $1 in
    chain_replay) echo 131072 ;;
    *) echo 16384 ;;
  esac
}
timeout_of() {  # seconds for one input before libFuzzer calls it a hang
  case $1 in
    chain_replay) echo 30 ;;
    *) echo 10 ;;
  esac
}

summary=()
status=0
mkdir -p "$build/logs"
for t in "${targets[@]}"; do
  binary=$build/tests/fuzz/${t}_fuzz
  [ -x "$binary" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  kept=tests/fuzz/corpus/$t
  work=$build/work/$t
  findings=$build/findings/$t
  log=$build/logs/$t.log
  rm -rf "$work"
  mkdir -p "$kept" "$work" "$findings"
  inputs=("$work" "$kept")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")

  echo "== $t: ${seconds} s"
  # One job on one core (the machine is shared); new inputs go to $work, the kept corpus is only read.
  set +e
  "$binary" -max_total_time="$seconds" -max_len="$(max_len "$t")" -len_control=0 -timeout="$(timeout_of "$t")" \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" "${inputs[@]}" >"$log" 2>&1
  rc=$?
  set -e

  # Minimise: the smallest set of the kept and new inputs with all their edges replaces the kept
  # corpus (libFuzzer names each file by the SHA-1 of its content). Edges, not hit counts
  # (-use_counters=0): a third of the files, so that the corpus stays small in the repository.
  merged=$build/merged/$t
  rm -rf "$merged"
  mkdir -p "$merged"
  "$binary" -merge=1 -use_counters=0 -max_len="$(max_len "$t")" -timeout="$(timeout_of "$t")" -rss_limit_mb=2048 \
    "$merged" "$kept" "$work" >>"$log" 2>&1
  rm -rf "$kept"
  mv "$merged" "$kept"

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -oE '(DONE|pulse|NEW|REDUCE) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+)/\1 edges, \2 features/')
  files=$(find "$kept" -type f | wc -l)
  bytes=$(du -sb "$kept" | cut -f1)
  found=$(find "$findings" -type f | wc -l)
  line="$t: ${execs:-?} executions, ${rate:-?} exec/s, coverage ${cov:-?}, corpus $files files / $bytes bytes"
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    line="$line — FINDING (exit $rc): $(find "$findings" -type f | tr '\n' ' ')see $log"
    status=1
  else
    line="$line, no finding"
  fi
  echo "$line"
  summary+=("$line")
done

echo
echo "== fuzz summary (${seconds} s per target)"
for line in "${summary[@]}"; do echo "  $line"; done
echo "corpus: $(du -sh tests/fuzz/corpus | cut -f1) in tests/fuzz/corpus"
cd "$root"
exit $status
