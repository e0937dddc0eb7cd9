#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds SWUpdate from Debian's source package with tollgate's compiled-in
# handler: a small, self-contained recipe (and what the integration test
# runs). Nothing of SWUpdate is kept in tollgate's repository: the source
# package is fetched with apt-get and cached.
#
#   examples/swupdate/build-swupdate.sh [--cache DIR] OUTDIR
#
# --cache DIR  where the unpacked source package is kept between runs
#              (default: _build/swupdate-src in the tollgate tree)
# OUTDIR       a fresh copy of the source with make-patch.sh's patch
#              applied, configured (minimal: libconfig parser, raw handler,
#              no bootloader, tollgate) and built: OUTDIR/swupdate.
#
# Environment: TOLLGATE_PKGCONFIG names the pkg-config module of
# libtollgate-swupdate (default tollgate-swupdate; the integration test uses
# the build tree's tollgate-swupdate-uninstalled with PKG_CONFIG_PATH).
# Needs: dpkg-dev, libconfig-dev, cpio, build-essential; a deb-src entry for
# bookworm is added to /etc/apt/sources.list.d/ when apt has none (root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=$top/_build/swupdate-src
while [ $# -gt 1 ]; do
  case "$1" in
    --cache) cache=$2; shift 2 ;;
    *) echo "build-swupdate: unknown option '$1'" >&2; exit 2 ;;
  esac
done
out=${1:?usage: build-swupdate.sh [--cache DIR] OUTDIR}
pc=${TOLLGATE_PKGCONFIG:-tollgate-swupdate}
srcs=/etc/apt/sources.list.d/tollgate-deb-src.sources

have_deb_src() {
  grep -rqs -E '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# Writes a deb822 deb-src entry with the URIs of Debian's own sources.
add_deb_src() {
  local uri
  uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ && $2 !~ /security/ { print $2; exit }' \
          /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  cat >"$srcs" <<SRC
# Written by tollgate's examples/swupdate/build-swupdate.sh: the SWUpdate
# integration test builds SWUpdate from Debian's source package.
Types: deb-src
URIs: $uri
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  echo "build-swupdate: added $srcs"
}

fetch_source() {
  local tmp
  if ! have_deb_src; then
    [ "$(id -u)" -eq 0 ] || { echo "build-swupdate: apt has no deb-src entry; run as root once or add one" >&2; exit 1; }
    add_deb_src
    apt-get update -qq
  fi
  tmp=$(mktemp -d "$(dirname "$cache")/swupdate-src.XXXXXX")
  if ! (cd "$tmp" && apt-get source -qq swupdate >/dev/null 2>"$tmp/apt.err"); then
    if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; (cd "$tmp" && apt-get source -qq swupdate >/dev/null); else cat "$tmp/apt.err" >&2; exit 1; fi
  fi
  rm -rf "$cache"
  mv "$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'swupdate-*' | head -1)" "$cache"
  rm -rf "$tmp"
}

mkdir -p "$(dirname "$cache")"
if [ ! -f "$cache/handlers/Config.in" ]; then
  # One builder at a time fetches; the others wait for it.
  exec 9>"$cache.lock"
  flock 9
  [ -f "$cache/handlers/Config.in" ] || fetch_source
  flock -u 9
fi

rm -rf "$out"
cp -a "$cache" "$out"
patch -s -p1 -d "$out" <"$here/0001-handlers-add-tollgate.patch"

cat >"$out/configs/tollgate_defconfig" <<CFG
CONFIG_LIBCONFIG=y
CONFIG_RAW=y
CONFIG_BOOTLOADER_DEFAULT_NONE=y
# CONFIG_LUA is not set
# CONFIG_MTD is not set
# CONFIG_DOWNLOAD is not set
# CONFIG_WEBSERVER is not set
# CONFIG_SURICATTA is not set
# CONFIG_HASH_VERIFY is not set
# CONFIG_SIGNED_IMAGES is not set
CONFIG_TOLLGATE=y
CONFIG_TOLLGATE_PKGCONFIG="$pc"
CFG
# A sanitizer build of tollgate (TG_SANITIZE, set by the test environment)
# needs the sanitizer runtime at SWUpdate's link.
if [ -n "${TG_SANITIZE:-}" ]; then
  echo "CONFIG_EXTRA_LDFLAGS=\"-fsanitize=$TG_SANITIZE\"" >>"$out/configs/tollgate_defconfig"
fi
# Only libconfig among the optional libraries: a small, quick build.
export HAVE_LIBCONFIG=y
for v in LUA LIBARCHIVE LIBCURL LIBFDISK LIBBLKID LIBGPIOD LIBMTD LIBUBI LIBEXT2FS LIBZEROMQ \
         ZLIB ZSTD LIBSSL LIBSYSTEMD LIBCRYPTO WOLFSSL MBEDTLS P11KIT JSON_C LIBWEBSOCKETS \
         LIBRSYNC URIPARSER ZCK; do
  export "HAVE_$v=n"
done
make -s -C "$out" tollgate_defconfig >"$out/build.log" 2>&1
grep -q '^CONFIG_TOLLGATE=y' "$out/.config" || { echo "build-swupdate: CONFIG_TOLLGATE did not stick" >&2; exit 1; }
make -s -C "$out" -j"$(nproc)" swupdate >>"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
echo "build-swupdate: built $out/swupdate with the tollgate handler"
