# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/system/run.sh after image.sh: the disk images (no loop
# devices, no mounts) and the SWUpdate updates of the system test.

# sys_grubenv FILE VAR=VALUE...: a GRUB environment block (1024 bytes,
# '#'-padded) with only the one header line: SWUpdate 2022.12 skips just
# the first line, so grub-editenv's second comment line ("# WARNING: Do
# not edit ...") would become part of the first variable's name there.
sys_grubenv() {
  local f=$1 text
  shift
  text=$(printf '# GRUB Environment Block\n'; printf '%s\n' "$@")
  { printf '%s\n' "$text"; head -c $((1024 - ${#text} - 1)) /dev/zero | tr '\0' '#'; } >"$f"
}

# sys_esp OUT rauc|swupdate: the ESP: standalone GRUB as the removable-media
# loader, its grub.cfg (the booted slot on the kernel command line as
# rauc.slot=, or tg.slot= for SWUpdate, where tollgate-rauc-commit must not
# run) and a grubenv where A is good and B empty.
sys_esp() {
  local esp=$1
  [ -f "$B/BOOTX64.EFI" ] ||
    grub-mkstandalone -O x86_64-efi -o "$B/BOOTX64.EFI" --locales= --fonts= --themes= \
      --install-modules="part_gpt fat ext2 normal configfile loadenv test linux halt echo" \
      --modules="part_gpt fat ext2" "boot/grub/grub.cfg=$G/embedded.cfg"
  if [ "$2" = rauc ]; then cp "$G/grub.cfg" "$B/grub.cfg"
  else sed 's/ rauc\.slot=/ tg.slot=/' "$G/grub.cfg" >"$B/grub.cfg"; fi
  rm -f "$B/grubenv" "$esp"
  sys_grubenv "$B/grubenv" "ORDER=A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
  mkfs.vfat -C -n ESP "$esp" 16384 >/dev/null
  mmd -i "$esp" ::/EFI ::/EFI/BOOT
  mcopy -i "$esp" "$B/BOOTX64.EFI" "$B/grub.cfg" "$B/grubenv" ::/EFI/BOOT/
}

# The data partition: the device's identity and the audit checkpoint key
# (provisioned at the factory, outside any slot); tollgate makes the rest.
sys_data() {
  local d=$B/data-tree
  rm -rf "$d"
  mkdir -p "$d/tollgate-keys"
  echo tg-vm-0001 >"$d/device-id"
  head -c 32 /dev/urandom >"$d/tollgate-keys/audit.key"
  chmod 700 "$d/tollgate-keys"
  chmod 600 "$d/tollgate-keys/audit.key"
  cp "$d/tollgate-keys/audit.key" "$B/audit.key"
  mkfs.ext4 -q -F -L data -d "$d" "$1" "${SYS_DATA_MB}M" >>"$B/mkfs.log" 2>&1
}

# sys_disk rauc|swupdate: $B/VARIANT.disk, a GPT disk in MiB: ESP 1-17,
# slot A (the variant's 1.0.0), slot B (empty), data (room for a bundle:
# RAUC wants it on a block device, and 9p is none).
SYS_DATA_MB=256
sys_disk() {
  local s=$SYS_SLOT_MB disk=$B/$1.disk
  SYS_PART_A=17 SYS_PART_B=$((17 + s)) SYS_PART_DATA=$((17 + 2 * s))
  sys_esp "$B/esp.img" "$1"
  sys_data "$B/data.img"
  rm -f "$disk"
  truncate -s $((SYS_PART_DATA + SYS_DATA_MB + 1))M "$disk"
  printf '%s\n' "label: gpt" \
    "start=1MiB, size=16MiB, type=uefi, name=esp" \
    "start=${SYS_PART_A}MiB, size=${s}MiB, type=linux, name=rootfs-a" \
    "start=${SYS_PART_B}MiB, size=${s}MiB, type=linux, name=rootfs-b" \
    "start=${SYS_PART_DATA}MiB, size=${SYS_DATA_MB}MiB, type=linux, name=data" |
    sfdisk -q "$disk"
  dd if="$B/esp.img" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
  dd if="$B/images/$1-1.0.0.ext4" of="$disk" bs=1M seek=$SYS_PART_A conv=notrunc,sparse status=none
  dd if="$B/data.img" of="$disk" bs=1M seek=$SYS_PART_DATA conv=notrunc,sparse status=none
}

# sys_swu NAME VERSION IMAGE DEVICE SLOT: $B/share/swu/NAME.swu, signed,
# writing IMAGE (compressed) to DEVICE and making SLOT (A or B) the one GRUB
# tries next, with a tollgate entry for the Lua handler (a security update).
sys_swu() {
  local c=$B/content/$1 other=A sha
  [ "$5" = A ] && other=B
  rm -rf "$c"
  mkdir -p "$c" "$B/share/swu"
  gzip -1 -c "$3" >"$c/rootfs.ext4.gz"
  sha=$(sha256sum <"$c/rootfs.ext4.gz" | cut -d' ' -f1)
  printf '%s\n' "software = {" "  version = \"$2\";" \
    "  description = \"tollgate system test $1\";" \
    "  hardware-compatibility: [ \"1.0\" ];" \
    "  images: ( { filename = \"rootfs.ext4.gz\"; type = \"raw\"; device = \"$4\";" \
    "              compressed = \"zlib\"; installed-directly = true; sha256 = \"$sha\"; } );" \
    "  scripts: ( { type = \"tollgate\"; version = \"$2\";" \
    "               properties: { class = \"security\"; risk = \"system test $2\"; }; } );" \
    "  bootenv: ( { name = \"ORDER\"; value = \"$5 $other\"; }, { name = \"$5_OK\"; value = \"1\"; }," \
    "             { name = \"$5_TRY\"; value = \"0\"; } );" \
    "};" >"$c/sw-description"
  swu_sign_description "$c/sw-description" "$B/swu/cert.pem" "$B/swu/key.pem"
  swu_pack "$c" "$B/share/swu/$1.swu" sw-description sw-description.sig rootfs.ext4.gz
  rm -rf "$c"
}

sys_swus() {
  sys_swu s110 1.1.0 "$B/images/swupdate-1.1.0.ext4" /dev/vda3 B
  sys_swu s120 1.2.0 "$B/images/swupdate-1.2.0.ext4" /dev/vda2 A
  sys_swu s090 0.9.0 "$B/images/small.ext4" /dev/vda2 A
}
