# Shared setup of the RAUC integration tests (test-rauc.sh,
# test-attacks-rauc.sh), sourced after lib.sh: the real `rauc service`
# (Debian's RAUC 1.8) on a private D-Bus daemon, two raw slots on files, a
# custom bootloader backend, bundles signed with a test PKI, the tollgate
# handlers and `tollgate rauc-listen`. Call rauc_require (skips with exit 77
# without root, loop devices or squashfs), rauc_setup_device, then
# rauc_start_services; the helpers below then build, install and check.
# The PKI, the device on files, the bus, manifests and bundles come from
# scripts/lib/rauc.sh, which the demo and the benchmarks use too.

skip() { echo "SKIP: $*"; exit 77; }

rauc_require() {
  [ "$(id -u)" -eq 0 ] ||
    skip "needs root: RAUC mounts each bundle through a loop device (run the suite as root, as CI does)"
  missing=()
  for cmd in rauc mksquashfs unsquashfs openssl dbus-daemon jq perl losetup sha256sum; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  [ ${#missing[@]} -eq 0 ] ||
    skip "missing commands: ${missing[*]} (scripts/install-deps.sh test installs them)"
  [ -e /dev/loop-control ] ||
    skip "no loop devices: /dev/loop-control is missing (load the loop module or give the container loop devices)"
  losetup -f >/dev/null 2>&1 || skip "no free loop device: losetup -f found none"
  echo "# RAUC under test: $(command -v rauc) ($(rauc --version))"
  grep -qw squashfs /proc/filesystems || modprobe squashfs 2>/dev/null || true
  grep -qw squashfs /proc/filesystems || skip "the kernel cannot mount squashfs (not in /proc/filesystems)"
}

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/rauc.sh
. "$TG_SOURCE_DIR/scripts/lib/rauc.sh"
PRE=$TG_BUILD_DIR/handlers/rauc/tollgate-rauc-pre-install
POST=$TG_BUILD_DIR/handlers/rauc/tollgate-rauc-post-install
# shellcheck disable=SC2034 # used by the tests that source this file
COMMIT=$TG_SOURCE_DIR/handlers/rauc/tollgate-rauc-commit.sh
P=$W/etc/tollgate.conf
LOG=$W/state/log/audit.log

# ---- processes: everything started here is stopped by PID on exit -------
DBUS_PID="" RAUC_PID="" LISTEN_PID=""
stop_pid() {  # stop_pid PID: TERM, then wait for it (it is our child or the forked bus)
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
stop_all() {
  stop_pid "$LISTEN_PID"; stop_pid "$RAUC_PID"; stop_pid "$DBUS_PID"
  if [ -d "$W/mnt" ]; then umount -R "$W/mnt/bundle" 2>/dev/null || true; fi
}
trap 'stop_all; cleanup' EXIT

# expect_said PATTERN DESCRIPTION: grep -E on the last command's stdout and
# stderr (as lib.sh's expect_output, but without a pipe: under pipefail,
# `cat | grep -q` fails when grep stops reading early on long output).
expect_said() {
  if grep -Eq -- "$1" "$W/out" "$W/err"; then ok "$2"; else
    not_ok "$2: no match for /$1/"; sed 's/^/  | /' "$W/out" "$W/err"; fi
}

wait_until() {  # wait_until COMMAND...: up to 10 s
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# ---- PKI, slots, bootloader, system.conf, policy ------------------------
# (scripts/lib/rauc.sh makes the PKI and the device; the vendor step and the
# policy are this suite's own)
rauc_setup_device() {
  rauc_new_pki "$W/pki" "tollgate test CA" "tollgate test signer" 3650
  rauc_new_device "$W" tg-test "$W/pki/ca.pem" 4M \
    --pre-install "$PRE" --post-install "$W/post-install.sh"
  # A vendor post-install step after tollgate's handler; fails on demand.
  cat >"$W/post-install.sh" <<EOF
#!/bin/sh
"$POST" "\$@"
if [ -e "$W/fail-post-install" ]; then echo "vendor post-install step failed"; exit 1; fi
EOF
  chmod +x "$W/post-install.sh"

  write_policy "$P" "" "[sink.admin]" "type=file" "directory=$W/notices" \
    "notices=update-refused,update-deferred"
  sed -i 's/^scheme=semver$/scheme=semver\ndefault-component=rootfs/' "$P"
  echo "1.0.0" >"$W/etc/version"
  export TOLLGATE_CONFIG=$P
  T="$TG --config $P"
}

# ---- D-Bus, rauc service, listener ---------------------------------------
start_rauc() {  # start_rauc BOOTNAME: the service as if booted from that slot
  stop_pid "$RAUC_PID"
  rauc service --conf="$W/system.conf" --override-boot-slot="$1" >>"$W/rauc.log" 2>&1 &
  RAUC_PID=$!
  wait_until rauc status || { echo "rauc service did not start:"; tail "$W/rauc.log"; exit 1; }
}

start_listener() {  # rauc-listen in the background, logging to $W/listen.log
  $T rauc-listen >>"$W/listen.log" 2>&1 &
  LISTEN_PID=$!
  wait_until grep -q 'listening' "$W/listen.log" ||
    { echo "rauc-listen did not start:"; cat "$W/listen.log"; exit 1; }
}

rauc_start_services() {
  DBUS_PID=$(rauc_start_bus "$W/bus.sock")
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$W/bus.sock" DBUS_STARTER_BUS_TYPE=session
  start_rauc A
  start_listener
}

# ---- helpers -------------------------------------------------------------
# bundle NAME VERSION rauc|hand [--compatible C] [--meta K=V]... [--sidecar K=V]...
bundle() {
  local name=$1 version=$2 mode=$3 compat=tg-test meta=() side=()
  shift 3
  while [ $# -gt 0 ]; do
    case "$1" in
      --compatible) compat=$2 ;;
      --meta) meta+=("$2") ;;
      --sidecar) side+=("$2") ;;
    esac
    shift 2
  done
  local d=$W/content/$name
  mkdir -p "$d"
  head -c 65536 /dev/urandom >"$d/rootfs.img"
  rauc_write_manifest "$d/manifest.raucm" "$compat" "$version" "test-$name" "${meta[@]}"
  if [ ${#side[@]} -gt 0 ]; then
    { printf '[tollgate]\n'; printf '%s\n' "${side[@]}"; } >"$d/tollgate.conf"
  fi
  local hand=()
  [ "$mode" = hand ] && hand=(--hand)
  rauc_build_bundle "$W/pki" "$d" "$W/$name.raucb" "${hand[@]}" >/dev/null
}
digest_of() { sha256sum <"$W/content/$1/rootfs.img" | cut -d' ' -f1; }
slots() { cat "$W/slotA.img" "$W/slotB.img" | sha256sum | cut -d' ' -f1; }

# expect_jq DESCRIPTION FILTER: FILTER over the whole audit log (jq -s) is true
expect_jq() {
  if jq -e -s "$2" "$LOG" >/dev/null; then ok "$1"; else
    not_ok "$1: jq -s '$2' is not true"; tail -n 3 "$LOG" | sed 's/^/  | /'; fi
}
# wait_listener N: wait until rauc-listen has handled N failed installs in all
listener_events() {
  grep -cE "recorded failed install|recorded RAUC's own refusal|stopped by tollgate" "$W/listen.log" || true
}
listener_has() { [ "$(listener_events)" -ge "$1" ]; }
# The listener answers RAUC's Completed signal; on a loaded machine (the
# CI's sanitizer and matrix runs) that can take longer than wait_until's 10 s.
wait_listener() {
  wait_until listener_has "$1" || wait_until listener_has "$1" || wait_until listener_has "$1" ||
    { not_ok "rauc-listen handled $(listener_events) failed installs, wanted $1"; cat "$W/listen.log"; }
}
# install_stopped DESC BUNDLE CODE: rauc install fails, no slot changes
install_stopped() {
  local before
  before=$(slots)
  expect_exit 1 "$1: rauc install fails" -- rauc install "$W/$2.raucb"
  expect_said "Pre-install handler error: Child process exited with code $3" \
    "$1: RAUC reports the handler's exit code $3"
  [ "$(slots)" = "$before" ] && ok "$1: both slots' checksums unchanged" ||
    not_ok "$1: a slot was written"
}
decision_is() {  # decision_is VERSION VERDICT REASON
  expect_jq "gate decision for $1 is $2 ($3)" \
    "[.[] | select(.event == \"gate.decision\" and .candidate.version == \"$1\")] | last |
     .decision.verdict == \"$2\" and .decision.reason == \"$3\""
}
floor_is() {  # floor_is VERSION DESCRIPTION
  $T status --json >"$W/status.json"
  if jq -e ".components.rootfs.floor == \"$1\"" "$W/status.json" >/dev/null; then ok "$2"; else
    not_ok "$2: floor is $(jq -c .components.rootfs "$W/status.json")"; fi
}
