#!/usr/bin/env bash
# The compiled-in handler: SWUpdate built from Debian's source package with
# the examples/swupdate patch for its layout (2022.12: handlers/Config.in;
# in the updater matrix, 2024.12.1: handlers/Kconfig), driven through the
# policy scenarios; a progress client receives the notices the C handler
# sends through swupdate_progress_info(). Sources are cached by
# scripts/updaters.sh under _build/updaters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
swu_require make gcc cpio patch pkg-config apt-get jq swupdate-client swupdate-progress

release=swupdate-2022.12
cache=${TG_SWUPDATE_CACHE:-$TG_SOURCE_DIR/_build/updaters}
if [ -n "${TG_SWUPDATE_PREFIX:-}" ]; then
  release=$(basename "$(dirname "$TG_SWUPDATE_PREFIX")")
  cache=$(dirname "$(dirname "$TG_SWUPDATE_PREFIX")")
fi
export PKG_CONFIG_PATH=$TG_BUILD_DIR/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
if TOLLGATE_PKGCONFIG=tollgate-swupdate-uninstalled \
   "$TG_SOURCE_DIR/examples/swupdate/build-swupdate.sh" --release "$release" --cache "$cache" \
   "$W/swupdate" >"$W/build.out" 2>&1; then
  ok "$release built from Debian's source package with the tollgate handler"
else
  not_ok "building $release with the handler"; sed 's/^/  | /' "$W/build.out" | tail -20
  finish; exit 1
fi
SWU=$W/swupdate/swupdate
src=$("$TG_SOURCE_DIR/scripts/updaters.sh" --out "$cache" --source "$release")
shipped=$TG_SOURCE_DIR/examples/swupdate/0001-handlers-add-tollgate-upto-2024.05.patch
[ -f "$src/handlers/Kconfig" ] && shipped=$TG_SOURCE_DIR/examples/swupdate/0001-handlers-add-tollgate-from-2024.12.patch
"$TG_SOURCE_DIR/examples/swupdate/make-patch.sh" "$src" >"$W/patch"
if cmp -s "$W/patch" "$shipped"; then
  ok "the shipped $(basename "$shipped") matches handlers/swupdate/tollgate_handler.c"
else
  not_ok "$(basename "$shipped") is stale: regenerate it with make-patch.sh"
fi
want=$(awk '/^VERSION =/ { v = $3 } /^PATCHLEVEL =/ { p = $3 } /^SUBLEVEL =/ { s = $3 }
  END { printf "%s.%s%s", v, p, (s != "" ? "." s : "") }' "$src/Makefile")
rm -rf "$W/swupdate/.git" 2>/dev/null || true

swu_scenarios "" "$SWU"
grep -q "tollgate: SWUpdate's own checks" "$W/swu.log" && ok "handler traces SWUpdate's own version checks" ||
  not_ok "no trace of SWUpdate's own checks"
swu_notice_scenario "" "$SWU"
expect_audit "every record of the handler names SWUpdate $want" \
  "[.[] | select(.updater.name? == \"swupdate\")] | length > 0 and all(.updater.version == \"$want\")"
finish
