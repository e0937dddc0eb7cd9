#!/usr/bin/env bash
# Done-when 2 and 5 with the Lua plugin: Debian's stock swupdate binary loads
# swupdate_handlers.lua and the tollgate_swupdate module from the build tree
# (LUA_PATH / LUA_CPATH), installs CMS-signed .swu files with sha256 for every
# payload and hardware compatibility, and passes the same scenarios; its
# notices reach progress clients through swupdate.progress().
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
swu_require swupdate swupdate-client swupdate-progress "$LUA" cpio openssl jq
[ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ] ||
  { echo "SKIP: the Lua module was not built (no Lua development files for the Lua swupdate links)"; exit 77; }

export LUA_PATH="$TG_SOURCE_DIR/handlers/swupdate/lua/?.lua;;"
export LUA_CPATH="$TG_BUILD_DIR/handlers/swupdate/?.so;;"
expect_exit 0 "the module loads into a plain $LUA (all symbols resolve)" -- \
  env "${HOST_ENV[@]}" "$LUA" -e 'local t = require("tollgate_swupdate"); assert(t.handler_name == "tollgate" and type(t.gate) == "function")'

swu_keys
STOCK=(swupdate -k "$SWU_CERT" -H board:1.0)
swu_scenarios signed "${STOCK[@]}"
grep -q "External Lua handler(s) found and loaded" "$W/swu.log" && ok "stock binary loaded the Lua handlers" ||
  not_ok "stock binary did not load swupdate_handlers.lua"

# An unsigned update never reaches the gate: SWUpdate refuses it itself.
make_swu unsigned 1.9.0 'class = "feature";'
run_swu "${STOCK[@]}" unsigned
expect_stopped "unsigned .swu rejected by the stock binary" 1.2.1

swu_notice_scenario signed "${STOCK[@]}"
swu_two_installs signed "${STOCK[@]}"
finish
