#!/usr/bin/env bash
# Notices from the built `tollgate` binary through real sinks: a GDBus
# subscriber on a real dbus-daemon receives every notice type; exec programs
# get the JSON on stdin and failing, hanging or missing ones are recorded
# (and defer a disruptive update when required); hostile metadata stays
# inert; the file spool survives SIGKILL; user actions and support notices
# leave the documented audit trail.
. "$(dirname "$0")/lib.sh"

SUB=$TG_BUILD_DIR/tests/integration/notify-subscriber
VALIDATE=$TG_SOURCE_DIR/tests/unit/validate-schema.py
SCHEMA=$TG_SOURCE_DIR/docs/schema/notice.schema.json
DIGEST=$(printf 'a%.0s' $(seq 64))
for tool in dbus-daemon jq python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (scripts/install-deps.sh test)"; exit 77; }
done

pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; cleanup; }
trap stop_all EXIT

# audit_count DIR JQ-FILTER: records of the audit log in DIR matching the filter
audit_count() { jq -c "select($2)" "$1/log/audit.log" | wc -l; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

# start_bus SOCKET [CONFIG]: a private dbus-daemon; its pid goes to pids
start_bus() {
  local conf=${2:-/usr/share/dbus-1/session.conf} out
  out=$(dbus-daemon --config-file="$conf" --address="unix:path=$1" --fork --print-pid)
  pids+=("$(echo "$out" | head -n1)")
}

# subscribe SOCKET OUT COUNT: a subscriber in the background, ready on return
subscribe() {
  rm -f "$2" "$2.ready"
  "$SUB" "unix:path=$1" "$2" "$2.ready" "$3" 60 & pids+=($!); SUB_PID=$!
  for _ in $(seq 100); do [ -e "$2.ready" ] && return 0; sleep 0.1; done
  not_ok "subscriber did not get ready"; return 1
}

mkdir -p "$W/etc"
echo "1.0.0" >"$W/etc/version"

# ---------------------------------------------------------------------------
# 1. Every notice type reaches a real D-Bus subscriber as Notice(s, s).
P=$W/etc/bus.conf
write_policy "$P" "notice-days=90;30;7" "" "[disruption]" "require-approval=true" \
  "[sink.bus]" "type=dbus" "address=unix:path=$W/bus.sock"
start_bus "$W/bus.sock"
subscribe "$W/bus.sock" "$W/signals.jsonl" 9
T1="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s1"
expect_exit 0 "security update allowed" -- $T1 gate --version 1.1.0 --class security \
  --risk "remote code execution in the web UI" --advisory CVE-2026-0001 --severity high
expect_exit 10 "downgrade refused" -- $T1 gate --version 0.9.0
expect_exit 11 "disruptive update waits for approval" -- $T1 gate --version 1.2.0 --reboot \
  --downtime 5m --service web --digest "$DIGEST"
expect_exit 0 "notifications off" -- $T1 settings notifications=off
expect_exit 0 "notifications on" -- $T1 settings notifications=on
T2="env TOLLGATE_CLOCK=2030-11-01T00:00:00Z $TG --config $P --state-dir $W/s1"
expect_exit 0 "feature update 60 days before the support end" -- $T2 gate --version 1.3.0 --class feature
T3="env TOLLGATE_CLOCK=2031-01-02T00:00:00Z $TG --config $P --state-dir $W/s1"
expect_exit 0 "update check after the support end" -- $T3 record-check --result none
expect_exit 0 "installed an update carrying a later support end" -- $T3 installed --version 1.3.0 \
  --class feature --support-end 2033-12-31
expect_exit 0 "commit extends support" -- $T3 commit
if wait "$SUB_PID"; then ok "subscriber received 9 signals"; else not_ok "subscriber: signals missing"; fi
check "every signal is org.tollgate.Notify1.Notice (ss) from /org/tollgate/Notify1" \
  '[ "$(jq -c "select(.member != \"Notice\" or .path != \"/org/tollgate/Notify1\" or .interface != \"org.tollgate.Notify1\" or .signature != \"(ss)\")" "$W/signals.jsonl" | wc -l)" = 0 ]'
check "first argument is the notice type" \
  '[ "$(jq -c "select(.args[0] != (.args[1] | fromjson | .type))" "$W/signals.jsonl" | wc -l)" = 0 ]'
jq -c '.args[1] | fromjson' "$W/signals.jsonl" >"$W/bus-notices.jsonl"
types=$(jq -r .type "$W/bus-notices.jsonl" | paste -sd, -)
check "types in order: $types" '[ "$types" = "security-update,update-refused,disruption-warning,update-deferred,settings-changed,settings-changed,support-ending,support-ended,support-extended" ]'
n() { jq -c "select(.type == \"$1\")" "$W/bus-notices.jsonl" | head -n1; }
check "security-update payload" '[ "$(n security-update | jq -r "[.notice_version, .version, .advisories[0], .severity, .risk, .device.model] | join(\"|\")")" = "1|1.1.0|CVE-2026-0001|high|remote code execution in the web UI|TG-Thermostat T1" ]'
check "security-update text names the risk" 'n security-update | jq -e ".text | contains(\"remote code execution in the web UI\")" >/dev/null'
check "disruption-warning payload" '[ "$(n disruption-warning | jq -r "[.reboot, .downtime_s, .services[0], .approval_required, .approve_command] | join(\"|\")")" = "true|300|web|true|tollgate approve $DIGEST" ]'
check "update-refused payload" '[ "$(n update-refused | jq -r "[.version, .verdict, .floor] | join(\"|\")")" = "0.9.0|refuse|1.0.0" ]'
check "update-deferred payload" '[ "$(n update-deferred | jq -r "[.version, .reason] | join(\"|\")")" = "1.2.0|approval-required" ]'
check "settings-changed payload" '[ "$(n settings-changed | jq -r "[.setting, .old, .new] | join(\"|\")")" = "notifications|true|false" ]'
check "support-ending payload" '[ "$(n support-ending | jq -r "[.support_end, .days_left, .threshold] | join(\"|\")")" = "2030-12-31T23:59:59Z|60|90" ]'
check "support-ended payload" '[ "$(n support-ended | jq -r .support_end)" = "2030-12-31T23:59:59Z" ]'
check "support-extended payload" '[ "$(n support-extended | jq -r "[.old_end, .new_end] | join(\"|\")")" = "2030-12-31T23:59:59Z|2033-12-31T23:59:59Z" ]'
if /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$W/bus-notices.jsonl"; then ok "D-Bus notices match the schema"; else not_ok "D-Bus notices vs schema"; fi
check "9 deliveries recorded for sink bus" '[ "$(audit_count "$W/s1" ".event == \"notice.delivered\" and .sink == \"bus\" and .sink_type == \"dbus\"")" = 9 ]'
expect_exit 0 "audit chain verifies" -- $T3 audit verify

# The installed bus policy lets the sender's user send (root here), and the
# daemon accepts the file.
sed "s/user=\"root\"/user=\"$(id -un)\"/" "$TG_SOURCE_DIR/data/dbus/org.tollgate.Notify1.conf" >"$W/notify1.conf"
cat >"$W/bus2.conf" <<EOF
<busconfig>
  <type>custom</type>
  <listen>unix:path=$W/bus2.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/><allow own="*"/><allow receive_type="method_return"/>
  </policy>
  <include>$W/notify1.conf</include>
</busconfig>
EOF
start_bus "$W/bus2.sock" "$W/bus2.conf"
subscribe "$W/bus2.sock" "$W/signals2.jsonl" 1
P2=$W/etc/bus2.conf
write_policy "$P2" "[sink.bus]" "type=dbus" "address=unix:path=$W/bus2.sock"
expect_exit 10 "refusal through the policed bus" -- $TG --config "$P2" --state-dir "$W/s1b" gate --version 0.1.0
if wait "$SUB_PID"; then ok "signal passes the bus policy"; else not_ok "signal blocked by the bus policy"; fi

# ---------------------------------------------------------------------------
# 2. exec: JSON on stdin; failing, hanging and missing programs recorded.
P=$W/etc/exec.conf
mkdir -p "$W/exec"
write_policy "$P" "[sink.hook]" "type=exec" "program=/usr/bin/tee;$W/exec/stdin.json" \
  "[sink.fail]" "type=exec" "program=/bin/false" \
  "[sink.hang]" "type=exec" "program=/bin/sleep;31.5" "timeout=1s" \
  "[sink.gone]" "type=exec" "program=$W/no/such/program"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s2"
start=$(date +%s)
expect_exit 0 "security update allowed although three sinks fail" -- $T gate --version 1.1.0 \
  --class security --risk "fixes CVE-2026-0002"
took=$(( $(date +%s) - start ))
check "the hanging program was killed after its timeout (${took}s)" '[ "$took" -lt 10 ]'
check "exec program got the notice on stdin" 'jq -e ".type == \"security-update\" and .risk == \"fixes CVE-2026-0002\"" "$W/exec/stdin.json" >/dev/null'
check "delivery to hook recorded" '[ "$(audit_count "$W/s2" ".event == \"notice.delivered\" and .sink == \"hook\"")" = 1 ]'
check "failing program recorded as undelivered" '[ "$(audit_count "$W/s2" ".event == \"notice.failed\" and .sink == \"fail\" and (.error | contains(\"exited with status 1\"))")" = 1 ]'
check "hanging program recorded as undelivered" '[ "$(audit_count "$W/s2" ".event == \"notice.failed\" and .sink == \"hang\" and (.error | contains(\"did not finish within 1 s\"))")" = 1 ]'
check "missing program recorded as undelivered" '[ "$(audit_count "$W/s2" ".event == \"notice.failed\" and .sink == \"gone\" and (.error | contains(\"cannot run\"))")" = 1 ]'
running() { for c in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$c" 2>/dev/null; echo; done | grep -x "$1" >/dev/null; }
check "no sleeping program left behind" '! running "/bin/sleep 31.5 "'

i=0
for prog in "/bin/false" "/bin/sleep;30" "$W/no/such/program"; do
  i=$((i + 1))
  P=$W/etc/required.conf
  write_policy "$P" "[sink.ui]" "type=exec" "program=$prog" "timeout=1s" "required=true"
  T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s3-$i"
  expect_exit 11 "required sink $prog: disruptive update deferred" -- $T gate --version 1.2.0 --reboot --json
  check "decision reason is notice-undelivered" 'jq -e ".reason == \"notice-undelivered\" and ([.checks[] | select(.check == \"notify\")] | length) == 1" "$W/out" >/dev/null'
  expect_exit 0 "required sink $prog: a quiet update still installs" -- $T gate --version 1.2.0
done

# ---------------------------------------------------------------------------
# 3. Hostile metadata: no shell, valid JSON, truncated with a marker.
P=$W/etc/hostile.conf
mkdir -p "$W/victim"
write_policy "$P" "[sink.hook]" "type=exec" "program=/usr/bin/tee;$W/exec/hostile.json" \
  "[sink.spool]" "type=file" "directory=$W/spool3" \
  "[sink.log]" "type=stderr"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s4"
evil="\$(touch $W/pwned); \`touch $W/pwned2\`; rm -rf $W/victim | cat && echo \"'"
big=$(head -c 102400 /dev/zero | tr '\0' 'R')
printf '[candidate]\nversion=1.1.0\nclass=security\nrisk=bad bytes \xff\xfe here\nseverity=%s\n' \
  "$evil" >"$W/hostile.cand"
expect_exit 0 "hostile risk and severity from a candidate file" -- $T gate --candidate "$W/hostile.cand"
check "exec output is valid JSON with the shell text intact" 'jq -e --arg e "$evil" ".severity == \$e" "$W/exec/hostile.json" >/dev/null'
check "invalid UTF-8 replaced" 'jq -e ".risk == \"bad bytes \ufffd\ufffd here\"" "$W/exec/hostile.json" >/dev/null'
expect_exit 0 "risk with a newline and a command" -- $T gate --version 1.1.1 --class security \
  --risk "$(printf 'first line\nsecond line $(touch %s/pwned3)' "$W")"
check "newline kept in the JSON" 'jq -e ".risk | startswith(\"first line\nsecond line \$(touch\")" "$W/exec/hostile.json" >/dev/null'
check "stderr sink wrote the notice on one line" '[ "$(grep -c "^tollgate notice security-update" "$W/err")" = 1 ] && grep -q "first line\\\\nsecond line" "$W/err"'
check "no command from the metadata ran" '[ ! -e "$W/pwned" ] && [ ! -e "$W/pwned2" ] && [ ! -e "$W/pwned3" ] && [ -d "$W/victim" ]'
expect_exit 0 "100 KB risk text" -- $T gate --version 1.1.2 --class security --risk "$big"
check "risk truncated with a marker" 'jq -e ".risk | (length <= 4096) and endswith(\"...[truncated]\")" "$W/exec/hostile.json" >/dev/null'
check "text carries the marker" 'jq -e ".text | (length <= 8192) and contains(\"...[truncated]\")" "$W/exec/hostile.json" >/dev/null'
check "spool notice is valid JSON" 'jq -e ".risk | endswith(\"...[truncated]\")" "$W/spool3/latest.json" >/dev/null'
check "every delivery recorded" '[ "$(audit_count "$W/s4" ".event == \"notice.delivered\" and .sink == \"hook\"")" = 3 ]'
cat "$W"/spool3/2*.json "$W/exec/hostile.json" >"$W/hostile.jsonl"
if /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$W/hostile.jsonl"; then ok "hostile notices match the schema"; else not_ok "hostile notices vs schema"; fi

# ---------------------------------------------------------------------------
# 4. The spool survives SIGKILL in the middle of a write.
P=$W/etc/spool.conf
write_policy "$P" "[sink.spool]" "type=file" "directory=$W/spool4" "max-files=50"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s5"
expect_exit 0 "first boot and one notice" -- $T gate --version 1.1.0 --class security --risk r
spool_ok() {
  local f
  for f in "$W"/spool4/*.json; do jq -e .id "$f" >/dev/null 2>&1 || { echo "half-written: $f"; return 1; }; done
}
if grep -q 'define TG_FAULT_INJECTION 1' "$TG_BUILD_DIR/tg-config.h"; then
  killed=0 leftovers=0
  for fault in write:1:kill write:2:kill write:3:kill write:4:kill rename:1:kill rename:2:kill rename:3:kill; do
    got=0
    # (a subshell, so bash reports the kill to /dev/null)
    (TOLLGATE_FAULT=$fault $T gate --version 1.1.1 --class security --risk r >/dev/null) 2>/dev/null || got=$?
    [ "$got" = 137 ] && killed=$((killed + 1))
    ls "$W"/spool4/*.tmp.* >/dev/null 2>&1 && leftovers=$((leftovers + 1))
    if spool_ok; then ok "spool intact after $fault (exit $got)"; else not_ok "spool after $fault"; fi
  done
  check "every fault killed the run ($killed of 7)" '[ "$killed" = 7 ]'
  check "some kills hit a spool write ($leftovers left a temp file)" '[ "$leftovers" -ge 2 ]'
else
  echo "# fault injection not built (-Dfault_injection=false): SIGKILL spool checks skipped"
fi
expect_exit 0 "a normal run afterwards" -- $T gate --version 1.1.2 --class security --risk r
check "stale temp files are removed" '! ls "$W"/spool4/*.tmp.* >/dev/null 2>&1'
check "latest.json is the newest notice" 'jq -e ".version == \"1.1.2\"" "$W/spool4/latest.json" >/dev/null'
check "spool files are mode 0644" '[ "$(stat -c %a "$W/spool4/latest.json")" = 644 ]'

# ---------------------------------------------------------------------------
# 5. User actions with old and new values; support notices once per threshold.
P=$W/etc/user.conf
write_policy "$P" "notice-days=90;30;7" "[sink.spool]" "type=file" "directory=$W/spool5"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P --state-dir $W/s6"
expect_exit 0 "notifications off" -- $T settings notifications=off
expect_exit 0 "auto-install feature off" -- $T settings auto-install.feature=off
expect_exit 0 "postpone feature 3d" -- $T postpone --for 3d
expect_exit 0 "postpone feature 5d" -- $T postpone --for 5d
expect_exit 0 "approve" -- $T approve "$DIGEST"
expect_exit 0 "approve again" -- $T approve "$DIGEST"
check "settings change has old and new" '[ "$(audit_count "$W/s6" ".event == \"user.settings-changed\" and .setting == \"notifications\" and .old == true and .new == false")" = 1 ]'
check "auto-install change has old and new" '[ "$(audit_count "$W/s6" ".event == \"user.settings-changed\" and .setting == \"auto-install.feature\" and .old == true and .new == false")" = 1 ]'
check "postpones have old and new until" '[ "$(audit_count "$W/s6" ".event == \"user.postponed\" and .old_until == null and .new_until == \"2026-06-04T10:00:00Z\"")" = 1 ] && [ "$(audit_count "$W/s6" ".event == \"user.postponed\" and .old_until == \"2026-06-04T10:00:00Z\" and .new_until == \"2026-06-06T10:00:00Z\"")" = 1 ]'
check "approvals have old and new" '[ "$(audit_count "$W/s6" ".event == \"user.approved\" and .old_approved_at == null and .new_approved_at == \"2026-06-01T10:00:00Z\"")" = 1 ] && [ "$(audit_count "$W/s6" ".event == \"user.approved\" and .old_approved_at == \"2026-06-01T10:00:00Z\"")" = 1 ]'
check "the switch-off itself was confirmed" 'cat "$W"/spool5/2*.json | jq -s -e "any(.[]; .type == \"settings-changed\" and .setting == \"notifications\" and .new == false)" >/dev/null'
expect_exit 0 "security update while notifications are off" -- $T gate --version 1.0.1 --class security --risk r
check "its notice is suppressed and recorded" '[ "$(audit_count "$W/s6" ".event == \"notice.suppressed\" and .notice_type == \"security-update\" and .reason == \"notifications-off\"")" = 1 ]'
expect_exit 0 "record-check none" -- $T record-check --result none --client hawkbit
expect_exit 0 "record-check available" -- $T record-check --result available --version 1.2.0
expect_output '^recorded update check: available 1\.2\.0' "record-check confirms"
expect_exit 2 "record-check with a bad result" -- $T record-check --result maybe
expect_exit 1 "record-check none with a version" -- $T record-check --result none --version 1.2.0
check "update checks recorded" '[ "$(audit_count "$W/s6" ".event == \"update.check\" and .result == \"none\" and .client == \"hawkbit\"")" = 1 ] && [ "$(audit_count "$W/s6" ".event == \"update.check\" and .result == \"available\" and .version == \"1.2.0\" and .newer == true")" = 1 ]'

P=$W/etc/support.conf
write_policy "$P" "notice-days=90;30;7" "[sink.spool]" "type=file" "directory=$W/spool6"
for now in 2030-10-01 2030-10-03 2030-10-03 2030-10-04 2030-11-15 2030-12-01 2030-12-02 2030-12-26 2030-12-27; do
  expect_exit 0 "gate on $now" -- env TOLLGATE_CLOCK="${now}T12:00:00Z" $TG --config "$P" --state-dir "$W/s7" \
    gate --version 1.1.0 --class feature
done
thresholds=$(jq -r 'select(.type == "support-ending") | .threshold' "$W"/spool6/2*.json | paste -sd, -)
check "support-ending once per threshold: $thresholds" '[ "$thresholds" = "90,30,7" ]'
check "three support-ending deliveries recorded" '[ "$(audit_count "$W/s7" ".event == \"notice.delivered\" and .notice_type == \"support-ending\"")" = 3 ]'
check "three support.ending milestones recorded" '[ "$(audit_count "$W/s7" ".event == \"support.ending\" and .support_end == \"2030-12-31T23:59:59Z\"")" = 3 ]'
cat "$W"/spool5/2*.json "$W"/spool6/2*.json >"$W/spool.jsonl"
if /usr/bin/python3 "$VALIDATE" "$SCHEMA" "$W/spool.jsonl"; then ok "spool notices match the schema"; else not_ok "spool notices vs schema"; fi

# A bad notify configuration is a policy error, never a silent allow.
P=$W/etc/bad.conf
write_policy "$P" "[sink.ui]" "type=exec" "program=notify-send"
expect_exit 1 "relative program path refused" -- $TG --config "$P" --state-dir "$W/s8" gate --version 1.1.0
expect_output "bad\.conf: \[sink\.ui\] program = 'notify-send' does not start with an absolute program path" \
  "error names file, group, key and value"

validate_audit_schema "$W"/s*/log/audit.log*

finish
