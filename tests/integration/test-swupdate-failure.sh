#!/usr/bin/env bash
# Done-when 4: an install that fails for SWUpdate's own reason (a corrupted
# payload whose sha256 does not match) is recorded by `tollgate
# swupdate-listen` as update.failed, never as refused; refusals by the Lua
# handler and by the precheck are never recorded as failures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
swu_require swupdate swupdate-client cpio openssl jq
[ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ] ||
  { echo "SKIP: the Lua module was not built (no Lua development files for the Lua swupdate links)"; exit 77; }
"$TG" swupdate-listen --help >/dev/null 2>&1 || { echo "SKIP: no swupdate-listen"; exit 77; }
export LUA_PATH="$TG_SOURCE_DIR/handlers/swupdate/lua/?.lua;;"
export LUA_CPATH="$TG_BUILD_DIR/handlers/swupdate/?.so;;"

swu_keys
swu_policy
swu_write_config "$W/swupdate.cfg" "$SWU_CERT" "$TG --config $POLICY swupdate-precheck"
start_daemon swupdate -f "$W/swupdate.cfg" -H board:1.0
TMPDIR=$SWU_TMP "$TG" --config "$POLICY" swupdate-listen >"$W/listen.out" 2>&1 &
SWU_PIDS+=($!)
relisten_after 0 || not_ok "the listener did not connect"

make_swu bad 1.1.0 'class = "security"; risk = "x";' signed corrupt
push_update bad
wait_for "$W/listen.out" "failed install of 1.1.0" || true
grep -q "HASH mismatch" "$W/daemon.log" && grep -q "Not installing" "$W/daemon.log" &&
  ! grep -q "SWUPDATE successful" "$W/daemon.log" && ok "SWUpdate logged the hash mismatch and did not install" ||
  not_ok "no hash failure in SWUpdate's log"
[ "$(cat "$SWU_TARGET")" = "payload 1.0.0" ] && ok "target unchanged after the hash failure" ||
  not_ok "target changed: $(cat "$SWU_TARGET")"
expect_audit "the corrupted install is recorded as update.failed" \
  'any(.[]; .event == "update.failed" and .candidate.version == "1.1.0" and (.failure | test("failed")))'
expect_audit "and it was allowed by the gate, never refused" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "1.1.0") | .decision.verdict] | all(. == "allow")'

# A refusal by the precheck (preupdatecmd) is not a failure.
make_swu down 0.9.0 'class = "feature";' signed
push_update down
wait_for "$W/listen.out" "0\.9\.0 stopped by the tollgate precheck" || true
expect_audit "0.9.0 refused" "($(last_decision 0.9.0)).verdict == \"refuse\""
expect_audit "the refusal is not recorded as update.failed" 'all(.[]; .event != "update.failed" or .candidate.version != "0.9.0")'
grep -q "stopped by the tollgate precheck" "$W/listen.out" && ok "listener says the precheck stopped it" ||
  { not_ok "listener output"; sed 's/^/  | /' "$W/listen.out"; }
# The same version again at once, for another board: SWUpdate's hardware
# check stops it before the precheck runs. The precheck's refusal a moment
# ago explained the last failure, not this one: it is SWUpdate's failure.
make_swu down-hw 0.9.0 'class = "feature";' signed hw=9.9
push_update down-hw
wait_for "$W/listen.out" "failed install of 0.9.0" || true
expect_audit "the next failure of 0.9.0 (hardware) is recorded as SWUpdate's, not blamed on the precheck" \
  'any(.[]; .event == "update.failed" and .candidate.version == "0.9.0" and (.failure | test("compatible|hardware|failed")))'

# A deferral by the Lua handler (PREINSTALL; no precheck configured this
# time) is not a failure either: the handler's decision INFO tells the
# listener.
links=$(grep -c 'listening on' "$W/listen.out" || true)
swu_stop "$SWU_DAEMON"
start_daemon swupdate -k "$SWU_CERT" -H board:1.0
relisten_after "$links" || not_ok "the listener did not reconnect"
expect_exit 0 "postpone feature updates" -- tg postpone --for 1d --class feature
make_swu feat 1.2.0 'class = "feature";' signed
push_update feat
# The notice for 1.2.0 comes first: wait for the listener's own line.
wait_for "$W/listen.out" "install of 1\.2\.0 stopped by tollgate" || true
expect_audit "1.2.0 deferred" "($(last_decision 1.2.0)).verdict == \"defer\""
expect_audit "the deferral is not recorded as update.failed" 'all(.[]; .event != "update.failed" or .candidate.version != "1.2.0")'
grep -q "install of 1.2.0 stopped by tollgate" "$W/listen.out" && ok "listener says tollgate stopped 1.2.0" ||
  { not_ok "listener output for 1.2.0"; sed 's/^/  | /' "$W/listen.out"; }

# SWUpdate's own version limit (-N, no-downgrading) refuses before any
# tollgate code runs: the listener reads the refusal from SWUpdate's
# notification stream and records it as the updater's refusal, not a failure.
links=$(grep -c 'listening on' "$W/listen.out" || true)
swu_stop "$SWU_DAEMON"
start_daemon swupdate -k "$SWU_CERT" -H board:1.0 -N 2.0.0
relisten_after "$links" || not_ok "the listener did not reconnect"
make_swu lim 1.5.0 'class = "security"; risk = "x";' signed
push_update lim
wait_for "$W/listen.out" "recorded SWUpdate's own refusal of 1\.5\.0" || true
grep -q "No downgrading allowed" "$W/daemon.log" && ! grep -q "SWUPDATE successful" "$W/daemon.log" &&
  ok "SWUpdate's -N 2.0.0 refused 1.5.0" || not_ok "SWUpdate did not refuse 1.5.0 by -N"
expect_audit "the refusal is recorded as update.updater-refused for 1.5.0 with SWUpdate's message" \
  'any(.[]; .event == "update.updater-refused" and .candidate.version == "1.5.0" and
   .outcome == "refused-by-updater" and (.refusal | test("No downgrading allowed: new version 1\\.5\\.0")))'
expect_audit "and not as a failed install, nor as a decision of the gate" \
  'all(.[]; (.event != "update.failed" and .event != "gate.decision") or .candidate.version != "1.5.0")'
grep -q "recorded SWUpdate's own refusal of 1.5.0" "$W/listen.out" && ok "listener says SWUpdate refused it" ||
  { not_ok "listener output for 1.5.0"; sed 's/^/  | /' "$W/listen.out"; }
expect_exit 0 "audit log verifies" -- tg audit verify

# A listener built for another progress protocol stops with one sentence
# (no reconnect loop, no descriptors piling up in the daemon): this build's
# listener against the SWUpdate of the other protocol, where there is one.
# Between two protocols without the connect handshake (2022.12 and
# 2023.12/2024.05) nothing tells them apart before the first message.
if [ -n "${TG_SWUPDATE_PREFIX:-}" ] &&
   ! grep -q PROGRESS_CONNECT_ACK_MAGIC "$TG_SWUPDATE_PREFIX/include/progress_ipc.h"; then
  other=none
elif [ -n "${TG_SWUPDATE_PREFIX:-}" ]; then
  other=/usr/bin/swupdate want="sent no connect acknowledgement"
else
  other=${TG_SWUPDATE_CACHE:-$TG_SOURCE_DIR/_build/updaters}/swupdate-2024.12.1/prefix/bin/swupdate
  want="acknowledged the connection"
fi
if [ -x "$other" ]; then
  swu_stop "$SWU_DAEMON"
  start_daemon "$other" -k "$SWU_CERT" -H board:1.0
  rc=0
  TMPDIR=$SWU_TMP timeout 20 "$TG" --config "$POLICY" swupdate-listen >"$W/mismatch.out" 2>&1 || rc=$?
  fds=$(ls "/proc/$SWU_DAEMON/fd" 2>/dev/null | wc -l)
  if [ "$rc" = 1 ] && grep -q "$want" "$W/mismatch.out" && grep -q "Dswupdate_prefix" "$W/mismatch.out"; then
    ok "listener against $($other --version | head -1): exit 1 with a clear sentence"
  else
    not_ok "listener against $other: exit $rc"; sed 's/^/  | /' "$W/mismatch.out"
  fi
  [ "$fds" -lt 40 ] && ok "the daemon holds $fds descriptors afterwards (no reconnect loop)" ||
    not_ok "the daemon holds $fds descriptors after the mismatched listener"
else
  echo "# no SWUpdate of the other progress protocol at $other: mismatch not checked here (tests/matrix.sh builds it)"
fi
finish
