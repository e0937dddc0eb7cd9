#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tollgate-rauc-commit: run once per boot, when the system is up.
#
# 1. `rauc status mark-good`: the booted slot works (if this fails, nothing
#    else happens and the exit status says so);
# 2. `tollgate commit`, but only when the booted slot is the slot RAUC
#    activated last. After a fallback boot (the new slot did not come up and
#    the bootloader went back to the old one) the pending floor must not
#    rise: the floor would then stand above the software that runs. Such a
#    boot runs `tollgate fell-back` instead, which gives the pending floors
#    up and records update.fell-back with the booted slot and the version
#    RAUC says it holds (once: later boots find nothing pending).
#
#    A slot activated during this very boot has simply not been booted yet
#    (the helper ran again before the reboot): nothing happens then.
#
# RAUC and TOLLGATE name the commands (defaults: rauc, tollgate); the policy
# comes from TOLLGATE_CONFIG or /etc/tollgate/tollgate.conf. This boot's
# start is the kernel's btime (/proc/stat), or TOLLGATE_BOOTED_AT (seconds
# since the epoch) where /proc/stat does not tell it (containers, tests).
set -eu
RAUC=${RAUC:-rauc}
TOLLGATE=${TOLLGATE:-tollgate}

$RAUC status mark-good
status=$($RAUC status --detailed --output-format=shell)

# value NAME: the value of NAME='...' in RAUC's shell-format status.
value() { printf '%s\n' "$status" | sed -n "s/^$1='\\(.*\\)'\$/\\1/p"; }

booted=$(value RAUC_SYSTEM_BOOTED_BOOTNAME)
booted_at="" booted_version="" stamps=""
for n in $(value RAUC_SLOTS); do
  at=$(value "RAUC_SLOT_STATUS_ACTIVATED_TIMESTAMP_$n")
  stamps="$stamps$at
"
  if [ -n "$booted" ] && [ "$(value "RAUC_SLOT_BOOTNAME_$n")" = "$booted" ]; then
    booted_at=$at
    booted_version=$(value "RAUC_SLOT_STATUS_BUNDLE_VERSION_$n")
  fi
done
newest=$(printf '%s' "$stamps" | sort | tail -n 1)
# epoch STAMP: RAUC's 2026-12-04T20:10:11Z in seconds (busybox date too).
epoch() { date -u -d "$(printf '%s' "$1" | sed 's/T/ /; s/Z$//')" +%s 2>/dev/null; }
if [ "$booted_at" != "$newest" ]; then
  boot_start=${TOLLGATE_BOOTED_AT:-$(sed -n 's/^btime //p' /proc/stat 2>/dev/null)}
  if ! activated=$(epoch "$newest") || [ -z "$boot_start" ]; then
    echo "tollgate-rauc-commit: cannot tell whether the slot activated at '$newest'" \
      "booted before (no time for it or for this boot); nothing committed or given up" >&2
    exit 1
  fi
  if [ "$activated" -ge "$boot_start" ]; then
    echo "tollgate-rauc-commit: the slot activated at $newest has not booted yet" \
      "(no reboot since the install); nothing to commit"
    exit 0
  fi
fi
if [ "$booted_at" != "$newest" ]; then
  echo "tollgate-rauc-commit: booted slot $booted was not activated last (a fallback boot);" \
    "the version floors stay where they are"
  exec $TOLLGATE fell-back --slot "$booted" ${booted_version:+--running "$booted_version"}
fi
exec $TOLLGATE commit
