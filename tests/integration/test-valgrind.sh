#!/usr/bin/env bash
# Memcheck over a realistic device scenario: the `tollgate` CLI (first boot,
# allow, refuse, defer, installed, commit, status, audit verify, user
# actions, error and tamper paths, with file and stderr notice sinks), the
# RAUC pre-install and post-install handlers in a fake RAUC environment (a
# bundle mount directory with manifest.raucm and tollgate.conf), and the
# SWUpdate Lua module (valgrind_swupdate_lua). Every run must end with its
# normal exit status, no memcheck error and no definite leak.
# Skipped (77) when valgrind is missing or the build uses sanitizers.
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/rauc.sh
. "$TG_SOURCE_DIR/scripts/lib/rauc.sh"   # rauc_write_manifest

command -v valgrind >/dev/null ||
  { echo "SKIP: valgrind is missing (scripts/install-deps.sh test installs it)"; exit 77; }
if [ -n "${TG_SANITIZE:-}" ] || grep -q 'fsanitize' "$TG_BUILD_DIR/build.ninja" 2>/dev/null; then
  echo "SKIP: sanitizer build: valgrind cannot run ASan binaries"; exit 77
fi

PRE=$TG_BUILD_DIR/handlers/rauc/tollgate-rauc-pre-install
POST=$TG_BUILD_DIR/handlers/rauc/tollgate-rauc-post-install
P=$W/etc/tollgate.conf
export G_SLICE=always-malloc G_DEBUG=fatal-criticals
runs=0

# vg WANT DESCRIPTION -- command...: the command under memcheck exits WANT
# (99 means a memcheck error or a definite leak) and its log is clean.
vg() {
  local want=$1 desc=$2 got=0 log
  shift 3
  runs=$((runs + 1))
  log=$W/vg.$runs.log
  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --track-fds=no --num-callers=30 --log-file="$log" \
    "$@" >"$W/out" 2>"$W/err" || got=$?
  if [ "$got" = "$want" ] && ! grep -Eq 'definitely lost|Invalid|uninitialised|Mismatched' "$log"; then
    ok "memcheck clean: $desc (exit $got)"
  else
    not_ok "memcheck: $desc: exit $got, wanted $want"
    sed 's/^/  | /' "$log" | head -60; sed 's/^/  > /' "$W/out" "$W/err" | head -10
  fi
}

write_policy "$P" "" "[sink.admin]" "type=file" "directory=$W/notices" \
  "[sink.console]" "type=stderr"
sed -i 's/^scheme=semver$/scheme=semver\ndefault-component=rootfs/' "$P"
rm -f "$W/etc/state.key"  # first boot creates the key
echo "1.0.0" >"$W/etc/version"
T=("$TG" --config "$P")
DIGEST=$(printf 'b%.0s' $(seq 64))

# ---- the CLI ----------------------------------------------------------------
vg 0 "gate allow on first boot" -- "${T[@]}" gate --version 1.1.0 --class feature
vg 10 "gate refuse (below the floor, notice to the spool)" -- "${T[@]}" gate --version 0.9.0
vg 10 "gate refuse (unparseable version)" -- "${T[@]}" gate --version v2.0
vg 0 "postpone" -- "${T[@]}" postpone --for 2d
vg 11 "gate defer (postponed)" -- "${T[@]}" gate --version 1.2.0 --class feature --json
vg 0 "gate allow security with advisories" -- "${T[@]}" gate --version 1.0.1 --class security \
  --risk "fixes a remote code execution" --advisory CVE-2026-0001 --reboot --digest "$DIGEST"
vg 0 "approve by digest" -- "${T[@]}" approve "$DIGEST"
vg 0 "installed" -- "${T[@]}" installed --version 1.0.1 --class security --digest "$DIGEST"
vg 0 "failed" -- "${T[@]}" failed --version 1.1.2 --reason "slot write error"
vg 0 "commit" -- "${T[@]}" commit
vg 0 "settings change" -- "${T[@]}" settings auto-install.feature=off
vg 0 "record-check" -- "${T[@]}" record-check --result available --version 1.3.0
vg 0 "status" -- "${T[@]}" status
vg 0 "status --json" -- "${T[@]}" status --json
vg 0 "config check" -- "${T[@]}" config check
vg 0 "audit show" -- "${T[@]}" audit show
vg 0 "audit verify" -- "${T[@]}" audit verify
vg 1 "error path: missing policy" -- "$TG" --config "$W/missing.conf" gate --version 2.0.0
vg 2 "error path: unknown option" -- "${T[@]}" gate --bogus
sed -i -E 's/("floor" *: *)"1\.0\.1"/\1"0.1.0"/' "$W/state/state"
vg 10 "tamper path: edited state refused" -- "${T[@]}" gate --version 1.4.0
vg 0 "state reseed" -- "${T[@]}" state reseed --installed 1.0.1
ls "$W"/notices/*.json >/dev/null 2>&1 && ok "notices reached the spool" || not_ok "no notice in the spool"

# ---- the RAUC handlers in a fake RAUC environment ---------------------------
B=$W/bundle
mkdir -p "$B"
rauc_write_manifest "$B/manifest.raucm" tg-test 1.2.1 vg-1 class=security
cat >"$B/tollgate.conf" <<EOF
[tollgate]
class=security
risk=fixes a login bypass
advisories=CVE-2026-2222;CVE-2026-2223
severity=high
services=web-ui
EOF
RAUC_ENV=(env TOLLGATE_CONFIG="$P" RAUC_BUNDLE_MOUNT_POINT="$B" RAUC_VERSION=1.8
  RAUC_SYSTEM_COMPATIBLE=tg-test RAUC_TARGET_SLOTS=1 RAUC_SLOT_CLASS_1=rootfs
  RAUC_SLOT_BOOTNAME_1=B RAUC_SLOT_DEVICE_1="$W/slotB.img" RAUC_IMAGE_NAME_1=rootfs.img
  RAUC_IMAGE_DIGEST_1="$DIGEST" RAUC_IMAGE_CLASS_1=rootfs)
vg 0 "RAUC pre-install allows 1.2.1" -- "${RAUC_ENV[@]}" "$PRE" ""
grep -q '^tollgate: allowed 1.2.1' "$W/out" && ok "pre-install printed its decision line" ||
  not_ok "pre-install line: $(cat "$W/out")"
vg 0 "RAUC post-install records 1.2.1" -- "${RAUC_ENV[@]}" "$POST"
grep -q 'recorded installed 1.2.1' "$W/out" && ok "post-install recorded the install" ||
  not_ok "post-install: $(cat "$W/out")"
sed -i 's/^version=1.2.1$/version=0.5.0/' "$B/manifest.raucm"
vg 10 "RAUC pre-install refuses 0.5.0" -- "${RAUC_ENV[@]}" "$PRE" ""
printf 'class=feature\n' >>"$B/tollgate.conf"
vg 1 "RAUC pre-install: bad sidecar is an error" -- "${RAUC_ENV[@]}" "$PRE" ""
vg 1 "RAUC pre-install without a bundle is an error" -- \
  env TOLLGATE_CONFIG="$P" "$PRE" ""
vg 0 "RAUC post-install without a policy exits 0 and says why" -- \
  env TOLLGATE_CONFIG="$W/missing.conf" RAUC_BUNDLE_MOUNT_POINT="$B" "$POST"

# ---- the SWUpdate Lua module --------------------------------------------------
# The module's own calls (gate, installed, failed) in a plain Lua 5.3, as
# swupdate_handlers.lua makes them. Kept to the API documented at the top
# of handlers/swupdate/lua/tollgate-lua.c; extend with the handler scenarios.
valgrind_swupdate_lua() {
  local mod=$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so
  if [ ! -f "$mod" ] || ! command -v "$LUA" >/dev/null; then
    echo "# Lua module not built or $LUA missing: Lua memcheck not run"; return 0
  fi
  cat >"$W/lua-scenario.lua" <<'EOF'
local t = require("tollgate_swupdate")
local opts = { config = arg[1], swdesc = arg[2], updater_version = "2022.12" }
local function image(v, props) return { name = "rootfs", version = v, properties = props } end
local code = t.gate(image("1.3.0", { class = "security", risk = "fixes a crash" }), opts)
assert(code == 0, "gate 1.3.0: " .. tostring(code))
assert(t.installed(image("1.3.0", { class = "security" }), opts))
code = t.gate(image("0.1.0", { class = "feature" }), opts)
assert(code == 10, "gate 0.1.0: " .. tostring(code))
assert(t.failed(image("1.3.1", {}), opts, "write error"))
code = t.gate(image("v2", {}), opts)
assert(code == 10, "gate v2: " .. tostring(code))
EOF
  printf 'software = { version = "1.3.0"; };\n' >"$W/sw-description"
  vg 0 "Lua module: gate, installed, failed in $LUA" -- env LUA_CPATH="$TG_BUILD_DIR/handlers/swupdate/?.so;;" \
    "$LUA" "$W/lua-scenario.lua" "$P" "$W/sw-description"
}
valgrind_swupdate_lua

vg 0 "audit verify after everything" -- "${T[@]}" audit verify
finish
