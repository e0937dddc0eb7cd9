#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tollgate-rauc-commit: run once per boot, when the system is up.
#
# 1. `rauc status mark-good`: the booted slot works (if this fails, nothing
#    else happens and the exit status says so);
# 2. `tollgate commit`, but only when the booted slot is the slot RAUC
#    activated last. After a fallback boot (the new slot did not come up and
#    the bootloader went back to the old one) the pending floor must not
#    rise: the floor would then stand above the software that runs.
#
# RAUC and TOLLGATE name the commands (defaults: rauc, tollgate); the policy
# comes from TOLLGATE_CONFIG or /etc/tollgate/tollgate.conf.
set -eu
RAUC=${RAUC:-rauc}
TOLLGATE=${TOLLGATE:-tollgate}

$RAUC status mark-good
status=$($RAUC status --detailed --output-format=shell)

# value NAME: the value of NAME='...' in RAUC's shell-format status.
value() { printf '%s\n' "$status" | sed -n "s/^$1='\\(.*\\)'\$/\\1/p"; }

booted=$(value RAUC_SYSTEM_BOOTED_BOOTNAME)
booted_at="" stamps=""
for n in $(value RAUC_SLOTS); do
  at=$(value "RAUC_SLOT_STATUS_ACTIVATED_TIMESTAMP_$n")
  stamps="$stamps$at
"
  if [ -n "$booted" ] && [ "$(value "RAUC_SLOT_BOOTNAME_$n")" = "$booted" ]; then
    booted_at=$at
  fi
done
newest=$(printf '%s' "$stamps" | sort | tail -n 1)
if [ "$booted_at" != "$newest" ]; then
  echo "tollgate-rauc-commit: booted slot $booted was not activated last (a fallback boot);" \
    "the version floors stay where they are"
  exit 0
fi
exec $TOLLGATE commit
