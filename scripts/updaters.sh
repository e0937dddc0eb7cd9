#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fetches SWUpdate, RAUC and libubootenv source packages from Debian's
# archive and builds each version into its own prefix: the updater matrix of
# the integration tests (tests/run.sh, docs/swupdate.md "Tested versions").
#
#   scripts/updaters.sh [--out DIR] CELL...     build the cells, print a line each
#   scripts/updaters.sh [--out DIR] --source CELL   only fetch and unpack; print the tree
#   scripts/updaters.sh [--out DIR] [--source] --tree SRC CELL
#                                  the same with an unpacked tree instead of Debian's
#
# CELL is NAME-VERSION: swupdate-2022.12, swupdate-2024.12.1, rauc-1.13,
# rauc-1.15.2 (libubootenv-0.3.5 is built for SWUpdate >= 2024.12 as needed).
# --tree SRC takes the source of one cell from an unpacked tree instead (a
# release Debian does not package, e.g. `git archive 2026.05.1` of upstream
# SWUpdate): CELL is swupdate-VERSION or rauc-VERSION with the tree's own
# version, SRC is copied into DIR/src/CELL (replacing an earlier copy) and
# built again like every other cell. Later runs know the cell from its copy
# (--source CELL prints it, CELL alone reuses it).
# DIR (default _build/updaters) holds the private apt configuration
# (DIR/apt: deb-src for bookworm, trixie and sid with the URI of the
# system's own Debian sources; the system's sources are never touched), the
# unpacked trees (DIR/src/CELL) and the prefixes (DIR/CELL/prefix).
# DIR/CELL/status says "ok PREFIX", "skipped: REASON" (the sources cannot be
# fetched) or "failed: REASON" (they did not build); never dropped.
# Where a `.dsc` is missing from the pool, the tarballs the Sources index
# lists are fetched and checked against its SHA-256 sums.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/examples/swupdate/patches.sh"   # swupdate_release, swupdate_links_ubootenv
out=$top/_build/updaters
mode=build
tree=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --source) mode=source; shift ;;
    --tree) [ $# -ge 2 ] || { echo "updaters: --tree needs an unpacked source tree" >&2; exit 2; }
            tree=$2; shift 2 ;;
    -*) echo "updaters: unknown option '$1'; see the header of $0" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "updaters: name at least one cell, e.g. swupdate-2024.12.1" >&2; exit 2; }
if [ -n "$tree" ]; then
  [ $# -eq 1 ] || { echo "updaters: --tree takes exactly one cell, the tree's own" >&2; exit 2; }
  [ -d "$tree" ] || { echo "updaters: --tree $tree is not a directory" >&2; exit 2; }
  tree=$(cd "$tree" && pwd)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
apt_dir=$out/apt
jobs=${TG_UPDATERS_JOBS:-2}

# Debian source version (a regex) of each cell.
debian_version() {
  case "$1" in
    swupdate-2022.12) echo '^2022\.12\+dfsg-' ;;
    swupdate-2024.12.1) echo '^2024\.12\.1\+dfsg-' ;;
    rauc-1.13) echo '^1\.13-' ;;
    rauc-1.15.2) echo '^1\.15\.2-' ;;
    libubootenv-0.3.5) echo '^0\.3\.5-' ;;
    *) return 1 ;;
  esac
}

apt_opts() {
  echo "-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir" \
       "-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache" \
       "-o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

# The private apt configuration, and its package lists (once a day).
apt_ready() {
  local uri
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  if [ ! -f "$apt_dir/tollgate.sources" ]; then
    uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    uri=${uri:-http://deb.debian.org/debian}
    cat >"$apt_dir/tollgate.sources" <<SRC
# tollgate's scripts/updaters.sh: Debian's source packages of the updaters.
Types: deb-src
URIs: $uri
Suites: bookworm trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Sources*' -mmin -1440 2>/dev/null | head -1)" ]; then
    # shellcheck disable=SC2046
    apt-get $(apt_opts) update -qq >"$apt_dir/update.log" 2>&1 ||
      { echo "apt-get update failed: $(grep -m1 -E '^(E|W):' "$apt_dir/update.log" || tail -1 "$apt_dir/update.log")"; return 1; }
  fi
}

# srcinfo PKG REGEX: the Sources stanza of the newest matching version.
srcinfo() {
  # shellcheck disable=SC2046
  apt-cache $(apt_opts) showsrc "$1" 2>/dev/null | awk -v re="$2" '
    /^Package: / { if (keep) exit; buf = "" }
    { buf = buf $0 "\n" }
    /^Version: / { keep = ($2 ~ re) }
    /^$/ { if (keep) { printf "%s", buf; exit } buf = "" }
    END { if (keep) printf "%s", buf }'
}

# fetch CELL: unpacks the source into $out/src/CELL; prints why not on failure.
fetch() {
  local cell=$1 pkg=${1%%-*} re info ver dir tmp f sum name orig deb
  [ -f "$out/src/$cell/.tollgate-unpacked" ] && return 0   # also a copied --tree
  re=$(debian_version "$cell") || { echo "no Debian source version is known for $cell"; return 1; }
  apt_ready || return 1
  info=$(srcinfo "$pkg" "$re")
  [ -n "$info" ] || { echo "Debian's Sources index has no $pkg version matching $re"; return 1; }
  ver=$(printf '%s' "$info" | awk '/^Version: / { print $2; exit }')
  dir=$(printf '%s' "$info" | awk '/^Directory: / { print $2; exit }')
  tmp=$(mktemp -d "$out/fetch.XXXXXX")
  # shellcheck disable=SC2046
  (cd "$tmp" && apt-get $(apt_opts) source --download-only -qq "$pkg=$ver" >apt.log 2>&1) || true
  # Every tarball the index lists must be there with its SHA-256 sum.
  while read -r sum _ name; do
    case $name in *.dsc|*.asc) continue ;; esac
    if [ ! -f "$tmp/$name" ]; then
      # Debian's packaging is applied where the pool has it; the upstream
      # tarball alone is enough to build (noted in the tree).
      case $name in *.debian.tar.*) echo "$name" >>"$tmp/missing"; continue ;; esac
      echo "$name ($pkg $ver) is missing from the pool ($dir)"; rm -rf "$tmp"; return 1
    fi
    echo "$sum  $tmp/$name" | sha256sum -c --quiet - >/dev/null 2>&1 ||
      { echo "$name does not match the SHA-256 sum of Debian's Sources index"; rm -rf "$tmp"; return 1; }
  done < <(printf '%s' "$info" | awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on')
  orig=$(ls "$tmp"/*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -1)
  deb=$(ls "$tmp"/*.debian.tar.* 2>/dev/null | head -1)
  [ -n "$orig" ] || { echo "no .orig tarball of $pkg $ver was fetched"; rm -rf "$tmp"; return 1; }
  mkdir "$tmp/tree"
  tar -xf "$orig" -C "$tmp/tree" --strip-components=1
  if [ -n "$deb" ]; then
    tar -xf "$deb" -C "$tmp/tree"
    if [ -f "$tmp/tree/debian/patches/series" ]; then
      while read -r f _; do
        case $f in ''|'#'*) continue ;; esac
        patch -s -p1 -d "$tmp/tree" <"$tmp/tree/debian/patches/$f" ||
          { echo "Debian's patch $f does not apply to $pkg $ver"; rm -rf "$tmp"; return 1; }
      done <"$tmp/tree/debian/patches/series"
    fi
  fi
  { echo "$pkg $ver"; [ -f "$tmp/missing" ] && echo "upstream tarball only: Debian's $(sort -u "$tmp/missing" | tr "\n" " ")is missing from the pool"; } \
    >"$tmp/tree/.tollgate-unpacked"
  rm -rf "$out/src/$cell"
  mkdir -p "$out/src"
  mv "$tmp/tree" "$out/src/$cell"
  rm -rf "$tmp"
}

# tree_version PKG TREE: the release an unpacked SWUpdate or RAUC tree says it is.
tree_version() {
  case "$1" in
    swupdate) swupdate_release "$2" ;;
    rauc) [ -f "$2/meson.build" ] && awk -F"'" '/^ *version *:/ { print $2; exit }' "$2/meson.build" ;;
  esac
}

# copy_tree CELL SRC: SRC becomes $out/src/CELL, and CELL is built again.
copy_tree() {
  local cell=$1 pkg=${1%%-*} src=$2 ver tmp
  ver=$(tree_version "$pkg" "$src" || true)
  [ -n "$ver" ] || { echo "updaters: $src is no $pkg source tree (no version found), not $cell" >&2; exit 2; }
  [ "$ver" = "${cell#*-}" ] || { echo "updaters: $src is $pkg $ver, not $cell; name the cell $pkg-$ver" >&2; exit 2; }
  mkdir -p "$out/src"
  tmp=$(mktemp -d "$out/fetch.XXXXXX")
  mkdir "$tmp/tree"
  tar -C "$src" --exclude=./.git -cf - . | tar -C "$tmp/tree" -xf -   # without a .git
  echo "$pkg $ver (tree copied from $src)" >"$tmp/tree/.tollgate-unpacked"
  rm -rf "$out/src/$cell" "$out/$cell/status"
  mv "$tmp/tree" "$out/src/$cell"
  rm -rf "$tmp"
}

build_libubootenv() {  # SRC PREFIX
  cmake -S "$1" -B "$1/_b" -DCMAKE_INSTALL_PREFIX="$2" -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_RPATH="$2/lib" &&
    make -C "$1/_b" -j"$jobs" && make -C "$1/_b" install
}

build_rauc() {  # SRC PREFIX
  local p=$2 o opts=()
  # Only the options this release knows (1.13 has no composefs or manpages);
  # meson_options.txt puts each name on a line of its own.
  for o in network=false streaming=false gpt=disabled composefs=disabled tests=false \
           htmldocs=false manpages=false service=true json=enabled \
           "systemdunitdir=$p/lib/systemd/system" "systemdcatalogdir=$p/lib/systemd/catalog" \
           "dbuspolicydir=$p/share/dbus-1/system.d" \
           "dbussystemservicedir=$p/share/dbus-1/system-services" \
           "dbusinterfacesdir=$p/share/dbus-1/interfaces"; do
    grep -q "'${o%%=*}'," "$1/meson_options.txt" && opts+=("-D$o")
  done
  meson setup "$1/_b" "$1" --prefix="$p" --libdir=lib "${opts[@]}" &&
    ninja -C "$1/_b" -j"$jobs" && meson install -C "$1/_b"
}

# SWUpdate as a distribution ships it for the stock-binary routes: Lua
# handlers (the Lua SWUpdate itself links), CMS signatures with OpenSSL,
# sha256 checks, hardware compatibility, raw images, the IPC library and the
# client/progress tools. From 2023.12 on, libubootenv and json-c.
# CMS is the only signature algorithm: up to 2025.05 it is one choice among
# them; from 2025.12 each is an option of its own, 2026.05 turns raw RSA on
# by default, and the first one registered would verify (`-k` a certificate).
swupdate_defconfig() {  # LUAPKG UBOOTENV_PREFIX PREFIX
  cat <<CFG
CONFIG_LUA=y
CONFIG_LUAPKG="$1"
CONFIG_LUASCRIPTHANDLER=y
CONFIG_HANDLER_IN_LUA=y
CONFIG_SSL_IMPL_OPENSSL=y
CONFIG_HASH_VERIFY=y
CONFIG_SIGNED_IMAGES=y
CONFIG_SIGALG_CMS=y
# CONFIG_SIGALG_RAWRSA is not set
CONFIG_HW_COMPATIBILITY=y
CONFIG_RAW=y
CONFIG_BOOTLOADER_DEFAULT_NONE=y
# CONFIG_MTD is not set
# CONFIG_DOWNLOAD is not set
# CONFIG_WEBSERVER is not set
# CONFIG_SURICATTA is not set
CFG
  local inc="" ld="-Wl,-rpath,$3/lib"
  [ -n "$2" ] && { inc="-I$2/include"; ld="-L$2/lib -Wl,-rpath,$2/lib $ld"; }
  echo "CONFIG_EXTRA_CFLAGS=\"$inc\""
  echo "CONFIG_EXTRA_LDFLAGS=\"$ld\""
}

# swupdate_env [UBOOTENV]: which optional libraries SWUpdate's build may use.
swupdate_env() {
  export HAVE_LUA=y HAVE_LIBCONFIG=y HAVE_LIBSSL=y HAVE_LIBCRYPTO=y HAVE_JSON_C=y
  export HAVE_LIBUBOOTENV=${1:+y}
  : "${HAVE_LIBUBOOTENV:=n}"
  local v
  for v in LIBARCHIVE LIBCURL LIBFDISK LIBBLKID LIBGPIOD LIBMTD LIBUBI LIBEXT2FS LIBBTRFS \
           LIBZEROMQ ZLIB ZSTD LIBSYSTEMD WOLFSSL MBEDTLS P11KIT LIBWEBSOCKETS LIBRSYNC \
           URIPARSER ZCK LIBEBGENV LIBTEGRABOOT_TOOLS; do
    export "HAVE_$v=n"
  done
}

build_swupdate() {  # SRC PREFIX
  local src=$1 p=$2 uenv="" lua=lua5.4 rel
  [ -f "$src/handlers/Config.in" ] && lua=lua5.3   # Debian 12's SWUpdate links Lua 5.3
  if swupdate_links_ubootenv "$src"; then
    uenv=$out/libubootenv-0.3.5/prefix
    [ -f "$uenv/lib/libubootenv.so" ] || { echo "libubootenv 0.3.5 is missing: $(cat "$out/libubootenv-0.3.5/status")"; return 1; }
  fi
  rel=$(swupdate_release "$src")
  swupdate_defconfig "$lua" "$uenv" "$p" >"$src/configs/tollgate_matrix_defconfig"
  (
    swupdate_env "$uenv"
    export PKG_CONFIG_PATH=${uenv:+$uenv/lib/pkgconfig}
    make -C "$src" tollgate_matrix_defconfig </dev/null &&
      make -C "$src" -j"$jobs" SWU_VER="$rel" </dev/null &&
      make -C "$src" install DESTDIR="$p" BINDIR=bin LIBDIR=lib INCLUDEDIR=include \
        SWU_VER="$rel" </dev/null
  )
}

# build CELL: fetch, build into $out/CELL/prefix, write the status.
build() {
  local cell=$1 pkg=${1%%-*} dir=$out/$1 why start
  mkdir -p "$dir"
  if [ -f "$dir/status" ] && grep -q '^ok ' "$dir/status" && [ -d "$dir/prefix" ]; then
    cat "$dir/status"; return 0
  fi
  if [ "$pkg" = swupdate ] && [ "$cell" != swupdate-2022.12 ]; then
    build libubootenv-0.3.5 >/dev/null || true
  fi
  start=$SECONDS
  if ! why=$(fetch "$cell" 2>&1); then
    echo "skipped: $why" >"$dir/status"; cat "$dir/status"; return 0
  fi
  rm -rf "$dir/prefix" "$out/src/$cell/_b"
  if "build_$pkg" "$out/src/$cell" "$dir/prefix" >"$dir/build.log" 2>&1; then
    echo "ok $dir/prefix" >"$dir/status"
    echo "$((SECONDS - start))" >"$dir/build-seconds"
  else
    echo "failed: the build failed ($(grep -m1 -iE 'error' "$dir/build.log" || tail -1 "$dir/build.log"); log: $dir/build.log)" >"$dir/status"
  fi
  cat "$dir/status"
}

exec 9>"$out/.lock"   # one fetcher and builder at a time
flock 9
for cell in "$@"; do
  if [ -n "$tree" ]; then
    case $cell in
      swupdate-?*|rauc-?*) copy_tree "$cell" "$tree" ;;
      *) echo "updaters: --tree builds a swupdate-VERSION or rauc-VERSION cell, not '$cell'" >&2; exit 2 ;;
    esac
  fi
  debian_version "$cell" >/dev/null || [ -f "$out/src/$cell/.tollgate-unpacked" ] ||
    { echo "updaters: unknown cell '$cell'; known: swupdate-2022.12 swupdate-2024.12.1 rauc-1.13 rauc-1.15.2 (others with --tree SRC)" >&2; exit 2; }
  if [ "$mode" = source ]; then
    why=$(fetch "$cell" 2>&1) || { echo "updaters: $cell: $why" >&2; exit 1; }
    echo "$out/src/$cell"
  else
    printf '%s: ' "$cell"; build "$cell"
  fi
done
