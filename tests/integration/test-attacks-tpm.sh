#!/usr/bin/env bash
# The hardware anchor with a software TPM (swtpm, the TPM 2.0 simulator of
# Debian): the state's counter value against the TPM's NV counter.
#
#   1 without an anchor, state and log put back together by older copies of
#     both are not caught (the one attack the log binding cannot see);
#   2 with [state] anchor = tpm2 the same replay is refused, with a sentence
#     and a record, and a reseed recovers at the floor the log shows;
#   3 turning the anchor on for a device with a state binds it
#     (state.anchored), and a copy from before is refused from then on;
#   4 an unreachable TPM fails closed.
. "$(dirname "$0")/lib.sh"
command -v swtpm >/dev/null || { echo "SKIP: swtpm is not installed (scripts/install-deps.sh test)"; exit 77; }
"$TG" --help >/dev/null
grep -q 'TG_HAVE_TPM2 1' "$TG_BUILD_DIR/tg-config.h" ||
  { echo "SKIP: this build has no TPM support (libtss2-dev)"; exit 77; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$W/tpm"
swtpm socket --tpm2 --tpmstate dir="$W/tpm" --server type=tcp,port="$port" \
  --ctrl type=tcp,port=$((port + 1)) --flags not-need-init,startup-clear \
  --daemon --pid file="$W/tpm.pid" --log file="$W/swtpm.log"
trap 'if [ -f "$W/tpm.pid" ]; then kill "$(cat "$W/tpm.pid")" 2>/dev/null || true; fi; cleanup' EXIT
TCTI="swtpm:host=127.0.0.1,port=$port"

P=$W/etc/tollgate.conf
mkdir -p "$W/etc" && echo "1.0.0" >"$W/etc/version"
S=$W/state
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P"
tamper_records() { cat "$S"/log/audit.log* | jq -s '[.[] | select(.event == "state.tamper-detected")] | length'; }
history() {  # install and commit $1, keeping copies of state and log before
  rm -rf "$W/old" && cp -a "$S" "$W/old"
  $T installed --version "$1" --class security >/dev/null && $T commit >/dev/null
}
replay() { rm -rf "$S" && cp -a "$W/old" "$S"; }

# ---- 1. no anchor: state and log replayed together are not caught -------------
write_policy "$P" ""
expect_exit 0 "a device without an anchor" -- $T gate --version 1.0.1
history 1.1.0
history 1.2.0
replay
expect_exit 0 "without an anchor, the older state and log put back allow 1.1.5" -- $T gate --version 1.1.5
ok "so this attack remains possible without a hardware anchor (docs/state.md)"

# ---- 2. with the TPM anchor the same replay is refused ----------------------------
rm -rf "$S" "$W"/etc/state.key.provisioned-*
write_policy "$P" "[state]" "anchor=tpm2" "anchor-tcti=$TCTI"
expect_exit 0 "a device with a TPM anchor" -- $T gate --version 1.0.1
[ "$(tail -n +2 "$S/state" | jq '.anchor_count // 0')" -gt 0 ] &&
  ok "the state carries the TPM count" || not_ok "no anchor_count in the state"
history 1.1.0
history 1.2.0
replay
expect_exit 10 "the older state and log put back: 1.1.5 is refused" -- $T gate --version 1.1.5
expect_output 'an older copy of the state \(and of the log\) was put back' "the sentence says so"
[ "$(tamper_records)" -ge 1 ] && ok "state.tamper-detected recorded" || not_ok "no tamper record"
expect_exit 0 "reseed at the running version" -- $T state reseed --installed 1.2.0
expect_exit 0 "allowed again after the reseed" -- $T gate --version 1.2.1
expect_exit 10 "and 1.1.5 stays below the floor" -- $T gate --version 1.1.5

# ---- 3. the anchor turned on later --------------------------------------------------
rm -rf "$S" "$W"/etc/state.key.provisioned-*
write_policy "$P" "[state]" "anchor-index=0x01500102" "anchor-tcti=$TCTI"
expect_exit 0 "a device without an anchor yet" -- $T gate --version 1.0.1
history 1.1.0
cp -a "$W/old" "$W/before-anchor"
cp "$W/etc/state.key" "$W/key"	# write_policy makes a new key; keep the device's
write_policy "$P" "[state]" "anchor=tpm2" "anchor-index=0x01500102" "anchor-tcti=$TCTI"
cp "$W/key" "$W/etc/state.key"
expect_exit 0 "the first run with the anchor" -- $T gate --version 1.1.1
cat "$S"/log/audit.log* | jq -e -s 'any(.[]; .event == "state.anchored")' >/dev/null &&
  ok "state.anchored recorded" || not_ok "no state.anchored record"
rm -rf "$S" && cp -a "$W/before-anchor" "$S"
expect_exit 10 "a copy from before the anchor is refused" -- $T gate --version 1.0.5
expect_output 'older copy' "the sentence says so"

# ---- 4. the TPM gone: fail closed ------------------------------------------------------
kill "$(cat "$W/tpm.pid")"
sleep 0.5
expect_exit 1 "an unreachable TPM: the gate refuses" -- $T gate --version 1.3.0
expect_output 'TPM anchor' "the sentence names the TPM anchor"
finish
