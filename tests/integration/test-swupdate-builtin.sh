#!/usr/bin/env bash
# Done-when 1 and 5 with the compiled-in handler: SWUpdate 2022.12 built from
# Debian's source package with examples/swupdate's patch (cached under
# _build/swupdate-src), driven through the policy scenarios; a progress client
# receives the notices the C handler sends through swupdate_progress_info().
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
swu_require make gcc cpio patch pkg-config apt-get jq swupdate-client swupdate-progress

cache=${TG_SWUPDATE_CACHE:-$TG_SOURCE_DIR/_build/swupdate-src}
export PKG_CONFIG_PATH=$TG_BUILD_DIR/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
if TOLLGATE_PKGCONFIG=tollgate-swupdate-uninstalled \
   "$TG_SOURCE_DIR/examples/swupdate/build-swupdate.sh" --cache "$cache" "$W/swupdate" >"$W/build.out" 2>&1; then
  ok "SWUpdate built from Debian's source package with the tollgate handler"
else
  not_ok "building SWUpdate with the handler"; sed 's/^/  | /' "$W/build.out" | tail -20
  finish; exit 1
fi
SWU=$W/swupdate/swupdate
"$TG_SOURCE_DIR/examples/swupdate/make-patch.sh" "$cache" >"$W/patch"
if cmp -s "$W/patch" "$TG_SOURCE_DIR/examples/swupdate/0001-handlers-add-tollgate.patch"; then
  ok "the shipped patch matches handlers/swupdate/tollgate_handler.c"
else
  not_ok "examples/swupdate/0001-handlers-add-tollgate.patch is stale: regenerate it with make-patch.sh"
fi
rm -rf "$W/swupdate/.git" 2>/dev/null || true

swu_scenarios "" "$SWU"
grep -q "tollgate: SWUpdate's own checks" "$W/swu.log" && ok "handler traces SWUpdate's own version checks" ||
  not_ok "no trace of SWUpdate's own checks"
swu_notice_scenario "" "$SWU"
finish
