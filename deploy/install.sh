#!/usr/bin/env bash
# Installs pingyi on this machine as a systemd service (docs/OPERATIONS.md):
#   PREFIX/bin/pingyi-server, PREFIX/bin/pingyi-verify
#   PREFIX/share/pingyi/web/            the built web client
#   PREFIX/share/doc/pingyi/            OPERATIONS.md, VERIFYING.md, THREAT-MODEL.md, PROTOCOL.md
#   /etc/systemd/system/pingyi.service  (deploy/pingyi.service)
#   /etc/pingyi/pingyi.env              settings; kept if it exists (an upgrade never overwrites it)
#   the system user and group `pingyi`
#
#   sudo ./deploy/install.sh                  build (installing what is missing), then install
#   sudo ./deploy/install.sh --no-build       install what build/release and client-web/dist hold
#   ./deploy/install.sh --destdir DIR         install under DIR instead of / (no user, no systemctl):
#                                             for packaging, and for the tests
#   --prefix P                                default /usr/local
#   --build-dir DIR, --web-dir DIR            what to install (default build/release, client-web/dist)
# Re-running it upgrades: new programs and web client, the unit file replaced, the settings and
# the data directory (/var/lib/pingyi) left alone; then `systemctl restart pingyi`.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
destdir=""
build=1
build_dir=build/release
web_dir=client-web/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --destdir) destdir=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --build-dir) build_dir=$2; build=0; shift 2 ;;
    --web-dir) web_dir=$2; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--destdir DIR] [--no-build] [--build-dir DIR] [--web-dir DIR]" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install: --prefix must be an absolute path" >&2; exit 2 ;; esac
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install: run as root (sudo), or with --destdir DIR" >&2
  exit 2
fi

if [ $build -eq 1 ]; then
  ./deploy/install-deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target pingyi-server pingyi-verify
  (cd client-web && npm run build --silent)
fi
for f in "$build_dir/server/app/pingyi-server" "$build_dir/server/tools/pingyi-verify" "$web_dir/index.html"; do
  [ -f "$f" ] || { echo "install: $f is missing: build first (or drop --no-build)" >&2; exit 1; }
done

root="${destdir%/}"
install -d -m 0755 "$root$prefix/bin" "$root$prefix/share/pingyi" "$root$prefix/share/doc/pingyi" \
  "$root/etc/systemd/system"
install -m 0755 "$build_dir/server/app/pingyi-server" "$build_dir/server/tools/pingyi-verify" "$root$prefix/bin/"
# The web client: replaced whole, so that no file of an older build lingers.
rm -rf "$root$prefix/share/pingyi/web.new"
cp -r "$web_dir" "$root$prefix/share/pingyi/web.new"
chmod -R u=rwX,go=rX "$root$prefix/share/pingyi/web.new"
rm -rf "$root$prefix/share/pingyi/web"
mv "$root$prefix/share/pingyi/web.new" "$root$prefix/share/pingyi/web"
install -m 0644 docs/OPERATIONS.md docs/VERIFYING.md docs/THREAT-MODEL.md docs/PROTOCOL.md "$root$prefix/share/doc/pingyi/"
sed "s|@PREFIX@|$prefix|g" deploy/pingyi.service > "$root/etc/systemd/system/pingyi.service"
chmod 0644 "$root/etc/systemd/system/pingyi.service"

if [ -z "$destdir" ] && ! getent passwd pingyi >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/pingyi --no-create-home --shell /usr/sbin/nologin pingyi
  echo "install: created the system user pingyi"
fi
install -d -m 0750 "$root/etc/pingyi"
if [ ! -e "$root/etc/pingyi/pingyi.env" ]; then
  install -m 0640 deploy/pingyi.env "$root/etc/pingyi/pingyi.env"
  echo "install: wrote /etc/pingyi/pingyi.env (edit the listen address and TLS files)"
else
  echo "install: kept the existing /etc/pingyi/pingyi.env"
fi
if [ -z "$destdir" ]; then
  chgrp pingyi "$root/etc/pingyi" "$root/etc/pingyi/pingyi.env"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "install: done. Next: edit /etc/pingyi/pingyi.env, then: systemctl enable --now pingyi"
  else
    echo "install: done (systemd is not running here: start pingyi-server by hand, see OPERATIONS.md)"
  fi
else
  echo "install: done under $destdir"
fi
