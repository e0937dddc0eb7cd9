#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-deb.sh [WORKDIR]: builds the Debian packages of debian/ the way a
# distribution does (dpkg-buildpackage -us -uc -b on a copy of the source
# tree), then checks them:
#   1. lintian reports no error (warnings are printed; overrides live in
#      debian/*.lintian-overrides with their reasons);
#   2. every binary package unpacks (dpkg -x) into one throw-away root, and
#      the files of each package are exactly tests/packaging/deb-files.txt;
#   3. no file of the packages belongs to a package installed on this
#      machine (dpkg -S), so installing them replaces nothing of another
#      package (swupdate's Lua loader, for one);
#   4. the units in the root pass tests/packaging/check-units.sh
#      (systemd-analyze verify and security, exposure <= 3.0);
#   5. the Lua module and handler load with the default paths of Debian's
#      lua5.3 (the Lua the stock swupdate links), moved into the root.
# WORKDIR (default: a new directory under $TMPDIR) keeps the build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tg-deb-XXXXXX")}
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
for t in dpkg-buildpackage dh lintian; do
  command -v "$t" >/dev/null || { echo "test-deb.sh: $t is missing; run scripts/install-deps.sh test"; exit 1; }
done
[ -d "$top/debian" ] || { echo "test-deb.sh: $top/debian does not exist; run from a tollgate source tree"; exit 1; }

# A clean copy of the tree: what git tracks (and new files not yet
# ignored), else everything but the build directories.
src=$work/tollgate
rm -rf "$work/tollgate" "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work/root"
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$top" && git ls-files -z -co --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && echo "{}"' |
    tar -cf - -T -) | tar -xf - -C "$src"
else
  tar -C "$top" --exclude='./_build*' --exclude='./_b*' --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

SECONDS=0
if (cd "$src" && dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b (${SECONDS}s)"
else
  not_ok "dpkg-buildpackage failed; the end of $work/build.log:"; tail -25 "$work/build.log" | sed 's/^/  | /'
  exit 1
fi

changes=$(ls "$work"/tollgate_*.changes)
lintian --fail-on error --suppress-tags running-with-root-privileges "$changes" >"$work/lintian.log" 2>&1 || true
if grep -q '^E: ' "$work/lintian.log"; then
  not_ok "lintian reports errors; fix them in debian/ or override them with a reason:"
  grep '^E: ' "$work/lintian.log" | sed 's/^/  | /'
else
  ok "lintian: no error ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
  grep '^W: ' "$work/lintian.log" | sed 's/^/  # /' || true
fi

R=$work/root
mkdir -p "$R"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
: >"$work/files.txt"
for deb in "$work"/*.deb; do
  case $deb in *-dbgsym_*) continue ;; esac
  pkg=$(dpkg-deb -f "$deb" Package)
  dpkg -x "$deb" "$R"
  dpkg-deb -c "$deb" | awk '{ print $6 }' | grep -v '/$' | sed -e 's|^\.||' -e "s|^|$pkg |" \
    -e "s|/$multiarch/|/@MULTIARCH@/|" >>"$work/files.txt"
done
LC_ALL=C sort -o "$work/files.txt" "$work/files.txt"
if diff <(grep -v '^#' "$top/tests/packaging/deb-files.txt") "$work/files.txt" >"$work/files.diff"; then
  ok "the packages unpack into $R with the files of tests/packaging/deb-files.txt ($(wc -l <"$work/files.txt") files)"
else
  not_ok "the packages' files differ from tests/packaging/deb-files.txt (< expected, > built); update the list or debian/*.install"
  sed 's/^/  | /' "$work/files.diff"
fi
for f in "$R/usr/bin/tollgate" "$R/usr/libexec/tollgate/tollgate-rauc-pre-install"; do
  [ -x "$f" ] || not_ok "$f is not an executable in the unpacked root"
done
LD_LIBRARY_PATH=$R/usr/lib/$multiarch "$R/usr/bin/tollgate" --help >/dev/null 2>&1 &&
  ok "the unpacked tollgate runs" || not_ok "the unpacked $R/usr/bin/tollgate --help fails"

owned=""
while read -r _ path; do
  path=${path//@MULTIARCH@/$multiarch}
  o=$(dpkg -S "$path" 2>/dev/null | grep -v '^tollgate\|^libtollgate\|^lua-tollgate' || true)
  [ -z "$o" ] || owned="$owned $o;"
done < <(grep -v '^#' "$work/files.txt")
[ -z "$owned" ] && ok "no packaged file belongs to another installed package (dpkg -S)" ||
  not_ok "packaged files that other packages own:$owned move or drop them"

if "$top/tests/packaging/check-units.sh" "$R" /lib/systemd/system >"$work/units.log" 2>&1; then
  ok "packaged units pass check-units.sh"; else not_ok "packaged units fail check-units.sh:"; fi
sed 's/^/  | /' "$work/units.log"

if command -v lua5.3 >/dev/null; then
  cpath=$(lua5.3 -e 'print(package.cpath)' | sed "s|/usr/lib/$multiarch/|$R/usr/lib/$multiarch/|g")
  lpath=$(lua5.3 -e 'print(package.path)' | sed "s|/usr/share/lua/|$R/usr/share/lua/|g")
  if LUA_CPATH=$cpath LUA_PATH=$lpath lua5.3 -e 'local t = require("tollgate_swupdate"); assert(t.handler_name == "tollgate")' \
      >"$work/lua.log" 2>&1; then
    ok "lua5.3 loads tollgate_swupdate from the packaged multiarch path"
  else not_ok "lua5.3 cannot load the packaged module: $(tail -1 "$work/lua.log")"; fi
fi
echo "# $fails failed; packages and logs in $work"
[ "$fails" -eq 0 ]
