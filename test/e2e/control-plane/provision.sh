#!/usr/bin/env bash
# Provisions a real Kubernetes control plane for the end-to-end suite, without Docker:
#   - etcd from Debian's etcd-server package;
#   - kube-apiserver and kube-controller-manager v1.20.2, built from Debian's source
#     package `kubernetes` with Debian's golang-go.
# The binaries are cached outside the repository, keyed by version, so later runs (and CI
# on the same machine) skip the ~10 minute build. Prints the cache directory on stdout.
#
#   E2E_CACHE_DIR   where binaries are kept (default /var/cache/environment-sync-e2e)
#   E2E_FORCE_BUILD set to 1 to rebuild even when the cache is complete
#   E2E_APT_DIR     apt configuration the deb-src entry is derived from and written to (default /etc/apt)
set -euo pipefail

KUBE_VERSION=1.20.2
CACHE_ROOT="${E2E_CACHE_DIR:-/var/cache/environment-sync-e2e}"
BIN_DIR="$CACHE_ROOT/kubernetes-$KUBE_VERSION/bin"
STAMP="$BIN_DIR/.complete"

log() { echo "[provision] $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated = 0 ]; then
    as_root apt-get update -qq >&2
    apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# etcd is needed on every run; Debian's package also starts a system etcd we do not use.
if ! command -v etcd >/dev/null 2>&1; then
  apt_install etcd-server
  as_root systemctl disable --now etcd >/dev/null 2>&1 || true
  pkill -x etcd 2>/dev/null || true
fi
command -v kubectl >/dev/null 2>&1 || apt_install kubernetes-client

if [ -f "$STAMP" ] && [ "${E2E_FORCE_BUILD:-0}" != 1 ]; then
  log "cached: $BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

# Source packages need a deb-src entry; Debian's default sources list only has binaries. The
# entry mirrors the configured binary sources (deb-src.sh: same URIs, Suites, Components,
# Signed-By), so it works behind any mirror. E2E_APT_DIR points elsewhere for testing.
APT_DIR="${E2E_APT_DIR:-/etc/apt}"
SRC_LIST="$APT_DIR/sources.list.d/environment-sync-deb-src.sources"
if ! grep -rqsE '^(Types:.*deb-src|deb-src[[:space:]])' "$APT_DIR/sources.list" "$APT_DIR/sources.list.d/"; then
  SOURCES="$(bash "$(dirname "${BASH_SOURCE[0]}")/deb-src.sh" "$APT_DIR")"
  if [ -z "$SOURCES" ]; then
    log "no binary apt source in $APT_DIR to derive a deb-src entry from"
    exit 1
  fi
  log "adding deb-src entries mirroring the binary sources in $APT_DIR"
  printf '%s\n' "$SOURCES" | as_root tee "$SRC_LIST" >/dev/null
  apt_updated=0
fi
if [ $apt_updated = 0 ]; then as_root apt-get update -qq >&2; apt_updated=1; fi
apt_install dpkg-dev golang-go rsync jq make golang-github-modern-go-reflect2-dev

WORK="$CACHE_ROOT/build-$KUBE_VERSION"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
log "fetching Debian's kubernetes source package into $WORK"
apt-get source -qq "kubernetes=$KUBE_VERSION*" >&2 || apt-get source -qq kubernetes >&2
SRC_DIR="$(find "$WORK" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n 1)"
[ -n "$SRC_DIR" ] || { log "no unpacked source found in $WORK"; exit 1; }

# reflect2 v1.0.1 (vendored) crashes the API server under Go >= 1.18 (SIGSEGV in
# aeshashbody); Debian ships the fixed 1.0.2 sources.
REFLECT2_SRC=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -d "$REFLECT2_SRC" ] || { log "missing $REFLECT2_SRC"; exit 1; }
rm -rf "$SRC_DIR/vendor/github.com/modern-go/reflect2"
cp -r "$REFLECT2_SRC" "$SRC_DIR/vendor/github.com/modern-go/reflect2"

log "building kube-apiserver and kube-controller-manager (about 10 minutes on 2 cores)"
cd "$SRC_DIR"
GOFLAGS=-mod=vendor GO111MODULE=on make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" >&2

mkdir -p "$BIN_DIR"
for bin in kube-apiserver kube-controller-manager; do
  found="$(find "$SRC_DIR/_output" -type f -name "$bin" -perm -u+x | head -n 1)"
  [ -n "$found" ] || { log "build produced no $bin"; exit 1; }
  install -m 0755 "$found" "$BIN_DIR/$bin"
done
"$BIN_DIR/kube-apiserver" --version >&2
touch "$STAMP"
cd /
rm -rf "$WORK"
log "cached: $BIN_DIR"
echo "$BIN_DIR"
