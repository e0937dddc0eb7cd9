#!/usr/bin/env bash
# docs/swupdate.md "Try it": the block between the literal-steps markers is
# run exactly as written, with TG and the Lua paths pointing at this build,
# against Debian's stock swupdate. It must install the update, and the
# records must show the precheck's decision, its confirmation and the
# install.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
# The steps run every command as written, so the sanitizer runtime cannot be
# preloaded into swupdate alone; the plain build's run covers them.
if [ -n "${TG_SANITIZE:-}" ]; then echo "SKIP: sanitizer build (the plain build runs the documented steps)"; exit 77; fi
swu_require swupdate cpio openssl jq
[ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ] ||
  { echo "SKIP: the Lua module was not built"; exit 77; }
doc=$TG_SOURCE_DIR/docs/swupdate.md
awk '/<!-- literal-steps: begin -->/ { on = 1; next } /<!-- literal-steps: end -->/ { on = 0 }
     on && !/^```/' "$doc" >"$W/steps.sh"
if [ -s "$W/steps.sh" ]; then ok "extracted $(wc -l <"$W/steps.sh") lines of steps from docs/swupdate.md"
else not_ok "no literal-steps block in $doc"; finish; exit 1; fi
printf 'echo "TRY=$TRY"\n' >>"$W/steps.sh"
run_steps() {
  env TG="$TG" TMPDIR="$W" \
    LUA_PATH="$TG_SOURCE_DIR/handlers/swupdate/lua/?.lua;;" \
    LUA_CPATH="$TG_BUILD_DIR/handlers/swupdate/?.so;;" \
    bash -e -x "$W/steps.sh" >"$W/steps.out" 2>&1
}
rc=0
run_steps || rc=$?
# SWUpdate 2022.12's -i mode exits 1 after a successful install now and then
# (core/install_from_file.c: its post-update IPC to its own daemon thread
# can fail right after the install; more often on a loaded machine). Only
# that case is run again, from a fresh directory, at most twice, and said so.
for again in 1 2; do
  [ "$rc" != 0 ] && grep -q "SWUPDATE successful" "$W/steps.out" &&
    [ "$(grep '^+ ' "$W/steps.out" | tail -1 | cut -c1-11)" = "+ swupdate " ] || break
  echo "# swupdate -i exited $rc after reporting success (SWUpdate's post-update IPC); running the steps again ($again)"
  rc=0
  run_steps || rc=$?
done
if [ "$rc" = 0 ]; then
  ok "the documented steps run to the end"
else  # with the trace: which command of the block stopped it
  not_ok "the documented steps failed (exit $rc)"; tail -40 "$W/steps.out" | sed 's/^/  | /'
fi
try=$(sed -n 's/^TRY=//p' "$W/steps.out" | tail -1)
if [ -n "$try" ] && grep -qx "firmware 1.1.0" "$try/target/rootfs"; then
  ok "the stock swupdate wrote the image"
else not_ok "the target does not hold the image"; fi
grep -q "SWUPDATE successful" "$W/steps.out" && ok "SWUpdate reports success" ||
  not_ok "no success in SWUpdate's output"
log=$try/state/log/audit.log
if jq -se '[.[] | select(.candidate.version == "1.1.0")] as $r |
    ([$r[] | select(.event == "gate.decision" and .decision.verdict == "allow")] | length) == 1 and
    ([$r[] | select(.event == "gate.confirmed")] | length) == 1 and
    ([$r[] | select(.event == "update.installed")] | length) == 1' "$log" >/dev/null 2>&1; then
  ok "the records show the precheck's allow, the handler's confirmation and the install"
else
  not_ok "records of the documented install"
  jq -c '{seq, event, v: .candidate.version}' "$log" 2>/dev/null | sed 's/^/  | /'
fi
grep -q 'gate.confirmed' "$W/steps.out" && ok "audit show lists the confirmation" ||
  not_ok "audit show does not list gate.confirmed"
finish
