# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Sourced by tests/system/run.sh: what each boot of the two VM cycles must
# have recorded, checked on the host against the audit log read out of the
# disk image ($LOG) and the guest's snapshots in $B/share/out/STEP/.

T_HOST() { "$B/tollgate/handlers/cli/tollgate" "$@"; }
jq_log() {  # jq_log DESCRIPTION FILTER: FILTER over the whole audit log is true
  if jq -e -s "$2" "$LOG" >/dev/null 2>&1; then ok "$1"; else not_ok "$1 (jq -s '$2')"; fi
}
boot_of() { cat "$B/share/out/$1/boot_id" 2>/dev/null || echo none; }
events_in() {  # events_in STEP: the events recorded in the boot of STEP, in order
  jq -s -c --arg b "$(boot_of "$1")" '[.[] | select(.boot_id == $b) | .event]' "$LOG"
}

# sys_check_cycle PREFIX: what both cycles share, for the boots PREFIX
# first-boot, good-boot and fallback-boot: the chain verifies, three boots
# recorded (the broken one none), 1.1.0 installed on the first and committed
# on the good one, the signed 0.9.0 refused there and 1.2.0 installed, and
# the fallback boot running 1.1.0 again with 1.2.0 given up.
sys_check_cycle() {
  local p=$1 o=$B/share/out first good fb
  first=$(boot_of "${p}first-boot") good=$(boot_of "${p}good-boot") fb=$(boot_of "${p}fallback-boot")
  check "${p}cycle: the audit log read from the data partition verifies on the host" \
    T_HOST audit verify --dir "$B/data-out/tollgate/log" --key "$B/audit.key"
  check "${p}cycle: three boots came up, each with its own boot ID" \
    test "$(printf '%s\n' "$first" "$good" "$fb" | grep -v none | sort -u | wc -l)" = 3
  jq_log "${p}cycle: records come from those three boots only (the broken one recorded nothing)" \
    "[.[].boot_id] | unique | sort == ([\"$first\", \"$good\", \"$fb\"] | sort)"
  echo "# events per boot: first $(events_in "${p}first-boot"), good $(events_in "${p}good-boot"), fallback $(events_in "${p}fallback-boot")"
  check "${p}first boot: slot A runs 1.0.0" grep -qx 1.0.0 "$o/${p}first-boot/version"
  jq_log "${p}first boot: state seeded at 1.0.0, 1.1.0 allowed and installed (pending)" \
    "[.[] | select(.boot_id == \"$first\")] | (map(.event) | index(\"state.initialized\")) != null and
     any(.[]; .event == \"gate.decision\" and .candidate.version == \"1.1.0\" and .decision.verdict == \"allow\") and
     any(.[]; .event == \"update.installed\" and .candidate.version == \"1.1.0\" and .pending == \"1.1.0\")"
  check "${p}good boot: slot B runs 1.1.0" grep -qx 1.1.0 "$o/${p}good-boot/version"
  check "${p}good boot: the commit unit succeeded" grep -q "^Result=success" "$o/${p}good-boot/commit-unit"
  jq_log "${p}good boot: update.committed raised the floor to 1.1.0" \
    "any(.[]; .boot_id == \"$good\" and .event == \"update.committed\" and
     .components[0].version == \"1.1.0\" and .components[0].floor_after == \"1.1.0\")"
  jq_log "${p}good boot: gate decision for the signed, security-labelled 0.9.0 is refuse (below-security-floor)" \
    "any(.[]; .boot_id == \"$good\" and .event == \"gate.decision\" and .candidate.version == \"0.9.0\" and
     .decision.verdict == \"refuse\" and .decision.reason == \"below-security-floor\")"
  jq_log "${p}good boot: 1.2.0 allowed and installed (pending)" \
    "any(.[]; .boot_id == \"$good\" and .event == \"update.installed\" and .candidate.version == \"1.2.0\")"
  check "${p}fallback boot: slot B runs 1.1.0 again" grep -qx 1.1.0 "$o/${p}fallback-boot/version"
  jq_log "${p}fallback boot: update.fell-back names the running 1.1.0 and the 1.2.0 that did not boot" \
    "[.[] | select(.boot_id == \"$fb\" and .event == \"update.fell-back\")] | length == 1 and
     (.[0] | .running_version == \"1.1.0\" and .components[0].version == \"1.2.0\" and
      .components[0].floor == \"1.1.0\")"
  jq_log "${p}fallback boot: nothing committed" \
    "all(.[]; .boot_id != \"$fb\" or .event != \"update.committed\")"
  check "${p}fallback boot: floor 1.1.0, nothing pending" \
    jq -e '.components.rootfs | .floor == "1.1.0" and .pending == null' "$o/${p}fallback-boot/tollgate-status.json"
}

# RAUC's cycle: the shared checks, and what RAUC tells.
sys_check_boots() {
  local o=$B/share/out fb
  fb=$(boot_of fallback-boot)
  sys_check_cycle ""
  check "first boot: rauc install of 1.1.0 succeeded" grep -qx 0 "$o/first-boot/install-b110.rc"
  check "good boot: RAUC says B is booted" grep -q "^RAUC_SYSTEM_BOOTED_BOOTNAME='B'" "$o/good-boot/rauc-status"
  check "good boot: the signed 0.9.0 bundle was refused (rauc install failed)" \
    sh -c "! grep -qx 0 '$o/good-boot/install-b090.rc'"
  check "good boot: with the state moved onto the slot, the install failed" \
    sh -c "! grep -qx 0 '$o/good-boot/install-b115.rc'"
  check "good boot: the refusal names the path, the slot and its device" \
    grep -q "the state directory /var/lib/tg-on-slot is on the update slot rootfs.1 (/dev/vda3)" \
    "$o/good-boot/install-b115.journal"
  jq_log "good boot: no decision was recorded for 1.1.5" \
    'all(.[]; .event != "gate.decision" or .candidate.version != "1.1.5")'
  check "fallback boot: RAUC says B is booted" grep -q "^RAUC_SYSTEM_BOOTED_BOOTNAME='B'" "$o/fallback-boot/rauc-status"
  check "fallback boot: tollgate-rauc-commit said it is a fallback boot" \
    grep -q "a fallback boot" "$o/fallback-boot/commit.log"
  jq_log "fallback boot: update.fell-back names the booted slot B" \
    "any(.[]; .boot_id == \"$fb\" and .event == \"update.fell-back\" and .booted_slot == \"B\")"
}

# SWUpdate's cycle: the shared checks, the precheck and the handler as one
# attempt, GRUB's environment as SWUpdate's bootenv and the mark-good unit
# left it.
sys_check_swu_boots() {
  local o=$B/share/out p=swu-
  sys_check_cycle "$p"
  check "${p}first boot: swupdate installed 1.1.0" grep -qx 0 "$o/${p}first-boot/install-s110.rc"
  jq_log "${p}first boot: the precheck decided, the Lua handler confirmed (one attempt)" \
    '[.[] | select(.candidate.version? == "1.1.0" and (.event == "gate.decision" or .event == "gate.confirmed")) |
      .event] == ["gate.decision", "gate.confirmed"]'
  check "${p}good boot: GRUB booted B, which the mark-good unit marked good" \
    sh -c "grep -qx 'B_OK=1' '$o/${p}good-boot/grubenv' && grep -qx 'B_TRY=0' '$o/${p}good-boot/grubenv'"
  check "${p}good boot: swupdate refused the signed 0.9.0" sh -c "! grep -qx 0 '$o/${p}good-boot/install-s090.rc'"
  check "${p}good boot: swupdate installed 1.2.0 into A" grep -qx 0 "$o/${p}good-boot/install-s120.rc"
  check "${p}fallback boot: commit --booted said 1.2.0 did not boot" \
    grep -q "the pending version did not boot" "$o/${p}fallback-boot/commit.log"
  check "${p}fallback boot: A keeps its try mark (it never came up), B is good" \
    sh -c "grep -qx 'A_TRY=1' '$o/${p}fallback-boot/grubenv' && grep -qx 'B_TRY=0' '$o/${p}fallback-boot/grubenv'"
}
