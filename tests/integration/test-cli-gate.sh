#!/usr/bin/env bash
# The built `tollgate` binary: allow, refuse and defer with the documented
# exit codes; commit raises the floor; lost and tampered state fail closed;
# concurrent runs serialize.
. "$(dirname "$0")/lib.sh"

P=$W/etc/tollgate.conf
write_policy "$P" "" "[disruption]" "require-approval=true"
echo "1.0.0" >"$W/etc/version"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P"

expect_exit 0 "upgrade allowed" -- $T gate --version 1.1.0 --class feature
expect_output '^allowed 1\.1\.0' "allow line names the version"
expect_exit 10 "downgrade refused" -- $T gate --version 0.9.0
expect_output 'below' "refusal says why"
expect_exit 10 "unparseable version refused" -- $T gate --version v2.0
expect_output "v2\.0" "refusal quotes the version"
expect_exit 11 "disruptive update deferred without approval" -- $T gate --version 1.2.0 --reboot --digest "$(printf 'a%.0s' $(seq 64))"
expect_output 'tollgate approve' "defer names the approve command"
expect_exit 0 "approve by digest" -- $T approve "$(printf 'a%.0s' $(seq 64))"
expect_exit 0 "approved disruptive update allowed" -- $T gate --version 1.2.0 --reboot --digest "$(printf 'a%.0s' $(seq 64))"
expect_exit 0 "gate --json" -- $T gate --version 1.1.0 --json
if jq -e '.verdict == "allow" and (.checks | length) == 5' "$W/out" >/dev/null; then ok "json decision has 5 checks"; else not_ok "json decision"; cat "$W/out"; fi
expect_exit 2 "unknown option is a usage error" -- $T gate --bogus
expect_exit 1 "missing policy is an error, never allow" -- $TG --config "$W/nope.conf" gate --version 9.0.0
expect_output 'nope\.conf' "error names the missing file"

# Floors rise only at commit.
expect_exit 0 "installed 1.1.0" -- $T installed --version 1.1.0 --class feature
expect_exit 0 "1.0.5 still allowed before commit" -- $T gate --version 1.0.5
expect_exit 0 "commit" -- $T commit
expect_output 'committed 1 component' "commit reports one component"
expect_exit 10 "1.0.5 refused after commit" -- $T gate --version 1.0.5
expect_exit 0 "status" -- $T status
expect_output '^last decision: refused 1\.0\.5' "status shows the last refusal in one line"
expect_output 'floor 1\.1\.0' "status shows the floor"

# Postpone within and beyond the feature maximum (default 30d).
expect_exit 1 "postpone beyond the maximum refused" -- $T postpone --for 60d
expect_output 'max-postpone' "postpone error names the key"
expect_exit 0 "postpone feature 3d" -- $T postpone --for 3d
expect_exit 11 "feature update deferred while postponed" -- $T gate --version 1.3.0 --class feature
expect_exit 0 "security update still installs" -- $T gate --version 1.1.1 --class security --risk "fixes remote code execution" --advisory CVE-2026-0001

# Settings are recorded.
expect_exit 0 "settings change" -- $T settings auto-install.feature=off
expect_output 'auto-install.feature=off' "settings shows the new value"

# Tampered state: floor lowered by editing the file.
sed -i -E 's/("floor" *: *)"1\.1\.0"/\1"0.1.0"/' "$W/state/state"
grep -q '"0.1.0"' "$W/state/state" && ok "floor lowered by editing the state file" || not_ok "could not edit the floor"
expect_exit 10 "tampered state refuses" -- $T gate --version 1.4.0 --class security --risk x
expect_output 'state reseed' "refusal names the recovery command"
expect_exit 0 "reseed" -- $T state reseed --installed 1.1.0
expect_exit 0 "after reseed the gate works" -- $T gate --version 1.4.0 --class security --risk x

# Lost state while history exists fails closed.
rm "$W/state/state"
expect_exit 10 "missing state with history refuses" -- $T gate --version 1.5.0
expect_output 'missing' "refusal says the state is missing"
expect_exit 0 "reseed again" -- $T state reseed --installed 1.1.0

# World-writable policy is refused.
chmod 666 "$P"
expect_exit 1 "world-writable policy refused" -- $T gate --version 1.5.0
expect_output 'chmod' "error says how to fix the mode"
chmod 644 "$P"

# 20 concurrent installed/gate runs serialize without lost updates.
pids=()
for i in $(seq 1 20); do
  if [ $((i % 2)) -eq 0 ]; then
    $T installed --component "c$i" --version "1.$i.0" >/dev/null 2>&1 & pids+=($!)
  else
    $T gate --component "c$i" --version "1.$i.0" >/dev/null 2>&1 & pids+=($!)
  fi
done
wait "${pids[@]}" || true
$T status --json >"$W/status.json"
n=$(jq '[.components | to_entries[] | select(.key | startswith("c")) | select(.value.pending != null)] | length' "$W/status.json")
if [ "$n" = 10 ]; then ok "10 concurrent installs all staged"; else not_ok "concurrent installs: $n of 10 staged"; fi
expect_exit 0 "audit log verifies after all of it" -- $TG --config "$P" audit verify
# 13 gate runs above reached a decision, plus the 10 concurrent ones.
gates=$(grep -c '"event":"gate.decision"' "$W/state/log/audit.log" || true)
[ "$gates" -eq 23 ] && ok "every gate decision recorded ($gates)" || not_ok "$gates gate decisions recorded, wanted 23"

validate_audit_schema "$W"/state/log/audit.log*

# State and log deleted together (a factory reset of the data partition):
# the marker next to the key file shows the device was set up, so it does
# not start afresh; a reseed sets it up again.
cp -a "$W/state" "$W/state.kept"
rm -rf "$W/state"
expect_exit 10 "state and log deleted on a device set up before: refused" -- $T gate --version 1.7.0
expect_output "shows that this device was set up before" "the refusal says why"
expect_output "state reseed" "and how to recover"
grep -q '"event":"state.tamper-detected"' "$W/state/log/audit.log" &&
  ok "the loss is recorded (state.tamper-detected)" || not_ok "the loss is not recorded"
expect_exit 0 "reseed after the loss" -- $T state reseed --installed 1.1.0
expect_exit 0 "the device decides again" -- $T gate --version 1.7.0
rm -rf "$W/state"; mv "$W/state.kept" "$W/state"

# A postpone past the end of time is a usage error with a sentence.
expect_exit 2 "postpone --for past the year 9999 is refused" -- $T postpone --for 99999999999d
expect_output "reaches past the year 9999" "the error says why"

# Text from an update cannot start a line of its own in the output.
rc=0; $T gate --version "$(printf '1.2.0\nallowed 9.9.9')" >"$W/out" 2>"$W/err" || rc=$?
if [ "$rc" = 10 ] && [ "$(wc -l <"$W/out")" = 1 ] && ! grep -q '^allowed' "$W/out"; then
  ok "a newline in the version is shown as \\n on the one output line (refused)"
else
  not_ok "newline in the version: exit $rc"; sed 's/^/  | /' "$W/out"
fi
$T status >"$W/out" 2>&1 || true
! grep -q '^allowed' "$W/out" && grep -q '^last decision: refused 1.2.0\\nallowed' "$W/out" &&
  ok "status shows that version on one line too" || { not_ok "status output"; sed 's/^/  | /' "$W/out"; }

# Failed durable writes refuse (fail closed) and leave no partial line.
if grep -q 'define TG_FAULT_INJECTION 1' "$TG_BUILD_DIR/tg-config.h"; then
  log=$W/state/log/audit.log
  before=$(wc -l <"$log")
  # The state goes to a temp file, the decision record names it, the
  # rename follows (docs/state.md).
  TOLLGATE_FAULT=write:1:ENOSPC expect_exit 10 "state write ENOSPC refuses" -- $T gate --version 1.6.0
  expect_output 'cannot write state' "refusal says the state was not written"
  expect_output 'No space left on device' "refusal says the disk is full"
  TOLLGATE_FAULT=write:2:ENOSPC expect_exit 10 "audit write ENOSPC refuses" -- $T gate --version 1.6.0
  expect_output 'audit' "refusal names the audit log"
  n=$(grep -c '"event":"gate.error"' "$log" || true)
  TOLLGATE_FAULT=rename:1:EIO expect_exit 10 "state rename EIO after the decision record refuses" -- \
    $T gate --version 1.6.0
  expect_output 'cannot write state' "refusal says the state was not written"
  tail -n 2 "$log" >"$W/last2"
  if [ "$(grep -c '"event":"gate.error"' "$log")" = $((n + 1)) ] &&
     head -n1 "$W/last2" | grep -q '"event":"gate.decision"' &&
     tail -n1 "$W/last2" | grep -q '"event":"gate.error".*cannot write state' &&
     [ "$(head -n1 "$W/last2" | jq -r .transaction_id)" = "$(tail -n1 "$W/last2" | jq -r .transaction_id)" ]; then
    ok "a gate.error after the decision record says why its verdict does not hold"
  else
    not_ok "no gate.error after the decision whose state write failed"; sed 's/^/  | /' "$W/last2"
  fi
  # The temp file the decision record names is completed by the next run.
  expect_exit 0 "the next run completes that state write from the temp file" -- $T status
  ls "$W"/state/state.tmp.* >/dev/null 2>&1 && not_ok "a state temp file is left" ||
    ok "no state temp file is left"
  TOLLGATE_FAULT=fsync:3:EIO expect_exit 10 "audit fsync EIO refuses" -- $T gate --version 1.6.0
  expect_output 'Input/output error' "refusal names the I/O error"
  [ "$(tail -c1 "$log" | od -An -c | tr -d ' ')" = '\n' ] && ok "no partial line after failed writes" || not_ok "audit log ends in a partial line"
  expect_exit 0 "log still verifies" -- $TG --config "$P" audit verify
  # A stuck process holding the state lock: the gate gives up with a
  # sentence after the timeout instead of stalling the updater.
  flock "$W/state/state.lock" sleep 5 </dev/null >/dev/null 2>&1 & holder=$!
  sleep 0.2
  SECONDS=0
  TOLLGATE_LOCK_TIMEOUT_MS=300 expect_exit 1 "a held state lock fails the gate after the timeout" -- \
    $T gate --version 1.6.0
  expect_output 'held the state lock .* for more than 300 ms' "the error names the lock and the wait"
  [ "$SECONDS" -lt 4 ] && ok "it did not wait for the holder (${SECONDS}s)" || not_ok "waited ${SECONDS}s"
  pkill -P "$holder" sleep 2>/dev/null || true; wait "$holder" 2>/dev/null || true
else
  echo "# fault injection not built (-Dfault_injection=false): write-failure checks skipped"
fi

# A new device whose policy names no version source starts only from a
# reseed (docs/policy.md); its refusals until then are no loss.
P2=$W/etc/none.conf
cp "$P" "$P2"
sed -i -e 's/^version-source=file$/version-source=none/' -e "s|^directory=$W/state$|directory=$W/fresh|" "$P2"
T2="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P2"
expect_exit 10 "a new device without version source refuses before a reseed" -- $T2 gate --version 0.0.1
expect_output "names no version to start from" "the refusal says why"
expect_exit 10 "and again on the next run (still a new device, not a loss)" -- $T2 gate --version 0.0.1
expect_output "names no version to start from" "the same sentence"
grep -q '"event":"state.tamper-detected"' "$W/fresh/log/audit.log" &&
  not_ok "a new device's refusal was recorded as tampering" || ok "no tamper record for a new device"
expect_exit 0 "reseed sets it up" -- $T2 state reseed --installed 1.0.0
expect_exit 10 "after it the floor holds: 0.0.1 refused" -- $T2 gate --version 0.0.1
expect_output "below the floor 1.0.0" "refused below the reseeded floor"
finish
