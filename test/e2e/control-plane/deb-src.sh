#!/usr/bin/env bash
# Prints deb822 `deb-src` stanzas mirroring the machine's configured binary sources: the same
# URIs, Suites, Components and Signed-By (a key path or an inline key), so source packages come
# from the same mirror, with the same keys, as the binaries (behind any mirror or proxy).
#
#   deb-src.sh [APT_DIR]   APT_DIR defaults to /etc/apt
#
# Reads APT_DIR/sources.list, APT_DIR/sources.list.d/*.list (one-line format) and
# APT_DIR/sources.list.d/*.sources (deb822). Stanzas with `Enabled: no` are skipped. Prints
# nothing when there is no binary source; duplicates are printed once.
set -euo pipefail

APT_DIR="${1:-/etc/apt}"

one_line=()
[ -f "$APT_DIR/sources.list" ] && one_line+=("$APT_DIR/sources.list")
deb822=()
if [ -d "$APT_DIR/sources.list.d" ]; then
  for f in "$APT_DIR"/sources.list.d/*.list; do [ -f "$f" ] && one_line+=("$f"); done
  for f in "$APT_DIR"/sources.list.d/*.sources; do [ -f "$f" ] && deb822+=("$f"); done
fi

{
  # One-line format: deb [opt=value ...] URI SUITE [COMPONENT ...]
  if [ ${#one_line[@]} -gt 0 ]; then
    awk '
      /^[[:space:]]*(#|$)/ { next }
      $1 == "deb" {
        i = 2; signed = ""; trusted = ""
        if (substr($2, 1, 1) == "[") {
          opts = ""
          for (; i <= NF; i++) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } }
          gsub(/[][]/, "", opts)
          n = split(opts, kv, " ")
          for (k = 1; k <= n; k++) {
            if (kv[k] ~ /^signed-by=/) signed = substr(kv[k], 11)
            if (kv[k] ~ /^trusted=/) trusted = substr(kv[k], 9)
          }
        }
        if (i + 1 > NF) next
        uri = $i; suite = $(i + 1); comps = ""
        for (k = i + 2; k <= NF; k++) comps = comps (comps == "" ? "" : " ") $k
        printf "Types: deb-src\nURIs: %s\nSuites: %s\n", uri, suite
        if (comps != "") printf "Components: %s\n", comps
        if (signed != "") printf "Signed-By: %s\n", signed
        if (trusted != "") printf "Trusted: %s\n", trusted
        printf "\n"
      }
    ' "${one_line[@]}"
  fi
  # deb822: stanzas separated by blank lines; a line starting with a space continues the field above.
  if [ ${#deb822[@]} -gt 0 ]; then
    awk '
      # A field whose value starts on the next line (an inline key) keeps no trailing space.
      function field_line(name, value) {
        if (substr(value, 1, 1) == "\n") printf "%s:%s\n", name, value
        else printf "%s: %s\n", name, value
      }
      function flush(   k, types) {
        if (nfields > 0 && tolower(val["enabled"]) != "no") {
          types = " " val["types"] " "
          if (types ~ /[[:space:]]deb[[:space:]]/ && val["uris"] != "" && val["suites"] != "") {
            printf "Types: deb-src\nURIs: %s\nSuites: %s\n", val["uris"], val["suites"]
            if (val["components"] != "") printf "Components: %s\n", val["components"]
            if (val["signed-by"] != "") field_line("Signed-By", val["signed-by"])
            if (val["trusted"] != "") field_line("Trusted", val["trusted"])
            printf "\n"
          }
        }
        delete val; nfields = 0; field = ""
      }
      FNR == 1 { flush() }
      /^#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]/ { if (field != "") val[field] = val[field] "\n" $0; next }
      {
        p = index($0, ":"); if (p == 0) next
        field = tolower(substr($0, 1, p - 1))
        value = substr($0, p + 1); sub(/^[[:space:]]+/, "", value); sub(/[[:space:]]+$/, "", value)
        val[field] = value; nfields++
      }
      END { flush() }
    ' "${deb822[@]}"
  fi
} | awk 'BEGIN { RS = ""; ORS = "\n\n" } !seen[$0]++'
