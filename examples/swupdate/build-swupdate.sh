#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds SWUpdate from Debian's source package with tollgate's compiled-in
# handler: a small, self-contained recipe (and what the integration test
# runs). Nothing of SWUpdate is kept in tollgate's repository: the source
# package is fetched by scripts/updaters.sh (a private apt configuration;
# the system's apt sources are never changed) and cached.
#
#   examples/swupdate/build-swupdate.sh [--release CELL] [--cache DIR] OUTDIR
#
# --release CELL  which SWUpdate: swupdate-2022.12 (Debian 12, default),
#                 swupdate-2024.12.1 (Debian 13) or a cell scripts/updaters.sh
#                 has from `--tree SRC` (e.g. swupdate-2026.05.1); the patch
#                 for the tree's release is applied (patches.sh: up to
#                 2023.05, 2023.12 to 2024.05, 2024.12 to 2025.05, from
#                 2025.12), and a tree none fits stops the build.
# --cache DIR     where scripts/updaters.sh keeps sources and prefixes
#                 (default: _build/updaters in the tollgate tree)
# OUTDIR          a fresh copy of the source with the patch applied,
#                 configured (minimal: libconfig parser, raw handler, no
#                 bootloader, tollgate) and built: OUTDIR/swupdate.
#
# Environment: TOLLGATE_PKGCONFIG names the pkg-config module of
# libtollgate-swupdate (default tollgate-swupdate; the integration test uses
# the build tree's tollgate-swupdate-uninstalled with PKG_CONFIG_PATH).
# Needs: libconfig-dev, cpio, build-essential; from 2023.12 also
# libjson-c-dev, cmake, libyaml-dev and zlib1g-dev (libubootenv 0.3.5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/patches.sh"
cache=$top/_build/updaters
release=swupdate-2022.12
while [ $# -gt 1 ]; do
  case "$1" in
    --cache) cache=$2; shift 2 ;;
    --release) release=$2; shift 2 ;;
    *) echo "build-swupdate: unknown option '$1'" >&2; exit 2 ;;
  esac
done
out=${1:?usage: build-swupdate.sh [--release CELL] [--cache DIR] OUTDIR}
pc=${TOLLGATE_PKGCONFIG:-tollgate-swupdate}

src=$("$top/scripts/updaters.sh" --out "$cache" --source "$release")
if ! name=$(tollgate_patch "$src" 2>&1); then echo "build-swupdate: $name" >&2; exit 1; fi
patchfile=$here/$name
uenv=""
if swupdate_links_ubootenv "$src"; then
  "$top/scripts/updaters.sh" --out "$cache" libubootenv-0.3.5 >/dev/null
  uenv=$cache/libubootenv-0.3.5/prefix
  [ -f "$uenv/lib/libubootenv.so" ] || { echo "build-swupdate: libubootenv 0.3.5: $(cat "$cache/libubootenv-0.3.5/status")" >&2; exit 1; }
fi

rm -rf "$out"
cp -a "$src" "$out"
patch -s -p1 -d "$out" <"$patchfile" ||
  { echo "build-swupdate: $(basename "$patchfile") does not apply to SWUpdate $(swupdate_release "$src") ($src)" >&2; exit 1; }

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
if [ -n "${TG_SANITIZE:-}" ] && [ -z "$uenv" ]; then
  echo "CONFIG_EXTRA_LDFLAGS=\"-fsanitize=$TG_SANITIZE\"" >>"$out/configs/tollgate_defconfig"
fi
# SWUpdate >= 2023.12 always links libubootenv and json-c.
if [ -n "$uenv" ]; then
  printf 'CONFIG_EXTRA_CFLAGS="-I%s/include"\nCONFIG_EXTRA_LDFLAGS="-L%s/lib -Wl,-rpath,%s/lib%s"\n' \
    "$uenv" "$uenv" "$uenv" "${TG_SANITIZE:+ -fsanitize=$TG_SANITIZE}" >>"$out/configs/tollgate_defconfig"
  export HAVE_LIBUBOOTENV=y HAVE_JSON_C=y PKG_CONFIG_PATH=$uenv/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
fi
# Only libconfig among the optional libraries: a small, quick build.
export HAVE_LIBCONFIG=y
for v in LUA LIBARCHIVE LIBCURL LIBFDISK LIBBLKID LIBGPIOD LIBMTD LIBUBI LIBEXT2FS LIBZEROMQ \
         ZLIB ZSTD LIBSSL LIBSYSTEMD LIBCRYPTO WOLFSSL MBEDTLS P11KIT JSON_C LIBWEBSOCKETS \
         LIBRSYNC URIPARSER ZCK LIBUBOOTENV LIBEBGENV LIBTEGRABOOT_TOOLS LIBBTRFS; do
  [ -n "$uenv" ] && { [ $v = JSON_C ] || [ $v = LIBUBOOTENV ]; } && continue
  export "HAVE_$v=n"
done
make -s -C "$out" tollgate_defconfig >"$out/build.log" 2>&1
grep -q '^CONFIG_TOLLGATE=y' "$out/.config" || { echo "build-swupdate: CONFIG_TOLLGATE did not stick" >&2; exit 1; }
make -s -C "$out" -j"$(nproc)" swupdate >>"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
echo "build-swupdate: built $out/swupdate with the tollgate handler"
