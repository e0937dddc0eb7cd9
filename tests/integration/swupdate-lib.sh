# Helpers for the SWUpdate integration tests (sourced after lib.sh).
#
# Every test runs real binaries: SWUpdate (Debian's stock binary, or 2022.12
# built from Debian's source package with the compiled-in handler), the
# tollgate CLI, swupdate-client and swupdate-progress. Outcomes are read from
# SWUpdate's daemon log ("SWUPDATE successful" / "Installation failed"), the
# target file and the audit log, never from SWUpdate's exit code alone (the
# 2022.12 client's exit code is racy). The .swu files and the signing key
# come from scripts/lib/swu.sh, which the demo and the benchmarks use too.

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/swu.sh
. "$TG_SOURCE_DIR/scripts/lib/swu.sh"

SWU_TMP=$W/tmp           # SWUpdate's TMPDIR: sockets, extracted files
SWU_TARGET=$W/target     # the "device" a raw image is written to
SWU_KEY=$W/keys/key.pem
SWU_CERT=$W/keys/cert.pem
AUDIT=$W/state/log/audit.log
POLICY=$W/etc/tollgate.conf
SWU_PIDS=()
mkdir -p "$SWU_TMP" "$W/swu"

# SWUpdate forks helper processes: every SWUpdate runs in its own session
# (setsid) and is ended as a process group.
# swu_stop PID: TERM the process group, KILL it if it is still there after 5 s.
swu_stop() {
  local p=$1 i
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 -- "-$p" 2>/dev/null || kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}

swu_cleanup() {
  local p
  for p in "${SWU_PIDS[@]}"; do swu_stop "$p"; done
  rm -rf "$W"
}
trap swu_cleanup EXIT
[ -n "${SWU_KEEP:-}" ] && trap - EXIT

# swu_require TOOL...: skip (77) when a tool is missing (scripts/install-deps.sh test installs them).
swu_require() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (scripts/install-deps.sh test)"; exit 77; }
  done
}

echo "# SWUpdate under test: $(command -v swupdate || echo none) ($(swupdate --version 2>/dev/null | head -1))"

# swu_policy [extra lines...]: device policy (semver, running 1.0.0).
swu_policy() {
  write_policy "$POLICY" "$@"
  echo "1.0.0" >"$W/etc/version"
  printf 'payload 1.0.0\n' >"$SWU_TARGET"
}

# swu_keys: the test's signing key and certificate (SWU_KEY, SWU_CERT).
swu_keys() { swu_new_signer "$SWU_KEY" "$SWU_CERT" "tollgate test signer" 2; }

# make_swu NAME VERSION PROPS [FLAG...]
#   PROPS: body of the tollgate entry's properties (libconfig), or "-" for an
#          update without a tollgate scripts entry.
#   FLAGS: signed (CMS signature, sha256, hardware-compatibility: for the
#          stock binary), direct (installed-directly image), corrupt (the
#          payload does not match its sha256), type=NAME (update-type =
#          NAME, SWUpdate 2025.12+), hw=REV (hardware-compatibility, default 1.0).
# Writes $W/swu/NAME.swu (payload "payload VERSION") and $W/swu/NAME.desc.
make_swu() {
  local name=$1 version=$2 props=$3; shift 3
  local d=$W/swu/$name signed=0 corrupt=0 sign=() opts=() sha f hw=1.0
  for f in "$@"; do
    case $f in
      signed) signed=1 ;;
      hw=*) hw=${f#hw=} ;;
      direct) opts+=(--installed-directly) ;;
      corrupt) corrupt=1 ;;
      type=*) opts+=(--update-type "${f#type=}") ;;
    esac
  done
  mkdir -p "$d"
  printf 'payload %s\n' "$version" >"$d/payload.bin"
  if [ $signed = 1 ]; then
    sha=$(swu_sha256 "$d/payload.bin")
    sign=(--sign "$SWU_CERT" "$SWU_KEY")
    opts+=(--sha256 "$sha" --hardware "$hw")
  fi
  [ $corrupt = 1 ] && printf 'payload X.X.X\n' >"$d/payload.bin"
  [ "$props" = "-" ] || opts+=(--tollgate "$props")
  swu_build "$d" "$W/swu/$name.swu" "${sign[@]}" --version "$version" \
    --description "tollgate test update $name" --image payload.bin --device "$SWU_TARGET" "${opts[@]}"
  cp "$d/sw-description" "$W/swu/$name.desc"
}

# swu_digest NAME: what tollgate uses as the update's digest (sha256 of sw-description).
swu_digest() { sha256sum "$W/swu/$1.desc" | cut -d' ' -f1; }

# run_swu COMMAND... NAME: one install by a fresh SWUpdate daemon (the
# client hands it the .swu); the daemon's log is $W/swu.log. Not standalone
# mode (-i): in 2022.12 that process can exit, killing its own install
# thread, when its first status query finds the installer still IDLE
# (ipc_wait_for_complete returns the stale last result).
run_swu() {
  local name=${*: -1}
  local cmd=("${@:1:$#-1}")
  start_daemon "${cmd[@]}" || return 0
  push_update "$name"
  swu_stop "$SWU_DAEMON"
  cp "$W/daemon.log" "$W/swu.log"
  local p live=()
  for p in "${SWU_PIDS[@]}"; do [ "$p" = "$SWU_DAEMON" ] || live+=("$p"); done
  SWU_PIDS=("${live[@]}")
}

# expect_installed DESC VERSION: the daemon logged success and the target holds VERSION.
expect_installed() {
  if grep -q "SWUPDATE successful" "$W/swu.log" && ! grep -q "Installation failed" "$W/swu.log" &&
     [ "$(cat "$SWU_TARGET")" = "payload $2" ]; then
    ok "$1"
  else
    not_ok "$1: target '$(cat "$SWU_TARGET")', wanted 'payload $2'"
    { grep -E "tollgate|ERROR|successful|failed" "$W/swu.log" || cat "$W/swu.log"; } | sed "s/^/  | /" | tail -15
  fi
}

# expect_stopped DESC VERSION: the daemon logged a failed update (after a
# handler's refusal "Installation failed"; after the preupdatecmd's "Image
# invalid or corrupted. Not installing"), no success, and the target still
# holds VERSION.
expect_stopped() {
  if grep -Eq 'Installation failed|Not installing' "$W/swu.log" &&
     ! grep -q "SWUPDATE successful" "$W/swu.log" && [ "$(cat "$SWU_TARGET")" = "payload $2" ]; then
    ok "$1"
  else
    not_ok "$1: target '$(cat "$SWU_TARGET")', wanted untouched 'payload $2'"
    { grep -E "tollgate|ERROR|successful|failed" "$W/swu.log" || cat "$W/swu.log"; } | sed "s/^/  | /" | tail -15
  fi
}

# expect_audit DESC JQ-FILTER: the filter holds for the audit log (slurped).
expect_audit() {
  if jq -se "$2" "$AUDIT" >/dev/null 2>&1; then ok "$1"; else
    not_ok "$1: audit log does not satisfy: $2"
    jq -c '{seq, event, v: .candidate.version, verdict: .decision.verdict, reason: .decision.reason}' \
      "$AUDIT" 2>/dev/null | tail -6 | sed 's/^/  | /'
    [ -f "$W/swu.log" ] && grep -E "tollgate|ERROR|successful|failed|Not installing" "$W/swu.log" |
      tail -12 | sed 's/^/  swu.log | /'
  fi
}

# last_decision VERSION: jq filter on the slurped log for the last gate.decision of VERSION.
last_decision() {
  printf '[.[] | select(.event == "gate.decision" and .candidate.version == "%s")] | last | .decision' "$1"
}

# tg ARGS...: the tollgate CLI with the test policy.
tg() { "$TG" --config "$POLICY" "$@"; }

# start_daemon COMMAND...: SWUpdate waiting for updates (IPC); pid in SWU_DAEMON.
start_daemon() {
  rm -rf "$SWU_TMP"; mkdir -p "$SWU_TMP"
  TMPDIR=$SWU_TMP TOLLGATE_CONFIG=$POLICY setsid env "${HOST_ENV[@]}" "$@" -v >"$W/daemon.log" 2>&1 &
  SWU_DAEMON=$!
  SWU_PIDS+=("$SWU_DAEMON")
  for _ in $(seq 1 300); do
    [ -S "$SWU_TMP/sockinstctrl" ] && [ -S "$SWU_TMP/swupdateprog" ] && return 0
    sleep 0.05
  done
  not_ok "SWUpdate daemon did not create its sockets"; cat "$W/daemon.log"
}

# push_update NAME: hands the .swu to the daemon, waits until the daemon logs the end.
push_update() {
  local before
  before=$(grep -cE "SWUPDATE successful|Installation failed|Not installing" "$W/daemon.log" || true)
  TMPDIR=$SWU_TMP timeout 60 swupdate-client -q "$W/swu/$1.swu" >/dev/null 2>&1 || true
  for _ in $(seq 1 600); do
    [ "$(grep -cE "SWUPDATE successful|Installation failed|Not installing" "$W/daemon.log" || true)" -gt "$before" ] && return 0
    sleep 0.05
  done
  not_ok "the daemon logged no end for $1"
}


# wait_for FILE PATTERN: up to 10 s for PATTERN (grep -E) to appear in FILE.
wait_for() {
  for _ in $(seq 1 200); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# relisten_after COUNT: waits (up to 20 s) until tollgate swupdate-listen,
# whose output is $W/listen.out, has connected more than COUNT times: after
# a daemon restart it reconnects with back-off, and an update pushed before
# that would pass unseen.
relisten_after() {
  for _ in $(seq 1 400); do
    [ "$(grep -c 'listening on' "$W/listen.out" 2>/dev/null || true)" -gt "$1" ] && return 0
    sleep 0.05
  done
  return 1
}

# swu_scenarios FLAGS BINARY [ARGS...]: Done-when scenarios 1 and 2, the same
# for the compiled-in handler and the Lua plugin. FLAGS are make_swu flags
# ("" or "signed"). The policy allows downgrades (above the floors) and holds
# disruptive updates for approval.
swu_scenarios() {
  local flags=$1; shift
  local sec='class = "security"; risk = "remote code execution in the web UI"; advisories = ["CVE-2026-1111", "CVE-2026-2222"]; severity = "high";'
  local feat='class = "feature";'
  swu_policy "[rollback]" "allow-downgrade=true" "[disruption]" "require-approval=true"

  # An upgrade installs and is recorded; the floor waits for the commit.
  make_swu up 1.1.0 "$sec" $flags
  run_swu "$@" up
  expect_installed "security upgrade 1.1.0 installs" 1.1.0
  expect_audit "allow and install of 1.1.0 recorded" \
    "($(last_decision 1.1.0)).verdict == \"allow\" and any(.[]; .event == \"update.installed\" and .candidate.version == \"1.1.0\" and .updater.name == \"swupdate\")"
  tg status --json >"$W/status.json"
  if jq -e '.components.system.floor == "1.0.0" and .components.system.pending == "1.1.0"' "$W/status.json" >/dev/null; then
    ok "floor stays 1.0.0 until commit, 1.1.0 pending"; else not_ok "floor before commit"; cat "$W/status.json"; fi

  # A downgrade below the floor is refused before the target is touched.
  make_swu down 0.9.0 "$feat" $flags
  run_swu "$@" down
  expect_stopped "downgrade 0.9.0 refused, target untouched" 1.1.0
  expect_audit "refusal of 0.9.0 recorded (below-floor)" "($(last_decision 0.9.0)) | .verdict == \"refuse\" and .reason == \"below-floor\""
  grep -q "tollgate: refused 0.9.0" "$W/swu.log" && ok "daemon log names the refusal" || not_ok "daemon log lacks the refusal"

  # An update type (SWUpdate 2025.12+; ignored before) does not get past the
  # handler: the sw-description names tollgate's entry whatever its type.
  printf 'globals: { loglevel = 5; };\nupdate-types: ( { name = "app"; } );\n' >"$W/types.cfg"
  make_swu app-down 0.9.2 "$feat" $flags type=app
  run_swu "$@" -f "$W/types.cfg" app-down
  expect_stopped "update-type app 0.9.2 below the floor refused by the handler" 1.1.0
  expect_audit "refusal of the app-type 0.9.2 recorded (below-floor)" \
    "($(last_decision 0.9.2)) | .verdict == \"refuse\" and .reason == \"below-floor\""

  # The floor rises only after commit; then the security floor holds even
  # though downgrades are allowed.
  expect_exit 0 "commit" -- tg commit
  tg status --json >"$W/status.json"
  if jq -e '.components.system.floor == "1.1.0"' "$W/status.json" >/dev/null; then
    ok "floor 1.1.0 after commit"; else not_ok "floor after commit"; cat "$W/status.json"; fi
  make_swu below 1.0.9 "$feat" $flags
  run_swu "$@" below
  expect_stopped "1.0.9 below the security floor refused despite allow-downgrade" 1.1.0
  expect_audit "refusal of 1.0.9 says below-security-floor" "($(last_decision 1.0.9)).reason == \"below-security-floor\""

  # A disruptive update waits for approval of exactly this update (digest).
  make_swu disrupt 1.2.0 'class = "feature"; reboot = "true"; downtime = "90s";' $flags
  run_swu "$@" disrupt
  expect_stopped "disruptive 1.2.0 deferred without approval" 1.1.0
  expect_audit "deferral of 1.2.0 recorded (approval-required)" "($(last_decision 1.2.0)) | .verdict == \"defer\" and .reason == \"approval-required\""
  expect_exit 0 "approve 1.2.0 by its sw-description digest" -- tg approve "$(swu_digest disrupt)"
  run_swu "$@" disrupt
  expect_installed "approved 1.2.0 installs" 1.2.0
  expect_audit "digest of the approved update is the sw-description's" \
    "[.[] | select(.event == \"update.installed\")] | last | .candidate.digest == \"$(swu_digest disrupt)\""
  expect_exit 0 "commit 1.2.0" -- tg commit

  # Feature updates postponed: a feature update waits, a security update installs.
  expect_exit 0 "postpone feature updates 3d" -- tg postpone --for 3d --class feature
  make_swu feat 1.3.0 "$feat" $flags
  run_swu "$@" feat
  expect_stopped "postponed feature 1.3.0 deferred" 1.2.0
  expect_audit "deferral of 1.3.0 recorded" "($(last_decision 1.3.0)).verdict == \"defer\""
  make_swu sec2 1.2.1 "$sec" $flags
  run_swu "$@" sec2
  expect_installed "security 1.2.1 installs while features are postponed" 1.2.1

  # Floors: still 1.2.0 until the next commit.
  tg status --json >"$W/status.json"
  if jq -e '.components.system.floor == "1.2.0" and .components.system.pending == "1.2.1"' "$W/status.json" >/dev/null; then
    ok "floor unchanged before the second commit"; else not_ok "floor before second commit"; cat "$W/status.json"; fi
  expect_exit 0 "second commit" -- tg commit
  tg status --json >"$W/status.json"
  if jq -e '.components.system.floor == "1.2.1" and .components.system.security_floor == "1.2.1"' "$W/status.json" >/dev/null; then
    ok "floor 1.2.1 after the second commit"; else not_ok "floor after second commit"; cat "$W/status.json"; fi
  expect_exit 0 "audit log verifies" -- tg audit verify
  # SWUpdate 2024.05+ reports every aborted install to its handlers
  # (POSTFAILURE): tollgate's own refusals and deferrals are not failures.
  expect_audit "no refusal or deferral is recorded as update.failed" 'all(.[]; .event != "update.failed")'
  # The release $SWU_RELEASE names (the compiled-in test: its tree's), else
  # the one the binary's banner shows (a tarball build shows none: then the
  # Debian package's), with its sublevel (2026.05.1, not 2026.05); a record
  # may add a zero sublevel or the Debian revision (2022.12.0,
  # 2022.12+dfsg-4+deb12u3).
  local want=${SWU_RELEASE:-}
  [ -n "$want" ] || want=$("$1" --version 2>/dev/null | sed -n '1s/^SWUpdate v//p')
  [ -n "$want" ] || want=$(dpkg-query -W -f='${Version}' swupdate 2>/dev/null | sed 's/+.*//')
  local q='[.[] | select(.updater.name? == "swupdate") | .updater.version]'
  local re="^${want//./\\\\.}(\\\\.0)?([+~-].*)?\$"
  if jq -se "$q | length > 0 and all(test(\"$re\"))" "$AUDIT" >/dev/null; then
    ok "every record names SWUpdate's real version $want"
  else
    not_ok "records name SWUpdate $(jq -sc "$q | unique" "$AUDIT"), wanted $want"
  fi
}

# swu_two_installs FLAGS BINARY [ARGS...]: two installs by one daemon (from
# 2024.12 SWUpdate opens and closes a Lua state per install, which unloads
# and reloads the Lua module), a refusal between them.
swu_two_installs() {
  local flags=$1; shift
  local sec='class = "security"; risk = "remote code execution"; advisories = ["CVE-2026-4444"]; severity = "high";'
  # A fresh device (the scenarios before postponed features): state, log
  # and the marker that the device was set up (else that is a loss).
  rm -rf "$W/state" "$W"/etc/state.key.provisioned-*
  swu_policy
  make_swu two-a 1.6.0 "$sec" $flags
  make_swu two-down 0.9.0 "$sec" $flags
  make_swu two-b 1.7.0 "$sec" $flags
  start_daemon "$@" || return 0
  push_update two-a
  push_update two-down
  push_update two-b
  if kill -0 "$SWU_DAEMON" 2>/dev/null && [ "$(grep -c "SWUPDATE successful" "$W/daemon.log")" -eq 2 ] &&
     [ "$(cat "$SWU_TARGET")" = "payload 1.7.0" ]; then
    ok "one daemon installs twice around a refusal (module reloaded, no crash)"
  else
    not_ok "one daemon, three updates: daemon $(kill -0 "$SWU_DAEMON" 2>/dev/null && echo alive || echo gone), target '$(cat "$SWU_TARGET")'"
    grep -E "tollgate|ERROR|successful|failed|egmentation|register" "$W/daemon.log" | tail -12 | sed 's/^/  | /'
  fi
  swu_stop "$SWU_DAEMON"
  expect_audit "the refusal between them is no update.failed" 'all(.[]; .event != "update.failed")'
}

# swu_notice_scenario FLAGS BINARY [ARGS...]: Done-when 5. A progress client
# (swupdate-progress, and tollgate's own listener) receives tollgate's notice
# JSON for a security update and for a disruptive update.
swu_notice_scenario() {
  local flags=$1; shift
  local prog=$W/progress.out listen=$W/listen.out pp lp
  start_daemon "$@"
  TMPDIR=$SWU_TMP swupdate-progress >"$prog" 2>&1 &
  pp=$!; SWU_PIDS+=("$pp")
  TMPDIR=$SWU_TMP "$TG" --config "$POLICY" swupdate-listen >"$listen" 2>&1 &
  lp=$!; SWU_PIDS+=("$lp")
  sleep 0.3   # swupdate-progress: no connect message to wait for
  relisten_after 0 || not_ok "the listener did not connect"
  make_swu nsec 1.4.0 'class = "security"; risk = "remote code execution in the web UI"; advisories = ["CVE-2026-3333"];' $flags
  push_update nsec
  make_swu ndis 1.5.0 'class = "feature"; reboot = "true";' $flags
  push_update ndis
  wait_for "$listen" '"disruption-warning"' || true
  swu_stop "$pp"; swu_stop "$lp"; swu_stop "$SWU_DAEMON"
  # swupdate-progress prints "INFO : {"0": {"tollgate": {...}}}".
  tr '\r' '\n' <"$prog" | sed -n 's/^INFO : //p' >"$W/infos.json"
  if jq -se 'any(.[]; .["0"].tollgate.kind == "notice" and .["0"].tollgate.notice.type == "security-update" and .["0"].tollgate.notice.version == "1.4.0" and (.["0"].tollgate.notice.advisories | index("CVE-2026-3333")) != null)' "$W/infos.json" >/dev/null 2>&1; then
    ok "swupdate-progress received the security-update notice JSON"
  else not_ok "no security-update notice at swupdate-progress"; sed 's/^/  | /' "$W/infos.json" | tail -8; fi
  if jq -se 'any(.[]; .["0"].tollgate.notice.type == "disruption-warning" and .["0"].tollgate.notice.version == "1.5.0" and .["0"].tollgate.notice.reboot == true)' "$W/infos.json" >/dev/null 2>&1; then
    ok "swupdate-progress received the disruption-warning notice JSON"
  else not_ok "no disruption-warning notice at swupdate-progress"; sed 's/^/  | /' "$W/infos.json" | tail -8; fi
  if grep '^{' "$listen" | jq -se 'any(.[]; .notice.type == "security-update") and any(.[]; .notice.type == "disruption-warning")' >/dev/null 2>&1; then
    ok "tollgate swupdate-listen printed both notices"
  else not_ok "swupdate-listen output lacks the notices"; sed 's/^/  | /' "$listen" | tail -8; fi
  expect_audit "notices recorded as delivered to the swupdate-progress sink" \
    'any(.[]; .event == "notice.delivered" and .sink == "swupdate-progress" and .notice_type == "disruption-warning")'
}
