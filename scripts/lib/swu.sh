# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced (bash): makes SWUpdate update files (.swu) with one raw image, a
# sw-description that may carry a tollgate scripts entry, and optionally a
# CMS signature that stock SWUpdate accepts. examples/demo.sh, the SWUpdate
# integration tests (tests/integration/swupdate-lib.sh) and the benchmarks
# (tests/bench/run.sh) build their updates with it.
#
#   swu_new_signer KEY CERT COMMON-NAME DAYS   a key and self-signed certificate
#   swu_write_config OUT CERT PRECHECK         examples/swupdate/swupdate.cfg for them
#   swu_sha256 FILE                            the digest a sw-description names
#   swu_write_description FILE OPTION...       a sw-description
#   swu_sign_description FILE CERT KEY         its detached signature FILE.sig
#   swu_pack DIR OUT NAME...                   the cpio archive of the .swu
#   swu_build DIR OUT [--sign CERT KEY] OPTION...   the three above in one go
#
# Every argument is passed explicitly. The one variable this file sets is
# TG_LIB_TOP, the top of the source tree it belongs to (scripts/lib/..),
# where swu_write_config finds the shipped configuration. The functions
# work under `set -eu` and without it: when a step fails they print one
# sentence on stderr, prefixed "swu.sh:", and return 1.

TG_LIB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# swu_fail SENTENCE...: prints the sentence on stderr and returns 1.
swu_fail() {
  printf 'swu.sh: %s\n' "$*" >&2
  return 1
}

# swu_new_signer KEY CERT COMMON-NAME DAYS: an RSA 2048 key (KEY, PEM, no
# passphrase) and a self-signed certificate for it (CERT, PEM) with subject
# CN=COMMON-NAME, valid for DAYS days, with the key usages SWUpdate's CMS
# check wants (digitalSignature, emailProtection). Creates the directories.
swu_new_signer() {
  local key=$1 cert=$2 cn=$3 days=$4 err
  mkdir -p "$(dirname "$key")" "$(dirname "$cert")" 2>/dev/null ||
    { swu_fail "cannot create the directories of $key and $cert; check that their parents exist and are writable"; return 1; }
  if ! err=$(openssl req -x509 -newkey rsa:2048 -nodes -keyout "$key" -out "$cert" -days "$days" \
      -subj "/CN=$cn" -addext "keyUsage=digitalSignature" \
      -addext "extendedKeyUsage=emailProtection" 2>&1); then
    swu_fail "openssl could not write the signing key $key and certificate $cert (${err##*$'\n'}); check that openssl is installed and both paths are writable"
    return 1
  fi
}

# swu_sed_quote TEXT: TEXT as the replacement of a sed s|...|...| command.
swu_sed_quote() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# swu_write_config OUT CERT PRECHECK: OUT is the shipped
# examples/swupdate/swupdate.cfg with CERT as public-key-file and PRECHECK
# (a command line) wherever it runs /usr/bin/tollgate swupdate-precheck.
swu_write_config() {
  local out=$1 cert=$2 precheck=$3 src=$TG_LIB_TOP/examples/swupdate/swupdate.cfg
  [ -f "$src" ] || { swu_fail "$src is missing; run from a complete tollgate source tree"; return 1; }
  sed -e "s|/etc/swupdate/public.pem|$(swu_sed_quote "$cert")|" \
      -e "s|/usr/bin/tollgate swupdate-precheck|$(swu_sed_quote "$precheck")|" "$src" >"$out" ||
    { swu_fail "could not write the SWUpdate configuration $out; check that its directory exists and is writable"; return 1; }
}

# swu_sha256 FILE: prints FILE's sha256 in hex, as sw-description's sha256.
swu_sha256() {
  local sum
  sum=$(sha256sum <"$1") || { swu_fail "cannot read $1 to compute its sha256; check that the file exists"; return 1; }
  printf '%s\n' "${sum%% *}"
}

# swu_check_string OPTION VALUE: fails when VALUE cannot stand between the
# double quotes of a libconfig string as it is.
swu_check_string() {
  case $2 in
    *'"'* | *\\* | *$'\n'*)
      swu_fail "the value '$2' of $1 holds a double quote, a backslash or a line break, which the sw-description cannot hold unquoted; pass a value without them"
      return 1 ;;
  esac
}

# swu_write_description FILE OPTION...: writes a sw-description with one raw
# image to FILE. Options (the first four are required):
#   --version V            software version (and the tollgate entry's version)
#   --description TEXT     its description
#   --image NAME           file name of the image inside the .swu
#   --device PATH          where SWUpdate writes the image
#   --sha256 HEX           the image's sha256 (stock SWUpdate wants one when signed)
#   --hardware REV         hardware-compatibility: [ "REV" ]
#   --update-type NAME     update-type (SWUpdate 2025.12 and later)
#   --installed-directly   stream the image to the device
#   --tollgate PROPS       a scripts entry of type "tollgate" whose properties
#                          group holds PROPS (libconfig settings, as given)
swu_write_description() {
  local file=$1 version="" text="" image="" device="" sha="" hw="" utype="" direct=0 props="" opt
  local have_props=0
  shift
  while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
      --installed-directly) direct=1; shift; continue ;;
      --version | --description | --image | --device | --sha256 | --hardware | --update-type | --tollgate)
        [ $# -ge 2 ] || { swu_fail "swu_write_description: $opt needs a value; pass one after it"; return 1; } ;;
      *) swu_fail "swu_write_description: unknown option '$opt' for $file; see scripts/lib/swu.sh for the options"
        return 1 ;;
    esac
    [ "$opt" = --tollgate ] || swu_check_string "$opt" "$2" || return 1
    case $opt in
      --version) version=$2 ;;
      --description) text=$2 ;;
      --image) image=$2 ;;
      --device) device=$2 ;;
      --sha256) sha=$2 ;;
      --hardware) hw=$2 ;;
      --update-type) utype=$2 ;;
      --tollgate) props=$2; have_props=1 ;;
    esac
    shift 2
  done
  for opt in "--version:$version" "--description:$text" "--image:$image" "--device:$device"; do
    [ -n "${opt#*:}" ] ||
      { swu_fail "swu_write_description: ${opt%%:*} is missing for $file; every sw-description needs it"; return 1; }
  done
  {
    printf 'software = {\n'
    printf '  version = "%s";\n' "$version"
    printf '  description = "%s";\n' "$text"
    [ -z "$utype" ] || printf '  update-type = "%s";\n' "$utype"
    [ -z "$hw" ] || printf '  hardware-compatibility: [ "%s" ];\n' "$hw"
    printf '  images: ( { filename = "%s"; type = "raw"; device = "%s";' "$image" "$device"
    [ -z "$sha" ] || printf ' sha256 = "%s";' "$sha"
    [ "$direct" = 0 ] || printf ' installed-directly = true;'
    printf ' } );\n'
    [ "$have_props" = 0 ] ||
      printf '  scripts: ( { type = "tollgate"; version = "%s"; properties: { %s }; } );\n' "$version" "$props"
    printf '};\n'
  } >"$file" || { swu_fail "could not write $file; check that its directory exists and is writable"; return 1; }
}

# swu_sign_description FILE CERT KEY: FILE.sig, the detached CMS signature
# (DER) of FILE by CERT and KEY that SWUpdate checks with -k CERT.
swu_sign_description() {
  local file=$1 cert=$2 key=$3 err
  if ! err=$(openssl cms -sign -in "$file" -out "$file.sig" -signer "$cert" -inkey "$key" \
      -outform DER -nosmimecap -binary 2>&1); then
    swu_fail "openssl could not sign $file with $cert and $key (${err##*$'\n'}); check that both files exist and that the key belongs to the certificate (swu_new_signer makes such a pair)"
    return 1
  fi
}

# swu_pack DIR OUT NAME...: OUT is the .swu, a cpio archive (crc format) of
# the files NAME... of DIR in that order; sw-description must come first
# (and its .sig next). A symlink in DIR is archived as the file it points to.
swu_pack() {
  local dir=$1 out=$2 name err
  shift 2
  for name in "$@"; do
    [ -e "$dir/$name" ] || { swu_fail "$dir/$name is missing; write it before packing $out"; return 1; }
  done
  if ! err=$( (cd "$dir" && printf '%s\n' "$@" | cpio --quiet -o -L -H crc) 2>&1 >"$out"); then
    swu_fail "cpio could not pack $dir into $out (${err##*$'\n'}); check that cpio is installed and $out is writable"
    return 1
  fi
}

# swu_build DIR OUT [--sign CERT KEY] OPTION...: the .swu OUT from the image
# DIR/NAME (--image NAME): writes DIR/sw-description from the OPTIONs (those
# of swu_write_description), signs it with CERT and KEY when --sign is
# given, and packs sw-description, its signature and the image.
swu_build() {
  local dir=$1 out=$2 cert="" key="" files=(sw-description) image="" i
  shift 2
  if [ "${1:-}" = --sign ]; then
    [ $# -ge 3 ] || { swu_fail "swu_build: --sign needs a certificate and a key for $out; pass both after it"; return 1; }
    cert=$2 key=$3
    shift 3
  fi
  for ((i = 1; i < $#; i++)); do
    [ "${!i}" != --image ] || { i=$((i + 1)); image=${!i}; }
  done
  [ -n "$image" ] || { swu_fail "swu_build: --image is missing for $out; name the image file in $dir"; return 1; }
  [ -e "$dir/$image" ] || { swu_fail "the image $dir/$image of $out is missing; write it before swu_build"; return 1; }
  swu_write_description "$dir/sw-description" "$@" || return 1
  if [ -n "$cert" ]; then
    swu_sign_description "$dir/sw-description" "$cert" "$key" || return 1
    files+=(sw-description.sig)
  fi
  swu_pack "$dir" "$out" "${files[@]}" "$image"
}
