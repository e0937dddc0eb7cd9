#!/bin/sh
# The guest side of tests/system/run.sh: runs on every boot of the VM
# (tg-system-driver.service) from the 9p share, so changing a plan needs no
# new image. The host names this boot's step in /mnt/host/step; everything
# the host checks later goes to /mnt/host/out/<step>/. The last action of a
# step is a reboot or a power-off, which ends QEMU (-no-reboot). The n-*
# steps are the nspawn layer's (the same rootfs under systemd-nspawn, no loop
# devices: an install is staged with `tollgate installed` and `rauc status
# mark-active other`, as RAUC's post-install and slot switch leave it).
set -u
H=/mnt/host
step=$(cat "$H/step")
O=$H/out/$step
mkdir -p "$O"
exec >"$O/plan.log" 2>&1
echo "step $step on slot $(sed -n 's/.*\(rauc\|tg\)\.slot=\([A-Z]*\).*/\2/p' /proc/cmdline)"
# The commit unit of this variant: RAUC's helper, or commit --booted.
case $step in swu-*) unit=tollgate-commit.service ;; *) unit=tollgate-rauc-commit.service ;; esac

# snapshot: what the host asserts on for this boot.
snapshot() {
  cat /proc/sys/kernel/random/boot_id >"$O/boot_id"
  sed -n 's/^VERSION_ID=//p' /etc/os-release >"$O/version"
  rauc status --detailed --output-format=shell >"$O/rauc-status" 2>&1
  tollgate status --json >"$O/tollgate-status.json" 2>"$O/tollgate-status.err"
  systemctl show -p ActiveState -p Result -p ExecMainExitTimestampMonotonic "$unit" >"$O/commit-unit"
  systemctl show -p ExecMainStartTimestampMonotonic tg-system-driver.service >"$O/driver-unit"
  journalctl -b -o cat -u "$unit" >"$O/commit.log" 2>&1
  grub-editenv /boot/efi/EFI/BOOT/grubenv list >"$O/grubenv"
}
# install NAME: rauc install of the bundle NAME (copied off 9p first: RAUC
# refuses a bundle it cannot find a block device for); its exit status and
# what RAUC's service logged go to $O/install-NAME.*.
install() {
  cp "$H/bundles/$1.raucb" /data/tmp.raucb
  rauc install /data/tmp.raucb >"$O/install-$1.out" 2>&1
  echo $? >"$O/install-$1.rc"
  rm -f /data/tmp.raucb
  journalctl -b -o cat -u rauc.service >"$O/install-$1.journal" 2>&1
}
# swu NAME: the stock swupdate daemon installs $H/swu/NAME.swu, handed to
# it by swupdate-client (2022.12's standalone -i can end its own install
# half-way), with tollgate's Lua handler (named by the sw-description) and
# the precheck as preupdatecmd; the GRUB environment comes from the
# update's bootenv. The exit status written is 0 when the daemon logged
# success.
swu() {
  local log=$O/daemon-$1.log pid
  # SWUpdate copies the .swu to TMPDIR first: the data partition has room.
  rm -rf /data/swu-tmp; mkdir -p /data/swu-tmp
  TMPDIR=/data/swu-tmp swupdate -v -k /etc/swupdate/cert.pem -H tg-system:1.0 -B grub \
    -P "/usr/bin/tollgate swupdate-precheck" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ -S /data/swu-tmp/sockinstctrl ] && break; sleep 0.1; done
  TMPDIR=/data/swu-tmp timeout 600 swupdate-client -q "$H/swu/$1.swu" >"$O/install-$1.out" 2>&1
  for _ in $(seq 1 1500); do
    grep -qE "SWUPDATE successful|Installation failed|Not installing" "$log" && break
    sleep 0.2
  done
  if grep -q "SWUPDATE successful" "$log"; then echo 0; else echo 1; fi >"$O/install-$1.rc"
  kill "$pid"; wait "$pid" 2>/dev/null
  rm -rf /data/swu-tmp
}
# stage VERSION: what a successful RAUC install into the other slot leaves.
stage() {
  tollgate installed --version "$1" --component rootfs --class security --risk "nspawn $1" &&
    rauc status mark-active other && echo "staged $1"
}
# finish reboot|poweroff
finish() { sync; echo "step $step done: $1"; systemctl "$1"; }

snapshot
case $step in
  first-boot)                 # A runs 1.0.0: install 1.1.0 into B
    install b110
    finish reboot ;;
  good-boot)                  # B runs 1.1.0 (committed by now)
    install b090              # a signed downgrade: refused by tollgate
    # State on a slot: a drop-in moves the state directory into this
    # slot's own /var; RAUC's pre-install must refuse naming the path.
    mkdir -p /etc/tollgate/conf.d
    printf '[state]\ndirectory = /var/lib/tg-on-slot\n' >/etc/tollgate/conf.d/90-on-slot.conf
    install b115
    rm /etc/tollgate/conf.d/90-on-slot.conf
    install b120              # 1.2.0, whose init is broken, into A
    finish reboot ;;
  fallback-boot)              # A did not come up; B runs 1.1.0 again
    finish poweroff ;;
  swu-first-boot)             # SWUpdate: A runs 1.0.0, 1.1.0 into B
    swu s110
    finish reboot ;;
  swu-good-boot)              # B runs 1.1.0, marked good and committed
    swu s090                  # a signed downgrade
    swu s120                  # 1.2.0 with a broken init into A
    finish reboot ;;
  swu-fallback-boot)
    finish poweroff ;;
  n-first) stage 1.1.0; finish poweroff ;;     # slot A: 1.1.0 "into B"
  n-good) stage 1.2.0; finish poweroff ;;      # B, committed: 1.2.0 "into A"
  n-fallback) finish poweroff ;;               # B again: A never came up
  *) echo "unknown step $step"; finish poweroff ;;
esac
