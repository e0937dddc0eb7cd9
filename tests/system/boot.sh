# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/system/run.sh: boots the disk in QEMU, one boot per step
# (-no-reboot: a reboot, a power-off or a panic ends QEMU, and the next cold
# start is faster than OVMF's warm reset under TCG), the nspawn check of the
# units, and the host-side checks of what each boot recorded.

SYS_PASSED=0 SYS_FAILED=0
ok() { SYS_PASSED=$((SYS_PASSED + 1)); echo "ok - $*"; }
not_ok() { SYS_FAILED=$((SYS_FAILED + 1)); echo "not ok - $*"; }
check() {  # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi
}
sys_summary() {
  echo "# system test: $SYS_PASSED passed, $SYS_FAILED failed, ${SECONDS}s"
  [ "$SYS_FAILED" = 0 ] || SYS_FAILED=1
}

# sys_boot STEP reboot|poweroff|panic: one boot of the disk for STEP, which
# must end the way given, within TG_SYSTEM_BOOT_TIMEOUT seconds (600).
sys_boot() {
  local step=$1 want=$2 out=$B/share/out/$1 pid rc=0 limit=${TG_SYSTEM_BOOT_TIMEOUT:-600}
  mkdir -p "$out"
  echo "$step" >"$B/share/step"
  sys_say "boot: $step (expect $want)"
  timeout -k 5 "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1024 \
    -no-reboot -nodefaults -display none -monitor none \
    -serial "file:$out/serial.log" -bios /usr/share/ovmf/OVMF.fd \
    -drive "file=$DISK,format=raw,if=virtio" \
    -virtfs "local,path=$B/share,mount_tag=host,security_model=none,id=host" \
    >"$out/qemu.log" 2>&1 &
  pid=$!
  wait "$pid" || rc=$?
  kill -9 "$pid" 2>/dev/null || true
  case $want in
    panic)
      check "$step: QEMU ended (exit $rc)" test "$rc" = 0
      check "$step: the broken init ran and the kernel panicked" \
        sh -c "grep -q 'broken on purpose' '$out/serial.log' && grep -q 'Kernel panic' '$out/serial.log'" ;;
    *)
      check "$step: QEMU ended by the guest's $want (exit $rc)" test "$rc" = 0
      check "$step: the plan ran to its $want" grep -q "step $step done: $want" "$out/plan.log" ;;
  esac
  if [ "$rc" != 0 ] || { [ "$want" != panic ] && ! [ -s "$out/plan.log" ]; }; then
    echo "# last lines of $out/serial.log:"; tail -n 25 "$out/serial.log" | sed 's/^/  | /'
  fi
}

# The data partition out of the disk image, without mounting it.
sys_read_data() {
  rm -rf "$B/data-out" "$B/data-out.img"
  dd if="$DISK" of="$B/data-out.img" bs=1M skip="$SYS_PART_DATA" count="$SYS_DATA_MB" status=none
  mkdir -p "$B/data-out"
  debugfs -R "rdump /tollgate $B/data-out" "$B/data-out.img" >"$B/debugfs.log" 2>&1 ||
    { cat "$B/debugfs.log"; not_ok "debugfs could not read the data partition"; }
  LOG=$B/data-out/tollgate/log/audit.log
}

# The same rootfs under systemd-nspawn: the units are valid
# (systemd-analyze verify), and three boots of seconds each check their
# ordering and the commit flow (a staged install, the boot of the new slot,
# a fallback boot): the quick check of unit changes.
sys_nspawn_check() {
  local r=$B/root units
  units="$r/usr/lib/systemd/system/tollgate-rauc-commit.service $r/usr/lib/systemd/system/tollgate-commit.service"
  units="$units $r/usr/lib/systemd/system/tollgate-rauc-listen.service $r/etc/systemd/system/tg-system-driver.service"
  # shellcheck disable=SC2086
  if systemd-analyze verify --man=no --root="$r" $units >"$B/analyze.log" 2>&1; then
    ok "systemd-analyze verify: tollgate's units and the plan unit"
  else
    not_ok "systemd-analyze verify"; sed 's/^/  | /' "$B/analyze.log"
  fi
  sys_nspawn_prepare
  sys_nspawn n-first A
  sys_nspawn n-good B
  sys_nspawn n-fallback B
  sys_nspawn_checks
}

# sys_nspawn STEP SLOT: one nspawn boot of $B/root (an overlay: the tree
# stays as it is) as if GRUB had booted SLOT, with the data partition, the
# ESP and the share as bind mounts under $B/nspawn.
sys_nspawn() {
  local step=$1 slot=$2 n=$B/nspawn rc=0
  mkdir -p "$n/out/$step" "$n/rauc.service.d" "$n/commit.service.d"
  echo "$step" >"$n/step"
  # RAUC reads the booted slot from the kernel command line, which a
  # container shares with the host; the commit helper reads this boot's
  # start from /proc/stat, also the host's.
  printf '[Service]\nExecStart=\nExecStart=/usr/bin/rauc --mount=/run/rauc service --override-boot-slot=%s\n' \
    "$slot" >"$n/rauc.service.d/slot.conf"
  sleep 1	# this boot starts after the last activation, never in its second
  printf '[Service]\nEnvironment=TOLLGATE_BOOTED_AT=%s\n' "$(date +%s)" >"$n/commit.service.d/boot.conf"
  timeout -k 5 60 systemd-nspawn --quiet --boot --volatile=overlay --register=no --keep-unit \
    -D "$B/root" --machine=tg-system --bind="$n/data:/data" --bind="$n/efi:/boot/efi" \
    --bind="$n:/mnt/host" --bind-ro="$n/rauc.service.d:/etc/systemd/system/rauc.service.d" \
    --bind-ro="$n/commit.service.d:/etc/systemd/system/tollgate-rauc-commit.service.d" \
    "rauc.slot=$slot" >"$n/out/$step/console.log" 2>&1 || rc=$?
  check "nspawn $step (slot $slot): booted, ran its plan and powered off (exit $rc)" \
    grep -q "step $step done: poweroff" "$n/out/$step/plan.log"
}

sys_nspawn_prepare() {
  local n=$B/nspawn
  rm -rf "$n"
  mkdir -p "$n/data/tollgate-keys" "$n/efi/EFI/BOOT"
  echo tg-nspawn-0001 >"$n/data/device-id"
  head -c 32 /dev/urandom >"$n/data/tollgate-keys/audit.key"
  chmod 700 "$n/data/tollgate-keys"; chmod 600 "$n/data/tollgate-keys/audit.key"
  sys_grubenv "$n/efi/EFI/BOOT/grubenv" "ORDER=A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
  install -m 0755 "$top/tests/system/plan.sh" "$n/plan.sh"
  # PID 1 of this host is not systemd: nspawn wants this directory.
  mkdir -p /run/systemd/nspawn
  mountpoint -q /run/systemd/nspawn || mount -t tmpfs tmpfs /run/systemd/nspawn
}

sys_nspawn_checks() {
  local o=$B/nspawn/out
  check "nspawn: the commit unit ran on every boot, before the plan unit" sh -c "
    for s in n-first n-good n-fallback; do
      grep -q '^Result=success' $o/\$s/commit-unit || exit 1
      c=\$(sed -n 's/^ExecMainExitTimestampMonotonic=//p' $o/\$s/commit-unit)
      d=\$(sed -n 's/^ExecMainStartTimestampMonotonic=//p' $o/\$s/driver-unit)
      [ \"\$c\" -gt 0 ] && [ \"\$c\" -le \"\$d\" ] || exit 1
    done"
  check "nspawn: booted into B, the commit raised the floor to 1.1.0" \
    jq -e '.components.rootfs | .floor == "1.1.0" and .pending == null' "$o/n-good/tollgate-status.json"
  check "nspawn: RAUC marked B good before the commit (grubenv B_OK=1, B_TRY=0)" \
    sh -c "grub-editenv '$B/nspawn/efi/EFI/BOOT/grubenv' list | grep -qx B_OK=1 &&
      grub-editenv '$B/nspawn/efi/EFI/BOOT/grubenv' list | grep -qx B_TRY=0"
  check "nspawn: the fallback boot said so and gave 1.2.0 up" grep -q "a fallback boot" "$o/n-fallback/commit.log"
  check "nspawn: after the fallback boot the floor is 1.1.0, nothing pending" \
    jq -e '.components.rootfs | .floor == "1.1.0" and .pending == null' "$o/n-fallback/tollgate-status.json"
}
