#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-units.sh ROOT UNITDIR: checks tollgate's systemd units as installed
# under ROOT (a DESTDIR or an unpacked package root; UNITDIR is where they
# are inside it, e.g. /usr/lib/systemd/system):
#   - `systemd-analyze verify --man=no --root=ROOT` prints nothing for any of
#     them: no unknown key, no bad value, every ExecStart program is
#     installed under ROOT;
#   - `systemd-analyze security --offline=yes --root=ROOT` rates the
#     listeners and the commit-only unit tollgate-commit.service at most
#     3.0 (TG_UNIT_EXPOSURE_MAX overrides); tollgate-rauc-commit.service,
#     which runs `rauc status mark-good` and so keeps capabilities, is
#     printed but not held to the limit.
# The host's own units are copied into ROOT first (once) so that the
# targets tollgate's units name resolve. Prints TAP-like lines; exits 1 on
# any failure, 77 when systemd-analyze is missing.
set -euo pipefail
root=${1:?usage: check-units.sh ROOT UNITDIR}
unitdir=${2:?usage: check-units.sh ROOT UNITDIR}
max=${TG_UNIT_EXPOSURE_MAX:-3.0}
command -v systemd-analyze >/dev/null ||
  { echo "SKIP: systemd-analyze is not installed (Debian package systemd)"; exit 77; }
[ -d "$root$unitdir" ] ||
  { echo "check-units.sh: $root$unitdir does not exist; pass the root and the unit directory inside it"; exit 1; }
mapfile -t units < <(cd "$root$unitdir" && ls tollgate-*.service 2>/dev/null)
[ ${#units[@]} -gt 0 ] ||
  { echo "check-units.sh: no tollgate-*.service in $root$unitdir; install the units there first"; exit 1; }

# The host's units (sysinit.target, boot-complete.target, dbus.service...)
# inside ROOT, where a lookup with --root finds them.
hostunits=/lib/systemd/system
if [ ! -e "$root/usr/lib/systemd/system/sysinit.target" ] && [ -d "$hostunits" ]; then
  mkdir -p "$root/usr/lib/systemd/system"
  for f in "$hostunits"/*; do
    b=$(basename "$f")
    case $b in tollgate-*) continue ;; esac
    [ -e "$root/usr/lib/systemd/system/$b" ] || cp -a "$f" "$root/usr/lib/systemd/system/"
  done
fi

fails=0
cd /
for u in "${units[@]}"; do
  if out=$(systemd-analyze verify --man=no --root="$root" "$u" 2>&1) && [ -z "$out" ]; then
    echo "ok - $u: systemd-analyze verify reports nothing"
  else
    echo "not ok - $u: systemd-analyze verify --man=no --root=$root reports problems; fix the unit in data/systemd/$u.in"
    printf '%s\n' "$out" | sed 's/^/  | /'
    fails=$((fails + 1))
  fi
  out=$(systemd-analyze security --offline=yes --root="$root" "$u" 2>&1) || true
  score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  if [ -z "$score" ]; then
    echo "not ok - $u: systemd-analyze security printed no exposure level; run it by hand on $root$unitdir/$u"
    printf '%s\n' "$out" | tail -5 | sed 's/^/  | /'
    fails=$((fails + 1)); continue
  fi
  case $u in
    tollgate-rauc-commit.service) echo "ok - $u: exposure $score (runs mark-good; not held to $max)" ;;
    *)
      if awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }'; then
        echo "ok - $u: exposure $score <= $max"
      else
        echo "not ok - $u: exposure $score is above $max; tighten the sandbox in data/systemd/$u.in (systemd-analyze security --offline=yes lists what counts)"
        fails=$((fails + 1))
      fi ;;
  esac
done
[ "$fails" -eq 0 ]
