#!/bin/sh
# The guest side of the nspawn layer of tests/system/run.sh: the same rootfs
# booted with systemd-nspawn (no loop devices, so no bundle install: an
# install is staged with `tollgate installed` and `rauc status mark-active
# other`, as RAUC's post-install and slot switch would leave it). Runs from
# tg-system-driver.service after tollgate-rauc-commit.service, like plan.sh.
set -u
H=/mnt/host
step=$(cat "$H/step")
O=$H/out/$step
mkdir -p "$O"
exec >"$O/plan.log" 2>&1
echo "nspawn step $step"
cat /proc/sys/kernel/random/boot_id >"$O/boot_id"
rauc status --detailed --output-format=shell >"$O/rauc-status" 2>&1
tollgate status --json >"$O/tollgate-status.json" 2>"$O/tollgate-status.err"
systemctl show -p Result -p ExecMainExitTimestampMonotonic tollgate-rauc-commit.service >"$O/commit-unit"
systemctl show -p ExecMainStartTimestampMonotonic tg-system-driver.service >"$O/driver-unit"
journalctl -b -o cat -u tollgate-rauc-commit.service >"$O/commit.log" 2>&1
# stage VERSION: what a successful install into the other slot leaves.
stage() {
  tollgate installed --version "$1" --component rootfs --class security --risk "nspawn $1" &&
    rauc status mark-active other && echo "staged $1"
}
case $step in
  n-first) stage 1.1.0 ;;       # slot A: 1.1.0 "into B"
  n-good) stage 1.2.0 ;;        # slot B, committed: 1.2.0 "into A"
  n-fallback) ;;                # slot B again: A never came up
esac
echo "nspawn step $step done"
systemctl poweroff
