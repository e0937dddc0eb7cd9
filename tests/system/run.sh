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
#   tests/system/run.sh [--nspawn-only] [BUILD-DIR]   (default _build/system)
#
# Needs root (mmdebstrap, mkfs -d) and Debian's archive; scripts/install-deps.sh
# system installs the tools. Every QEMU run is under `timeout`, killed by
# its PID; serial logs and the guest's outputs stay in BUILD-DIR/share/out.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
G=$top/tests/system/guest
nspawn_only=0
[ "${1:-}" = --nspawn-only ] && { nspawn_only=1; shift; }
B=${1:-$top/_build/system}
mkdir -p "$B"
B=$(cd "$B" && pwd)
SECONDS=0
# shellcheck source=../../scripts/lib/rauc.sh
. "$top/scripts/lib/rauc.sh"
# shellcheck source=image.sh
. "$top/tests/system/image.sh"
# shellcheck source=boot.sh
. "$top/tests/system/boot.sh"

[ "$(id -u)" = 0 ] || sys_die "needs root (mmdebstrap, mkfs.ext4 -d with owners); run it as root"
"$top/scripts/install-deps.sh" system

sys_say "tollgate for the guest (--prefix=/usr, -Dpersistent_dir=/data)"
sys_build_tollgate
sys_say "base rootfs (mmdebstrap $SYS_SUITE)"
sys_base_rootfs
[ -f "$B/pki/ca.pem" ] || rauc_new_pki "$B/pki" "tollgate system-test CA" "tollgate system-test signer" 30
sys_say "guest rootfs"
sys_guest_rootfs
sys_say "nspawn: units and ordering"
sys_nspawn_check
[ "$nspawn_only" = 1 ] && { sys_summary; exit "$SYS_FAILED"; }
sys_say "slot images and bundles"
sys_slot_images
sys_bundles
sys_say "disk"
sys_disk

rm -rf "$B/share/out"
mkdir -p "$B/share/out"
install -m 0755 "$top/tests/system/plan.sh" "$B/share/plan.sh"
sys_boot first-boot reboot
sys_boot good-boot reboot
sys_boot broken-boot panic
sys_boot fallback-boot poweroff
sys_say "checks on the host"
sys_read_data
sys_check_boots
sys_summary
exit "$SYS_FAILED"
