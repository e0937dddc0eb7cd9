#!/usr/bin/env bash
# Builds a signed RAUC bundle that carries tollgate metadata.
#
# Usage: build-bundle.sh [--hand] --cert PEM --key PEM [--keyring PEM] CONTENTDIR OUTPUT
#
# CONTENTDIR holds manifest.raucm, the images it names and, optionally, the
# tollgate.conf sidecar. It is copied first: `rauc bundle` rewrites the
# manifest it is given.
#
# Default: `rauc bundle`. RAUC 1.8 drops [meta.*] groups from the manifest,
# so there the sidecar tollgate.conf carries the metadata.
#
# --hand: assembles a plain bundle without `rauc bundle`, keeping
# [meta.tollgate] in the manifest: each [image.*] gets its sha256= and size=,
# mksquashfs packs the directory the way RAUC does, `openssl cms` makes the
# detached DER signature over the squashfs image, and the signature and its
# length (8 bytes, big-endian) are appended. That is RAUC's plain format.
#
# With --keyring the result is checked with `rauc info`.
set -euo pipefail

usage() { sed -n 's/^# \{0,1\}//; 4p' "$0" >&2; exit 2; }
die() { echo "build-bundle: $*" >&2; exit 1; }

hand=0 cert="" key="" keyring=""
while [ $# -gt 0 ]; do
  case "$1" in
    --hand) hand=1 ;;
    --cert) cert=${2:?}; shift ;;
    --key) key=${2:?}; shift ;;
    --keyring) keyring=${2:?}; shift ;;
    --help|-h) usage ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
  shift
done
[ $# -eq 2 ] && [ -n "$cert" ] && [ -n "$key" ] || usage
content=$1 out=$2
[ -f "$content/manifest.raucm" ] || die "$content/manifest.raucm is missing"
[ ! -e "$out" ] || die "$out exists; remove it first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/build-bundle-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -a "$content" "$tmp/content"

# Writes the manifest with sha256= and size= of every image (replacing any).
fill_manifest() {
  local dir=$1 group="" line file
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in \[*\]) group=$line ;; esac
    if [[ $group == "[image."* ]]; then
      case "$line" in sha256=*|size=*) continue ;; esac
    fi
    printf '%s\n' "$line"
    if [[ $group == "[image."* && $line == filename=* ]]; then
      file=$dir/${line#filename=}
      [ -f "$file" ] || die "image $file named in the manifest is missing"
      printf 'sha256=%s\nsize=%s\n' "$(sha256sum <"$file" | cut -d' ' -f1)" "$(stat -c %s "$file")"
    fi
  done <"$dir/manifest.raucm"
}

if [ "$hand" = 1 ]; then
  fill_manifest "$tmp/content" >"$tmp/manifest"
  mv "$tmp/manifest" "$tmp/content/manifest.raucm"
  mksquashfs "$tmp/content" "$tmp/payload" -noappend -no-progress -all-root -no-xattrs -quiet
  openssl cms -sign -binary -nosmimecap -in "$tmp/payload" -signer "$cert" -inkey "$key" \
    -outform DER -out "$tmp/sig"
  cat "$tmp/payload" "$tmp/sig" >"$tmp/bundle"
  perl -e 'print pack("Q>", $ARGV[0])' "$(stat -c %s "$tmp/sig")" >>"$tmp/bundle"
  mv "$tmp/bundle" "$out"
else
  rauc bundle --cert="$cert" --key="$key" ${keyring:+--keyring="$keyring"} "$tmp/content" \
    "$out" >"$tmp/bundle.log" 2>&1 || die "rauc bundle failed: $(tail -n 3 "$tmp/bundle.log")"
fi
if [ -n "$keyring" ]; then
  rauc info --keyring="$keyring" "$out" >/dev/null 2>"$tmp/info.err" ||
    die "rauc info does not accept $out: $(tail -n1 "$tmp/info.err")"
fi
echo "build-bundle: wrote $out"
