#!/usr/bin/env bash
# `meson install` of this build into a DESTDIR: lists the installed tree and
# checks paths, modes and that what was installed works from there: the
# binaries run, a program builds against the headers and pkg-config file,
# Lua 5.3 loads the module from its standard paths, the units name
# installed programs, the tmpfiles.d file creates the directories with their
# modes, the D-Bus files and schemas parse, the man pages render.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
R=$W/root
if ! meson install -C "$TG_BUILD_DIR" --no-rebuild --destdir "$R" >"$W/install.log" 2>&1; then
  not_ok "meson install failed"; tail -20 "$W/install.log" | sed 's/^/  | /'; finish; exit 1
fi
ok "meson install --destdir"

# The directories this build installs into (absolute, as meson resolves them).
opt() { meson introspect --buildoptions "$TG_BUILD_DIR" | jq -r --arg n "$1" '.[] | select(.name == $n) | .value'; }
prefix=$(opt prefix)
abs() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
bindir=$(abs "$(opt bindir)") libdir=$(abs "$(opt libdir)") libexecdir=$(abs "$(opt libexecdir)")
includedir=$(abs "$(opt includedir)") datadir=$(abs "$(opt datadir)") mandir=$(abs "$(opt mandir)")
sysconfdir=$(abs "$(opt sysconfdir)")
unitdir=$(opt systemdsystemunitdir); [ -n "$unitdir" ] || unitdir=$prefix/lib/systemd/system
tmpfilesdir=$(opt tmpfilesdir); [ -n "$tmpfilesdir" ] || tmpfilesdir=$prefix/lib/tmpfiles.d

echo "# installed tree (prefix $prefix):"
(cd "$R" && find . -mindepth 1 \( -type f -o -type l \) -printf '%M %p\n' | sort -k2 | sed 's/^/#   /')

# mode_is DESC PATH MODE: PATH (in the DESTDIR) exists with exactly MODE.
mode_is() {
  local got
  got=$(stat -c %a "$R$2" 2>/dev/null || echo missing)
  [ "$got" = "$3" ] && ok "$1: $2 ($3)" || not_ok "$1: $2 is $got, wanted $3"
}

# ---- programs ----------------------------------------------------------------
mode_is "CLI in bindir" "$bindir/tollgate" 755
rauc=$(opt rauc)
if [ "$rauc" = true ]; then
  for h in tollgate-rauc-pre-install tollgate-rauc-post-install tollgate-rauc-commit; do
    mode_is "RAUC handler" "$libexecdir/tollgate/$h" 755
  done
fi
expect_exit 0 "installed tollgate runs" -- "$R$bindir/tollgate" --help
mode_is "example policy" "$sysconfdir/tollgate/tollgate.conf" 644
mode_is "drop-in directory" "$sysconfdir/tollgate/conf.d" 755
cmp -s "$R$sysconfdir/tollgate/tollgate.conf" "$TG_SOURCE_DIR/examples/policies/consumer.conf" &&
  ok "the example policy is examples/policies/consumer.conf" || not_ok "installed policy differs from consumer.conf"
expect_exit 0 "the installed policy passes config check" -- \
  "$R$bindir/tollgate" --config "$R$sysconfdir/tollgate/tollgate.conf" config check

# ---- library, headers, pkg-config ------------------------------------------
mode_is "shared library" "$libdir/libtollgate.so.0.1.0" 755
[ -L "$R$libdir/libtollgate.so.0" ] && [ -L "$R$libdir/libtollgate.so" ] &&
  ok "soname and development links" || not_ok "libtollgate.so.0 / libtollgate.so links missing"
# Every layer's include/tollgate/ is public (ARCHITECTURE.md), except the
# evidence exporter's, which is not part of the device library.
for h in "$TG_SOURCE_DIR"/policy/*/include/tollgate/*.h "$TG_SOURCE_DIR"/plugins/include/tollgate/*.h; do
  [ -f "$R$includedir/tollgate/$(basename "$h")" ] || not_ok "public header $(basename "$h") not installed"
done
[ ! -e "$R$includedir/tollgate/evidence.h" ] || not_ok "evidence.h is installed, but the exporter is not in libtollgate"
ok "every layer's public headers are installed, the exporter's are not"
mode_is "pkg-config file" "$libdir/pkgconfig/tollgate.pc" 644
cat >"$W/use.c" <<'EOF'
#include <stdio.h>
#include <tollgate/tollgate.h>

int main(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(TgVersion) a = tg_version_parse(TG_SCHEME_SEMVER, "1.2.0", -1, &error);
	g_autoptr(TgVersion) b = tg_version_parse(TG_SCHEME_SEMVER, "1.10.0", -1, &error);

	if (!a || !b)
		return 2;
	printf("%s < %s: %d\n", tg_version_to_string(a), tg_version_to_string(b),
	       tg_version_compare(a, b) < 0);
	return 0;
}
EOF
# The installed .pc with its prefix moved into DESTDIR (--define-variable
# would move glib's prefix too).
mkdir -p "$W/pc"
sed "s|^prefix=.*|prefix=$R$prefix|" "$R$libdir/pkgconfig/tollgate.pc" >"$W/pc/tollgate.pc"
pc() { PKG_CONFIG_PATH=$W/pc pkg-config "$@"; }
read -r -a pcflags <<<"$(pc --cflags --libs tollgate)"
if command -v cc >/dev/null && cc -o "$W/use" "$W/use.c" "${pcflags[@]}" >"$W/cc.log" 2>&1; then
  ok "a program builds against the installed headers with pkg-config tollgate"
  expect_exit 0 "and runs against the installed libtollgate" -- env "${HOST_ENV[@]}" LD_LIBRARY_PATH="$R$libdir" "$W/use"
  expect_output '^1\.2\.0 < 1\.10\.0: 1$' "the installed library compares versions"
else
  not_ok "building against the installed library"; sed 's/^/  | /' "$W/cc.log"
fi
[ -f "$R$libdir/libtollgate-swupdate.a" ] && [ -f "$R$libdir/pkgconfig/tollgate-swupdate.pc" ] &&
  [ -f "$R$includedir/tollgate/tg-swupdate.h" ] &&
  ok "libtollgate-swupdate.a, its header and pkg-config file (SWUpdate's build)" ||
  not_ok "the SWUpdate handler library is not installed completely"

# ---- Lua plugin on the paths of the Lua it was built for ($LUA) -------------
if [ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ]; then
  cmoddir=$(opt lua_cmoddir)
  if [ -z "$cmoddir" ]; then
    if [ "$prefix" = /usr ]; then cmoddir=$libdir/lua/$TG_LUA_VERSION; else cmoddir=$prefix/lib/lua/$TG_LUA_VERSION; fi
  fi
  cmoddir=$(abs "$cmoddir")
  mode_is "Lua module" "$cmoddir/tollgate_swupdate.so" 755
  mode_is "tollgate's Lua handler" "$datadir/lua/$TG_LUA_VERSION/tollgate_swupdate_handler.lua" 644
  if [ "$(opt lua_loader)" = true ]; then
    mode_is "SWUpdate's Lua entry point (-Dlua_loader=true)" "$datadir/lua/$TG_LUA_VERSION/swupdate_handlers.lua" 644
  elif [ -e "$R$datadir/lua/$TG_LUA_VERSION/swupdate_handlers.lua" ]; then
    not_ok "swupdate_handlers.lua is installed without -Dlua_loader=true; the product owns that file"
  else ok "swupdate_handlers.lua is left to the product (-Dlua_loader=false)"; fi
  if command -v "$LUA" >/dev/null; then
    # The directories are on that Lua's default search path (as Debian's
    # liblua compiles it in: the one SWUpdate links)...
    paths=$("$LUA" -e 'print(package.path) print(package.cpath)')
    grep -qF "$cmoddir/?.so" <<<"$paths" && grep -qF "$datadir/lua/$TG_LUA_VERSION/?.lua" <<<"$paths" &&
      ok "module and handler directories are on $LUA's default paths" ||
      not_ok "installed Lua directories are not on the default paths: $paths"
    # ...and what is there loads, with the default paths moved into DESTDIR.
    expect_exit 0 "$LUA loads the installed module" -- env "${HOST_ENV[@]}" \
      LUA_CPATH="$(sed -n 2p <<<"$paths" | sed "s|$cmoddir/|$R$cmoddir/|g")" \
      LUA_PATH="$(sed -n 1p <<<"$paths" | sed "s|$datadir/|$R$datadir/|g")" \
      "$LUA" -e 'local t = require("tollgate_swupdate"); assert(t.handler_name == "tollgate")'
  fi
else
  echo "# Lua module not built (no Lua development files): Lua paths not checked"
fi

# ---- systemd units and tmpfiles.d ----------------------------------------------
units=(tollgate-commit.service)
[ "$rauc" = true ] && units+=(tollgate-rauc-commit.service tollgate-rauc-listen.service)
grep -q 'TG_HAVE_LIBSWUPDATE 1' "$TG_BUILD_DIR/handlers/swupdate/tg-swupdate-config.h" &&
  units+=(tollgate-swupdate-listen.service)
for u in "${units[@]}"; do
  f=$R$unitdir/$u
  mode_is "unit" "$unitdir/$u" 644
  [ -f "$f" ] || continue
  exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$f")
  if [ -n "$exe" ] && [ -x "$R$exe" ] && ! grep -q '@[a-z]*@' "$f"; then
    ok "$u starts an installed program ($exe)"
  else not_ok "$u: ExecStart '$exe' is not an installed program, or a placeholder is left"; fi
  if command -v systemd-analyze >/dev/null; then
    # Parse errors only (no running systemd here): unknown keys, bad values.
    systemd-analyze verify --man=no "$f" >"$W/verify.log" 2>&1 || true
    if grep -Ei 'unknown (key|section)|failed to parse|invalid|bad' "$W/verify.log" | grep -v 'not found\|No such file' >/dev/null; then
      not_ok "$u: systemd-analyze reports"; sed 's/^/  | /' "$W/verify.log"
    else ok "$u: no parse errors from systemd-analyze"; fi
  fi
done
# The units the RAUC kit ships (examples/rauc) and the installed ones say the same.
directives() { sed -e '/^#/d' -e '/^$/d' -e '/^Documentation=/d' -e '/^Conflicts=/d' \
  -e "s|$prefix/bin/|/usr/bin/|" -e "s|$libexecdir/|/usr/libexec/|" "$1"; }
for pair in "tollgate-rauc-listen.service:tollgate-rauc-listen.service" "tollgate-commit.service:tollgate-rauc-commit.service"; do
  [ "$rauc" = true ] || break
  ex=${pair%%:*} inst=${pair#*:}
  if diff <(directives "$TG_SOURCE_DIR/examples/rauc/$ex") <(directives "$R$unitdir/$inst") >"$W/diff" 2>&1; then
    ok "installed $inst matches examples/rauc/$ex"
  else not_ok "installed $inst and examples/rauc/$ex differ"; sed 's/^/  | /' "$W/diff"; fi
done

T=$R$tmpfilesdir/tollgate.conf
mode_is "tmpfiles.d file" "$tmpfilesdir/tollgate.conf" 644
if [ "$(grep -v '^#' "$T")" = "$(printf 'd /var/lib/tollgate 0700 root root -\nd /var/lib/tollgate/log 0750 root root -\nd /var/lib/tollgate-keys 0700 root root -')" ]; then
  ok "tmpfiles.d: /var/lib/tollgate 0700, its log directory 0750, the key directory 0700, root"
else not_ok "tmpfiles.d content"; sed 's/^/  | /' "$T"; fi
if command -v systemd-tmpfiles >/dev/null && [ "$(id -u)" -eq 0 ]; then
  systemd-tmpfiles --create --root="$W/tmproot" "$T" >"$W/tmpfiles.log" 2>&1 || true
  [ "$(stat -c %a "$W/tmproot/var/lib/tollgate" 2>/dev/null)" = 700 ] &&
    [ "$(stat -c %a "$W/tmproot/var/lib/tollgate/log" 2>/dev/null)" = 750 ] &&
    [ "$(stat -c %a "$W/tmproot/var/lib/tollgate-keys" 2>/dev/null)" = 700 ] &&
    ok "systemd-tmpfiles creates the three directories with those modes" ||
    { not_ok "systemd-tmpfiles --create"; sed 's/^/  | /' "$W/tmpfiles.log"; }
fi

# ---- D-Bus, schemas, man pages ---------------------------------------------------
mode_is "D-Bus system bus policy" "$datadir/dbus-1/system.d/org.tollgate.Notify1.conf" 644
mode_is "D-Bus introspection" "$datadir/dbus-1/interfaces/org.tollgate.Notify1.xml" 644
if python3 -c 'import sys, xml.dom.minidom as m; [m.parse(f) for f in sys.argv[1:]]' \
    "$R$datadir/dbus-1/system.d/org.tollgate.Notify1.conf" "$R$datadir/dbus-1/interfaces/org.tollgate.Notify1.xml" 2>"$W/xml.err"; then
  ok "both D-Bus files are well-formed XML"; else not_ok "D-Bus XML: $(cat "$W/xml.err")"; fi
want=$(cd "$TG_SOURCE_DIR/docs/schema" && ls)
have=$(cd "$R$datadir/tollgate/schema" 2>/dev/null && ls)
[ -n "$want" ] && [ "$want" = "$have" ] && ok "every schema of docs/schema in datadir/tollgate/schema" ||
  not_ok "schemas: installed '$have', wanted '$want'"
for s in "$R$datadir"/tollgate/schema/*.json; do
  m=$(stat -c %a "$s"); jq -e '."$schema" != null' "$s" >/dev/null 2>&1 && [ "$m" = 644 ] ||
    not_ok "$(basename "$s"): not a JSON Schema or mode $m"
done
ok "installed schemas are JSON Schemas, mode 644"
if [ -d "$TG_SOURCE_DIR/data/oscal" ]; then
  want=$(cd "$TG_SOURCE_DIR/data/oscal" && ls)
  have=$(cd "$R$datadir/tollgate/oscal" 2>/dev/null && ls)
  [ -n "$want" ] && [ "$want" = "$have" ] && ok "the OSCAL catalog in datadir/tollgate/oscal" ||
    not_ok "OSCAL files: installed '$have', wanted '$want'"
fi

if command -v scdoc >/dev/null; then
  for page in man1/tollgate.1 man5/tollgate.conf.5; do
    f=$R$mandir/$page
    mode_is "man page" "$mandir/$page" 644
    name=$(basename "$page"); name=${name%.*}; sec=${page##*.}
    grep -q "^\.TH \"$name\" \"$sec\"" "$f" && ok "$page has the roff header .TH \"$name\" \"$sec\"" ||
      not_ok "$page: no .TH header"
    if command -v man >/dev/null; then
      if MANWIDTH=80 man --warnings -l "$f" >"$W/man.out" 2>"$W/man.err" && [ ! -s "$W/man.err" ] &&
         grep -q '^NAME' "$W/man.out" && grep -q '^SEE ALSO' "$W/man.out"; then
        ok "man -l renders $page without warnings"
      else not_ok "man -l $page"; head -5 "$W/man.err" | sed 's/^/  | /'; fi
    fi
  done
  # Every command of `tollgate --help` is in tollgate(1).
  missing=""
  for c in $("$TG" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
    grep -Eq "^\*$c( [a-z]+)?\*" "$TG_SOURCE_DIR/docs/man/tollgate.1.scd" || missing="$missing $c"
  done
  [ -z "$missing" ] && ok "tollgate(1) describes every command of tollgate --help" ||
    not_ok "tollgate(1) lacks:$missing"
else
  echo "# scdoc not installed: man pages not built (scripts/install-deps.sh build installs it)"
fi

# ---- nothing else --------------------------------------------------------------
stray=$(cd "$R" && find . \( -type f -o -type l \) | sed 's|^\.||' | grep -v "^$prefix/" | grep -v "^$sysconfdir/" |
  grep -v "^$unitdir/" | grep -v "^$tmpfilesdir/" || true)
[ -z "$stray" ] && ok "nothing installed outside prefix, sysconfdir, unit and tmpfiles directories" ||
  not_ok "installed outside the expected directories: $stray"
tests=$(cd "$R" && find . -type f \( -name 'test-*' -o -name 'fuzz-*' -o -name 'notify-subscriber' \) || true)
[ -z "$tests" ] && ok "no test or fuzz program installed" || not_ok "test programs installed: $tests"
finish
