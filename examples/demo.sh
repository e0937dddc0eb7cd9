#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The tollgate demo: one product, two units, the real updaters.
#
#   examples/demo.sh [--workdir DIR] [--build DIR] [--no-deps]
#
# The TG-Thermostat T1 (policy: examples/demo/tollgate.conf) runs 1.0.0 and
# has a published support end. Unit thermo-0001 updates with Debian's stock
# SWUpdate (Lua plugin + `tollgate swupdate-precheck` as preupdatecmd),
# unit thermo-0002 with RAUC on A/B slots. The script plays their updates
# (installs, a refused replay, a deferral approved by the user, commits
# after good boots, postponed feature updates, a refused downgrade), moves
# the clock towards the support end, writes the evidence pack and prints a
# summary. It exits 0 when every step had the expected outcome.
#
#   --workdir DIR  where everything is written (default _build/demo-run);
#                  emptied at the start, so the demo can be run again
#   --build DIR    use this existing tollgate build directory: no package
#                  installation, no build (the integration test does this)
#   --no-deps      build, but do not install missing Debian packages
#
# Without --build it first installs missing packages (scripts/install-deps.sh
# demo) and builds into _build/demo. RAUC mounts bundles through loop
# devices, so the RAUC unit needs root; without root (or without loop
# devices) its steps are reported as skipped. Every process the demo starts
# is stopped when it ends. No input is read.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# Signed .swu files (scripts/lib/swu.sh) and the RAUC device on files
# (scripts/lib/rauc.sh), shared with the integration tests and benchmarks.
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/swu.sh
. "$top/scripts/lib/swu.sh"
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/rauc.sh
. "$top/scripts/lib/rauc.sh"
WORK=$top/_build/demo-run
BUILD=""
DEPS=1

usage() { sed -n 's/^# \{0,1\}//; 5p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir) WORK=${2:?--workdir needs a directory}; shift ;;
    --build) BUILD=${2:?--build needs a directory}; shift ;;
    --no-deps) DEPS=0 ;;
    -h|--help) sed -n '3,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "demo: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
exec </dev/null

T0=$(date +%s)
step() { printf '==> %s\n' "$*"; }
say() { printf '    %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# ---- work directory ----------------------------------------------------
case "$WORK" in /*) ;; *) WORK=$PWD/$WORK ;; esac
case "$WORK" in *[[:space:]]*) die "the work directory '$WORK' contains a space; choose another (--workdir)" ;; esac
[ "$WORK" != / ] || die "refusing to use / as the work directory"
if [ -d "$WORK" ] && [ -n "$(ls -A "$WORK")" ] && [ ! -e "$WORK/.tollgate-demo" ]; then
  die "$WORK is not empty and was not written by the demo; choose another (--workdir)"
fi
if [ -d "$WORK" ]; then
  # A previous run that was killed may have left a bundle mounted.
  { findmnt -rn -o TARGET | grep "^$WORK/" || true; } | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$WORK"
fi
mkdir -p "$WORK"
touch "$WORK/.tollgate-demo"
LOGS=$WORK/logs
mkdir -p "$LOGS"

# ---- processes: everything started here is stopped by its PID on exit -----
PIDS=()
stop_pid() {  # stop_pid PID: TERM to its process group (or itself), then KILL
  local p=$1
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
  PIDS=()
  if [ -d "$WORK/unit2/mnt" ]; then
    { findmnt -rn -o TARGET | grep "^$WORK/unit2/mnt" || true; } | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- summary -------------------------------------------------------------
SUMMARY=$WORK/summary.tsv
printf 'step\tunit\tupdater\tversion\texpected\toutcome\taudit_seq\n' >"$SUMMARY"
FAILED=0
row() {  # row STEP UNIT UPDATER VERSION EXPECTED OUTCOME SEQ
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$SUMMARY"
  if [ "$6" = "$5" ]; then say "outcome: $6 (expected $5)"; else
    say "outcome: $6 -- EXPECTED $5"; FAILED=$((FAILED + 1)); fi
}
skip_row() {  # skip_row STEP UNIT UPDATER VERSION EXPECTED
  printf '%s\t%s\t%s\t%s\t%s\tskipped\t-\n' "$@" >>"$SUMMARY"
}

# ---- dependencies and build ------------------------------------------------
if [ -z "$BUILD" ]; then
  if [ "$DEPS" = 1 ]; then
    step "installing missing Debian packages (scripts/install-deps.sh demo)"
    "$top/scripts/install-deps.sh" demo
  fi
  BUILD=$top/_build/demo
  step "building tollgate in ${BUILD#"$top"/} (log: logs/build.log)"
  if [ -f "$BUILD/build.ninja" ]; then
    meson setup --reconfigure "$BUILD" "$top" -Dtests=false >"$LOGS/build.log" 2>&1 ||
      { tail -20 "$LOGS/build.log"; die "meson setup failed"; }
  else
    meson setup "$BUILD" "$top" -Dtests=false >"$LOGS/build.log" 2>&1 ||
      { tail -20 "$LOGS/build.log"; die "meson setup failed"; }
  fi
  ninja -C "$BUILD" >>"$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log"; die "the build failed"; }
fi
BUILD=$(cd "$BUILD" && pwd)
TG=$BUILD/handlers/cli/tollgate
LUAMOD=$BUILD/handlers/swupdate/tollgate_swupdate.so
[ -x "$TG" ] || die "$TG is missing; build tollgate first (or drop --build)"
[ -f "$LUAMOD" ] ||
  die "the Lua module $LUAMOD was not built: install liblua5.3-dev (scripts/install-deps.sh demo) and rebuild"
missing=()
for t in swupdate swupdate-client lua5.3 openssl cpio jq sha256sum findmnt setsid timeout; do
  command -v "$t" >/dev/null || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "missing commands: ${missing[*]} (scripts/install-deps.sh demo installs them)"

# RAUC needs root, loop devices and squashfs.
RAUC_SKIP=""
if [ "$(id -u)" -ne 0 ]; then
  RAUC_SKIP="not running as root: RAUC mounts every bundle through a loop device (run: sudo $0)"
else
  for t in rauc mksquashfs dbus-daemon perl losetup; do
    command -v "$t" >/dev/null || RAUC_SKIP="$t is missing (scripts/install-deps.sh demo)"
  done
  if [ -z "$RAUC_SKIP" ]; then
    if [ ! -e /dev/loop-control ] || ! losetup -f >/dev/null 2>&1; then
      RAUC_SKIP="no free loop device (load the loop module or give the container loop devices)"
    else
      grep -qw squashfs /proc/filesystems || modprobe squashfs 2>/dev/null || true
      grep -qw squashfs /proc/filesystems || RAUC_SKIP="the kernel cannot mount squashfs"
    fi
  fi
fi

# ---- the product's policy, one copy per unit -------------------------------
# unit_setup DIR DEVICE-ID RELEASE [extra drop-in lines...]: DIR/etc/tollgate.conf is
# the demo policy; DIR/etc/conf.d/10-demo-unit.conf moves every path into DIR
# and opens the feature window around now (a real unit installs at night);
# RELEASE is the release the unit runs at the end, declared for its pack.
FLEET=$WORK/fleet
# One checkpoint key for the demo's two units, so that one export verifies
# both logs (a real fleet would rather sign with Ed25519 keys per unit).
AUDIT_KEY=$WORK/pki/audit.key
mkdir -p "$WORK/pki"
head -c 32 /dev/urandom >"$AUDIT_KEY"
chmod 0600 "$AUDIT_KEY"
WIN_START=$(( (10#$(date -u +%H) + 23) % 24 ))
WIN_END=$(( (10#$(date -u +%H) + 2) % 24 ))
WINDOW=$(printf '%02d:00-%02d:00' "$WIN_START" "$WIN_END")
unit_setup() {
  local d=$1 id=$2 release=$3; shift 3
  mkdir -p "$d/etc/conf.d" "$d/state" "$FLEET/$id"
  install -m 0644 "$top/examples/demo/tollgate.conf" "$d/etc/tollgate.conf"
  head -c 32 /dev/urandom >"$d/etc/state.key"
  chmod 0600 "$d/etc/state.key"
  echo "$id" >"$d/etc/machine-id"
  printf 'NAME="TG-Thermostat OS"\nVERSION_ID=1.0.0\n' >"$d/etc/os-release"
  {
    printf '# Written by examples/demo.sh: this unit lives in %s.\n' "$d"
    printf '[device]\ndevice-id-file = %s/etc/machine-id\n\n' "$d"
    printf '[state]\ndirectory = %s/state\nkey-file = %s/etc/state.key\n' "$d" "$d"
    printf 'version-path = %s/etc/os-release\n\n' "$d"
    printf '[audit]\ndirectory = %s/%s\ncheckpoint-key = %s\n\n' "$FLEET" "$id" "$AUDIT_KEY"
    printf '[evidence]\nverify-key = %s\nrelease = %s\n\n' "$AUDIT_KEY" "$release"
    printf '[sink.display]\ndirectory = %s/notices\n\n' "$d"
    printf '[class.feature]\nwindow-hours = %s\ntime-zone = UTC\n' "$WINDOW"
    for l in "$@"; do printf '%s\n' "$l"; done
  } >"$d/etc/conf.d/10-demo-unit.conf"
  chmod 0644 "$d/etc/conf.d/10-demo-unit.conf"
  "$TG" --config "$d/etc/tollgate.conf" config check >"$LOGS/$id-config.log" 2>&1 ||
    { cat "$LOGS/$id-config.log"; die "the policy of $id does not load"; }
}

# ---- audit log helpers ---------------------------------------------------
last_seq() { if [ -s "$1" ]; then jq -s 'if length == 0 then 0 else (last | .seq) end' "$1"; else echo 0; fi; }
# rec LOG SINCE JQ-SELECT: the last record after seq SINCE matching the selector
rec() { jq -sc --argjson s "$2" "[.[] | select(.seq > \$s) | select($3)] | last" "$1"; }
# newest_notice DIR TYPE: the newest notice of TYPE in a file-sink spool
newest_notice() {
  local files=("$1"/2*.json) i  # <YYYYMMDDTHHMMSSZ>-<id>.json, oldest first
  for ((i = ${#files[@]} - 1; i >= 0; i--)); do
    if jq -e --arg t "$2" '.type == $t' "${files[$i]}" >/dev/null 2>&1; then cat "${files[$i]}"; return 0; fi
  done
  return 1
}
show_notice() {  # show_notice JSON: title and text, indented
  say "notice \"$(jq -r .title <<<"$1")\""
  jq -r .text <<<"$1" | sed 's/^/      | /'
}

# ======================================================================
# Unit thermo-0001: stock SWUpdate with the Lua plugin and the precheck
# ======================================================================
U1=$WORK/unit1
P1=$U1/etc/tollgate.conf
LOG1=$FLEET/thermo-0001/audit.log
SWU_TMP=$U1/tmp
TARGET=$U1/rootfs.img
step "unit thermo-0001: TG-Thermostat T1 at 1.0.0, updated by SWUpdate $(dpkg-query -W -f='${Version}' swupdate 2>/dev/null || true)"
# The export reads the updaters' real configuration (signature checks).
unit_setup "$U1" thermo-0001 1.2.2 "" "[mechanism.swupdate-signed]" "updater-config = $U1/etc/swupdate.cfg" \
  "" "[mechanism.rauc-ab]" "updater-config = $WORK/unit2/system.conf"
say "policy: examples/demo/tollgate.conf + drop-in etc/conf.d/10-demo-unit.conf (feature window $WINDOW UTC)"
"$TG" --config "$P1" status >"$LOGS/thermo-0001-status0.log"
say "$(grep '^support end' "$LOGS/thermo-0001-status0.log")"

# Signing key of the update server; SWUpdate checks every sw-description.
mkdir -p "$U1/swu" "$SWU_TMP"
swu_new_signer "$WORK/pki/swu-key.pem" "$WORK/pki/swu-cert.pem" "TG-Thermostat update signer" 30
swu_new_signer "$WORK/pki/other-key.pem" "$WORK/pki/other-cert.pem" "Someone else's signer" 30
printf 'TG-Thermostat T1 rootfs 1.0.0\n' >"$TARGET"
swu_write_config "$U1/etc/swupdate.cfg" "$WORK/pki/swu-cert.pem" "$TG --config $P1 swupdate-precheck"

# make_swu NAME VERSION PROPERTIES [SIGNING [HARDWARE [DEVICE [PAD]]]]: a
# .swu whose tollgate entry carries PROPERTIES (libconfig); payload the line
# "TG-Thermostat T1 rootfs VERSION" (and PAD KiB of zeros after it), written
# to DEVICE (default: the target file). SIGNING: "server" (the update
# server's key, default), "other" (a key SWUpdate does not trust) or "none";
# HARDWARE: B2 (default).
make_swu() {
  local name=$1 version=$2 props=$3 signing=${4:-server} hw=${5:-B2} dev=${6:-$TARGET} pad=${7:-0}
  local d=$U1/swu/$1 sha sign=()
  mkdir -p "$d"
  printf 'TG-Thermostat T1 rootfs %s\n' "$version" >"$d/rootfs.img"
  [ "$pad" = 0 ] || head -c "$((pad * 1024))" /dev/zero >>"$d/rootfs.img"
  sha=$(swu_sha256 "$d/rootfs.img")
  case $signing in
    server) sign=(--sign "$WORK/pki/swu-cert.pem" "$WORK/pki/swu-key.pem") ;;
    other) sign=(--sign "$WORK/pki/other-cert.pem" "$WORK/pki/other-key.pem") ;;
  esac
  swu_build "$d" "$U1/swu/$name.swu" "${sign[@]}" \
    --version "$version" --description "TG-Thermostat T1 firmware $version" --hardware "$hw" \
    --image rootfs.img --device "$dev" --sha256 "$sha" --tollgate "$props"
}

# The daemon waits for updates; tollgate swupdate-listen records failed
# installs and prints the notices SWUpdate's progress clients get.
export LUA_PATH="$top/handlers/swupdate/lua/?.lua;;"
export LUA_CPATH="$BUILD/handlers/swupdate/?.so;;"
# Under the test suite's sanitizer build, swupdate (not instrumented) loads
# the instrumented Lua module: the sanitizer runtime must be preloaded.
host_env=()
[ -n "${TG_ASAN_PRELOAD:-}" ] &&
  host_env=("LD_PRELOAD=$TG_ASAN_PRELOAD" "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
# start_swupdate: the daemon (its log appended to swupdate.log), SWU_PID.
start_swupdate() {
  rm -f "$SWU_TMP/sockinstctrl" "$SWU_TMP/swupdateprog"
  TMPDIR=$SWU_TMP TOLLGATE_CONFIG=$P1 setsid env "${host_env[@]}" swupdate -f "$U1/etc/swupdate.cfg" \
    -H tg-thermostat-t1:B2 -v >>"$LOGS/swupdate.log" 2>&1 &
  SWU_PID=$!
  PIDS+=("$SWU_PID")
  for _ in $(seq 1 100); do
    [ -S "$SWU_TMP/sockinstctrl" ] && [ -S "$SWU_TMP/swupdateprog" ] && break
    sleep 0.05
  done
  [ -S "$SWU_TMP/sockinstctrl" ] || { tail "$LOGS/swupdate.log"; die "SWUpdate did not start"; }
  grep -q "External Lua handler(s) found and loaded" "$LOGS/swupdate.log" ||
    { tail "$LOGS/swupdate.log"; die "SWUpdate did not load tollgate's Lua handler"; }
}
start_swupdate
TMPDIR=$SWU_TMP setsid "$TG" --config "$P1" swupdate-listen --swupdate-config "$U1/etc/swupdate.cfg" \
  >"$LOGS/swupdate-listen.log" 2>&1 &
PIDS+=($!)
say "SWUpdate daemon with the Lua plugin and preupdatecmd = tollgate swupdate-precheck is waiting"

# push NAME: hands the .swu to the daemon (swupdate-client) and waits for its end.
ENDS='SWUPDATE successful|Installation failed|Not installing'
push() {
  local before
  before=$(grep -cE "$ENDS" "$LOGS/swupdate.log" || true)
  SWU_LINE=$(wc -l <"$LOGS/swupdate.log")
  TMPDIR=$SWU_TMP timeout 60 swupdate-client -q "$U1/swu/$1.swu" >/dev/null 2>&1 || true
  for _ in $(seq 1 400); do
    [ "$(grep -cE "$ENDS" "$LOGS/swupdate.log" || true)" -gt "$before" ] && return 0
    sleep 0.05
  done
  say "SWUpdate logged no end for $1"
}
# wait_record LOG SINCE SELECT: the listener writes asynchronously.
wait_record() {
  for _ in $(seq 1 60); do [ "$(rec "$1" "$2" "$3")" != null ] && return 0; sleep 0.05; done
}
swu_said() { tail -n +"$((SWU_LINE + 1))" "$LOGS/swupdate.log" | grep -E "$1" | head -1 | sed 's/.*\(tollgate: \)/\1/'; }

# swu_step TITLE NAME VERSION EXPECTED: push and judge by SWUpdate's log,
# the target and the audit log.
swu_step() {
  local title=$1 name=$2 version=$3 want=$4 since out seq r
  step "$title"
  since=$(last_seq "$LOG1")
  push "$name"
  r=$(rec "$LOG1" "$since" '.event == "gate.decision"')
  if tail -n +"$((SWU_LINE + 1))" "$LOGS/swupdate.log" | grep -q "SWUPDATE successful" &&
     [ "$(head -n 1 "$TARGET")" = "TG-Thermostat T1 rootfs $version" ]; then
    out=installed
    seq=$(rec "$LOG1" "$since" ".event == \"update.installed\" and .candidate.version == \"$version\"" | jq .seq)
    say "SWUpdate: installed; the target now holds $version"
  else
    case $(jq -r '.decision.verdict // "none"' <<<"$r") in
      refuse) out=refused ;;
      defer) out=deferred ;;
      *) out=failed ;;
    esac
    seq=$(jq .seq <<<"$r")
    if [ "$out" = failed ]; then  # the updater's own check: what tollgate recorded of it
      say "SWUpdate's own check stopped it: $(swu_said 'ERROR : ' | sed 's/.*ERROR : //' | cut -c1-120)"
      wait_record "$LOG1" "$since" '.event == "update.failed" or .event == "update.updater-refused"'
      r=$(rec "$LOG1" "$since" '.event == "update.failed" or .event == "update.updater-refused"')
      seq=$(jq -r '.seq // "-"' <<<"$r")
      if [ "$r" != null ]; then say "tollgate recorded $(jq -r .event <<<"$r") (seq $seq)"
      else say "tollgate recorded nothing: SWUpdate stopped before it named the update's version"; fi
    else
      who="tollgate's Lua handler"
      swu_said 'swupdate-precheck command returned' | grep -q . && who="preupdatecmd (tollgate swupdate-precheck)"
      say "SWUpdate logged \"$(swu_said 'tollgate: (refused|deferred)' | sed 's/^\(tollgate: [a-z]* [^ :]*\).*/\1/')\" and stopped it in $who"
      say "reason ($(jq -r .decision.reason <<<"$r")): $(jq -r .decision.message <<<"$r")"
    fi
    say "the target still holds $(head -n 1 "$TARGET" | sed 's/.* //')"
  fi
  row "$title" thermo-0001 swupdate "$version" "$want" "$out" "$seq"
}

# interrupted_step TITLE NAME VERSION: the install of NAME (whose device
# is the FIFO slow-target, which blocks the write) is under way when the
# daemon is killed (SIGKILL); swupdate-listen sees the progress connection
# drop mid-install and records update.failed. Then the daemon starts again.
interrupted_step() {
  local title=$1 version=$3 since r seq out=running links
  step "$title"
  since=$(last_seq "$LOG1")
  SWU_LINE=$(wc -l <"$LOGS/swupdate.log")
  links=$(grep -c 'listening on' "$LOGS/swupdate-listen.log" || true)
  TMPDIR=$SWU_TMP timeout 60 swupdate-client -q "$U1/swu/$2.swu" >/dev/null 2>&1 &
  for _ in $(seq 1 200); do
    [ "$(rec "$LOG1" "$since" ".event == \"gate.confirmed\" and .candidate.version == \"$version\"")" != null ] && break
    sleep 0.05
  done
  sleep 0.5	# past the handler: SWUpdate writes to the device and waits there
  say "SWUpdate allowed $version and is writing it: killing the daemon (SIGKILL)"
  kill -KILL -- "-$SWU_PID" 2>/dev/null || kill -KILL "$SWU_PID"
  wait "$SWU_PID" 2>/dev/null || true
  wait_record "$LOG1" "$since" ".event == \"update.failed\" and .candidate.version == \"$version\""
  r=$(rec "$LOG1" "$since" ".event == \"update.failed\" and .candidate.version == \"$version\"")
  seq=$(jq -r '.seq // "-"' <<<"$r")
  if [ "$r" != null ]; then out=failed; say "tollgate recorded update.failed (seq $seq): $(jq -r .failure <<<"$r")"
  else say "tollgate recorded nothing for the interrupted install"; fi
  start_swupdate
  for _ in $(seq 1 100); do
    [ "$(grep -c 'listening on' "$LOGS/swupdate-listen.log" || true)" -gt "$links" ] && break
    sleep 0.1
  done
  say "SWUpdate started again; the listener reconnected"
  row "$title" thermo-0001 swupdate "$version" failed "$out" "$seq"
}

# retry_step TITLE NAME VERSION: NAME again, with the FIFO drained into the
# target this time, so the write completes.
retry_step() {
  local reader
  cat "$U1/slow-target" >"$TARGET" &
  reader=$!
  swu_step "$1" "$2" "$3" installed
  wait "$reader" 2>/dev/null || true
}

# tg_step TITLE UNIT VERSION EXPECTED EVENT LOG CMD...: a tollgate command,
# judged by its exit status and the audit record EVENT it writes.
tg_step() {
  local title=$1 unit=$2 version=$3 want=$4 event=$5 log=$6 since r rc=0
  shift 6
  step "$title"
  since=$(last_seq "$log")
  "$@" >"$LOGS/cmd.out" 2>&1 || rc=$?
  sed 's/^/    > /' "$LOGS/cmd.out"
  r=$(rec "$log" "$since" ".event == \"$event\"")
  if [ "$rc" = 0 ] && [ "$r" != null ]; then
    row "$title" "$unit" tollgate "$version" "$want" "$want" "$(jq .seq <<<"$r")"
  else
    row "$title" "$unit" tollgate "$version" "$want" "error (exit $rc)" -
  fi
}
# refused_step TITLE UNIT LOG WORD CMD...: a user command the policy refuses;
# the error must name WORD (the limit) and nothing may be recorded.
refused_step() {
  local title=$1 unit=$2 log=$3 word=$4 since rc=0 out=refused
  shift 4
  step "$title"
  since=$(last_seq "$log")
  "$@" >"$LOGS/cmd.out" 2>&1 || rc=$?
  sed 's/^/    > /' "$LOGS/cmd.out"
  { [ "$rc" != 0 ] && grep -q -- "$word" "$LOGS/cmd.out"; } || out="accepted (exit $rc)"
  [ "$(last_seq "$log")" = "$since" ] || out="recorded a postpone"
  row "$title" "$unit" tollgate - refused "$out" -
}
# approve_step TITLE UNIT VERSION LOG DIGEST TOLLGATE...: the user runs the
# approve command the disruption notice gave (DIGEST empty: it gave none).
approve_step() {
  local title=$1 unit=$2 version=$3 log=$4 digest=$5
  shift 5
  if [ -z "$digest" ]; then
    step "$title"
    say "the disruption notice named no approve command"
    row "$title" "$unit" tollgate "$version" approved "no approve command" -
    return 0
  fi
  tg_step "$title" "$unit" "$version" approved user.approved "$log" "$@" approve "$digest"
}
floors() { "$TG" --config "$1" status --json | jq -r '.components.rootfs | "installed \(.installed), floor \(.floor), security floor \(.security_floor // "-")"'; }

T1=("$TG" --config "$P1")
SEC1='class = "security"; advisories = [ "CVE-2026-41001", "CVE-2026-41017" ]; severity = "high"; risk = "An attacker on the home network could change the heating schedule through the web UI without logging in.";'
make_swu feature-1.1.0 1.1.0 'class = "feature";'
make_swu security-1.1.1 1.1.1 "$SEC1"
make_swu disruptive-1.2.0 1.2.0 'class = "feature"; reboot = "true"; downtime = "90s"; services = [ "heating-control" ];'
make_swu feature-1.3.0 1.3.0 'class = "feature";'
make_swu security-1.2.1 1.2.1 'class = "security"; advisories = [ "CVE-2026-42100" ]; severity = "medium"; risk = "A crafted schedule file could crash the heating control.";'
# Misuse: what an attacker or a mistake hands the device.
make_swu flipped-1.4.0 1.4.0 'class = "feature";'
sed -i 's/TG-Thermostat T1 rootfs 1.4.0/TG-Thermostat T1 rootfX 1.4.0/' "$U1/swu/flipped-1.4.0.swu"
make_swu unsigned-1.4.0 1.4.0 'class = "feature";' none
make_swu otherkey-1.4.0 1.4.0 'class = "feature";' other
make_swu otherhw-1.4.0 1.4.0 'class = "feature";' server C9
# A device that blocks the write (a FIFO nobody reads, and a payload larger
# than its buffer): SWUpdate is killed while it waits there.
mkfifo "$U1/slow-target"
make_swu slow-1.2.2 1.2.2 'class = "security"; risk = "A crafted schedule file could crash the heating control.";' \
  server B2 "$U1/slow-target" 1024

swu_step "feature update 1.1.0 inside the maintenance window" feature-1.1.0 1.1.0 installed
say "deferral check: $(jq -r '[.[] | select(.event == "gate.decision" and .candidate.version == "1.1.0")] | last | (.checks // .decision.checks)[] | select(.check == "deferral") | .message' -s "$LOG1")"
tg_step "next start is healthy: commit 1.1.0" thermo-0001 1.1.0 committed update.committed "$LOG1" "${T1[@]}" commit
say "$(floors "$P1")"

swu_step "security update 1.1.1 (2 advisories, risk text)" security-1.1.1 1.1.1 installed
if n=$(newest_notice "$U1/notices" security-update); then show_notice "$n"; else say "no security-update notice in the spool"; FAILED=$((FAILED + 1)); fi
say "progress clients got it too: $(grep -c '"security-update"' "$LOGS/swupdate-listen.log" || true) security notice(s) printed by tollgate swupdate-listen"
tg_step "next start is healthy: commit 1.1.1" thermo-0001 1.1.1 committed update.committed "$LOG1" "${T1[@]}" commit
say "$(floors "$P1")"

swu_step "replay of the signed 1.1.0 update" feature-1.1.0 1.1.0 refused

# ---- misuse: images SWUpdate's own checks must stop ---------------------------
swu_step "image with one byte changed after signing (1.4.0)" flipped-1.4.0 1.4.0 failed
swu_step "unsigned image (1.4.0)" unsigned-1.4.0 1.4.0 failed
swu_step "image signed by another key (1.4.0)" otherkey-1.4.0 1.4.0 failed
swu_step "image for another hardware revision (C9)" otherhw-1.4.0 1.4.0 failed

swu_step "disruptive update 1.2.0 (restart, 90 s without heating control)" disruptive-1.2.0 1.2.0 deferred
APPROVE1=""
if n=$(newest_notice "$U1/notices" disruption-warning); then
  show_notice "$n"
  APPROVE1=$(jq -r '.approve_command // empty' <<<"$n" | awk '{ print $NF }')
fi
approve_step "user approves 1.2.0 (the notice's command)" thermo-0001 1.2.0 "$LOG1" "$APPROVE1" "${T1[@]}"
swu_step "approved update 1.2.0 again" disruptive-1.2.0 1.2.0 installed
tg_step "restart into 1.2.0 is healthy: commit" thermo-0001 1.2.0 committed update.committed "$LOG1" "${T1[@]}" commit
say "$(floors "$P1")"

tg_step "user postpones feature updates for 7 days" thermo-0001 - postponed user.postponed "$LOG1" \
  "${T1[@]}" postpone --for 7d --class feature
swu_step "feature update 1.3.0 while postponed" feature-1.3.0 1.3.0 deferred
swu_step "security update 1.2.1 while features are postponed" security-1.2.1 1.2.1 installed
tg_step "next start is healthy: commit 1.2.1" thermo-0001 1.2.1 committed update.committed "$LOG1" "${T1[@]}" commit
swu_step "reinstall of the installed 1.2.1" security-1.2.1 1.2.1 refused
interrupted_step "install of 1.2.2 interrupted: SWUpdate killed mid-write" slow-1.2.2 1.2.2
retry_step "the same 1.2.2 again after SWUpdate restarted" slow-1.2.2 1.2.2
tg_step "next start is healthy: commit 1.2.2" thermo-0001 1.2.2 committed update.committed "$LOG1" "${T1[@]}" commit

# ---- the user's controls -------------------------------------------------------
tg_step "user switches automatic feature updates off" thermo-0001 - changed user.settings-changed "$LOG1" \
  "${T1[@]}" settings auto-install.feature=off
tg_step "and on again" thermo-0001 - changed user.settings-changed "$LOG1" \
  "${T1[@]}" settings auto-install.feature=on
refused_step "security updates postponed for 30 days (the policy allows 3)" thermo-0001 "$LOG1" \
  "max-postpone" "${T1[@]}" postpone --for 30d --class security
tg_step "periodic update check (no update offered)" thermo-0001 - recorded update.check "$LOG1" \
  "${T1[@]}" record-check --result none --client demo

# ======================================================================
# Unit thermo-0002: RAUC on A/B slots
# ======================================================================
U2=$WORK/unit2
P2=$U2/etc/tollgate.conf
LOG2=$FLEET/thermo-0002/audit.log
RAUC_STEPS=(  # title|version|expected|updater
  "upgrade 1.1.0 (slot switch: restart)|1.1.0|deferred|rauc"
  "user approves 1.1.0 (the notice's command)|1.1.0|approved|tollgate"
  "approved upgrade 1.1.0 into slot B|1.1.0|installed|rauc"
  "boot slot B, mark good, commit|1.1.0|committed|tollgate"
  "downgrade to the signed 1.0.4|1.0.4|refused|rauc"
  "bundle with one byte changed after signing (1.2.0)|1.2.0|failed|rauc"
  "bundle signed under another CA (1.2.0)|1.2.0|failed|rauc"
)
if [ -n "$RAUC_SKIP" ]; then
  step "unit thermo-0002 (RAUC) skipped: $RAUC_SKIP"
  for s in "${RAUC_STEPS[@]}"; do
    IFS='|' read -r t v e u <<<"$s"
    skip_row "$t" thermo-0002 "$u" "$v" "$e"
  done
else
  step "unit thermo-0002: TG-Thermostat T1 at 1.0.0 in slot A, updated by $(rauc --version) (as root: RAUC mounts bundles)"
  unit_setup "$U2" thermo-0002 1.1.0 "" "[mechanism]" "default = rauc-ab"
  rauc_new_pki "$WORK/pki/rauc" "TG-Thermostat RAUC CA" "TG-Thermostat RAUC signer" 30
  rauc_new_device "$U2" tg-thermostat-t1 "$WORK/pki/rauc/ca.pem" 4M \
    --pre-install "$BUILD/handlers/rauc/tollgate-rauc-pre-install" \
    --post-install "$BUILD/handlers/rauc/tollgate-rauc-post-install"
  mkdir -p "$U2/content"
  say "system.conf: pre-install and post-install handlers of tollgate, slots A and B on files"

  # A private D-Bus bus for rauc service, rauc install and rauc-listen.
  DBUS_PID=$(rauc_start_bus "$U2/bus.sock")
  PIDS+=("$DBUS_PID")
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$U2/bus.sock" DBUS_STARTER_BUS_TYPE=session
  RAUC_PID=""
  start_rauc() {  # start_rauc BOOTNAME: rauc service as if booted from that slot
    if [ -n "$RAUC_PID" ]; then stop_pid "$RAUC_PID"; fi
    TOLLGATE_CONFIG=$P2 setsid rauc service --conf="$U2/system.conf" --override-boot-slot="$1" \
      >>"$LOGS/rauc.log" 2>&1 &
    RAUC_PID=$!
    PIDS+=("$RAUC_PID")
    # (rauc status aborts with SIGTRAP while the service is not up yet)
    for _ in $(seq 1 100); do (rauc status >/dev/null 2>&1) 2>/dev/null && return 0; sleep 0.1; done
    tail "$LOGS/rauc.log"; die "rauc service did not start"
  }
  start_rauc A
  setsid "$TG" --config "$P2" rauc-listen --system-config "$U2/system.conf" >"$LOGS/rauc-listen.log" 2>&1 &
  PIDS+=($!)
  say "rauc service (booted from slot A) and tollgate rauc-listen on a private D-Bus bus"

  # bundle NAME VERSION SIDECAR-LINES...: a signed bundle built by rauc bundle
  # (examples/rauc/build-bundle.sh); tollgate's metadata in the sidecar.
  # BUNDLE_PKI (default: the device's CA) signs it, BUNDLE_COMPAT names the
  # device it is for (default: this one).
  bundle() {
    local name=$1 version=$2 d=$U2/content/$1; shift 2
    mkdir -p "$d"
    { printf 'TG-Thermostat T1 rootfs %s\n' "$version"; head -c 65536 /dev/urandom; } >"$d/rootfs.img"
    rauc_write_manifest "$d/manifest.raucm" "${BUNDLE_COMPAT:-tg-thermostat-t1}" "$version" "demo-$name"
    { printf '[tollgate]\n'; printf '%s\n' "$@"; } >"$d/tollgate.conf"
    rauc_build_bundle "${BUNDLE_PKI:-$WORK/pki/rauc}" "$d" "$U2/$name.raucb" >>"$LOGS/bundles.log" 2>&1 ||
      { tail "$LOGS/bundles.log"; die "building bundle $name failed"; }
  }
  # rauc_step TITLE NAME VERSION EXPECTED: rauc install, judged by the slots and the audit log.
  rauc_step() {
    local title=$1 name=$2 version=$3 want=$4 since out seq r rc=0 line
    step "$title"
    since=$(last_seq "$LOG2")
    line=$(wc -l <"$LOGS/rauc.log")
    rauc install "$U2/$name.raucb" >"$LOGS/rauc-install.out" 2>&1 || rc=$?
    r=$(rec "$LOG2" "$since" '.event == "gate.decision"')
    if [ "$rc" = 0 ] && cmp -s -n 65536 "$U2/slotB.img" "$U2/content/$name/rootfs.img"; then
      out=installed
      seq=$(rec "$LOG2" "$since" ".event == \"update.installed\" and .candidate.version == \"$version\"" | jq .seq)
      say "rauc install: succeeded; slot B holds $version, next boot: slot $(cat "$U2/boot/primary")"
    else
      case $(jq -r '.decision.verdict // "none"' <<<"$r") in
        refuse) out=refused ;;
        defer) out=deferred ;;
        *) out=failed ;;
      esac
      seq=$(jq .seq <<<"$r")
      if [ "$out" = failed ]; then  # RAUC's own check: what tollgate's listener recorded of it
        wait_record "$LOG2" "$since" '.event == "update.failed" or .event == "update.updater-refused"'
        seq=$(rec "$LOG2" "$since" '.event == "update.failed" or .event == "update.updater-refused"' | jq -r '.seq // "-"')
      fi
      say "rauc install: $(grep -m1 -o 'Pre-install handler error.*' "$LOGS/rauc-install.out" || tail -1 "$LOGS/rauc-install.out")"
      say "RAUC's log: $(tail -n +"$((line + 1))" "$LOGS/rauc.log" | grep -m1 -o 'tollgate: .*' || echo '(no tollgate line)')"
    fi
    row "$title" thermo-0002 rauc "$version" "$want" "$out" "$seq"
  }

  # A feature upgrade: it waits for the user because the slot switch restarts
  # the device. (A security update waiting would contradict the policy's
  # automatic security installs, and `evidence --strict` would say so.)
  bundle upgrade-1.1.0 1.1.0 class=feature
  bundle downgrade-1.0.4 1.0.4 class=feature
  # Misuse: a changed byte, a signer the keyring does not know.
  bundle flipped-1.2.0 1.2.0 class=feature
  size=$(stat -c %s "$U2/flipped-1.2.0.raucb")
  printf '\xff' | dd of="$U2/flipped-1.2.0.raucb" bs=1 seek=$((size / 3)) conv=notrunc status=none
  rauc_new_pki "$WORK/pki/other" "Someone else's CA" "Someone else's signer" 30
  BUNDLE_PKI=$WORK/pki/other bundle otherca-1.2.0 1.2.0 class=feature
  T2=("$TG" --config "$P2")

  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[0]}"; rauc_step "$t" upgrade-1.1.0 "$v" "$e"
  APPROVE2=""
  if n=$(newest_notice "$U2/notices" disruption-warning); then
    show_notice "$n"
    APPROVE2=$(jq -r '.approve_command // empty' <<<"$n" | awk '{ print $NF }')
  fi
  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[1]}"
  approve_step "$t" thermo-0002 "$v" "$LOG2" "$APPROVE2" "${T2[@]}"
  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[2]}"; rauc_step "$t" upgrade-1.1.0 "$v" "$e"
  say "$(floors "$P2") (the floor waits for a good boot)"

  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[3]}"
  start_rauc B
  tg_step "$t" thermo-0002 "$v" "$e" update.committed "$LOG2" \
    env RAUC=rauc TOLLGATE="$TG --config $P2" sh "$top/handlers/rauc/tollgate-rauc-commit.sh"
  say "slot B marked $(cat "$U2/boot/state.B" 2>/dev/null || echo '?'); $(floors "$P2")"

  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[4]}"; rauc_step "$t" downgrade-1.0.4 "$v" "$e"
  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[5]}"; rauc_step "$t" flipped-1.2.0 "$v" "$e"
  IFS='|' read -r t v e _ <<<"${RAUC_STEPS[6]}"; rauc_step "$t" otherca-1.2.0 "$v" "$e"
fi

# ======================================================================
# Time passes: the support end comes near
# ======================================================================
END=$("$TG" --config "$P1" status --json | jq -r .support_end)
NOW=$(date -u -d "@$(( $(date -u -d "$END" +%s) - 60 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
tg_step "time moves to $NOW, 60 days before the support end" thermo-0001 - notified support.ending "$LOG1" \
  "${T1[@]}" --now "$NOW" record-check --result none --client demo
if n=$(newest_notice "$U1/notices" support-ending); then show_notice "$n"; else say "no support-ending notice in the spool"; FAILED=$((FAILED + 1)); fi
AFTER=$(date -u -d "@$(( $(date -u -d "$END" +%s) + 2 * 86400 ))" +%Y-%m-%dT%H:%M:%SZ)
tg_step "time moves to $AFTER, past the support end" thermo-0001 - ended support.ended "$LOG1" \
  "${T1[@]}" --now "$AFTER" record-check --result none --client demo
step "feature update 1.5.0 after the support end (after-end = refuse-feature)"
since=$(last_seq "$LOG1"); rc=0
"${T1[@]}" --now "$AFTER" gate --version 1.5.0 --class feature >"$LOGS/cmd.out" 2>&1 || rc=$?
sed 's/^/    > /' "$LOGS/cmd.out"
r=$(rec "$LOG1" "$since" '.event == "gate.decision"')
out="exit $rc"; [ "$rc" = 10 ] && [ "$(jq -r .decision.verdict <<<"$r")" = refuse ] && out=refused
row "feature update 1.5.0 after the support end" thermo-0001 tollgate 1.5.0 refused "$out" "$(jq -r '.seq // "-"' <<<"$r")"

# ---- the audit logs ------------------------------------------------------
for unit in thermo-0001 thermo-0002; do
  [ -f "$FLEET/$unit/audit.log" ] || continue
  p=$P1; [ "$unit" = thermo-0002 ] && p=$P2
  step "audit log of $unit: tollgate audit verify"
  if "$TG" --config "$p" audit verify >"$LOGS/verify-$unit.log" 2>&1; then out=verified; else out="broken chain"; fi
  sed 's/^/    > /' "$LOGS/verify-$unit.log"
  row "audit log of $unit verifies" "$unit" tollgate - verified "$out" "$(last_seq "$FLEET/$unit/audit.log")"
done

# ---- the evidence pack ---------------------------------------------------
PACK=$WORK/evidence
if "$TG" evidence --help >/dev/null 2>&1; then
  step "evidence pack for both units: tollgate evidence --out ${PACK#"$WORK"/}"
  rc=0
  "$TG" --config "$P1" evidence --out "$PACK" --logs "$FLEET" >"$LOGS/evidence.log" 2>&1 || rc=$?
  sed 's/^/    > /' "$LOGS/evidence.log"
  if [ "$rc" = 0 ] && [ -s "$PACK/report.html" ]; then out=written; else out="error (exit $rc)"; fi
  for v in $(jq -r '.variants[].id' "$PACK/variants.json" 2>/dev/null); do
    say "variant $v ($(jq -r --arg v "$v" '.variants[] | select(.id == $v) | "\(.model), hardware \(.hardware_revision), devices \([.devices[].device] | join(" ")), release \(.release)"' "$PACK/variants.json")):" \
      "ICS $(jq -r '[.rows[].support] | "\(map(select(. == "Y")) | length) Y, \(map(select(. == "N")) | length) N, \(map(select(. == "N/A")) | length) N/A of \(length) provisions"' "$PACK/variants/$v/ics.json")"
  done
  say "files: $(cd "$PACK" 2>/dev/null && ls | tr '\n' ' ')"
  row "evidence pack" fleet tollgate - written "$out" -
else
  step "evidence pack: skipped, this build of tollgate has no 'evidence' command yet"
  skip_row "evidence pack" fleet tollgate - written
fi

cleanup

# ---- summary -------------------------------------------------------------
echo
echo "Summary (audit seq: the record in that unit's log, $FLEET/UNIT/audit.log)"
awk -F'\t' '
  { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
  END {
    for (r = 1; r <= n; r++) {
      line = ""
      for (i = 1; i <= nf; i++) line = line sprintf("%-" w[i] "s  ", cell[r, i])
      sub(/ +$/, "", line); print line
      if (r == 1) { sep = ""; for (i = 1; i <= nf; i++) { s = ""; for (j = 0; j < w[i]; j++) s = s "-"; sep = sep s "  " } sub(/ +$/, "", sep); print sep }
    }
  }' "$SUMMARY"
echo
skipped=$(awk -F'\t' 'NR > 1 && $6 == "skipped"' "$SUMMARY" | wc -l)
echo "work directory: $WORK (logs in logs/, notices in unit*/notices/, audit logs in fleet/)"
[ -s "$PACK/report.html" ] && echo "evidence pack: $PACK -- open $PACK/report.html in a browser"
echo "time: $(( $(date +%s) - T0 )) s"
if [ "$FAILED" -gt 0 ]; then
  echo "demo: $FAILED step(s) did not have the expected outcome; see $LOGS"
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  echo "demo: every step that ran had the expected outcome; $skipped step(s) skipped (see the lines above)"
else
  echo "demo: every step had the expected outcome"
fi
