#!/usr/bin/env bash
# Installs, from Debian's packages and the npm registry, everything pingyi needs to build,
# test and run. Idempotent: asks apt only for what is missing, so a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libboost-system-dev
  libsodium-dev libsqlite3-dev sqlite3 libspdlog-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev
  clang-format clang-tidy
  chromium fonts-noto-cjk
  caddy systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "install-deps: $tool is missing (expected on the machine)" >&2; exit 1; }
done

# The web client's packages, exactly as package-lock.json pins them. Reinstalled when the lock file
# changed since the last install (npm writes node_modules/.package-lock.json on every install).
web=client-web
if [ -f "$web/package-lock.json" ]; then
  if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in $web"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "install-deps: $web/node_modules up to date"
  fi
fi
