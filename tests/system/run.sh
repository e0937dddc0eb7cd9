#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The system test: a real A/B boot of a Debian 12 guest in QEMU (TCG) with
# RAUC's GRUB backend and tollgate's RAUC handlers, driven through a 9p
# share (tests/system/plan.sh runs in the guest on every boot):
#
#   first-boot     slot A runs 1.0.0 (seeded from os-release); installs
#                  1.1.0 into B; reboot
#   good-boot      GRUB tries B; tollgate-rauc-commit marks it good and
#                  commits (floor 1.1.0); a signed 0.9.0 is refused; a
#                  state directory moved onto the slot makes the install
#                  fail with the path named; 1.2.0, whose init is broken,
#                  goes into A; reboot
#   (broken boot)  A panics; GRUB keeps its try mark
#   fallback-boot  GRUB falls back to B; tollgate-rauc-commit records
#                  update.fell-back and the floor stays 1.1.0
#
# Then, on the host, the data partition is read out of the disk image
# (debugfs, no mount) and the audit log verified and checked boot by boot.
#
#   tests/system/run.sh [--nspawn-only] [--cycle rauc|swupdate] [BUILD-DIR]
#
# (default: both cycles, in _build/system). The SWUpdate cycle is the same
# story with the stock swupdate, the Lua plugin and the precheck, GRUB's
# environment set by each update's bootenv, a mark-good unit and
# `tollgate commit --booted` (which records the fallback).
#
# Needs root (mmdebstrap, mkfs -d) and Debian's archive; scripts/install-deps.sh
# system installs the tools. Every QEMU run is under `timeout`, killed by
# its PID; serial logs and the guest's outputs stay in BUILD-DIR/share/out.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
G=$top/tests/system/guest
nspawn_only=0 cycles="rauc swupdate"
while [ $# -gt 0 ]; do
  case $1 in
    --nspawn-only) nspawn_only=1 ;;
    --cycle) cycles=${2:?--cycle needs rauc or swupdate}; shift ;;
    -*) echo "tests/system/run.sh: unknown option $1; see the header for the options" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
case $cycles in rauc | swupdate | "rauc swupdate") ;;
  *) echo "tests/system/run.sh: --cycle takes rauc or swupdate, not '$cycles'" >&2; exit 2 ;; esac
B=${1:-$top/_build/system}
mkdir -p "$B"
B=$(cd "$B" && pwd)
SECONDS=0
# shellcheck source=../../scripts/lib/rauc.sh
. "$top/scripts/lib/rauc.sh"
# shellcheck source=image.sh
. "$top/tests/system/image.sh"
# shellcheck source=../../scripts/lib/swu.sh
. "$top/scripts/lib/swu.sh"
# shellcheck source=disk.sh
. "$top/tests/system/disk.sh"
# shellcheck source=boot.sh
. "$top/tests/system/boot.sh"
# shellcheck source=checks.sh
. "$top/tests/system/checks.sh"

[ "$(id -u)" = 0 ] || sys_die "needs root (mmdebstrap, mkfs.ext4 -d with owners); run it as root"
"$top/scripts/install-deps.sh" system

sys_say "tollgate for the guest (--prefix=/usr, -Dpersistent_dir=/data)"
sys_build_tollgate
sys_say "base rootfs (mmdebstrap $SYS_SUITE)"
sys_base_rootfs
[ -f "$B/pki/ca.pem" ] || rauc_new_pki "$B/pki" "tollgate system-test CA" "tollgate system-test signer" 30
[ -f "$B/swu/cert.pem" ] || { mkdir -p "$B/swu"
  swu_new_signer "$B/swu/key.pem" "$B/swu/cert.pem" "tollgate system-test signer" 30; }
sys_say "guest rootfs"
sys_guest_rootfs
sys_say "nspawn: units and ordering"
sys_nspawn_check
[ "$nspawn_only" = 1 ] && { sys_summary; exit "$SYS_FAILED"; }
rauc_cycle() {
  sys_say "RAUC: slot images and bundles"
  sys_slot_images rauc
  sys_bundles
  sys_disk rauc
  DISK=$B/rauc.disk
  sys_boot first-boot reboot
  sys_boot good-boot reboot
  sys_boot broken-boot panic
  sys_boot fallback-boot poweroff
  sys_say "RAUC: checks on the host"
  sys_read_data
  sys_check_boots
}

swupdate_cycle() {
  sys_say "SWUpdate: slot images and updates"
  sys_slot_images swupdate
  sys_swus
  sys_disk swupdate
  DISK=$B/swupdate.disk
  sys_boot swu-first-boot reboot
  sys_boot swu-good-boot reboot
  sys_boot swu-broken-boot panic
  sys_boot swu-fallback-boot poweroff
  sys_say "SWUpdate: checks on the host"
  sys_read_data
  sys_check_swu_boots
}

rm -rf "$B/share/out"
mkdir -p "$B/share/out"
install -m 0755 "$top/tests/system/plan.sh" "$B/share/plan.sh"
for c in $cycles; do "${c}_cycle"; done
sys_summary
exit "$SYS_FAILED"
