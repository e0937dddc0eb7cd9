#!/usr/bin/env bash
# Installs the Debian 12 packages tollgate needs that are missing.
# Usage: scripts/install-deps.sh [build|test|demo|fuzz|bench]   (default: test)
#   build  compile tollgate and its man pages
#   demo   build + what examples/demo.sh runs (SWUpdate with the Lua plugin,
#          RAUC, squashfs, D-Bus, jq, openssl, cpio)
#   test   build + demo + test tools (cmocka, JSON Schema validation, the
#          SWUpdate source build)
#   fuzz   test + clang with libFuzzer
#   system what tests/system/run.sh needs: the guest's build (mmdebstrap),
#          its disk (GPT, ext4, FAT, standalone GRUB EFI) and QEMU with OVMF
#   bench  what tests/bench/run.sh needs: the same as test
set -euo pipefail

profile=${1:-test}
build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libjson-glib-dev libssl-dev scdoc)
# Lua module and sw-description parser, the progress listener, the updaters
# and the tools the demo scripts call.
demo_pkgs=(liblua5.3-dev lua5.3 libconfig-dev libswupdate-dev swupdate rauc squashfs-tools dbus
  dbus-session-bus-common openssl jq cpio util-linux mount perl)
test_pkgs=(libcmocka-dev python3 python3-jsonschema python3-regex openssl jq rauc squashfs-tools dbus dbus-session-bus-common
  swupdate libswupdate-dev libconfig-dev liblua5.3-dev lua5.3 cpio dpkg-dev build-essential patch valgrind
  chromium time
  # The updater matrix (scripts/updaters.sh): SWUpdate 2024.12.1 with Lua 5.4,
  # libubootenv 0.3.5 and json-c; RAUC 1.13 and 1.15.2.
  cmake libyaml-dev zlib1g-dev libjson-c-dev liblua5.4-dev lua5.4 libdbus-1-dev libnl-genl-3-dev
  libfdisk-dev xz-utils
  # The hardware anchor: tpm2-tss and the software TPM its tests run against.
  libtss2-dev swtpm swtpm-tools
  # The Debian packages (tests/packaging/test-deb.sh) and the unit checks.
  debhelper lintian fakeroot systemd)
fuzz_pkgs=(clang libclang-rt-14-dev)
system_pkgs=(mmdebstrap qemu-system-x86 ovmf grub-efi-amd64-bin grub-common mtools dosfstools fdisk e2fsprogs
  systemd-container kmod rauc squashfs-tools openssl jq)

case "$profile" in
  build) pkgs=("${build_pkgs[@]}") ;;
  demo) pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}") ;;
  test|bench) pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}" "${test_pkgs[@]}") ;;
  fuzz) pkgs=("${build_pkgs[@]}" "${demo_pkgs[@]}" "${test_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  system) pkgs=("${build_pkgs[@]}" "${system_pkgs[@]}") ;;
  *) echo "install-deps: unknown profile '$profile'; use build, test, fuzz, demo, bench or system" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo to add: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
