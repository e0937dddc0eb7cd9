#!/usr/bin/env bash
# Fault injection over every durable write of every command that writes.
#
# The seam is policy/core/io.c: TOLLGATE_FAULT=<op>:<n>:<errno|kill> makes the
# n-th open/write/fsync/rename of a process fail with that errno or SIGKILL
# the process just before the call; TOLLGATE_FAULT_COUNT=FILE makes it
# append its call counts at exit. For each command below, a clean run on a
# prepared device counts the calls; then, for every op, every n up to the
# count and each of EIO, ENOSPC and kill, the command runs on a fresh copy of
# the prepared device and the outcome is checked.
#
# Acceptable outcomes (anything else fails the test):
#  - kill: the command dies of SIGKILL (exit 137).
#  - EIO/ENOSPC, commands other than the notifying gate: a non-zero exit
#    (gate: 10 refused with a reason, or 1 error before any decision; the
#    other commands: 1), never success; a gate never exits 0, so a failed
#    write never lets an update in.
#  - EIO/ENOSPC, the gate with a required file sink (gate-notify): a failed
#    spool write is a failed notice, which is recorded and does not block
#    (docs/notices.md), except the required disruption warning, which turns
#    the decision into defer (11). So exit 0 is acceptable only when this
#    run's allow decision is in the audit log and the disruption warning of
#    the same transaction is a complete file in the spool; otherwise the
#    exit must be 10, 11 or 1. A refusal (10) after the disruption warning
#    went out needs an update-refused notice of the same transaction.
#  - After every run: `tollgate audit verify` passes, the log ends with a
#    newline (no partial line), and the state is the old one or the new one:
#    `tollgate status --json` (floors, installed and pending versions,
#    support end, settings, postpones, approvals) matches either the prepared
#    device or a clean run. The last decision shown by status is not
#    compared: after a failed audit write the gate saves its refusal there.
#  - First boot (gate-first-boot) writes the state file before its
#    state.initialized record, so a failure or kill there leaves the old
#    (fresh) device or the new one, never history without state. A reseed
#    (state-reseed) may leave the state missing: when the audit log has
#    history, status fails and the gate refuses, both naming `tollgate
#    state reseed` (the floor is lost, fail closed). The test runs that
#    gate to prove it.
#  - The notice spool never holds half a notice: every *.json file is one
#    complete JSON line. A kill may leave "<name>.tmp.<pid>" files; errno
#    failures never do, and the next delivery removes those of dead
#    processes. Stale state temp files are removed by the next open.
#
# Runtime: about a thousand runs of a few short processes each. Set
# TG_FAULT_MODES (default "EIO ENOSPC kill") to narrow the modes.
. "$(dirname "$0")/lib.sh"

if ! grep -q 'define TG_FAULT_INJECTION 1' "$TG_BUILD_DIR/tg-config.h" 2>/dev/null; then
  echo "SKIP: this build has no fault injection (TG_FAULT_INJECTION is 0 in $TG_BUILD_DIR/tg-config.h);"
  echo "      configure with -Dfault_injection=true"
  exit 77
fi
command -v jq >/dev/null || { echo "SKIP: jq is missing (scripts/install-deps.sh test)"; exit 77; }

read -r -a MODES <<<"${TG_FAULT_MODES:-EIO ENOSPC kill}"
OPS=(open write fsync rename)
R=$W/run                         # the device every run works on
NOW=2026-06-01T10:00:00Z
DIGEST=$(printf 'c%.0s' $(seq 64))
unset TOLLGATE_FAULT TOLLGATE_FAULT_COUNT

# ---- the prepared devices ----------------------------------------------------
policy() {  # policy FILE [extra lines]: paths under $R
  local f=$1; shift
  cat >"$f" <<POL
[device]
model=TG-Thermostat T1
device-id=unit-0001

[state]
directory=$R/state
key-file=$R/etc/keys/state.key
version-source=file
version-path=$R/etc/version

[support]
end=2030-12-31
POL
  for line in "$@"; do printf '%s\n' "$line" >>"$f"; done
  chmod 644 "$f"
}
tg() { TOLLGATE_CLOCK=$NOW "$TG" --config "$R/etc/tollgate.conf" "$@"; }
save_as() { rm -rf "$W/tpl/$1"; cp -a "$R" "$W/tpl/$1"; }
use() { rm -rf "$R"; cp -a "$W/tpl/$1" "$R"; }

mkdir -p "$W/tpl" "$R/etc"
echo "1.0.0" >"$R/etc/version"
policy "$R/etc/tollgate.conf"
policy "$R/etc/notify.conf" "" "[sink.spool]" "type=file" "directory=$R/notices" "required=true"
save_as fresh
tg status >/dev/null   # first boot
save_as booted
tg installed --version 1.1.0 --class feature >/dev/null
save_as installed
use booted
rm "$R/state/state"
save_as lost

# CASES: name|template|expected clean exit|command (run with tg unless notify)
CASES=(
  "gate-first-boot|fresh|0|gate --version 1.1.0"
  "gate|booted|0|gate --version 1.1.0 --class feature"
  "gate-notify|booted|0|NOTIFY gate --version 1.0.1 --class security --risk fixes-a-crash --reboot"
  "installed|booted|0|installed --version 1.1.0 --class feature"
  "commit|installed|0|commit"
  "postpone|booted|0|postpone --for 2d"
  "approve|booted|0|approve $DIGEST"
  "settings|booted|0|settings auto-install.feature=off"
  "state-reseed|lost|0|state reseed --installed 1.0.0"
  "record-check|booted|0|record-check --result available --version 1.2.0"
)

run_case() {  # run_case COMMAND...: exit status in $rc
  local cfg=$R/etc/tollgate.conf
  if [ "$1" = NOTIFY ]; then cfg=$R/etc/notify.conf; shift; fi
  rc=0
  # (the group's stderr also takes bash's "Killed" report)
  { TOLLGATE_CLOCK=$NOW "$TG" --config "$cfg" "$@" >"$W/out" 2>"$W/err"; } 2>/dev/null || rc=$?
}

# The state as status shows it, without the volatile parts; "unusable" with
# the reseed hint when the state is lost.
fingerprint() {
  local out s=0
  out=$(tg status --json 2>&1) || s=$?
  if [ "$s" = 0 ]; then
    jq -c '{components, support_end, pending_support_end, settings, postponed_until, approvals}' <<<"$out"
  elif grep -q 'state reseed' <<<"$out"; then echo "unusable"
  else echo "status-failed($s): $out"; fi
}

# Checks what a faulted run left behind. Prints nothing when all is well.
check_after() {  # check_after CASE TEMPLATE MODE OLD NEW
  local name=$1 mode=$3 old=$4 new=$5 fp log=$R/state/log/audit.log
  if [ -s "$log" ] && [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" != '\n' ]; then
    echo "audit log ends in a partial line"
  fi
  tg audit verify >"$W/verify" 2>&1 || echo "audit verify fails: $(head -c 300 "$W/verify")"
  fp=$(fingerprint)
  if [ "$fp" != "$old" ] && [ "$fp" != "$new" ]; then
    if [ "$fp" = unusable ] && [ "$name" = state-reseed ]; then
      run_case gate --version 1.1.0
      [ "$rc" = 10 ] && grep -q 'state reseed' "$W/out" "$W/err" ||
        echo "state lost, but the gate exits $rc without the reseed hint"
    else
      echo "state is neither old nor new: $fp"
    fi
  fi
  if [ -d "$R/notices" ]; then
    for f in "$R"/notices/*.json; do
      [ -e "$f" ] || continue
      { [ "$(wc -l <"$f")" = 1 ] && jq -e .id "$f" >/dev/null 2>&1; } ||
        echo "half-written notice ${f#"$R"/}"
    done
  fi
  if [ "$mode" != kill ] && [ -n "$(find "$R" -name '*.tmp.*' -print -quit)" ]; then
    echo "temp file left behind by an errno failure: $(find "$R" -name '*.tmp.*' | head -1)"
  fi
  [ -z "$(find "$R/state" -maxdepth 1 -name 'state.tmp.*' -print -quit 2>/dev/null)" ] ||
    echo "stale state temp file not removed by the next open"
}

# A disruption warning announced an install (allow or defer) and then a
# failed write refused it: the spool must also hold the update-refused
# notice of that transaction.
check_late_refusal() {
  local f tx
  for f in "$R"/notices/*-*.json; do
    [ -e "$f" ] || continue
    tx=$(jq -r 'select(.type == "disruption-warning" and .verdict != "refuse") | .transaction_id' "$f")
    [ -n "$tx" ] || continue
    grep -l "\"transaction_id\":\"$tx\"" "$R"/notices/*-*.json | xargs -r grep -l '"type":"update-refused"' |
      grep -q . || echo "refused after the disruption warning of $tx went out, but no update-refused notice"
  done
}

# Is exit status $rc acceptable for a run of CASE that failed with MODE?
check_exit() {  # check_exit CASE MODE
  local name=$1 mode=$2 tx
  if [ "$mode" = kill ]; then
    [ "$rc" = 137 ] || echo "exit $rc, wanted death by SIGKILL (137)"
    return 0
  fi
  case "$name:$rc" in
    gate-notify:10) check_late_refusal ;;
    gate*:10|gate*:1|gate-notify:11) return 0 ;;
    gate-notify:0)
      tx=$(jq -rs '[.[] | select(.event == "gate.decision")] | last |
        select(.decision.verdict == "allow") | .transaction_id' "$R/state/log/audit.log")
      if [ -z "$tx" ] || [ "$tx" = null ]; then echo "allowed, but no allow decision recorded"; return 0; fi
      grep -l "\"transaction_id\":\"$tx\"" "$R"/notices/*-*.json 2>/dev/null |
        xargs -r grep -l '"type":"disruption-warning"' | grep -q . ||
        echo "allowed, but the required disruption warning of $tx is not in the spool"
      ;;
    gate*:*) echo "exit $rc: a gate must refuse (10) or fail (1) when a write fails" ;;
    *:0) echo "exit 0 although a durable write failed" ;;
    *:1) return 0 ;;
    *) echo "exit $rc, wanted 1" ;;
  esac
}

# ---- the enumeration -----------------------------------------------------------
failures=0
printf '%-16s %6s %5s  %s\n' command points runs "outcomes (exit status: count)" >"$W/summary"
for entry in "${CASES[@]}"; do
  IFS='|' read -r name tpl want cmd <<<"$entry"
  read -r -a argv <<<"$cmd"
  # old and new state, and the call counts of a clean run
  use "$tpl"; old=$(fingerprint)
  use "$tpl"
  rm -f "$W/counts"
  TOLLGATE_FAULT_COUNT=$W/counts run_case "${argv[@]}"
  if [ "$rc" != "$want" ]; then
    not_ok "$name: clean run exits $rc, wanted $want"; sed 's/^/  | /' "$W/out" "$W/err"; continue
  fi
  new=$(fingerprint)
  read -r counts <"$W/counts"
  declare -A n_of=()
  for kv in $counts; do n_of[${kv%%=*}]=${kv#*=}; done
  points=0 runs=0
  declare -A outcome=()
  bad=""
  for op in "${OPS[@]}"; do
    for ((n = 1; n <= ${n_of[$op]:-0}; n++)); do
      points=$((points + 1))
      for mode in "${MODES[@]}"; do
        use "$tpl"
        TOLLGATE_FAULT="$op:$n:$mode" run_case "${argv[@]}"
        runs=$((runs + 1))
        outcome[$rc]=$(( ${outcome[$rc]:-0} + 1 ))
        problems=$(check_exit "$name" "$mode"; check_after "$name" "$tpl" "$mode" "$old" "$new")
        if [ -n "$problems" ]; then
          bad+="  | $op:$n:$mode: ${problems//$'\n'/; }"$'\n'
          [ -z "${TG_FAULT_KEEP:-}" ] || cp -a "$R" "$W/keep-$name-$op-$n-$mode"
        fi
      done
    done
  done
  summary=$(for k in "${!outcome[@]}"; do printf '%s:%s ' "$k" "${outcome[$k]}"; done | tr ' ' '\n' | sort -n | tr '\n' ' ')
  printf '%-16s %6s %5s  %s\n' "$name" "$points" "$runs" "$summary" >>"$W/summary"
  if [ "$points" -eq 0 ]; then
    not_ok "$name: the clean run made no durable write ($counts)"
  elif [ -z "$bad" ]; then
    ok "$name: $points failure points x ${#MODES[@]} modes: fail closed, log verifies, state old or new ($counts)"
  else
    failures=$((failures + 1))
    not_ok "$name: unacceptable outcomes"; printf '%s' "$bad" | head -40
  fi
  unset n_of outcome
done

echo "# exit status 137 = killed by SIGKILL (kill mode); 10 refused; 11 deferred; 1 error"
sed 's/^/# /' "$W/summary"
finish
