#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-lua54.sh [BUILDDIR]: a system install (--prefix=/usr) built with
# -Dlua=5.4, the Lua of Debian 13's swupdate, into a DESTDIR:
#   - the C module is in /usr/lib/<multiarch>/lua/5.4/ and the handler in
#     /usr/share/lua/5.4/, and with its built-in default paths (moved into
#     the DESTDIR), the paths swupdate's Lua state uses, lua5.4 loads the
#     module and finds the handler;
#   - swupdate_handlers.lua is not installed (default -Dlua_loader=false);
#   - no installed file belongs to a package installed here (dpkg -S).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tg-lua54-XXXXXX")}
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
command -v lua5.4 >/dev/null || { echo "test-lua54.sh: lua5.4 is missing; run scripts/install-deps.sh test"; exit 1; }
opts=(--prefix=/usr -Dlua=5.4 -Dlua_cmoddir= -Dlua_loader=false -Dtests=false -Dman=disabled -Dtpm2=disabled)
if [ -f "$build/build.ninja" ]; then meson setup --reconfigure "$build" "${opts[@]}" >"$build.setup.log" 2>&1
else meson setup "$build" "$top" "${opts[@]}" >"$build.setup.log" 2>&1; fi ||
  { echo "test-lua54.sh: meson setup of $build failed; see $build.setup.log"; exit 1; }
ninja -C "$build" -j2 >"$build.ninja.log" 2>&1 || { echo "test-lua54.sh: the build in $build failed; see $build.ninja.log"; exit 1; }
R=$build/destdir
rm -rf "$R"
meson install -C "$build" --no-rebuild --destdir "$R" >"$build.install.log" 2>&1 ||
  { echo "test-lua54.sh: meson install into $R failed; see $build.install.log"; exit 1; }

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
mod=/usr/lib/$multiarch/lua/5.4/tollgate_swupdate.so
[ -f "$R$mod" ] && ok "the module is in $mod" || not_ok "$mod is not installed; check lua_cmoddir in handlers/swupdate/meson.build"
[ -f "$R/usr/share/lua/5.4/tollgate_swupdate_handler.lua" ] && ok "the handler is in /usr/share/lua/5.4" ||
  not_ok "/usr/share/lua/5.4/tollgate_swupdate_handler.lua is not installed"
[ ! -e "$R/usr/share/lua/5.4/swupdate_handlers.lua" ] && ok "swupdate_handlers.lua is not installed by default" ||
  not_ok "swupdate_handlers.lua is installed without -Dlua_loader=true"
cpath=$(lua5.4 -e 'print(package.cpath)')
lpath=$(lua5.4 -e 'print(package.path)')
case ";$cpath;" in *";${mod%/*}/?.so;"*) ok "${mod%/*} is on lua5.4's default cpath" ;;
  *) not_ok "${mod%/*} is not on lua5.4's default cpath ($cpath)" ;; esac
# The module loads; the handler file is found (it needs SWUpdate's own
# `swupdate` table to run, which only swupdate's Lua state has).
if LUA_CPATH=${cpath//\/usr\//$R/usr/} LUA_PATH=${lpath//\/usr\//$R/usr/} lua5.4 -e '
    assert(require("tollgate_swupdate").handler_name == "tollgate")
    assert(package.searchpath("tollgate_swupdate_handler", package.path))' >"$build.lua.log" 2>&1; then
  ok "lua5.4 loads the installed module and finds the handler on its default paths"
else not_ok "lua5.4 cannot load the installed module or find the handler: $(head -1 "$build.lua.log")"; fi
owned=""
while read -r f; do
  o=$(dpkg -S "$f" 2>/dev/null || true)
  [ -z "$o" ] || owned="$owned $o;"
done < <(cd "$R" && find . \( -type f -o -type l \) | sed 's|^\.||')
[ -z "$owned" ] && ok "no installed file belongs to an installed package (dpkg -S)" ||
  not_ok "installed files that other packages own:$owned install them only on request"
[ "$fails" -eq 0 ]
