# Shared by run.sh and test.sh: idempotent set-up for a fresh Debian machine of this kind.

step() { printf '\n==> %s\n' "$*"; }

apt_install() {
  step "installing $*"
  if [ -z "${APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_system_packages() {
  local missing=()
  # pebble: the local ACME CA the HTTPS tests obtain a certificate from; openssl makes their
  # test certificates; libnss3-tools' certutil makes Chromium trust pebble's root.
  for p in pkg-config libssl-dev chromium fonts-noto-cjk pebble openssl libnss3-tools; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  command -v npm >/dev/null || { echo "Node.js and npm are required" >&2; exit 1; }
}

# The export tests read the XLSX with calamine always and with Python's openpyxl too when it is
# there: a second reader that shares no code with the writer.
ensure_openpyxl() {
  python3 -c 'import openpyxl' 2>/dev/null && return
  step "installing openpyxl (a second, independent XLSX reader for the export tests)"
  python3 -m pip install --quiet --disable-pip-version-check openpyxl \
    || echo "openpyxl could not be installed; the export tests read the XLSX with calamine only" >&2
}

# Tests create and drop their own databases on the local PostgreSQL; they fail, not skip, if
# it is unreachable, so make sure it is up.
ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    step "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
}

build_pwa() {
  step "building the PWA"
  (cd pwa && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build)
}
