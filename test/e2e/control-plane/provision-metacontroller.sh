#!/usr/bin/env bash
# Provisions Metacontroller v4.12.0 for the end-to-end suite (test/e2e/metacontroller.test.ts),
# without Docker and, given the source bundle, without network access to a Go module proxy:
#   - Go 1.23 from Debian's bookworm-backports (golang-1.23-go); the backports entry is derived
#     from the machine's existing Debian apt source (same URIs and Signed-By), never a named host;
#   - the source either from METACONTROLLER_SRC_BUNDLE (a tarball of the tag with a complete
#     vendor/ tree, sha256-checked) or, without a bundle, from the upstream tag (git clone, Go
#     modules from the proxy);
#   - built once and cached beside the API server binaries. Later runs print the cache at once.
# v4.12.0 is the newest release Go 1.23 builds; every later tag needs Go >= 1.24.
# Prints the cache directory on stdout: `metacontroller` (the binary) and
# `metacontroller-crds-v1.yaml` (the CRDs of the same source).
#
#   METACONTROLLER_SRC_BUNDLE  path of metacontroller-v4.12.0-src-vendored.tar.gz (optional)
#   E2E_CACHE_DIR              where builds are kept (default /var/cache/environment-sync-e2e)
#   E2E_FORCE_BUILD            set to 1 to rebuild even when the cache is complete
#   E2E_SKIP_METACONTROLLER    not read here: set to 1, .ci/run and npm run test:e2e leave Metacontroller out
# Exit status 3: no bundle and the upstream repository is unreachable (nothing to build from).
set -euo pipefail

MC_VERSION=4.12.0
MC_REPO=https://github.com/metacontroller/metacontroller.git
BUNDLE_SHA256=a68cad0c5ebbbca5d9a70abe40d261da4ec4ce9ac81e0bf2f53fe46763cb9482
CACHE_ROOT="${E2E_CACHE_DIR:-/var/cache/environment-sync-e2e}"
OUT_DIR="$CACHE_ROOT/metacontroller-$MC_VERSION"
STAMP="$OUT_DIR/.complete"
GO_PACKAGE=golang-1.23-go
GO_ROOT=/usr/lib/go-1.23
APT_ETC="${APT_ETC:-/etc/apt}" # another directory only in tests

log() { echo "[provision-metacontroller] $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The Debian entry that names this release's main suite, as `URI<TAB>Signed-By` lines, from
# deb822 files or one-line sources.list entries.
debian_entries() {
  local codename="$1"
  shopt -s nullglob
  local files=("$APT_ETC"/sources.list.d/*.sources)
  shopt -u nullglob
  if [ ${#files[@]} -gt 0 ]; then
    awk -v suite="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && !enabled_no) {
          n = split(uris, u, " ")
          for (i = 1; i <= n; i++) print u[i] "\t" signed
        }
        types = suites = uris = signed = ""; enabled_no = 0; field = ""
      }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]/ { if (field == "signed-by") signed = signed "\\n" $0; next }
      {
        field = tolower(substr($0, 1, index($0, ":") - 1))
        value = substr($0, index($0, ":") + 1); gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
        if (field == "types") types = value
        else if (field == "suites") suites = value
        else if (field == "uris") uris = value
        else if (field == "signed-by") signed = value
        else if (field == "enabled" && tolower(value) == "no") enabled_no = 1
      }
      END { flush() }
    ' "${files[@]}"
  fi
  local lists=("$APT_ETC/sources.list")
  shopt -s nullglob
  lists+=("$APT_ETC"/sources.list.d/*.list)
  shopt -u nullglob
  for list in "${lists[@]}"; do
    [ -f "$list" ] || continue
    awk -v suite="$codename" '
      $1 != "deb" { next }
      {
        signed = ""; i = 2
        if ($2 ~ /^\[/) {
          while (i <= NF) {
            opt = $i; gsub(/[\[\]]/, "", opt)
            if (opt ~ /^signed-by=/) signed = substr(opt, 11)
            if ($i ~ /\]$/) { i++; break }
            i++
          }
        }
        if ($(i + 1) == suite) print $i "\t" signed
      }
    ' "$list"
  done
}

has_backports() {
  grep -rqsE "(^|[[:space:]])$1-backports([[:space:]]|$)" "$APT_ETC/sources.list" "$APT_ETC/sources.list.d/" 2>/dev/null
}

# The deb822 stanza for <codename>-backports, with the URI and Signed-By of the existing entry.
backports_stanza() {
  local codename="$1" entry uri signed
  entry="$(debian_entries "$codename" | head -n 1 || true)"
  [ -n "$entry" ] || { log "no apt source names the $codename suite; cannot derive $codename-backports"; return 1; }
  uri="${entry%%$'\t'*}"
  signed="${entry#*$'\t'}"
  echo "Types: deb"
  echo "URIs: $uri"
  echo "Suites: $codename-backports"
  echo "Components: main"
  # An embedded key spans lines; debian_entries joined them with a literal \n.
  case "$signed" in
    '') ;;
    '\n'*) printf 'Signed-By:%b\n' "$signed" ;;
    *) printf 'Signed-By: %b\n' "$signed" ;;
  esac
}

# `provision-metacontroller.sh backports-stanza <codename>` prints the entry it would add, and nothing else.
if [ "${1:-}" = backports-stanza ]; then
  backports_stanza "${2:?codename}"
  exit
fi

if [ -f "$STAMP" ] && [ "${E2E_FORCE_BUILD:-0}" != 1 ]; then
  log "cached: $OUT_DIR"
  echo "$OUT_DIR"
  exit 0
fi

WORK="$CACHE_ROOT/build-metacontroller-$MC_VERSION"
mkdir -p "$CACHE_ROOT" 2>/dev/null || as_root mkdir -p "$CACHE_ROOT"
rm -rf "$WORK"
mkdir -p "$WORK"
cleanup() {
  chmod -R u+w "$WORK" 2>/dev/null || true # the module cache is read-only
  rm -rf "$WORK"
}
trap cleanup EXIT

# Source first: without it there is nothing to install a compiler for.
if [ -n "${METACONTROLLER_SRC_BUNDLE:-}" ]; then
  [ -f "$METACONTROLLER_SRC_BUNDLE" ] || { log "METACONTROLLER_SRC_BUNDLE=$METACONTROLLER_SRC_BUNDLE: no such file"; exit 1; }
  actual="$(sha256sum "$METACONTROLLER_SRC_BUNDLE" | cut -d' ' -f1)"
  if [ "$actual" != "$BUNDLE_SHA256" ]; then
    log "$METACONTROLLER_SRC_BUNDLE: sha256 $actual, expected $BUNDLE_SHA256"
    exit 1
  fi
  log "unpacking $METACONTROLLER_SRC_BUNDLE (sha256 verified)"
  tar -xzf "$METACONTROLLER_SRC_BUNDLE" -C "$WORK"
  SRC_DIR="$WORK/metacontroller"
  [ -f "$SRC_DIR/vendor/modules.txt" ] || { log "the bundle has no metacontroller/vendor/modules.txt"; exit 1; }
  MOD_FLAGS=(GOFLAGS=-mod=vendor GOPROXY=off GOSUMDB=off)
else
  log "METACONTROLLER_SRC_BUNDLE is unset: cloning v$MC_VERSION from $MC_REPO"
  if ! GIT_TERMINAL_PROMPT=0 timeout 300 git clone --quiet --depth 1 --branch "v$MC_VERSION" "$MC_REPO" "$WORK/metacontroller" >&2; then
    log "cannot build Metacontroller: METACONTROLLER_SRC_BUNDLE is unset and $MC_REPO is unreachable."
    log "Point METACONTROLLER_SRC_BUNDLE at metacontroller-v$MC_VERSION-src-vendored.tar.gz (sha256 $BUNDLE_SHA256),"
    log "or run where github.com and the Go module proxy are reachable."
    exit 3
  fi
  SRC_DIR="$WORK/metacontroller"
  MOD_FLAGS=(GOFLAGS=-mod=mod "GOPATH=$WORK/gopath")
fi

if [ ! -x "$GO_ROOT/bin/go" ]; then
  # shellcheck disable=SC1091
  CODENAME="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$CODENAME" ] || { log "cannot tell the Debian release from /etc/os-release"; exit 1; }
  if ! has_backports "$CODENAME"; then
    stanza="$(backports_stanza "$CODENAME")"
    log "adding $CODENAME-backports from the existing Debian entry ($(echo "$stanza" | sed -n 's/^URIs: //p'))"
    echo "$stanza" | as_root tee "$APT_ETC/sources.list.d/environment-sync-backports.sources" >/dev/null
  fi
  as_root apt-get update -qq >&2
  log "apt-get install -t $CODENAME-backports $GO_PACKAGE"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends -t "$CODENAME-backports" "$GO_PACKAGE" >&2
fi
export PATH="$GO_ROOT/bin:$PATH"
go version >&2

log "building metacontroller v$MC_VERSION (about 3 minutes on 2 cores)"
cd "$SRC_DIR"
env "${MOD_FLAGS[@]}" GOTOOLCHAIN=local CGO_ENABLED=0 GOCACHE="$WORK/gocache" \
  go build -p 2 -trimpath -ldflags="-s -w -X main.version=$MC_VERSION" -o "$WORK/metacontroller-bin" ./pkg/cmd/metacontroller >&2

CRDS="$SRC_DIR/manifests/production/metacontroller-crds-v1.yaml"
[ -f "$CRDS" ] || { log "missing $CRDS"; exit 1; }
mkdir -p "$OUT_DIR"
install -m 0755 "$WORK/metacontroller-bin" "$OUT_DIR/metacontroller"
install -m 0644 "$CRDS" "$OUT_DIR/metacontroller-crds-v1.yaml"
touch "$STAMP"
log "cached: $OUT_DIR"
echo "$OUT_DIR"
