#!/usr/bin/env bash
# The systemd units as `meson install` writes them, checked inside the
# DESTDIR by tests/packaging/check-units.sh: systemd-analyze verify clean,
# exposure at most 3.0 for the listeners and tollgate-commit.service.
# (The Debian packages' units get the same check in tests/packaging/test-deb.sh.)
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
R=$W/root
if ! meson install -C "$TG_BUILD_DIR" --no-rebuild --destdir "$R" >"$W/install.log" 2>&1; then
  not_ok "meson install failed"; tail -20 "$W/install.log" | sed 's/^/  | /'; finish; exit 1
fi
unitdir=$(meson introspect --buildoptions "$TG_BUILD_DIR" | jq -r '.[] | select(.name == "systemdsystemunitdir") | .value')
prefix=$(meson introspect --buildoptions "$TG_BUILD_DIR" | jq -r '.[] | select(.name == "prefix") | .value')
[ -n "$unitdir" ] || unitdir=$prefix/lib/systemd/system
if [ "$unitdir" = no ]; then echo "SKIP: built with -Dsystemdsystemunitdir=no"; exit 77; fi
if "$TG_SOURCE_DIR/tests/packaging/check-units.sh" "$R" "$unitdir" >"$W/units.out" 2>&1; then
  ok "units under $unitdir pass systemd-analyze verify and security"
else
  not_ok "units under $unitdir fail the unit checks"
fi
sed 's/^/  | /' "$W/units.out"
finish
