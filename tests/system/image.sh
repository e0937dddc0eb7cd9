# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/system/run.sh: builds the system-test guest from Debian's
# archive alone, without loop devices or mounts, everything under $B:
#
#   sys_build_tollgate   tollgate built with --prefix=/usr and
#                        -Dpersistent_dir=/data, installed into $B/destdir
#   sys_base_rootfs      Debian 12 minbase with systemd, RAUC, the kernel and
#                        tollgate's runtime libraries (mmdebstrap), kept as
#                        $B/base.tar while its package list is unchanged
#   sys_guest_rootfs     $B/root: the base, tollgate, RAUC's system.conf with
#                        the GRUB backend, the test CA, fstab, the policy
#                        drop-in, the plan unit; kernel modules pruned
#   sys_slot_images      ext4 images of the slot per variant (RAUC's or
#                        SWUpdate's commit units): 1.0.0 (slot A), 1.1.0,
#                        1.2.0 with a broken init, and a small one for the
#                        updates that must be refused before any write
#   sys_bundles          signed bundles (throwaway CA) in $B/share/bundles
#   sys_disk             $B/VARIANT.disk: GPT with ESP (standalone GRUB EFI,
#                        grub.cfg, grubenv), slots A and B, data partition
#                        (disk.sh)
#   sys_swus             signed .swu files for the SWUpdate variant (disk.sh)
#
# Needs $B (absolute), $top (source tree) and $G (tests/system/guest).

SYS_SUITE=bookworm
SYS_MIRROR=${TG_SYSTEM_MIRROR:-}
# Kernel modules the guest loads: the virtio disk, its file systems, the 9p
# share, the loop device and squashfs RAUC mounts bundles with. Everything
# else is pruned (modules.dep gives what they need).
SYS_MODULES="virtio_pci virtio_blk ext4 vfat nls_cp437 nls_ascii nls_utf8 9p 9pnet_virtio loop squashfs"

sys_say() { printf '# system: %s (at %ds)\n' "$*" "$SECONDS"; }
sys_die() { printf 'tests/system: %s\n' "$*" >&2; exit 1; }

# The mirror of the system's own sources (deb822 or one-line), as the brief
# asks: the same URI the host's apt uses.
sys_mirror() {
  [ -n "$SYS_MIRROR" ] && { echo "$SYS_MIRROR"; return; }
  local uri
  uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v security | head -n 1)
  [ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
    /etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
  echo "${uri:-http://deb.debian.org/debian}"
}

sys_build_tollgate() {
  local d=$B/tollgate
  if [ ! -f "$d/build.ninja" ]; then
    meson setup "$d" "$top" --prefix=/usr -Dtests=false -Dpersistent_dir=/data \
      -Dlua=5.3 -Dlua_loader=true -Dlibconfig=enabled -Dswupdate_progress=disabled -Dman=disabled \
      >"$B/tollgate-setup.log" 2>&1 || { tail -20 "$B/tollgate-setup.log"; sys_die "meson setup failed"; }
  fi
  ninja -C "$d" >"$B/tollgate-build.log" 2>&1 || { tail -30 "$B/tollgate-build.log"; sys_die "build failed"; }
  rm -rf "$B/destdir"
  DESTDIR=$B/destdir meson install -C "$d" --strip --no-rebuild >"$B/tollgate-install.log" 2>&1 ||
    { tail -20 "$B/tollgate-install.log"; sys_die "meson install failed"; }
}

# The Debian packages holding the libraries tollgate's installed programs
# link (ldd on the host, dpkg -S), so the guest has exactly those.
sys_runtime_packages() {
  local lib pkg
  find "$B/destdir" -type f \( -perm -u+x -o -name '*.so*' \) -print0 |
    { xargs -0 ldd 2>/dev/null || true; } | awk '/=> \// { print $3 }' | sort -u |
    while read -r lib; do
      # usrmerge: dpkg knows each library under one of its two names.
      pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null ||
        dpkg -S "$(readlink -f "$lib")" 2>/dev/null) || sys_die "no Debian package holds $lib"
      echo "${pkg%%:*}"
    done | sort -u | tr '\n' ' '
}

sys_base_rootfs() {
  local pkgs key
  pkgs="systemd systemd-sysv dbus udev kmod rauc rauc-service swupdate grub-common linux-image-amd64"
  # usr-is-merged: the tree is merged already; without it apt picks
  # usrmerge, which brings the whole of perl (50 MB of slot).
  pkgs="$pkgs initramfs-tools usr-is-merged"
  pkgs="$pkgs $(sys_runtime_packages)"
  key=$(printf '%s\n%s\n%s\n' "$SYS_SUITE" "$pkgs" "$SYS_MODULES" | sha256sum | cut -c1-16)
  if [ -f "$B/base.tar" ] && [ "$(cat "$B/base.key" 2>/dev/null)" = "$key" ]; then
    sys_say "base rootfs $key reused"
    return
  fi
  rm -f "$B/base.tar" "$B/base.key"
  # Before the kernel package: an initramfs with only the listed modules.
  local hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\" \"\$1/usr/share/initramfs-tools/modules.d\"
    echo MODULES=list >\"\$1/etc/initramfs-tools/conf.d/tg-system.conf\"
    printf '%s\n' virtio_pci virtio_blk ext4 >\"\$1/usr/share/initramfs-tools/modules.d/tg-system.conf\""
  mmdebstrap --variant=minbase --include="${pkgs// /,}" \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --essential-hook="$hook" \
    "$SYS_SUITE" "$B/base.tar" "$(sys_mirror)" >"$B/mmdebstrap.log" 2>&1 ||
    { tail -20 "$B/mmdebstrap.log"; sys_die "mmdebstrap failed (log: $B/mmdebstrap.log)"; }
  echo "$key" >"$B/base.key"
}

# Keeps the modules of SYS_MODULES and what modules.dep says they need.
sys_prune_modules() {
  local root=$1 kver keep=() m dep
  kver=$(ls "$root/usr/lib/modules")
  local dir=$root/usr/lib/modules/$kver
  for m in $SYS_MODULES; do
    dep=$(grep -E "/${m//_/[_-]}\.ko(\.[a-z]+)?:" "$dir/modules.dep" | head -n 1) ||
      sys_die "module $m is not in $dir/modules.dep"
    keep+=(${dep//:/})
  done
  mkdir "$dir.keep"
  for m in $(printf '%s\n' "${keep[@]}" | sort -u); do
    mkdir -p "$dir.keep/$(dirname "$m")"
    mv "$dir/$m" "$dir.keep/$m"
  done
  rm -rf "$dir/kernel"
  cp -a "$dir.keep/." "$dir/"
  rm -rf "$dir.keep"
  depmod -b "$root" "$kver"
}

# sys_variant rauc|swupdate: the commit units of the guest tree for one
# updater: RAUC's mark-good-and-commit helper, or GRUB's mark-good (the
# integrator's part for SWUpdate) and `tollgate commit --booted`.
sys_variant() {
  local r=$B/root on off
  if [ "$1" = rauc ]; then on="tollgate-rauc-commit.service"
    off="tollgate-commit.service tg-grub-mark-good.service"
  else on="tollgate-commit.service tg-grub-mark-good.service"
    off="tollgate-rauc-commit.service"
  fi
  # shellcheck disable=SC2086
  systemctl --root="$r" disable $off >/dev/null 2>&1
  # shellcheck disable=SC2086
  systemctl --root="$r" enable $on >/dev/null 2>&1
}

sys_guest_rootfs() {
  local r=$B/root
  rm -rf "$r"
  mkdir -p "$r"
  tar -C "$r" -xf "$B/base.tar"
  cp -a "$B/destdir/." "$r/"
  mkdir -p "$r/data" "$r/boot/efi" "$r/mnt/host" "$r/etc/rauc" "$r/etc/tollgate/conf.d"
  install -m 0644 "$G/system.conf" "$r/etc/rauc/system.conf"
  install -m 0644 "$B/pki/ca.pem" "$r/etc/rauc/ca.pem"
  install -m 0644 "$G/fstab" "$r/etc/fstab"
  install -m 0644 "$G/tollgate.conf" "$r/etc/tollgate/conf.d/50-system-test.conf"
  install -m 0644 "$G/tg-system-driver.service" "$G/tg-grub-mark-good.service" "$r/etc/systemd/system/"
  mkdir -p "$r/etc/swupdate"
  install -m 0644 "$B/swu/cert.pem" "$r/etc/swupdate/cert.pem"
  # SWUpdate (Debian's build) writes the GRUB environment at /boot/grub.
  rm -rf "$r/boot/grub"
  ln -s efi/EFI/BOOT "$r/boot/grub"
  echo tg-system >"$r/etc/hostname"
  systemctl --root="$r" enable tg-system-driver.service >/dev/null 2>&1
  sys_variant rauc
  systemctl --root="$r" mask serial-getty@ttyS0.service getty@tty1.service >/dev/null 2>&1
  sys_prune_modules "$r"
  sys_set_version 1.0.0
  rm -rf "$r/var/cache/apt/"* "$r/var/lib/apt/lists/"*
}

# sys_mkfs VERSION OUT [--broken]: the guest rootfs as an ext4 slot image
# that says VERSION in /etc/os-release; --broken: its init exits at once.
sys_set_version() {  # sys_set_version VERSION: VERSION_ID of the guest tree
  sed -i "/^VERSION_ID=/d" "$B/root/etc/os-release"
  echo "VERSION_ID=$1" >>"$B/root/etc/os-release"
}
sys_mkfs() {
  local version=$1 out=$2 r=$B/root init
  sys_set_version "$version"
  init=$(readlink "$r/usr/sbin/init")
  if [ "${3:-}" = --broken ]; then
    rm "$r/usr/sbin/init"
    printf '#!/bin/sh\necho "tg-system: init of %s is broken on purpose"\nexit 1\n' "$version" \
      >"$r/usr/sbin/init"
    chmod 755 "$r/usr/sbin/init"
  fi
  mkfs.ext4 -q -F -L "rootfs-$version" -d "$r" "$out" "${SYS_SLOT_MB}M" >>"$B/mkfs.log" 2>&1
  [ "${3:-}" = --broken ] && ln -sf "$init" "$r/usr/sbin/init"
  return 0
}

# sys_slot_images rauc|swupdate: the slot images of that variant in
# $B/images/VARIANT-VERSION.ext4 (1.2.0's init is broken), and a small one.
sys_slot_images() {
  local v=$1
  SYS_SLOT_MB=$(( $(du -sm "$B/root" | cut -f1) * 12 / 10 + 32 ))
  mkdir -p "$B/images"
  sys_variant "$v"
  sys_mkfs 1.0.0 "$B/images/$v-1.0.0.ext4"
  sys_mkfs 1.1.0 "$B/images/$v-1.1.0.ext4"
  sys_mkfs 1.2.0 "$B/images/$v-1.2.0.ext4" --broken
  sys_variant rauc
  sys_set_version 1.0.0
  [ -f "$B/images/small.ext4" ] || mkfs.ext4 -q -F -L small "$B/images/small.ext4" 8M >>"$B/mkfs.log" 2>&1
}

# sys_bundle NAME VERSION IMAGE: $B/share/bundles/NAME.raucb, a security
# update (the sidecar says so, with a risk) carrying IMAGE for rootfs.
sys_bundle() {
  local c=$B/content/$1
  rm -rf "$c" "$B/share/bundles/$1.raucb"
  mkdir -p "$c" "$B/share/bundles"
  ln "$3" "$c/rootfs.img" 2>/dev/null || cp "$3" "$c/rootfs.img"
  rauc_write_manifest "$c/manifest.raucm" tg-system "$2" "system-test $1"
  printf '[tollgate]\nclass=security\nrisk=system test %s\n' "$2" >"$c/tollgate.conf"
  rauc_build_bundle "$B/pki" "$c" "$B/share/bundles/$1.raucb" >"$B/bundle-$1.log" 2>&1 ||
    { tail -5 "$B/bundle-$1.log"; sys_die "bundle $1 failed"; }
  rm -rf "$c"
}

sys_bundles() {
  sys_bundle b110 1.1.0 "$B/images/rauc-1.1.0.ext4"
  sys_bundle b120 1.2.0 "$B/images/rauc-1.2.0.ext4"
  sys_bundle b090 0.9.0 "$B/images/small.ext4"
  sys_bundle b115 1.1.5 "$B/images/small.ext4"
}

