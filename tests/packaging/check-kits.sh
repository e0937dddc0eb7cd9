#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-kits.sh [TOP]: the mechanical rules for the Yocto layer
# (examples/yocto) and the Buildroot external tree (examples/buildroot).
# Each broken rule prints one line naming the file and what to do; exit 1
# when any is broken. Rules (Yocto):
#   - recipes are named NAME_VERSION.bb, bbappends NAME_%.bbappend or
#     NAME_VERSION.bbappend, lower case;
#   - conf/layer.conf's LAYERSERIES_COMPAT names scarthgap and the series of
#     oe-core master (TG_YOCTO_SERIES, default "scarthgap whinlatter wrynose");
#   - no ${WORKDIR}/git and no ${WORKDIR}/FILE for fetched files (UNPACKDIR
#     since styhead), in recipes and the README;
#   - no S = "${UNPACKDIR}/git" (insane.bbclass makes it fatal since
#     whinlatter; the default S is right with destsuffix=${BP});
#   - no AUTOREV: SRCREV is 40 hex digits; no git URL with protocol=file;
#     a recipe fetching git either pins SRCREV or, when the integrator sets
#     the source, carries the line "# SRCREV: to be set by the integrator";
#   - LIC_FILES_CHKSUM names a file of the tree with its md5 right;
#   - a PACKAGECONFIG default that needs libconfig comes with
#     LAYERDEPENDS on openembedded-layer;
# (Buildroot):
#   - TOLLGATE_LICENSE and TOLLGATE_LICENSE_FILES are set, every license file
#     exists in the tree, and tollgate.hash has its sha256.
# check-kits.sh --self-test: copies the kits to a temporary tree, checks
# that the copy passes, then plants violations one at a time (AUTOREV, an
# unpinned SRCREV, S = "${UNPACKDIR}/git") and checks each one fails.
set -uo pipefail
if [ "${1:-}" = --self-test ]; then
  me=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  src=$(cd "$(dirname "$0")/../.." && pwd)
  tmp=$(mktemp -d) || exit 1
  trap 'rm -rf "$tmp"' EXIT
  rc=0
  fresh() {
    rm -rf "$tmp/t" && mkdir -p "$tmp/t/examples" &&
      cp -rL "$src/examples/yocto" "$src/examples/buildroot" "$tmp/t/examples/" &&
      cp "$src/COPYING" "$tmp/t/"
  }
  expect() { # expect WANT(pass|fail) WHAT PATTERN
    if out=$(bash "$me" "$tmp/t" 2>&1); then got=pass; else got=fail; fi
    if [ "$got" != "$1" ] || ! grep -q -- "$3" <<<"$out"; then
      echo "check-kits self-test: $2: expected $1 with output matching '$3', got $got:"
      printf '%s\n' "$out"; rc=1
    else echo "check-kits self-test: $2: $1 as expected"; fi
  }
  bb=examples/yocto/recipes-tollgate/tollgate/tollgate_0.1.0.bb
  fresh && expect pass "unchanged copy" "follow the rules"
  fresh && echo 'SRCREV = "${AUTOREV}"' >>"$tmp/t/$bb" &&
    expect fail "planted AUTOREV" "AUTOREV makes builds unreproducible"
  fresh && sed -i '/^# SRCREV: to be set by the integrator/d' "$tmp/t/$bb" &&
    expect fail "SRCREV neither pinned nor documented" "neither pins SRCREV"
  fresh && echo 'S = "${UNPACKDIR}/git"' >>"$tmp/t/$bb" &&
    expect fail "planted UNPACKDIR/git" 'S = "\${UNPACKDIR}/git" is fatal'
  fresh && echo 'SRCREV = "0123456789abcdef0123456789abcdef01234567"' >>"$tmp/t/$bb" &&
    expect pass "SRCREV pinned to 40 hex digits" "follow the rules"
  exit $rc
fi
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
y=$top/examples/yocto b=$top/examples/buildroot
series=${TG_YOCTO_SERIES:-scarthgap whinlatter wrynose}
fails=0
bad() { echo "check-kits: $*"; fails=$((fails + 1)); }

# ---- Yocto ------------------------------------------------------------------
while IFS= read -r f; do
  n=$(basename "$f")
  case $n in
    *.bb) [[ $n =~ ^[a-z0-9][a-z0-9.+-]*_[0-9][A-Za-z0-9.+~-]*\.bb$ ]] ||
      bad "${f#"$top"/}: a recipe is named NAME_VERSION.bb in lower case; rename it" ;;
    *.bbappend) [[ $n =~ ^[a-z0-9][a-z0-9.+-]*_(%|[0-9][A-Za-z0-9.+~%-]*)\.bbappend$ ]] ||
      bad "${f#"$top"/}: a bbappend is named NAME_%.bbappend or NAME_VERSION.bbappend; rename it" ;;
  esac
done < <(find "$y" -name '*.bb' -o -name '*.bbappend')

lc=$y/conf/layer.conf
compat=$(sed -n 's/^LAYERSERIES_COMPAT_[a-z-]* *[?:]*= *"\(.*\)"/\1/p' "$lc" 2>/dev/null)
[ -n "$compat" ] || bad "${lc#"$top"/}: LAYERSERIES_COMPAT_<layer> is missing; set it to the series the layer was built on"
for s in $series; do
  [[ " $compat " == *" $s "* ]] || bad "${lc#"$top"/}: LAYERSERIES_COMPAT does not name $s; add it once the layer builds there"
done

mapfile -t yfiles < <(find -L "$y" -type f \( -name '*.bb' -o -name '*.bbappend' -o -name '*.bbclass' -o -name '*.inc' -o -name '*.conf' -o -name '*.md' \))
for f in "${yfiles[@]}"; do
  rel=${f#"$top"/}
  grep -n '\${WORKDIR}/git' "$f" | while IFS=: read -r l _; do
    echo "check-kits: $rel:$l: \${WORKDIR}/git is fatal on current oe-core; use \${UNPACKDIR} (or the default S)"; done
  grep -q '\${WORKDIR}/git' "$f" && fails=$((fails + 1))
  if grep -nE '\$\{WORKDIR\}/[A-Za-z0-9_.-]+' "$f" | grep -v '\${WORKDIR}/git' | grep -q .; then
    bad "$rel: \${WORKDIR}/FILE for a fetched file fails since styhead; use \${UNPACKDIR}/FILE"
  fi
  grep -qE '^[[:space:]]*S[[:space:]]*[?:]*=[[:space:]]*"\$\{UNPACKDIR\}/git/?"' "$f" &&
    bad "$rel: S = \"\${UNPACKDIR}/git\" is fatal in insane.bbclass since whinlatter; drop the S line and fetch with destsuffix=\${BP}"
  grep -q 'AUTOREV' "$f" && bad "$rel: AUTOREV makes builds unreproducible; pin SRCREV to a tested commit"
  grep -qE 'SRC_URI.*protocol=file' "$f" && bad "$rel: a git URL with protocol=file builds whatever the checkout holds; point SRC_URI at a published repository"
done
while IFS= read -r f; do
  rel=${f#"$top"/}
  while read -r rev; do
    [[ $rev =~ ^[0-9a-f]{40}$ ]] || bad "$rel: SRCREV \"$rev\" is not a commit id (40 hex digits); pin it"
  done < <(sed -n 's/^SRCREV[^=]*= *"\([^"]*\)".*/\1/p' "$f")
  if [[ $f == *.bb ]] && grep -qE '^SRC_URI.*(git://|_GIT_URI)' "$f" && ! grep -q '^SRCREV' "$f" &&
     ! grep -q '^# SRCREV: to be set by the integrator' "$f"; then
    bad "$rel: the recipe fetches git but neither pins SRCREV nor says \"# SRCREV: to be set by the integrator\"; pin SRCREV to 40 hex digits or add that line"
  fi
  while read -r lic; do
    file=${lic#file://}; file=${file%%;*}
    md5=$(sed -n 's/.*md5=\([0-9a-f]*\).*/\1/p' <<<"$lic")
    begin=$(sed -n 's/.*beginline=\([0-9]*\).*/\1/p' <<<"$lic"); end=$(sed -n 's/.*endline=\([0-9]*\).*/\1/p' <<<"$lic")
    if [ ! -f "$top/$file" ]; then bad "$rel: LIC_FILES_CHKSUM names $file, which the tree does not have; name COPYING"; continue; fi
    got=$(sed -n "${begin:-1},${end:-\$}p" "$top/$file" | md5sum | cut -d' ' -f1)
    [ "$got" = "$md5" ] || bad "$rel: LIC_FILES_CHKSUM md5 of $file is $md5 but the file gives $got; update it after checking the license"
  done < <(grep -o 'file://[^" ]*' <(sed -n '/^LIC_FILES_CHKSUM/,/[^\\]$/p' "$f"))
  grep -q '^LIC_FILES_CHKSUM' "$f" || [[ $f == *.bbappend ]] || bad "$rel: LIC_FILES_CHKSUM is missing; name the license file with its md5"
  if sed -n '/^PACKAGECONFIG *??\?=/,/[^\\]$/p' "$f" | grep -qw swupdate &&
     ! grep -q 'openembedded-layer' "$lc"; then
    bad "$rel: the default PACKAGECONFIG builds the libconfig parser, and libconfig is in meta-oe before master; add openembedded-layer to LAYERDEPENDS in ${lc#"$top"/} or drop swupdate from the default"
  fi
done < <(find "$y" -name '*.bb' -o -name '*.bbappend')

# ---- Buildroot ----------------------------------------------------------------
mk=$b/package/tollgate/tollgate.mk hash=$b/package/tollgate/tollgate.hash
grep -q '^TOLLGATE_LICENSE *=' "$mk" || bad "${mk#"$top"/}: TOLLGATE_LICENSE is missing; set the SPDX license"
files=$(sed -n 's/^TOLLGATE_LICENSE_FILES *= *//p' "$mk")
[ -n "$files" ] || bad "${mk#"$top"/}: TOLLGATE_LICENSE_FILES is missing, so legal-info has no license text; set it to COPYING"
for f in $files; do
  if [ ! -f "$top/$f" ]; then bad "${mk#"$top"/}: license file $f does not exist in the tree; name an existing file"; continue; fi
  sum=$(sha256sum "$top/$f" | cut -d' ' -f1)
  grep -qE "^sha256 +$sum +$f\$" "$hash" || bad "${hash#"$top"/}: no line 'sha256  $sum  $f'; add it so legal-info checks the license text"
done
[ "$fails" -eq 0 ] && echo "check-kits: Yocto layer and Buildroot tree follow the rules"
[ "$fails" -eq 0 ]
