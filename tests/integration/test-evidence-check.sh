#!/usr/bin/env bash
# The checker (`tollgate evidence check`, findings.md of every pack) and the
# strength of the ICS rows, on device histories made with the built CLI:
#
#   1 a clean history: no contradiction, `evidence check --strict` passes;
#     a row the policy enforces is "configured", one with records
#     "demonstrated"
#   2 automatic security installs promised, a security update waits for
#     the user's approval: 5.3-3 is "contradicted" and cites the record;
#     --strict fails, for `evidence check` and for `evidence`
#   3 a declared maintenance window that differs from the policy's
#   4 a claim on a declaration alone is "declared", never "demonstrated"
#   5 records written under another policy are a variant of their own,
#     judged against the policy they recorded; a log that does not verify
. "$(dirname "$0")/lib.sh"

P=$W/etc/tollgate.conf
DIGEST=$(printf 'd%.0s' $(seq 64))
base=("[mechanism]" "default=fw" "[mechanism.fw]"
      "description=Signed images written to the inactive slot" "delivery=network")
policy() { cp "$W/etc/state.key" "$W/key" 2>/dev/null || true
  write_policy "$P" "${base[@]}" "$@"
  [ -f "$W/key" ] && cp "$W/key" "$W/etc/state.key" || true; }
mkdir -p "$W/etc" && echo "1.0.0" >"$W/etc/version"
T="env TOLLGATE_CLOCK=2026-06-01T10:00:00Z $TG --config $P"
LOG=$W/state/log
# The ICS of the variant the device runs now (its last record's policy).
vdir() { local h; h=$(tail -1 "$LOG/audit.log" | jq -r .policy_hash)
  echo "$W/pack/variants/$(jq -r --arg h "$h" '.variants[] | select(.policy_hash == $h) | .id' "$W/pack/variants.json")"; }
row() { jq -r --arg p "$1" ".rows[] | select(.reference == \$p) | .$2" "$(vdir)/ics.json"; }

# ---- 1. a clean history ----------------------------------------------------------
policy "[disruption]" "require-approval=true"
expect_exit 0 "feature update allowed" -- $T gate --version 1.1.0 --class feature
expect_exit 10 "downgrade refused" -- $T gate --version 0.9.0
expect_exit 0 "evidence check --strict passes on a clean history" -- $T evidence check --strict
expect_output '^# Findings' "it prints the findings"
expect_output '0 contradictions' "with no contradiction"
expect_exit 0 "the pack" -- $T evidence --out "$W/pack" --strict
[ "$(row 5.3-2 strength)" = demonstrated ] && ok "5.3-2 (records of refused downgrades) is demonstrated" ||
  not_ok "5.3-2 strength is $(row 5.3-2 strength)"
[ "$(row 5.3-3 strength)" = configured ] && ok "5.3-3 (auto-install on, no security update yet) is configured" ||
  not_ok "5.3-3 strength is $(row 5.3-3 strength)"

# ---- 2. a security update that waited for the user ----------------------------------
expect_exit 11 "a disruptive security update waits for approval" -- \
  $T gate --version 1.0.1 --class security --risk "remote code execution" --advisory CVE-2026-1 \
  --reboot --digest "$DIGEST"
seq=$(cat "$LOG"/audit.log | jq -s '[.[] | select(.event == "gate.decision")] | last | .seq')
expect_exit 1 "evidence check --strict fails" -- $T evidence check --strict
expect_output 'security-update-waited' "the finding names the kind"
expect_output "seq $seq" "and cites the record"
expect_output 'contradiction' "as a contradiction"
rm -rf "$W/pack"
expect_exit 1 "evidence --strict fails after writing the pack" -- $T evidence --out "$W/pack" --strict
expect_output '1 contradiction' "with one sentence naming the count"
[ "$(row 5.3-3 strength)" = contradicted ] && ok "5.3-3 is contradicted" ||
  not_ok "5.3-3 strength is $(row 5.3-3 strength)"
row 5.3-3 'contradicted_by[0]' | grep -q "seq $seq:" && ok "the row cites the record (seq $seq)" ||
  not_ok "5.3-3 does not cite seq $seq: $(row 5.3-3 contradicted_by)"
jq -e --argjson s "$seq" 'any(.findings[]; .kind == "security-update-waited" and .record.seq == $s
  and (.record.hash | length) == 64)' "$W/pack/findings.json" >/dev/null &&
  ok "findings.json cites file, seq and hash" || not_ok "findings.json lacks the cited record"
grep -q '5.3-3.*records contradict' "$W/pack/gaps.md" && ok "the contradiction is a gap to resolve" ||
  not_ok "gaps.md does not list the contradicted row"
grep -q '\*\*Y, contradicted\*\*' "$(vdir)/ics.md" && ok "ics.md never shows it as a plain Y" ||
  not_ok "ics.md shows a plain Y for the contradicted row"

# ---- 3. a declared maintenance window that differs --------------------------------------
rm -rf "$W/state" "$W"/etc/state.key.provisioned-*
base+=("maintenance-window=02:00-04:00")
policy "[class.feature]" "window-hours=03:00-05:00"
expect_exit 0 "a security update on the new policy" -- $T gate --version 1.0.1 --class security \
  --risk "remote code execution" --advisory CVE-2026-2
expect_exit 1 "the window differs: --strict fails" -- $T evidence check --strict
expect_output 'maintenance-window declares 02:00-04:00, but the policy.s \[class.feature\] window is 03:00-05:00' \
  "the sentence names both windows"
rm -rf "$W/pack"
expect_exit 0 "the pack" -- $T evidence --out "$W/pack"
jq -e '.["7-UpdMech"][0].fields[] | select(.field == "Configuration") | .strength == "contradicted" and
  (.contradicted_by | test("02:00-04:00"))' "$(vdir)/ixit.json" >/dev/null &&
  ok "IXIT 7-UpdMech Configuration is contradicted, naming the finding" ||
  not_ok "IXIT Configuration: $(jq -c '.["7-UpdMech"][0].fields[] | select(.field == "Configuration") | [.strength, .contradicted_by]' "$(vdir)/ixit.json")"
base=("${base[@]:0:${#base[@]}-1}" "maintenance-window=3am")
policy
expect_exit 1 "maintenance-window = 3am is refused" -- $T config check
expect_output "maintenance-window = '3am' is not a window" "with one sentence"

# ---- 4. a declaration alone ------------------------------------------------------------
base=("${base[@]:0:${#base[@]}-1}")
policy "[ics.5.3-15]" "support=Y" "detail=The hub shows the support end" "[mechanism.fw]" \
  "cryptographic-details=Ed25519 over the image"
expect_exit 0 "an update check under the new policy" -- $T record-check --result none
rm -rf "$W/pack"
expect_exit 0 "the pack" -- $T evidence --out "$W/pack"
[ "$(row 5.3-7 strength)" = declared ] && ok "5.3-7 on cryptographic-details text only is declared" ||
  not_ok "5.3-7 strength is $(row 5.3-7 strength)"
jq -e 'any(.findings[]; .kind == "declared-only" and (.text | contains("5.3-7")))' \
  "$W/pack/findings.json" >/dev/null && ok "declared-only finding for 5.3-7" ||
  not_ok "no declared-only finding for 5.3-7"
jq -e '[.rows[] | select(.strength == "demonstrated")] | all(.basis | any(startswith("log:")))' \
  "$(vdir)/ics.json" >/dev/null && ok "every demonstrated row rests on records" ||
  not_ok "a demonstrated row has no record behind it"

# ---- 5. another policy, a log that does not verify -------------------------------------
rm -rf "$W/state" "$W"/etc/state.key.provisioned-*
policy "[class.security]" "max-postpone=3d"
expect_exit 0 "a gate under the new policy" -- $T gate --version 1.2.0 --class feature
base=("${base[@]}")
policy "[class.security]" "max-postpone=4d"
expect_exit 0 "weak evidence alone does not fail --strict" -- $T evidence check --strict
rm -rf "$W/pack"
expect_exit 0 "the pack" -- $T evidence --out "$W/pack"
jq -e '(.variants | length) == 1 and all(.variants[]; .policy_source | test("log.policy"))' \
  "$W/pack/variants.json" >/dev/null && ok "the pack judges the policy the device recorded, not the exported one" ||
  not_ok "variants: $(jq -c '[.variants[] | [.id, .policy_source]]' "$W/pack/variants.json")"
grep -q 'max-postpone=3d' "$(vdir)/policy/1-tollgate.conf" && ok "the variant carries the policy it ran (3d, exported: 4d)" ||
  not_ok "the variant's policy text is not the one its records were made under"
sed -i '2s/"seq":2/"seq":2,"x":1/' "$LOG/audit.log"
expect_exit 1 "a log that does not verify fails --strict" -- $T evidence check --strict
expect_output 'chain-broken' "the broken chain is listed"
finish
