#!/usr/bin/env bash
# Attacks by someone who can write the data partition, on the built CLI: each
# is tried for real and must end in a refusal with one clear sentence and a
# record, with nothing recorded before lost (the chain still verifies up to
# where the attacker touched it).
#
#   1 state replay: an older, HMAC-valid state file copied back
#   2 state and log deleted on a provisioned device
#   3 the log replaced by an older copy of itself
#   4 records cut from the end of the log: the gate sees the state ahead of
#     the log; `audit verify --anchor` sees the cut against the exported
#     checkpoint, with the device's public key only
#   5 the newest rotated file deleted
#   6 the state directory owned by another user; a parent writable by others
#   7 an update naming an undeclared component
#   8 a future --now is not kept: later runs on the clock are not refused
#   9 a newline in a version cannot forge an output line
#  10 a FIFO or a symlink as sw-description: refused at once
#  11 the evidence --out directory owned by another user
#  12 SIGKILL at random moments of a first boot: no device is left stuck
. "$(dirname "$0")/lib.sh"

P=$W/etc/tollgate.conf
write_policy "$P" "[audit]" "checkpoint-every=1" "checkpoint-alg=ed25519" \
  "checkpoint-key=$W/keys/checkpoint.key" "max-size=4K" "max-files=8"
echo "1.0.0" >"$W/etc/version"
CLOCK=2026-06-01T10:00:00Z
T="env TOLLGATE_CLOCK=$CLOCK $TG --config $P"
S=$W/state
L=$S/log
verify() { $TG --config "$P" audit verify --key "$W/keys/checkpoint.key.pub" "$@"; }
seqs() { cat "$L"/audit.log* 2>/dev/null | jq -s 'length'; }
has_event() { cat "$L"/audit.log* | jq -e -s --arg e "$1" 'any(.[]; .event == $e)' >/dev/null; }

# ---- a device with history ---------------------------------------------------
expect_exit 0 "first gate provisions the device" -- $T gate --version 1.0.1 --class feature
[ -f "$W/keys/checkpoint.key" ] && [ "$(stat -c %a "$W/keys/checkpoint.key")" = 600 ] &&
  ok "the device made its own Ed25519 checkpoint key (0600)" || not_ok "no device checkpoint key"
expect_exit 0 "the public key is printed for enrolment" -- $TG --config "$P" audit public-key
expect_output '^-----BEGIN PUBLIC KEY-----' "audit public-key prints a PEM public key"
cmp -s "$W/out" "$W/keys/checkpoint.key.pub" && ok "it is the public key next to the private one" ||
  not_ok "audit public-key differs from checkpoint.key.pub"
cp "$S/state" "$W/state-1.0.0"
expect_exit 0 "security update 1.2.0 installed" -- $T installed --version 1.2.0 --class security
expect_exit 0 "and committed" -- $T commit
expect_exit 0 "verify with the device's public key only" -- verify
expect_output 'intact' "the log is intact"

# ---- 1. state replay ------------------------------------------------------------
cp "$W/state-1.0.0" "$S/state"
expect_exit 10 "replayed state: the gate refuses 1.1.0" -- $T gate --version 1.1.0
expect_output 'older copy of the state file was put back' "the sentence says what happened"
expect_output 'tollgate state reseed' "and how to recover"
has_event state.tamper-detected && ok "state.tamper-detected recorded" || not_ok "no tamper record"
expect_exit 0 "the log still verifies" -- verify
expect_exit 0 "reseed at the running version" -- $T state reseed --installed 1.2.0
expect_exit 10 "after the reseed 1.1.0 stays below the floor" -- $T gate --version 1.1.0

# ---- 3. the log replaced by an older copy ------------------------------------------
cp -a "$L" "$W/log-old"
expect_exit 0 "one more update" -- $T installed --version 1.2.1 --class security
expect_exit 0 "committed" -- $T commit
rm -rf "$L" && cp -a "$W/log-old" "$L"
expect_exit 10 "older log copy: the gate refuses" -- $T gate --version 1.3.0
expect_output 'records were cut from the log or it was replaced by an older copy' "the sentence names it"

# ---- 4. records cut from the end, seen against an exported anchor -------------------
rm -rf "$S" "$W/keys"
expect_exit 0 "a fresh device (setup again)" -- $T state reseed --installed 1.0.0
for v in 1.0.1 1.0.2 1.0.3; do
  expect_exit 0 "gate $v" -- $T gate --version $v --class feature
done
expect_exit 0 "the backend takes the anchor" -- $TG --config "$P" audit anchor
cp "$W/out" "$W/anchor.json"
jq -e '.event == "log.checkpoint"' "$W/anchor.json" >/dev/null &&
  ok "the anchor is the latest checkpoint line" || not_ok "anchor is not a checkpoint"
expect_exit 0 "the log matches its anchor" -- verify --anchor "$W/anchor.json"
n=$(wc -l <"$L/audit.log")
head -n $((n - 4)) "$L/audit.log" >"$W/cut" && cat "$W/cut" >"$L/audit.log"
expect_exit 0 "after the cut the chain alone still says intact" -- verify
expect_exit 1 "the anchor sees the cut" -- verify --anchor "$W/anchor.json"
expect_output 'records were cut from its end' "the sentence says records were cut"
expect_exit 10 "the gate sees the state ahead of the log" -- $T gate --version 1.0.4
expect_output 'the audit log ends at state generation' "and says so"
openssl genpkey -algorithm ed25519 -out "$W/other.key" 2>/dev/null
openssl pkey -in "$W/other.key" -pubout -out "$W/other.pub" 2>/dev/null
expect_exit 1 "another device's key does not verify the anchor" -- \
  $TG --config "$P" audit verify --key "$W/other.pub" --anchor "$W/anchor.json"

# ---- 2. state and log deleted on a provisioned device -------------------------------
rm -rf "$S"
expect_exit 10 "state and log deleted: refused" -- $T gate --version 0.0.1
expect_output 'was set up before' "the sentence says the device was set up before"
cat "$L"/audit.log | jq -e -s 'any(.[]; .event == "gate.decision" and .decision.verdict == "refuse")' \
  >/dev/null && ok "the refusal is recorded in a new log" || not_ok "nothing recorded after the deletion"

# ---- 5. the newest rotated file deleted ---------------------------------------------
rm -rf "$S" "$W/keys" "$W"/etc/state.key.provisioned-*
expect_exit 0 "a fresh device again" -- $T state reseed --installed 1.0.0
for i in $(seq 1 30); do $T record-check --result none >/dev/null 2>&1; done
ls "$L"/audit.log.1 >/dev/null 2>&1 && ok "the log rotated" || not_ok "the log did not rotate"
rm "$L/audit.log.1"
expect_exit 1 "a deleted rotated file breaks the chain" -- verify
expect_output 'BROKEN' "verify says BROKEN"

# ---- 6. ownership and modes along the path ------------------------------------------
rm -rf "$S" "$W/keys" "$W"/etc/state.key.provisioned-*
expect_exit 0 "a fresh device" -- $T state reseed --installed 1.0.0
chown 12345 "$S"
expect_exit 1 "state directory owned by another user: refused" -- $T gate --version 1.0.1
expect_output "owned by uid 12345" "the sentence names the owner"
chown 0 "$S"
chmod 0777 "$W"
expect_exit 1 "a parent writable by others: refused" -- $T gate --version 1.0.1
expect_output "has mode 0777.*chmod go-w" "the sentence names the mode and the fix"
chmod 0755 "$W"
expect_exit 0 "fixed: allowed again" -- $T gate --version 1.0.1

# ---- 7. an undeclared component ------------------------------------------------------
expect_exit 10 "an update naming ../../etc as component is refused" -- \
  $T gate --version 9.9.9 --component ../../etc
expect_output "component" "the refusal names the component"

# ---- 8. a future --now is not kept ----------------------------------------------------
expect_exit 10 "--now after the support end refuses (a what-if)" -- \
  $TG --config "$P" --now 2031-06-01T00:00:00Z gate --version 1.0.2 --class feature
expect_exit 0 "the clock's next run is not locked out" -- $T gate --version 1.0.2 --class feature
[ "$(jq -r '.last_trusted_time' < <(tail -n +2 "$S/state"))" != "2031-06-01T00:00:00Z" ] &&
  ok "last_trusted_time was not set from --now" || not_ok "--now was stored as trusted time"

# ---- 9. a newline in a version -------------------------------------------------------
expect_exit 10 "a version with a newline is refused" -- $T gate --version "$(printf '1.2.0\nallowed 9.9.9')"
grep -q '^allowed 9.9.9' "$W/out" && not_ok "the version started a line of its own" ||
  ok "no output line starts with the forged text"

# ---- 10. FIFO and symlink as sw-description --------------------------------------------
mkfifo "$W/fifo"
expect_exit 1 "a FIFO as sw-description is refused" -- \
  timeout 10 $T swupdate-precheck --sw-description "$W/fifo"
expect_output 'not a regular file' "without blocking, with a sentence"
ln -s "$P" "$W/link"
expect_exit 1 "a symlinked sw-description is refused" -- \
  timeout 10 $T swupdate-precheck --sw-description "$W/link"
expect_output 'symlink' "the sentence names the symlink"

# ---- 11. the evidence output directory owned by another user ------------------
mkdir -p "$W/pack" && chown 12345 "$W/pack"
expect_exit 1 "evidence into a directory another user owns is refused" -- \
  $T evidence --out "$W/pack"
expect_output "owned by uid 12345" "the sentence names the owner"
[ -z "$(ls -A "$W/pack")" ] && ok "nothing was written there" || not_ok "files were written to $W/pack"

expect_exit 0 "what was recorded before still verifies" -- verify

# ---- 12. SIGKILL at random moments of a first boot ----------------------------------
stuck=0 midway=0
for i in $(seq 1 40); do
  rm -rf "$S" "$W/keys" "$W"/etc/state.key.provisioned-*
  $T gate --version 1.0.1 >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % 40)))"	# 0 to 39 ms: a first boot takes ~20
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -f "$S/state" ] || midway=$((midway + 1))
  $T gate --version 1.0.1 >"$W/after" 2>&1 || { stuck=$((stuck + 1)); sed 's/^/  | /' "$W/after" | head -3; }
done
[ "$stuck" = 0 ] && ok "40 first boots killed at random ($midway before the state file existed): none left refusing" ||
  not_ok "$stuck of 40 devices were left refusing after a killed first boot"
finish
