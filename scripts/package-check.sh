#!/usr/bin/env bash
# Builds the Debian package (cargo-deb) around the debug binary, then checks it as an installer
# would meet it: the files it holds, its systemd unit (systemd-analyze verify), and the packaged
# binary, unpacked into a temporary root, serving the packaged PWA from a temporary data folder;
# then the acceptance end to end (pwa/e2e/deploy.mjs): that binary with HTTPS by ACME from a local
# pebble, and Chromium installing the app, recording a case offline and syncing it.
# A release package is the same command without ANLAN_DEB_PROFILE: cargo deb -p anlan-server.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
export CARGO_INCREMENTAL=0
profile="${ANLAN_DEB_PROFILE:-dev}"

command -v cargo-deb >/dev/null || { step "installing cargo-deb"; cargo install cargo-deb --locked; }
command -v systemd-analyze >/dev/null || apt_install systemd
[ -f pwa/dist/index.html ] || build_pwa

step "building the package ($profile profile)"
cargo build -p anlan-server --bin anlan --locked --profile "$profile"
out=target/debian
rm -f "$out"/anlan_*.deb
cargo deb -p anlan-server --no-build --profile "$profile" --no-strip -o "$out/" >/dev/null
deb=$(ls "$out"/anlan_*.deb)
echo "$deb"

work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

step "contents"
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/files"
for f in ./usr/bin/anlan ./usr/share/anlan/pwa/index.html ./usr/share/anlan/pwa/sw.js \
         ./etc/anlan/anlan.toml ./usr/share/doc/anlan/operations.md; do
  grep -qx "$f" "$work/files" || { echo "missing from the package: $f" >&2; exit 1; }
done
unit=$(grep -E '^\./(usr/)?lib/systemd/system/anlan\.service$' "$work/files") \
  || { echo "missing from the package: the systemd unit" >&2; exit 1; }
dpkg-deb -f "$deb" Package Version Depends
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/anlan/anlan.toml "$work/control/conffiles" || { echo "anlan.toml is not a conffile" >&2; exit 1; }
grep -q 'adduser --system' "$work/control/postinst" || { echo "postinst creates no user" >&2; exit 1; }
grep -q 'systemctl\|deb-systemd' "$work/control/postinst" || { echo "postinst does not enable the unit" >&2; exit 1; }

step "systemd-analyze verify"
root="$work/root"
dpkg-deb -x "$deb" "$root"
for want in 'User=anlan' 'ProtectSystem=strict' 'StateDirectory=anlan' 'NoNewPrivileges=yes' 'Restart=on-failure'; do
  grep -qx "$want" "$root/$unit" || { echo "the unit lacks $want" >&2; exit 1; }
done
# verify resolves ExecStart on this machine: point it at the unpacked binary.
sed "s|/usr/bin/anlan|$root/usr/bin/anlan|" "$root/$unit" > "$work/anlan.service"
systemd-analyze verify "$work/anlan.service"

step "the packaged binary serves the packaged app"
"$root/usr/bin/anlan" --version
"$root/usr/bin/anlan" serve --config "$root/etc/anlan/anlan.toml" --listen 127.0.0.1:0 \
  --data "$work/data" --static-dir "$root/usr/share/anlan/pwa" > "$work/log" 2>&1 &
pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on //p' "$work/log")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/log" >&2; echo "the packaged server did not start" >&2; exit 1; }
curl -fsS "$url/healthz" >/dev/null
curl -fsS "$url/" | grep -q '<html' || { echo "the packaged PWA is not served" >&2; exit 1; }
[ -f "$work/data/anlan.db" ] || { echo "no database in the data folder" >&2; exit 1; }
kill "$pid" && wait "$pid" 2>/dev/null || true
pid=""

step "acceptance: the packaged server gets an ACME certificate from pebble; in Chromium the app installs, records offline, syncs"
command -v pebble >/dev/null || apt_install pebble
command -v certutil >/dev/null || apt_install libnss3-tools
[ -d pwa/node_modules/playwright-core ] || build_pwa
(cd pwa && node e2e/deploy.mjs "$root")
echo "package OK: $deb"
