# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced (bash): a RAUC device on files for examples/demo.sh, the RAUC
# integration tests (tests/integration/rauc-lib.sh; test-valgrind.sh takes
# its manifests) and the benchmarks (tests/bench/run.sh): a signing PKI, two raw A/B slots on image files, a
# custom bootloader backend that keeps the boot state in files,
# system.conf, a private D-Bus daemon for `rauc service`, and signed
# bundles built by examples/rauc/build-bundle.sh.
#
#   rauc_new_pki DIR CA-NAME SIGNER-NAME DAYS     CA and signer under DIR
#   rauc_new_device DIR COMPATIBLE KEYRING SIZE [--pre-install CMD] [--post-install CMD]
#                                                 slots, bootloader, DIR/system.conf
#   rauc_write_boot_backend FILE STATE-DIR        the bootloader backend alone
#   rauc_start_bus SOCKET                         a dbus-daemon; prints its pid
#   rauc_write_manifest FILE COMPATIBLE VERSION BUILD [META-LINE...]
#   rauc_build_bundle PKI-DIR CONTENT OUT [--hand] a bundle signed by the PKI
#
# Every argument is passed explicitly. The one variable this file sets is
# TG_LIB_TOP, the top of the source tree it belongs to (scripts/lib/..),
# where rauc_build_bundle finds examples/rauc/build-bundle.sh. The
# functions work under `set -eu` and without it: when a step fails they
# print one sentence on stderr, prefixed "rauc.sh:", and return 1.

TG_LIB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# rauc_fail SENTENCE...: prints the sentence on stderr and returns 1.
rauc_fail() {
  printf 'rauc.sh: %s\n' "$*" >&2
  return 1
}

# rauc_openssl WHAT ARG...: openssl ARG..., quiet; on failure one sentence
# that says what it was making (WHAT) and openssl's last line.
rauc_openssl() {
  local what=$1 err
  shift
  if ! err=$(openssl "$@" 2>&1); then
    rauc_fail "openssl could not make $what (${err##*$'\n'}); check that openssl is installed and the directory is writable"
    return 1
  fi
}

# rauc_new_pki DIR CA-NAME SIGNER-NAME DAYS: a two-level PKI for signing
# bundles, valid DAYS days, in DIR (created): ca.pem and ca.key, a CA with
# subject CN=CA-NAME (the keyring of system.conf); signer.pem and
# signer.key, signed by it, subject CN=SIGNER-NAME (what rauc bundle signs
# with). DIR also keeps the request, extension file and serial
# (signer.csr, ext.cnf, ca.srl). Keys are RSA 2048 without a passphrase.
rauc_new_pki() {
  local dir=$1 ca=$2 signer=$3 days=$4
  mkdir -p "$dir" 2>/dev/null || { rauc_fail "cannot create the PKI directory $dir; check its parent"; return 1; }
  rauc_openssl "the CA $dir/ca.pem" req -x509 -newkey rsa:2048 -nodes -keyout "$dir/ca.key" \
    -out "$dir/ca.pem" -days "$days" -subj "/CN=$ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
  rauc_openssl "the signer's request $dir/signer.csr" req -newkey rsa:2048 -nodes \
    -keyout "$dir/signer.key" -out "$dir/signer.csr" -subj "/CN=$signer" || return 1
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$dir/ext.cnf" ||
    { rauc_fail "cannot write $dir/ext.cnf; check that $dir is writable"; return 1; }
  rauc_openssl "the signer certificate $dir/signer.pem" x509 -req -in "$dir/signer.csr" \
    -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -CAserial "$dir/ca.srl" \
    -out "$dir/signer.pem" -days "$days" -extfile "$dir/ext.cnf"
}

# rauc_write_boot_backend FILE STATE-DIR: FILE (made executable) is a RAUC
# custom bootloader backend (bootloader=custom) that keeps its state in
# files of STATE-DIR (made absolute): STATE-DIR/primary holds the bootname to boot next
# (A until set), STATE-DIR/state.BOOTNAME "good" or "bad" (good until set).
rauc_write_boot_backend() {
  local file=$1 state=$2
  case $state in /*) ;; *) state=$PWD/$state ;; esac
  cat >"$file" <<EOF || { rauc_fail "cannot write the bootloader backend $file; check that its directory exists"; return 1; }
#!/bin/sh
# RAUC custom bootloader backend: the boot state lives in files of $state.
case "\$1" in
  get-primary) cat "$state/primary" 2>/dev/null || echo A ;;
  set-primary) echo "\$2" >"$state/primary" ;;
  get-state) cat "$state/state.\$2" 2>/dev/null || echo good ;;
  set-state) echo "\$3" >"$state/state.\$2" ;;
  *) exit 1 ;;
esac
EOF
  chmod +x "$file"
}

# rauc_new_device DIR COMPATIBLE KEYRING SIZE [--pre-install CMD]
#   [--post-install CMD]: a RAUC system on files under DIR (created; a
#   relative DIR is taken from the current directory and written absolute):
#   DIR/slotA.img and DIR/slotB.img, SIZE each (truncate(1) sizes: 4M),
#   are the raw slots rootfs.0 (bootname A) and rootfs.1 (bootname B);
#   DIR/boot.sh is the bootloader backend with its state in DIR/boot;
#   DIR/mnt is the mount prefix, DIR/status.raucs the status file; and
#   DIR/system.conf names all of that, compatible COMPATIBLE, the keyring
#   KEYRING and the pre- and post-install handlers given (none without).
rauc_new_device() {
  local dir=$1 compat=$2 keyring=$3 size=$4 pre="" post=""
  shift 4
  case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
  while [ $# -gt 0 ]; do
    case $1 in
      --pre-install | --post-install)
        [ $# -ge 2 ] || { rauc_fail "rauc_new_device: $1 needs a command for $dir; pass one after it"; return 1; }
        if [ "$1" = --pre-install ]; then pre=$2; else post=$2; fi
        shift 2 ;;
      *) rauc_fail "rauc_new_device: unknown option '$1' for $dir; see scripts/lib/rauc.sh for the options"
        return 1 ;;
    esac
  done
  mkdir -p "$dir/mnt" "$dir/boot" 2>/dev/null || { rauc_fail "cannot create the device directory $dir; check its parent"; return 1; }
  truncate -s "$size" "$dir/slotA.img" "$dir/slotB.img" 2>/dev/null ||
    { rauc_fail "cannot make the slot images $dir/slotA.img and slotB.img of size '$size'; check the size and the free space"; return 1; }
  rauc_write_boot_backend "$dir/boot.sh" "$dir/boot" || return 1
  {
    printf '[system]\ncompatible=%s\nbootloader=custom\nmountprefix=%s\n' "$compat" "$dir/mnt"
    printf 'statusfile=%s\n\n[keyring]\npath=%s\n\n[handlers]\n' "$dir/status.raucs" "$keyring"
    [ -z "$pre" ] || printf 'pre-install=%s\n' "$pre"
    [ -z "$post" ] || printf 'post-install=%s\n' "$post"
    printf 'bootloader-custom-backend=%s\n\n' "$dir/boot.sh"
    printf '[slot.rootfs.0]\ndevice=%s\ntype=raw\nbootname=A\n\n' "$dir/slotA.img"
    printf '[slot.rootfs.1]\ndevice=%s\ntype=raw\nbootname=B\n' "$dir/slotB.img"
  } >"$dir/system.conf" || { rauc_fail "cannot write $dir/system.conf; check that $dir is writable"; return 1; }
}

# rauc_start_bus SOCKET: starts a private dbus-daemon (session
# configuration) listening on the unix socket SOCKET and prints its pid;
# the daemon forks, so stopping it by that pid is the caller's part. Point
# rauc at it with DBUS_SESSION_BUS_ADDRESS=unix:path=SOCKET and
# DBUS_STARTER_BUS_TYPE=session.
rauc_start_bus() {
  local out
  out=$(dbus-daemon --config-file=/usr/share/dbus-1/session.conf --address="unix:path=$1" \
    --fork --print-pid) ||
    { rauc_fail "dbus-daemon could not listen on $1; check that dbus-daemon is installed and the directory is writable"; return 1; }
  printf '%s\n' "${out%%$'\n'*}"
}

# rauc_write_manifest FILE COMPATIBLE VERSION BUILD [META-LINE...]: a bundle
# manifest for the image rootfs.img of slot class rootfs; META-LINEs
# (KEY=VALUE) go into a [meta.tollgate] group (RAUC 1.8's rauc bundle drops
# it: give them in the tollgate.conf sidecar there).
rauc_write_manifest() {
  local file=$1 compat=$2 version=$3 build=$4
  shift 4
  {
    printf '[update]\ncompatible=%s\nversion=%s\nbuild=%s\n' "$compat" "$version" "$build"
    if [ $# -gt 0 ]; then printf '\n[meta.tollgate]\n'; printf '%s\n' "$@"; fi
    printf '\n[image.rootfs]\nfilename=rootfs.img\n'
  } >"$file" || { rauc_fail "cannot write the manifest $file; check that its directory exists"; return 1; }
}

# rauc_build_bundle PKI-DIR CONTENT OUT [--hand]: the bundle OUT from the
# directory CONTENT (manifest.raucm, its images, an optional tollgate.conf
# sidecar), signed by PKI-DIR/signer.pem and checked against PKI-DIR/ca.pem
# (rauc_new_pki's files), by examples/rauc/build-bundle.sh (--hand: built
# without rauc bundle, keeping [meta.tollgate]). Its output and status are
# the script's: redirect them as needed.
rauc_build_bundle() {
  local pki=$1 content=$2 out=$3 hand=()
  shift 3
  case ${1:-} in
    '') ;;
    --hand) hand=(--hand) ;;
    *) rauc_fail "rauc_build_bundle: unknown option '$1' for $out; the only option is --hand"; return 1 ;;
  esac
  "$TG_LIB_TOP/examples/rauc/build-bundle.sh" "${hand[@]}" --cert "$pki/signer.pem" \
    --key "$pki/signer.key" --keyring "$pki/ca.pem" "$content" "$out"
}
