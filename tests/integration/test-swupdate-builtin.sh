#!/usr/bin/env bash
# The compiled-in handler: SWUpdate built from Debian's source package (or a
# tree scripts/updaters.sh has from --tree) with the examples/swupdate patch
# for its release (examples/swupdate/patches.sh; 2022.12 by default, the
# release of TG_SWUPDATE_PREFIX's cell in the updater matrix), driven through
# the policy scenarios; a progress client receives the notices the C handler
# sends through swupdate_progress_info(). Sources are cached by
# scripts/updaters.sh under _build/updaters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
. "$TG_SOURCE_DIR/examples/swupdate/patches.sh"
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
  ok "$release built from its source (scripts/updaters.sh) with the tollgate handler"
else
  not_ok "building $release with the handler"; sed 's/^/  | /' "$W/build.out" | tail -20
  finish; exit 1
fi
SWU=$W/swupdate/swupdate
src=$("$TG_SOURCE_DIR/scripts/updaters.sh" --out "$cache" --source "$release")
# The shipped patch of this release (the one build-swupdate.sh applied) is
# not stale: it is what make-patch.sh writes for this tree, or, for a tree
# of its range it was not written from, it changes the files the same way.
if name=$(tollgate_patch "$src" 2>&1); then
  "$TG_SOURCE_DIR/examples/swupdate/make-patch.sh" "$src" >"$W/patch"
  mkdir -p "$W/fresh"
  same=y
  for f in $(sed -n 's|^+++ b/||p' "$W/patch"); do
    mkdir -p "$W/fresh/$(dirname "$f")"
    [ ! -f "$src/$f" ] || cp "$src/$f" "$W/fresh/$f"
  done
  patch -s -p1 -d "$W/fresh" <"$W/patch" >/dev/null || same=n
  for f in $(sed -n 's|^+++ b/||p' "$W/patch"); do
    cmp -s "$W/fresh/$f" "$W/swupdate/$f" || same=n
  done
  if cmp -s "$W/patch" "$TG_SOURCE_DIR/examples/swupdate/$name"; then
    ok "the shipped $name matches handlers/swupdate/tollgate_handler.c"
  elif [ $same = y ]; then
    ok "the shipped $name gives SWUpdate $(swupdate_release "$src") the files make-patch.sh writes (the patch is written from another release of its range)"
  else
    not_ok "$name is stale: regenerate it with make-patch.sh --shipped from the tree it is written from"
  fi
else
  not_ok "$name"
fi
want=$(swupdate_release "$src")
rm -rf "$W/swupdate/.git" 2>/dev/null || true

SWU_RELEASE=$want swu_scenarios "" "$SWU"
grep -q "tollgate: SWUpdate's own checks" "$W/swu.log" && ok "handler traces SWUpdate's own version checks" ||
  not_ok "no trace of SWUpdate's own checks"
swu_notice_scenario "" "$SWU"
expect_audit "every record of the handler names SWUpdate $want" \
  "[.[] | select(.updater.name? == \"swupdate\")] | length > 0 and all(.updater.version == \"$want\")"
finish
