#!/usr/bin/env bash
# The attack kit against the real `rauc service` (setup in rauc-lib.sh):
# what an assessor tries against the update mechanism (TS 103 701 5.3-2-2),
# each attack with the device outcome (the checksums of both slots) and the
# audit record it must leave (jq over the log).
#
#  1 replay of an older, correctly signed bundle  refused below-floor
#  2 equal-version reinstall (reinstall=refuse)    refused reinstall-refused
#  3 version confusion: v10.0 and v2.0, a five-field version, a 65536 field
#    under the swupdate scheme                      refused version-unparseable
#  4 metadata claims security for a feature jump while the user postponed
#    feature updates                                deferred, class mixed
#  5 one flipped byte in a signed bundle            RAUC rejects the signature;
#    the pre-install handler never runs, so no decision is recorded; the
#    listener records update.failed for an unknown bundle, not for the last
#    allowed version
#  6 re-running the intact bundle after that failure  installs
#  7 clock set back past the support end           refused support-ended with
#    time trust "clamped"; clock.rollback-detected recorded
#  8 state floor lowered by editing the state file  refused state-unusable,
#    state.tamper-detected, the refusal names `tollgate state reseed`
#  9 audit log: a line removed, lines cut from the front, the tail cut mid-line
#    -> `audit verify` fails naming the file and seq (front and middle); an
#    older copy of the log, an older copy of the state file (HMAC valid) or a
#    deleted log -> refused state-unusable with the reason, until a reseed;
#    a torn tail is moved aside and recorded (log.recovered) by the next run.
#    By design the gate keeps deciding on a log that fails verification: the
#    writer continues the chain from the last complete line and the break
#    stays visible to every later verify. Whole records cut from the tail
#    are caught when they take the record of the current state with them;
#    state and log replayed together need an anchor off the device.
# 10 policy made world-writable                     pre-install fails (1), no
#    decision recorded
# 11 state file or audit log replaced by a symlink  refused / error; nothing is
#    written through the link (O_NOFOLLOW)
# 12 1 MB metadata value in the sidecar             cut to 4096 bytes with a
#    marker, install proceeds; a sidecar over 1 MiB is an error, no crash;
#    a symlinked sidecar is an error that quotes nothing of its target
# 13 two installs at once                           RAUC runs one, refuses the
#    other; one decision, one install recorded, state and log consistent
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rauc-lib.sh"

rauc_require
rauc_setup_device
rauc_start_services
D=$W/etc/conf.d
mkdir -p "$D"
dropin() {  # dropin NAME LINE...: a policy drop-in (removed with rm)
  local f=$D/$1.conf; shift
  printf '%s\n' "$@" >"$f"; chmod 644 "$f"
}
# settle: wait until rauc-listen has gone quiet (its log unchanged for 1 s),
# then count its handled events afresh into $n.
settle() {
  local a b
  for _ in $(seq 1 50); do
    a=$(stat -c %s "$W/listen.log"); sleep 0.5; b=$(stat -c %s "$W/listen.log")
    [ "$a" = "$b" ] && { sleep 0.5; [ "$b" = "$(stat -c %s "$W/listen.log")" ] && break; }
  done
  n=$(listener_events)
}
# rauc_said PATTERN DESCRIPTION: what the handlers printed for the last
# install (RAUC keeps it in its own log) matches PATTERN.
rauc_said() {
  if tail -n 40 "$W/rauc.log" | grep -Eq -- "$1"; then ok "$2"; else
    not_ok "$2: no match for /$1/ in RAUC's log"; tail -n 5 "$W/rauc.log" | sed 's/^/  | /'; fi
}
last_seq() { jq -s 'last | .seq' "$LOG"; }
decided_since() {  # decided_since SEQ VERSION: gate decisions for VERSION after SEQ
  jq -s "[.[] | select(.seq > $1 and .event == \"gate.decision\" and
    .candidate.version == \"$2\")] | length" "$LOG"
}

# ---- the device: 1.1.0 installed and committed --------------------------------
bundle old105 1.0.5 rauc --sidecar class=feature      # an older release, kept
bundle b110 1.1.0 rauc --sidecar class=feature
expect_exit 0 "setup: 1.1.0 installs" -- rauc install "$W/b110.raucb"
start_rauc B
expect_exit 0 "setup: commit 1.1.0 after booting slot B" -- env RAUC=rauc TOLLGATE="$T" sh "$COMMIT"
floor_is 1.1.0 "setup: floor 1.1.0"

# ---- 1. replay ----------------------------------------------------------------
install_stopped "replay of the older signed 1.0.5" old105 10
decision_is 1.0.5 refuse below-floor
wait_listener 1

# ---- 2. equal version -----------------------------------------------------------
install_stopped "reinstall of the same 1.1.0 bundle" b110 10
decision_is 1.1.0 refuse reinstall-refused
wait_listener 2

# ---- 3. version confusion -----------------------------------------------------
n=2
for v in v10.0 v2.0 1.2.3.4.5; do
  name=conf-${v//./-}
  bundle "$name" "$v" rauc --sidecar class=feature
  install_stopped "version confusion '$v'" "$name" 10
  decision_is "$v" refuse version-unparseable
  n=$((n + 1)); wait_listener $n
done
expect_jq "the refusal of 1.2.3.4.5 says it has too many parts" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "1.2.3.4.5")] | last |
   .decision.message | test("more than 3 numeric parts")'
expect_jq "the refusal of v10.0 and v2.0 says it must start with a digit" \
  '[.[] | select(.event == "gate.decision" and ((.candidate.version // "") | startswith("v")))] |
   length == 2 and all(.decision.message | test("must start with a digit"))'
dropin 50-swupdate-scheme "[versions]" "scheme=swupdate"
bundle big-field 1.1.65536 rauc --sidecar class=feature
install_stopped "a 65536 field under the swupdate scheme" big-field 10
decision_is 1.1.65536 refuse version-unparseable
rm "$D/50-swupdate-scheme.conf"
n=$((n + 1)); wait_listener $n

# ---- 4. a feature jump labelled security ---------------------------------------
expect_exit 0 "user postpones feature updates for 3 days" -- $T postpone --for 3d
bundle jump 2.0.0 rauc --sidecar class=security --sidecar "risk=fixes everything" \
  --sidecar advisories=CVE-2026-9999
install_stopped "security label on a 1.1.0 -> 2.0.0 jump while postponed" jump 11
decision_is 2.0.0 defer postponed
expect_jq "recorded as mixed: declared security, classified mixed by the version step" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "2.0.0")] | last |
   .candidate.declared_class == "security" and .decision.class == "mixed" and
   any(.checks[]; .check == "classify" and .reason == "security-claim-with-feature-jump")'
n=$((n + 1)); wait_listener $n

# ---- 5. flipped byte, 6. re-run after the failure ------------------------------
# Right after an allowed, completed install, so that a listener that blamed
# the last allow would record the wrong version.
bundle b111 1.1.1 rauc --sidecar class=security --sidecar "risk=fixes a crash"
expect_exit 0 "a regular security update 1.1.1 installs" -- rauc install "$W/b111.raucb"
decision_is 1.1.1 allow ok
bundle b112 1.1.2 rauc --sidecar class=security --sidecar "risk=fixes a hang"
cp "$W/b112.raucb" "$W/flipped.raucb"
size=$(stat -c %s "$W/flipped.raucb")
off=$((size / 3))
byte=$(od -An -tu1 -j "$off" -N1 "$W/flipped.raucb" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte ^ 1) & 255 )))" |
  dd of="$W/flipped.raucb" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$W/b112.raucb" "$W/flipped.raucb" && not_ok "the byte was not flipped" ||
  ok "flipped one bit at offset $off of the signed 1.1.2 bundle"
before=$(slots) seq0=$(last_seq)
expect_exit 1 "flipped bundle: rauc install fails" -- rauc install "$W/flipped.raucb"
expect_said 'signature|verif|[Ii]nvalid|digest' "RAUC names the signature check"
[ "$(slots)" = "$before" ] && ok "flipped bundle: both slots unchanged" || not_ok "flipped bundle: a slot was written"
[ "$(decided_since "$seq0" 1.1.2)" = 0 ] && ok "flipped bundle: no decision recorded (the handler never ran)" ||
  not_ok "flipped bundle: a gate decision was recorded"
n=$((n + 1)); wait_listener $n
expect_jq "listener recorded update.failed for an unknown bundle, not for the installed 1.1.1" \
  "[.[] | select(.seq > $seq0 and .event == \"update.failed\")] | length == 1 and
   (last | .candidate.version == null)"
expect_exit 0 "re-run: the intact 1.1.2 bundle installs after the failure" -- rauc install "$W/b112.raucb"
decision_is 1.1.2 allow ok
cmp -s -n 65536 "$W/slotA.img" "$W/content/b112/rootfs.img" && ok "slot A (booted from B) holds 1.1.2" ||
  not_ok "slot A does not hold 1.1.2"
expect_jq "post-install recorded 1.1.2" \
  'any(.[]; .event == "update.installed" and .candidate.version == "1.1.2")'

# ---- 7. clock set back past the support end ------------------------------------
# Dates relative to today: the support end lies ahead of the real clock, the
# time the device already trusted lies beyond the support end.
end=$(date -u -d '+200 days' +%F) seen=$(date -u -d '+300 days' +%F)
dropin 50-support "[support]" "end=$end" "after-end=refuse"
expect_exit 0 "the device saw $seen (a trusted time after the support end $end)" -- \
  env TOLLGATE_CLOCK="${seen}T00:00:00Z" $T record-check --result none
bundle b113 1.1.3 rauc --sidecar class=security --sidecar "risk=fixes a leak"
seq0=$(last_seq)
install_stopped "clock set back to $(date -u +%F): support ended anyway" b113 10
decision_is 1.1.3 refuse support-ended
expect_jq "clock.rollback-detected recorded with the clock and the trusted time" \
  "any(.[]; .seq > $seq0 and .event == \"clock.rollback-detected\" and
   .source == \"system clock\" and (.last_trusted_time | startswith(\"$seen\")))"
expect_jq "the decision was taken at the trusted time, marked clamped" \
  "[.[] | select(.event == \"gate.decision\" and .candidate.version == \"1.1.3\")] | last |
   .decision.time_trust == \"clamped\" and (.decision.time | startswith(\"$seen\"))"
rm "$D/50-support.conf"
n=$((n + 1)); wait_listener $n

# ---- 8. floor lowered by editing the state file --------------------------------
sed -i -E 's/("floor" *: *)"1\.1\.0"/\1"0.0.1"/' "$W/state/state"
grep -q '"0.0.1"' "$W/state/state" && ok "floor lowered to 0.0.1 in the state file" ||
  not_ok "could not edit the floor"
install_stopped "replay of 1.0.5 on an edited floor" old105 10
decision_is 1.0.5 refuse state-unusable
rauc_said 'state reseed' "the handler's refusal in RAUC's log carries the reseed hint"
expect_jq "state.tamper-detected recorded" 'any(.[]; .event == "state.tamper-detected")'
settle
expect_exit 0 "recovery: state reseed at the running 1.1.2" -- $T state reseed --installed 1.1.2
install_stopped "after the reseed 1.0.5 is still refused" old105 10
decision_is 1.0.5 refuse below-floor
settle

# ---- 9. audit log and state replayed, cut, torn ---------------------------------
cp "$LOG" "$W/log.good"
cp "$W/state/state" "$W/state.good"
sed -n '5p' "$LOG" >"$W/line5"
sed -i '5d' "$LOG"
expect_exit 1 "a line removed: audit verify fails" -- $T audit verify
expect_said "audit\.log: record 5 is missing" "verify names the file and seq 5"
bundle b114 1.1.4 rauc --sidecar class=security --sidecar "risk=fixes a race"
expect_exit 0 "the gate keeps deciding on a log broken in the middle (its end is intact): 1.1.4 installs" -- \
  rauc install "$W/b114.raucb"
decision_is 1.1.4 allow ok
expect_exit 1 "the break stays visible after further appends" -- $T audit verify
expect_said "record 5 is missing" "still seq 5"
# Checked on copies: a front cut and a tail cut mid-line.
mkdir -p "$W/copy"
cp "$W/log.good" "$W/copy/audit.log"; sed -i '1,3d' "$W/copy/audit.log"
expect_exit 1 "the front cut: audit verify fails" -- $T audit verify --dir "$W/copy"
expect_said "audit\.log: the oldest record kept, seq 4 .* records up to seq 3 were removed" \
  "verify names the file and the missing seqs"
cp "$W/log.good" "$W/copy/audit.log"; truncate -s -25 "$W/copy/audit.log"
expect_exit 1 "the tail cut mid-line: audit verify fails" -- $T audit verify --dir "$W/copy"
expect_said "audit\.log: the last line .*torn or truncated" "verify names the torn line"

# The state file and the log are bound (docs/state.md): an older copy of
# either is caught by the next run, which refuses every update until a reseed.
mv "$LOG" "$W/log.now"; cp "$W/log.good" "$LOG"
seq0=$(last_seq)
install_stopped "the log replaced by an older copy of itself" b114 10
decision_is 1.1.4 refuse state-unusable
rauc_said 'records were cut from the log or it was replaced by an older copy' \
  "the refusal says the log is older than the state"
expect_jq "state.tamper-detected names the cut log" \
  "any(.[]; .seq > $seq0 and .event == \"state.tamper-detected\" and (.problem | test(\"older copy\")))"
settle
cp "$W/log.now" "$LOG"
cp "$W/state/state" "$W/state.now"
cp "$W/state.good" "$W/state/state"
install_stopped "the state file replaced by an older copy (HMAC valid)" b114 10
decision_is 1.1.4 refuse state-unusable
rauc_said 'an older copy of the state file was put back' "the refusal says the state is older than the log"
settle
cp "$W/state.now" "$W/state/state"
cp "$LOG" "$W/log.now"
rm "$LOG"
install_stopped "the audit log deleted" b114 10
rauc_said 'the audit log holds no record of any state' "the refusal says the log is gone"
settle
cp "$W/log.now" "$LOG"
sed -i "4r $W/line5" "$LOG"
expect_exit 0 "with both back as they were (line 5 too), the device decides again" -- $T status
expect_exit 0 "and the log verifies again" -- $T audit verify
# A torn last line (a crash during an append) is moved aside and recorded.
printf '{"prev":"torn' >>"$LOG"
expect_exit 0 "the next run moves a torn tail aside" -- $T status
expect_jq "log.recovered records the torn bytes" \
  'last | .event == "log.recovered" and .torn_bytes > 0 and (.moved_to | startswith("audit.log.torn"))'

# ---- 10. world-writable policy --------------------------------------------------
chmod 666 "$P"
bundle b115 1.1.5 rauc --sidecar class=security --sidecar "risk=fixes a bug"
seq0=$(last_seq)
install_stopped "world-writable policy" b115 1
rauc_said 'chmod go-w' "the handler's error in RAUC's log says how to fix the policy mode"
[ "$(decided_since "$seq0" 1.1.5)" = 0 ] && ok "no decision recorded without a trusted policy" ||
  not_ok "a decision was recorded under a world-writable policy"
settle
chmod 644 "$P"

# ---- 11. symlinks -----------------------------------------------------------------
mv "$W/state/state" "$W/state.real"
ln -s "$W/state.real" "$W/state/state"
sum=$(sha256sum <"$W/state.real")
install_stopped "state file replaced by a symlink" b115 10
decision_is 1.1.5 refuse state-unusable
rauc_said 'state/state is a symlink' "the refusal names the state symlink"
[ "$(sha256sum <"$W/state.real")" = "$sum" ] && ok "nothing written through the state symlink" ||
  not_ok "the state symlink's target changed"
[ -L "$W/state/state" ] && ok "the symlink is left for the administrator to inspect" ||
  not_ok "the symlink was replaced"
settle
rm "$W/state/state"; mv "$W/state.real" "$W/state/state"

mv "$LOG" "$W/log.elsewhere"
ln -s "$W/log.elsewhere" "$LOG"
sum=$(sha256sum <"$W/log.elsewhere")
install_stopped "audit log replaced by a symlink" b115 1
rauc_said 'audit\.log is a symlink' "the handler's error names the log symlink"
[ "$(sha256sum <"$W/log.elsewhere")" = "$sum" ] && ok "nothing appended through the log symlink" ||
  not_ok "the log symlink's target changed"
settle
rm "$LOG"; mv "$W/log.elsewhere" "$LOG"
expect_exit 0 "the log verifies after the symlink is gone" -- $T audit verify

# ---- 12. 1 MB metadata -----------------------------------------------------------
big=$(head -c 1000000 /dev/zero | tr '\0' 'A')
bundle huge 1.1.6 rauc --sidecar class=security --sidecar "risk=$big"
expect_exit 0 "1 MB risk text: the install proceeds" -- rauc install "$W/huge.raucb"
expect_jq "the risk text is cut to 4096 bytes and marked" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "1.1.6")] | last |
   .decision.verdict == "allow" and (.candidate.risk | length) <= 4200 and
   (.candidate.risk | endswith("...[truncated]"))'
big=$(head -c 1100000 /dev/zero | tr '\0' 'B')
bundle huger 1.1.7 rauc --sidecar class=security --sidecar "risk=$big"
seq0=$(last_seq)
install_stopped "a sidecar over 1 MiB" huger 1
rauc_said 'tollgate\.conf' "the handler's error names the sidecar"
[ "$(decided_since "$seq0" 1.1.7)" = 0 ] && ok "no decision on an oversized sidecar" ||
  not_ok "a decision was recorded for the oversized sidecar"
unset big
settle

# A sidecar that is a symlink (to a file of the device) is not read: the
# error names it and quotes nothing of the file it points to.
printf 'class=security\nSECRET-LINE-4711\n' >"$W/device-secret"
d=$W/content/linked
mkdir -p "$d"
head -c 65536 /dev/urandom >"$d/rootfs.img"
rauc_write_manifest "$d/manifest.raucm" tg-test 1.1.71 test-linked
ln -s ../../device-secret "$d/tollgate.conf"
if ! rauc_build_bundle "$W/pki" "$d" "$W/linked.raucb" >"$W/bb.out" 2>&1; then
  # RAUC 1.13+ refuses symlinks as bundle contents (absolute ones at least).
  grep -qi 'symlink' "$W/bb.out" && ok "$(rauc --version) refuses to build a bundle with a symlinked sidecar" ||
    { not_ok "building the symlinked bundle failed otherwise"; sed 's/^/  | /' "$W/bb.out"; }
else
  seq0=$(last_seq)
  install_stopped "a symlinked sidecar" linked 1
  rauc_said 'tollgate\.conf is a symlink' "the handler's error says the sidecar is a symlink"
  grep -q 'SECRET-LINE-4711' "$W/rauc.log" && not_ok "RAUC's log quotes the file the link points to" ||
    ok "nothing of the linked file reaches RAUC's log"
  [ "$(decided_since "$seq0" 1.1.71)" = 0 ] && ok "no decision on a symlinked sidecar" ||
    not_ok "a decision was recorded for the symlinked sidecar"
  settle
fi

# ---- 13. two installs at once ------------------------------------------------------
bundle c118 1.1.8 rauc --sidecar class=security --sidecar "risk=r1"
bundle c119 1.1.9 rauc --sidecar class=security --sidecar "risk=r2"
seq0=$(last_seq)
rauc install "$W/c118.raucb" >"$W/c1.out" 2>&1 & p1=$!
rauc install "$W/c119.raucb" >"$W/c2.out" 2>&1 & p2=$!
r1=0 r2=0
wait "$p1" || r1=$?
wait "$p2" || r2=$?
echo "# concurrent installs: 1.1.8 exit $r1, 1.1.9 exit $r2"
[ $((r1 == 0 ? 1 : 0)) -ne $((r2 == 0 ? 1 : 0)) ] && ok "exactly one of two concurrent installs succeeded" ||
  { not_ok "concurrent installs: exits $r1 and $r2"; sed 's/^/  | /' "$W/c1.out" "$W/c2.out"; }
won=1.1.8; [ "$r2" = 0 ] && won=1.1.9
grep -qiE 'already|busy|progress' "$W/c1.out" "$W/c2.out" && ok "RAUC refused the second install as busy" ||
  not_ok "the losing install did not fail for being second"
expect_jq "one allow decision and one install recorded, for $won" \
  "([.[] | select(.seq > $seq0 and .event == \"gate.decision\")] | map(.candidate.version) == [\"$won\"]) and
   ([.[] | select(.seq > $seq0 and .event == \"update.installed\")] | map(.candidate.version) == [\"$won\"])"
$T status --json >"$W/status.json"
jq -e ".components.rootfs.pending == \"$won\"" "$W/status.json" >/dev/null &&
  ok "state: $won is the pending floor" || not_ok "state after concurrent installs: $(jq -c .components "$W/status.json")"

# ---- the log after all attacks -------------------------------------------------------
kill -TERM "$LISTEN_PID"; wait "$LISTEN_PID" || true; LISTEN_PID=""
expect_exit 0 "audit log verifies after the attacks" -- $T audit verify
expect_jq "no allow was ever recorded for a refused attack version" \
  '[.[] | select(.event == "gate.decision" and .decision.verdict == "allow") | .candidate.version] |
   all(. as $v | ["1.0.5", "v10.0", "v2.0", "1.2.3.4.5", "1.1.65536", "2.0.0", "1.1.3", "1.1.5", "1.1.7"] |
   index($v) == null)'
finish
