#!/bin/sh
# The guest side of tests/system/run.sh: runs on every boot of the VM
# (tg-system-driver.service) from the 9p share, so changing a plan needs no
# new image. The host names this boot's step in /mnt/host/step; everything
# the host checks later goes to /mnt/host/out/<step>/. The last action of a
# step is a reboot or a power-off, which ends QEMU (-no-reboot).
set -u
H=/mnt/host
step=$(cat "$H/step")
O=$H/out/$step
mkdir -p "$O"
exec >"$O/plan.log" 2>&1
echo "step $step on slot $(sed -n 's/.*rauc\.slot=\([A-Z]*\).*/\1/p' /proc/cmdline)"

# snapshot: what the host asserts on for this boot.
snapshot() {
  cat /proc/sys/kernel/random/boot_id >"$O/boot_id"
  sed -n 's/^VERSION_ID=//p' /etc/os-release >"$O/version"
  rauc status --detailed --output-format=shell >"$O/rauc-status" 2>&1
  tollgate status --json >"$O/tollgate-status.json" 2>"$O/tollgate-status.err"
  systemctl show -p ActiveState -p Result tollgate-rauc-commit.service >"$O/commit-unit"
  journalctl -b -o cat -u tollgate-rauc-commit.service >"$O/commit.log" 2>&1
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
  *) echo "unknown step $step"; finish poweroff ;;
esac
