#!/usr/bin/env bash
# The RAUC adapters against the real `rauc service` (Debian's RAUC 1.8) on a
# private D-Bus daemon: two raw slots on files, a custom bootloader backend,
# bundles signed with a test PKI and built by `rauc bundle` (metadata in the
# tollgate.conf sidecar) or assembled by hand ([meta.tollgate] in the
# manifest), and `tollgate rauc-listen` recording failed installs.
# Needs root, loop devices and squashfs; skipped with exit 77 otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rauc-lib.sh"

rauc_require
rauc_setup_device
rauc_start_services

# ---- 1. upgrade (sidecar metadata from RAUC 1.8's `rauc bundle`) ---------
bundle b110 1.1.0 rauc --meta class=feature --sidecar class=feature --sidecar services=web-ui
unsquashfs -cat "$W/b110.raucb" manifest.raucm >"$W/out" 2>"$W/err"
if grep -q 'meta.tollgate' "$W/out"; then echo "# $(rauc --version) kept [meta.tollgate]"; else
  echo "# $(rauc --version) dropped [meta.tollgate]: the sidecar carries the metadata"; fi
expect_exit 0 "upgrade 1.1.0 installs" -- rauc install "$W/b110.raucb"
cmp -s -n 65536 "$W/slotB.img" "$W/content/b110/rootfs.img" && ok "slot B holds the 1.1.0 image" ||
  not_ok "slot B does not hold the 1.1.0 image"
decision_is 1.1.0 allow ok
expect_jq "post-install recorded update.installed for 1.1.0 with its digest" \
  "any(.[]; .event == \"update.installed\" and .candidate.version == \"1.1.0\" and
   .candidate.digest == \"$(digest_of b110)\" and .pending == \"1.1.0\")"
expect_jq "candidate from the sidecar: class feature, services, slot switch, component rootfs" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "1.1.0")] | last |
   .candidate.declared_class == "feature" and .candidate.services == ["web-ui"] and
   .candidate.slot_switch == true and .candidate.component == "rootfs" and
   .candidate.has_metadata == true'
expect_jq "updater rauc, mechanism rauc, name from compatible and build" \
  '[.[] | select(.event == "update.installed")] | last |
   .updater.name == "rauc" and .mechanism == "rauc" and .candidate.name == "tg-test build test-b110"'
floor_is 1.0.0 "floor stays 1.0.0 after the install"

# Before the reboot: still booted from A, which RAUC did not activate last,
# in the same boot that activated B. Nothing is committed or given up.
expect_exit 0 "commit helper before the reboot" -- env RAUC=rauc TOLLGATE="$T" sh "$COMMIT"
expect_said 'has not booted yet' "commit helper says the new slot has not booted yet"
floor_is 1.0.0 "floor stays 1.0.0 before the reboot"
expect_jq "nothing given up before the reboot" 'all(.[]; .event != "update.fell-back")'
# Reboot into B, mark good, commit.
start_rauc B
expect_exit 0 "commit helper after booting the new slot" -- env RAUC=rauc TOLLGATE="$T" sh "$COMMIT"
expect_said 'committed 1 component' "tollgate commit ran after mark-good"
[ "$(cat "$W/boot/state.B" 2>/dev/null)" = good ] && ok "slot B marked good" || not_ok "slot B not marked good"
floor_is 1.1.0 "floor rises to 1.1.0 only after tollgate commit"

# ---- 2. downgrade refused ------------------------------------------------
bundle b105 1.0.5 rauc --sidecar class=feature
install_stopped "downgrade 1.0.5" b105 10
decision_is 1.0.5 refuse below-floor
wait_listener 1
grep -q "install of 1.0.5 stopped by tollgate's own refuse decision" "$W/listen.log" &&
  ok "listener takes the refusal as tollgate's own" || not_ok "listener misread the refusal"
expect_jq "the refusal is not recorded as update.failed" \
  'all(.[]; .event != "update.failed")'
if grep -qs '"version":"1.0.5"' "$W/notices/latest.json" &&
  grep -qs 'update-refused' "$W/notices/latest.json"; then
  ok "an update-refused notice for 1.0.5 went out"; else
  not_ok "no update-refused notice for 1.0.5: $(cat "$W/notices/latest.json" 2>&1)"; fi
expect_exit 0 "status after the refusal" -- $T status
expect_said '^last decision: refused 1\.0\.5 .*below the floor 1\.1\.0' \
  "status shows the refused version and the reason in one line"

# ---- 3. security update from a hand-assembled bundle ([meta.tollgate]) ---
bundle b111 1.1.1 hand --meta class=security --meta advisories=CVE-2026-1111 \
  --meta "risk=remote code execution in the web UI" --meta severity=high
unsquashfs -cat "$W/b111.raucb" manifest.raucm >"$W/out" 2>"$W/err"
expect_said '^advisories=CVE-2026-1111$' "hand-assembled bundle's manifest carries [meta.tollgate]"
unsquashfs -ls "$W/b111.raucb" >"$W/out" 2>"$W/err"
if grep -q tollgate.conf "$W/out"; then not_ok "hand-assembled bundle has a sidecar"; else
  ok "hand-assembled bundle has no sidecar"; fi
expect_exit 0 "security 1.1.1 (hand-assembled, [meta.tollgate]) installs" -- rauc install "$W/b111.raucb"
expect_jq "metadata read from [meta.tollgate] of the hand-assembled bundle" \
  '[.[] | select(.event == "gate.decision" and .candidate.version == "1.1.1")] | last |
   .candidate.declared_class == "security" and .candidate.advisories == ["CVE-2026-1111"] and
   .candidate.severity == "high" and .decision.verdict == "allow"'
start_rauc A
expect_exit 0 "commit 1.1.1 after booting slot A" -- env RAUC=rauc TOLLGATE="$T" sh "$COMMIT"
$T status --json >"$W/status.json"
jq -e '.components.rootfs.security_floor == "1.1.1"' "$W/status.json" >/dev/null &&
  ok "security floor is 1.1.1 after commit" || not_ok "security floor: $(jq -c .components.rootfs "$W/status.json")"

# ---- 4. below the security floor refused ---------------------------------
bundle b110b 1.1.0 rauc --sidecar class=feature
install_stopped "1.1.0 below the security floor" b110b 10
decision_is 1.1.0 refuse below-security-floor

# ---- 5. postponed feature update deferred, security update installs ------
expect_exit 0 "user postpones feature updates for 3 days" -- $T postpone --for 3d
bundle b120 1.2.0 rauc --sidecar class=feature
install_stopped "feature 1.2.0 while postponed" b120 11
decision_is 1.2.0 defer postponed
bundle b112 1.1.2 rauc --sidecar class=security --sidecar "risk=fixes a login bypass" \
  --sidecar advisories=CVE-2026-2222
expect_exit 0 "security 1.1.2 installs while feature updates are postponed" -- \
  rauc install "$W/b112.raucb"
decision_is 1.1.2 allow ok

# ---- 6. disruptive update deferred until approved -------------------------
mkdir -p "$W/etc/conf.d"
printf '[disruption]\nrequire-approval=true\n' >"$W/etc/conf.d/50-approval.conf"
chmod 644 "$W/etc/conf.d/50-approval.conf"
bundle b113 1.1.3 rauc --sidecar class=security --sidecar "risk=fixes a crash" \
  --sidecar disruptive=true --sidecar downtime=2m
install_stopped "disruptive 1.1.3 without approval" b113 11
decision_is 1.1.3 defer approval-required
expect_exit 0 "status after the deferral" -- $T status
expect_said "^last decision: deferred 1\.1\.3 .*tollgate approve $(digest_of b113)" \
  "status names the approval command with the image digest"
expect_exit 0 "user approves the update by digest" -- $T approve "$(digest_of b113)"
expect_exit 0 "approved disruptive 1.1.3 installs" -- rauc install "$W/b113.raucb"
decision_is 1.1.3 allow ok
rm "$W/etc/conf.d/50-approval.conf"

# ---- 6b. fallback boot: 1.1.3 in slot B did not come up, A runs again -----
# A boot that started after B's activation (TOLLGATE_BOOTED_AT stands in
# for the kernel's btime, since this host did not reboot).
sleep 1
start_rauc A
booted=$(date +%s)
expect_exit 0 "commit helper on the fallback boot" -- \
  env RAUC=rauc TOLLGATE="$T" TOLLGATE_BOOTED_AT="$booted" sh "$COMMIT"
expect_said 'a fallback boot' "commit helper says it is a fallback boot"
expect_said '^gave up 1 pending component$' "tollgate gave the pending 1.1.3 up"
expect_jq "update.fell-back names slot A, the 1.1.3 that did not boot and A's 1.1.1" \
  '[.[] | select(.event == "update.fell-back")] | length == 1 and
   (.[0] | .booted_slot == "A" and .running_version == "1.1.1" and .outcome == "fell-back" and
    .components == [{"component": "rootfs", "version": "1.1.3", "class": "security",
                     "installed": "1.1.1", "floor": "1.1.1"}])'
$T status --json >"$W/status.json"
jq -e '.components.rootfs | .floor == "1.1.1" and .pending == null' "$W/status.json" >/dev/null &&
  ok "after the fallback: floor 1.1.1, nothing pending" ||
  not_ok "after the fallback: $(jq -c .components.rootfs "$W/status.json")"
expect_exit 0 "commit helper on the next boot of A" -- \
  env RAUC=rauc TOLLGATE="$T" TOLLGATE_BOOTED_AT="$booted" sh "$COMMIT"
expect_said '^gave up 0 pending components$' "the next boot finds nothing pending"
expect_jq "the fallback is recorded once" '[.[] | select(.event == "update.fell-back")] | length == 1'

# ---- 7. RAUC's own refusals and real failures, told apart by the listener -
n=$(listener_events)
bundle b114 1.1.4 rauc --compatible other-device --sidecar class=security --sidecar risk=x
before=$(slots)
expect_exit 1 "RAUC refuses a bundle for another compatible" -- rauc install "$W/b114.raucb"
[ "$(slots)" = "$before" ] && ok "other compatible: no slot written" || not_ok "other compatible: slot written"
decision_is 1.1.4 allow ok
n=$((n + 1)); wait_listener $n
expect_jq "listener recorded RAUC's own refusal of 1.1.4 (compatible), not a failure" \
  'any(.[]; .event == "update.updater-refused" and .candidate.version == "1.1.4" and
   .candidate.component == "rootfs" and .outcome == "refused-by-updater" and
   (.refusal | test("Compatible mismatch"))) and
   all(.[]; .event != "update.failed" or .candidate.version != "1.1.4")'

# min-bundle-version (RAUC 1.12+) refuses what tollgate allowed.
rauc_ver=$(rauc --version | awk '{ print $2 }')
if [ "$(printf '%s\n1.12\n' "$rauc_ver" | sort -V | head -1)" = 1.12 ]; then
  cp "$W/system.conf" "$W/system.conf.orig"
  sed -i 's/^compatible=tg-test$/compatible=tg-test\nmin-bundle-version=1.1.8/' "$W/system.conf"
  start_rauc A
  bundle b117 1.1.7 rauc --sidecar class=security --sidecar risk=z
  before=$(slots)
  expect_exit 1 "RAUC $rauc_ver's min-bundle-version 1.1.8 refuses 1.1.7" -- rauc install "$W/b117.raucb"
  [ "$(slots)" = "$before" ] && ok "below min-bundle-version: no slot written" ||
    not_ok "below min-bundle-version: slot written"
  decision_is 1.1.7 allow ok
  n=$((n + 1)); wait_listener $n
  expect_jq "listener recorded RAUC's min-bundle-version refusal of 1.1.7, not a failure" \
    'any(.[]; .event == "update.updater-refused" and .candidate.version == "1.1.7" and
     (.refusal | test("Version mismatch: Expected at least .1\\.1\\.8."))) and
     all(.[]; .event != "update.failed" or .candidate.version != "1.1.7")'
  mv "$W/system.conf.orig" "$W/system.conf"
  start_rauc A
else
  echo "# RAUC $rauc_ver has no min-bundle-version (1.12+): that refusal is tested on 1.13 and 1.15.2"
fi

touch "$W/fail-post-install"
bundle b115 1.1.5 rauc --sidecar class=security --sidecar risk=y
expect_exit 1 "post-install failure makes RAUC report failure" -- rauc install "$W/b115.raucb"
rm "$W/fail-post-install"
n=$((n + 1)); wait_listener $n
expect_jq "post-install still recorded 1.1.5 as installed (the slot is written)" \
  'any(.[]; .event == "update.installed" and .candidate.version == "1.1.5")'
expect_jq "listener recorded update.failed for 1.1.5 with the post-install error" \
  'any(.[]; .event == "update.failed" and .candidate.version == "1.1.5" and
   (.failure | test("Post-install handler error")))'
expect_jq "no failure was recorded for the refusals and deferrals (tollgate's or RAUC's)" \
  '[.[] | select(.event == "update.failed") | .candidate.version] == ["1.1.5"]'

# Metadata that disagrees between manifest and sidecar: no decision, fail closed.
bundle b116 1.1.6 hand --meta class=security --sidecar class=feature
install_stopped "manifest and sidecar disagree" b116 1
grep -q 'disagrees' "$W/rauc.log" && ok "RAUC's log has the handler's reason" ||
  not_ok "handler reason not in RAUC's log"
n=$((n + 1)); wait_listener $n
expect_jq "the handler error is recorded as a failed install, not a decision" \
  'any(.[]; .event == "update.failed" and (.failure | test("exited with code 1"))) and
   all(.[]; .event != "gate.decision" or .candidate.version != "1.1.6")'

# Handlers run by hand with RAUC's environment: no policy means no install.
expect_exit 1 "pre-install without a readable policy fails closed" -- \
  env TOLLGATE_CONFIG="$W/missing.conf" RAUC_BUNDLE_MOUNT_POINT="$W/content/b110" "$PRE" ""
expect_said '^tollgate: error: .*missing\.conf.*must not be installed' "the error line names the policy file"
expect_exit 0 "post-install without a readable policy still exits 0" -- \
  env TOLLGATE_CONFIG="$W/missing.conf" RAUC_BUNDLE_MOUNT_POINT="$W/content/b110" "$POST"
expect_said '^tollgate: error: the install was not recorded: .*missing\.conf' "post-install prints why"

# ---- 8. listener stops on SIGTERM; the log verifies -----------------------
kill -TERM "$LISTEN_PID"
rc=0
wait "$LISTEN_PID" || rc=$?
LISTEN_PID=""
[ "$rc" = 0 ] && ok "rauc-listen exits 0 on SIGTERM" || not_ok "rauc-listen exit status $rc on SIGTERM"
expect_exit 0 "audit log verifies" -- $T audit verify

validate_audit_schema "$W"/state/log/audit.log*
want_rauc=$(rauc --version | awk '{ print $2 }')
expect_jq "every RAUC record names RAUC $want_rauc (no RAUC sets RAUC_VERSION)" \
  "[.[] | select(.updater.name? == \"rauc\") | .updater.version] | length > 0 and all(. == \"$want_rauc\")"
if [ "$(printf '%s\n1.13\n' "$want_rauc" | sort -V | head -1)" = 1.13 ]; then
  expect_jq "RAUC $want_rauc's RAUC_TRANSACTION_ID is in every handler record, the same for a decision and its install" \
    "[.[] | select(.event == \"gate.decision\" or .event == \"update.installed\")] as \$r |
     (\$r | length > 0) and (\$r | all(.updater.transaction | test(\"^[0-9a-f-]{36}\$\"))) and
     ([\$r[] | select(.candidate.digest == \"$(digest_of b110)\")] |
      (map(.updater.transaction) | unique | length == 1) and length == 2)"
else
  expect_jq "RAUC $want_rauc passes no RAUC_TRANSACTION_ID: no record claims one" \
    'all(.[]; .updater.transaction? == null)'
fi

finish
