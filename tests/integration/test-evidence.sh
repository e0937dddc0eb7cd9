#!/usr/bin/env bash
# `tollgate evidence` end to end: a scripted device history through the
# built CLI (upgrades, a refused downgrade, a postpone, a security update
# with advisories, an approved disruptive update, settings changes, update
# checks, a failed install, with a file sink so notices are delivered),
# then the pack: all 16 ICS rows, the 7-UpdMech fields, the evidence index
# with the exact records, gaps for missing declarations, OSCAL validated
# against the official schema, manifest and signature, a corrupted log, a
# small fleet, the constrained example, `config check` on the examples and
# report.html rendered by headless Chromium.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
SCHEMA=$TG_SOURCE_DIR/tests/data/oscal/oscal_assessment-results_schema.json
VALIDATE="$PY $TG_SOURCE_DIR/tests/integration/validate-oscal.py $SCHEMA"

# check DESCRIPTION -- command...: ok when the command succeeds
check() {
  local desc=$1; shift 2
  if "$@" >"$W/check.out" 2>&1; then ok "$desc"; else
    not_ok "$desc"; sed 's/^/  | /' "$W/check.out" | head -20; fi
}
jqe() { jq -e "$@" >/dev/null; }

P=$W/etc/tollgate.conf
DIGEST=$(printf 'c%.0s' $(seq 64))
printf 'globals :\n{\n\tpublic-key-file = "/etc/swupdate/public.pem";\n};\n' >"$W/swupdate.cfg"
write_policy "$P" \
  "[disruption]" "require-approval=true" \
  "[audit]" "checkpoint-every=5" "checkpoint-key=$W/etc/audit.key" \
  "[mechanism]" "default=fw" \
  "[sink.ui]" "type=file" "directory=$W/spool" \
  "[product]" \
  "model-designation=Label on the back and the About page of the app" \
  "support-publication=https://example.test/t1/support" \
  "vulnerability-disclosure=https://example.test/security" \
  "[mechanism.fw]" \
  "description=Signed images fetched over HTTPS and written to the inactive slot" \
  "security-guarantees=Only signed images install; tollgate refuses downgrades" \
  "update-checking=After boot and every 6 hours" \
  "user-notification=App banner with the risks; warning before a restart" \
  "updater=swupdate" "updater-config=$W/swupdate.cfg" "delivery=network" \
  "[component.system]" "description=Root file system" "mechanisms=fw" \
  "[procedure]" "description=Security fixes ship as their own releases" \
  "time-frame=Critical within 14 days" "confirmation=Security lead signs each release" \
  "[ics.5.3-9]" "support=N" \
  "justification=The signature is checked by the companion hub, not on the device" \
  "[owner.scope]" "owner=Product security" "artifacts=DUT sheet" \
  "[owner.support-map]" "owner=Compliance" "artifacts=ICS review" \
  "[owner.mechanisms]" "owner=Firmware lead" "artifacts=Update design" \
  "[owner.procedures]" "owner=Release manager" "artifacts=Release procedure" \
  "[owner.user-information]" "owner=App owner" "artifacts=Notice copy" \
  "[owner.handoff]" "owner=Assessment coordinator" "artifacts=Kick-off minutes" \
  "[evidence]" "release=1.3.0" "assessment-plan=https://example.test/ap.json"
head -c 32 /dev/urandom >"$W/etc/audit.key"; chmod 600 "$W/etc/audit.key"
echo "1.0.0" >"$W/etc/version"
LOG=$W/state/log
at() { echo "env TOLLGATE_CLOCK=2026-06-0${1}T10:00:00Z $TG --config $P"; }

# ---- the device's history ------------------------------------------------
expect_exit 0 "update check after initialization" -- $(at 1) record-check --result none --client suricatta
expect_exit 0 "upgrade 1.1.0 allowed" -- $(at 1) gate --version 1.1.0 --class feature
expect_exit 0 "installed 1.1.0" -- $(at 1) installed --version 1.1.0 --class feature
expect_exit 0 "commit 1.1.0" -- $(at 1) commit
expect_exit 10 "downgrade 0.9.0 refused" -- $(at 2) gate --version 0.9.0
expect_exit 0 "postpone feature updates" -- $(at 2) postpone --for 3d --class feature
expect_exit 11 "feature update deferred while postponed" -- $(at 2) gate --version 1.2.0 --class feature
expect_exit 0 "security update with advisories allowed" -- $(at 3) gate --version 1.1.1 --class security \
  --advisory CVE-2026-0001 --advisory CVE-2026-0002 --severity high --risk "remote code execution in the web UI"
expect_exit 0 "installed 1.1.1" -- $(at 3) installed --version 1.1.1 --class security
expect_exit 0 "commit 1.1.1" -- $(at 3) commit
expect_exit 11 "disruptive update waits for approval" -- $(at 4) gate --version 1.3.0 --reboot --downtime 2m \
  --digest "$DIGEST" --class feature
expect_exit 0 "user approves it" -- $(at 4) approve "$DIGEST"
expect_exit 0 "approved disruptive update allowed" -- $(at 5) gate --version 1.3.0 --reboot --downtime 2m \
  --digest "$DIGEST" --class feature
expect_exit 0 "installed 1.3.0" -- $(at 5) installed --version 1.3.0 --digest "$DIGEST"
expect_exit 0 "commit 1.3.0" -- $(at 5) commit
expect_exit 0 "settings: automatic feature updates off" -- $(at 6) settings auto-install.feature=off
expect_exit 0 "settings: notifications off" -- $(at 6) settings notifications=off
expect_exit 0 "settings: notifications on" -- $(at 6) settings notifications=on
expect_exit 0 "periodic update check" -- $(at 7) record-check --result available --version 1.4.0 --client suricatta
expect_exit 0 "failed install recorded" -- $(at 7) failed --version 1.4.0 --reason "signature check failed"
ls "$W/spool"/*.json >/dev/null 2>&1 && ok "file sink got notices" || not_ok "no notice in the spool"

rec_seq() { jq -s -r "[.[] | select($1)] | .[0].seq" "$LOG"/audit.log*; }
REFUSED=$(rec_seq '.event == "gate.decision" and .decision.verdict == "refuse" and .candidate.version == "0.9.0"')
POSTPONE=$(rec_seq '.event == "user.postponed"')
SECNOTE=$(rec_seq '.event == "notice.delivered" and .notice_type == "security-update"')
DISNOTE=$(rec_seq '.event == "notice.delivered" and .notice_type == "disruption-warning"')
CHECK1=$(rec_seq '.event == "update.check"')
FAILED=$(rec_seq '.event == "update.failed"')
SETTING=$(rec_seq '.event == "user.settings-changed"')
APPROVED=$(rec_seq '.event == "user.approved"')
[ "$REFUSED" -gt 0 ] && [ "$POSTPONE" -gt 0 ] && ok "history has the refusal (seq $REFUSED) and the postpone (seq $POSTPONE)" ||
  not_ok "history records missing"

# ---- export: read-only, no lock ----------------------------------------------
lines_before=$(cat "$LOG"/audit.log* | wc -l)
flock "$W/state/state.lock" sleep 30 & holder1=$!
flock "$LOG/audit.lock" sleep 30 & holder2=$!
sleep 0.3
expect_exit 0 "evidence export while both locks are held" -- timeout 20 $(at 8) evidence --out "$W/pack"
kill "$holder1" "$holder2" 2>/dev/null; wait "$holder1" "$holder2" 2>/dev/null || true
expect_output 'evidence written to .*1 device' "export prints a summary"
lines_after=$(cat "$LOG"/audit.log* | wc -l)
[ "$lines_before" = "$lines_after" ] && ok "the export wrote no audit record" || not_ok "audit lines $lines_before -> $lines_after"
PK=$W/pack
V1=$PK/variants/1
for f in README.md variants.json variants.md findings.json findings.md gaps.md oscal-assessment-results.json \
         report.html MANIFEST.sha256 variants/1/ics.json variants/1/ics.md variants/1/ixit.json \
         variants/1/ixit.md variants/1/evidence-index.json variants/1/evidence-index.md \
         variants/1/gaps.md variants/1/findings.json variants/1/findings.md variants/1/crosswalk.md \
         variants/1/policy/1-tollgate.conf; do
  [ -s "$PK/$f" ] || not_ok "$f missing"
done
ok "all pack files written"
check "one variant: the device's model, hardware revision and policy" -- jqe --arg h "$(jq -r .policy_hash "$LOG/audit.log" | head -1)" \
  '(.variants | length) == 1 and .variants[0].model == "TG-Thermostat T1" and .variants[0].hardware_revision == "B2" and .variants[0].policy_hash == $h and (.variants[0].policy_source | test("log.policy"))' "$PK/variants.json"
check "the pack holds the policy text the device recorded, byte for byte" -- cmp "$P" "$V1/policy/1-tollgate.conf"

# ---- ICS ------------------------------------------------------------------------
want="5.3-1:Y 5.3-2:Y 5.3-3:Y 5.3-4:Y 5.3-5:Y 5.3-6:Y 5.3-7:Y 5.3-8:Y 5.3-9:N 5.3-10:Y 5.3-11:Y 5.3-12:Y 5.3-13:Y 5.3-14:N/A 5.3-15:N/A 5.3-16:Y"
got=$(jq -r '[.rows[] | "\(.reference):\(.support)"] | join(" ")' "$V1/ics.json")
[ "$got" = "$want" ] && ok "16 ICS rows with the expected support" || not_ok "ICS support: $got"
check "ICS has exactly 16 rows with status" -- jqe '(.rows | length) == 16 and all(.rows[]; .status != null and .status != "")' "$V1/ics.json"
check "5.3-14/15 N/A carry a derived justification" -- jqe \
  'all(.rows[] | select(.reference == "5.3-14" or .reference == "5.3-15"); .justification != null and .justification_origin == "derived" and (.justification | test("updateable")))' "$V1/ics.json"
check "5.3-9 N carries the declared justification" -- jqe \
  '.rows[] | select(.reference == "5.3-9") | .origin == "declared" and .justification_origin == "declared" and (.justification | test("companion hub"))' "$V1/ics.json"
check "ICS never says Y without a basis and a detail" -- jqe \
  'all(.rows[] | select(.support == "Y"); (.basis | length) > 0 and .detail != null and .detail != "")' "$V1/ics.json"
check "5.3-2 basis counts the refused attempt from the log" -- jqe \
  '.rows[] | select(.reference == "5.3-2") | any(.basis[]; test("^log: [0-9]+ refused"))' "$V1/ics.json"
check "ics.md shows V3.1.3 split IDs" -- grep -q '5.3-4A, 5.3-4B' "$V1/ics.md"

# ---- IXIT: every 7-UpdMech field filled or a gap ---------------------------------------
check "7-UpdMech fw has the 7 IXIT fields" -- jqe \
  '[.["7-UpdMech"][] | select(.id == "fw") | .fields[].field] | contains(["Description","Security Guarantees","Cryptographic Details","Initiation and Interaction","Configuration","Update Checking","User Notification"])' "$V1/ixit.json"
for field in "Description" "Security Guarantees" "Cryptographic Details" "Initiation and Interaction" \
             "Configuration" "Update Checking" "User Notification"; do
  origin=$(jq -r --arg f "$field" '.["7-UpdMech"][] | select(.id == "fw") | .fields[] | select(.field == $f) | .origin' "$V1/ixit.json")
  if [ "$origin" = gap ]; then
    grep -q "^- GAP mechanisms 7-UpdMech fw $field:" "$PK/gaps.md" && ok "7-UpdMech $field: listed as a gap" ||
      not_ok "7-UpdMech $field is a gap but gaps.md has no line"
  elif [ -n "$origin" ]; then ok "7-UpdMech $field: $origin"; else not_ok "7-UpdMech $field missing"; fi
done
check "initiation (not declared) is a gap" -- grep -q '^- GAP mechanisms 7-UpdMech fw Initiation and Interaction:' "$PK/gaps.md"
check "cryptographic details derived from the SWUpdate configuration" -- jqe \
  '.["7-UpdMech"][0].fields[] | select(.field == "Cryptographic Details") | .origin == "derived" and (.derived | test("public.pem"))' "$V1/ixit.json"
check "configuration derived from the policy" -- jqe \
  '.["7-UpdMech"][0].fields[] | select(.field == "Configuration") | .origin == "derived"' "$V1/ixit.json"
check "IXIT strength: records demonstrate Update Checking, the policy configures Security Guarantees, text alone is declared, nothing is a gap" -- jqe '
  [.["7-UpdMech"][] | select(.id == "fw") | .fields[] | {(.field): .strength}] | add |
  .["Update Checking"] == "demonstrated" and .["Security Guarantees"] == "configured" and
  .["Description"] == "declared" and .["Initiation and Interaction"] == "gap"' "$V1/ixit.json"
check "26-UserDec lists the user's decisions" -- jqe \
  '[.["26-UserDec"][].id] == ["auto-install.security","postpone.security","auto-install.feature","postpone.feature","notifications","approve"]' "$V1/ixit.json"

# ---- evidence index ----------------------------------------------------------------
tc_has() { jqe --arg tc "$1" --argjson seq "$2" '.test_cases[] | select(.id == $tc) | any(.records[]; .seq == $seq)' "$V1/evidence-index.json"; }
check "refused downgrade (seq $REFUSED) under 5.3-2-2" -- tc_has 5.3-2-2 "$REFUSED"
check "postpone (seq $POSTPONE) under 5.3-6-2" -- tc_has 5.3-6-2 "$POSTPONE"
check "settings change (seq $SETTING) under 5.3-6-2" -- tc_has 5.3-6-2 "$SETTING"
check "security-update notice (seq $SECNOTE) under 5.3-11-1" -- tc_has 5.3-11-1 "$SECNOTE"
check "disruption warning (seq $DISNOTE) under 5.3-12-1" -- tc_has 5.3-12-1 "$DISNOTE"
check "approval (seq $APPROVED) under 5.3-12-1" -- tc_has 5.3-12-1 "$APPROVED"
check "update check (seq $CHECK1) under 5.3-5-1" -- tc_has 5.3-5-1 "$CHECK1"
check "failed install (seq $FAILED) under 5.3-2-2" -- tc_has 5.3-2-2 "$FAILED"
check "failed install (seq $FAILED) under 5.3-9-1" -- tc_has 5.3-9-1 "$FAILED"
line=$(cat "$LOG"/audit.log* | awk -v s="\"seq\":$REFUSED," 'index($0, s) { print; exit }')
hash=$(printf '%s\n' "$line" | sha256sum | cut -d' ' -f1)
check "record hash is the SHA-256 of the line" -- jqe --arg h "$hash" --argjson seq "$REFUSED" \
  '.test_cases[] | select(.id == "5.3-2-2") | any(.records[]; .seq == $seq and .hash == $h and .file == "audit.log")' "$V1/evidence-index.json"
check "every functional test case is demonstrated by records or says what a laboratory would do" -- jqe '
  [.test_cases[] | select(.kind | test("functional"))] | length == 8 and
  all(.[]; (.status == "demonstrated" and .records_total > 0) or
           (.status == "not demonstrated" and .records_total == 0 and (.lab_step | length) > 20))' "$V1/evidence-index.json"
check "misuse (5.3-2-2) and the model designation (5.3-16-2) are demonstrated; publication (5.3-13-2) is not" -- jqe '
  [.test_cases[] | {(.id): .status}] | add | .["5.3-2-2"] == "demonstrated" and
  .["5.3-16-2"] == "demonstrated" and .["5.3-13-2"] == "not demonstrated" and .["5.3-2-1"] == "conceptual"' "$V1/evidence-index.json"
check "support records are related to 5.3-13, never its demonstration" -- jqe '
  .rows[] | select(.reference == "5.3-13") | .strength != "demonstrated" and all(.basis[]; startswith("log:") | not)' "$V1/ics.json"
check "index.md gives the laboratory step where records do not demonstrate" -- grep -q 'Not demonstrated.*A laboratory would: Follow the user information to the published support period' "$V1/evidence-index.md"
check "index labels records as external evidence from device logs" -- grep -q 'External evidence: records from the devices' "$V1/evidence-index.md"
check "index reports the chain intact" -- jqe '.devices[0].chain.ok == true and .devices[0].chain.checkpoints > 0' "$V1/evidence-index.json"
check "summary of the refusal names versions and reason" -- jqe --argjson seq "$REFUSED" \
  '.test_cases[] | select(.id == "5.3-2-2") | any(.records[]; .seq == $seq and (.summary | test("refused 0.9.0.*below-floor")))' "$V1/evidence-index.json"

# ---- no verdict without --self-assessment -------------------------------------------
if grep -Ewq 'PASS|FAIL|satisfied|not-satisfied' "$PK"/*.md "$PK"/*.json "$V1"/*.md "$V1"/*.json "$PK/report.html"; then
  not_ok "a default export states a verdict"; grep -Ew 'PASS|FAIL|satisfied' "$PK"/* | head -3
else ok "no verdict in a default export"; fi
check "OSCAL validates against the official schema" -- $VALIDATE "$PK/oscal-assessment-results.json"
check "the OSCAL assessment plan validates against the official schema" -- \
  $PY "$TG_SOURCE_DIR/tests/integration/validate-oscal.py" "$TG_SOURCE_DIR/tests/data/oscal/oscal_assessment-plan_schema.json" "$PK/oscal-assessment-plan.json"
check "the catalogue in the pack validates against the official catalog schema" -- \
  $PY "$TG_SOURCE_DIR/tests/integration/validate-oscal.py" "$TG_SOURCE_DIR/tests/data/oscal/oscal_catalog_schema.json" "$PK/tollgate-en303645-catalog.json"
check "import-ap resolves to the plan inside the pack, and the plan's back matter to the catalogue" -- sh -c "
  test -f '$PK'/\$(jq -r '.[\"assessment-results\"][\"import-ap\"].href' '$PK/oscal-assessment-results.json') &&
  test -f '$PK'/\$(jq -r '.[\"assessment-plan\"][\"back-matter\"].resources[0].rlinks[0].href' '$PK/oscal-assessment-plan.json')"
check "the plan names the variant and device the results observe, with the same UUIDs" -- sh -c "
  jq -S '[.[\"assessment-plan\"][\"assessment-subjects\"][].\"include-subjects\"[].\"subject-uuid\"] | sort' '$PK/oscal-assessment-plan.json' >'$W/ap-subjects' &&
  jq -S '[.[\"assessment-results\"].results[].observations[0].subjects[].\"subject-uuid\"] | unique | sort' '$PK/oscal-assessment-results.json' >'$W/ar-subjects' &&
  cmp '$W/ap-subjects' '$W/ar-subjects'"
check "the plan has a task per test case, with the laboratory step for functional ones" -- jqe \
  '.["assessment-plan"].tasks | length == 24 and (map(select(.title | test("5.3-13-2"))) | .[0].description | test("Follow the user information"))' "$PK/oscal-assessment-plan.json"
check "observations link the device logs in the pack, each with its SHA-256" -- "$PY" - "$PK" <<'PYEOF'
import hashlib, json, os, sys
pack = sys.argv[1]
ar = json.load(open(os.path.join(pack, "oscal-assessment-results.json")))["assessment-results"]
res = {r["uuid"]: r for r in ar["back-matter"]["resources"]}
refs = [e["href"] for r in ar["results"] for o in r["observations"] for e in o["relevant-evidence"] if e["href"].startswith("#")]
assert refs, "no observation links a log"
for ref in refs:
    r = res[ref[1:]]
    for l in r["rlinks"]:
        data = open(os.path.join(pack, l["href"]), "rb").read()
        assert hashlib.sha256(data).hexdigest() == l["hashes"][0]["value"], l["href"]
print(f"{len(refs)} links to {len(set(refs))} logs resolve with their hash")
PYEOF
check "result dates lie within the records and never after the export" -- jqe \
  '.["assessment-results"] | .metadata["last-modified"] as $t | all(.results[]; .start <= $t and ((.end // .start) <= $t))' "$PK/oscal-assessment-results.json"
check "OSCAL has observations from the tool and no findings" -- jqe \
  '.["assessment-results"].results[0] | (.findings == null) and (.observations | length) > 16 and all(.observations[]; .origins[0].actors[0].type == "tool")' "$PK/oscal-assessment-results.json"
check "OSCAL controls are the catalogue's provision IDs" -- jqe \
  '[.["assessment-results"].results[0]["reviewed-controls"]["control-selections"][0]["include-controls"][]["control-id"]] | index("en303645-5.3-2") != null' "$PK/oscal-assessment-results.json"

# ---- manifest, self-assessment, signature ----------------------------------------------
check "MANIFEST.sha256 verifies with sha256sum -c" -- sh -c "cd '$PK' && sha256sum -c --quiet MANIFEST.sha256"
check "MANIFEST.sha256 lists every other file of the pack" -- test "$(wc -l <"$PK/MANIFEST.sha256")" -eq "$(cd "$PK" && find . -type f ! -name 'MANIFEST.sha256*' | wc -l)"
openssl genpkey -algorithm ed25519 -out "$W/sign.pem" 2>/dev/null; chmod 600 "$W/sign.pem"
openssl pkey -in "$W/sign.pem" -pubout -out "$W/sign.pub" 2>/dev/null
expect_exit 0 "signed self-assessment export" -- $(at 8) evidence --out "$W/self" --self-assessment --sign "$W/sign.pem"
check "signature verifies with openssl" -- openssl pkeyutl -verify -pubin -inkey "$W/sign.pub" -rawin \
  -in "$W/self/MANIFEST.sha256" -sigfile "$W/self/MANIFEST.sha256.sig"
check "self-assessment OSCAL validates" -- $VALIDATE "$W/self/oscal-assessment-results.json"
check "self-assessment findings are labelled" -- jqe \
  '.["assessment-results"].results[0].findings | length > 0 and all(.[]; (.description | test("^Supplier self-assessment")) and (.target.status.state | test("satisfied")))' "$W/self/oscal-assessment-results.json"
check "self-assessment ICS labels its states" -- grep -q 'SELF-ASSESSMENT' "$W/self/variants/1/ics.md"

# ---- evidence verify: the pack on its own ------------------------------------------------
expect_exit 0 "evidence verify passes on the signed pack with the signer's key" -- \
  $TG evidence verify "$W/self" --key "$W/sign.pub"
expect_output 'signature verified with the given key; [0-9]+ audit log' "it says what it checked"
expect_exit 0 "and with the key the pack carries" -- $TG evidence verify "$W/self"
expect_output 'key the pack carries' "saying whose key it used"
expect_exit 0 "evidence verify passes on the unsigned pack" -- $TG evidence verify "$PK"
check "the pack's README says how to check it" -- grep -q 'tollgate evidence verify . --key' "$PK/README.md"
check "the pack carries the device's whole log" -- cmp "$LOG/audit.log" "$PK/logs/log/audit.log"
openssl genpkey -algorithm ed25519 -out "$W/other.pem" 2>/dev/null
openssl pkey -in "$W/other.pem" -pubout -out "$W/other.pub" 2>/dev/null
expect_exit 1 "a wrong public key fails" -- $TG evidence verify "$W/self" --key "$W/other.pub"
expect_output 'MANIFEST.sha256.sig: the signature does not verify with .*other.pub' "naming the signature and the key"
tamper() {  # NAME: a copy of the pack to spoil
  rm -rf "$W/t-$1"; cp -r "$PK" "$W/t-$1"; echo "$W/t-$1"; }
T1=$(tamper byte)
awk -v s="\"seq\":$REFUSED," 'index($0, s) { sub(/"verdict":"refuse"/, "\"verdict\":\"allow\"") } { print }' \
  "$T1/logs/log/audit.log" >"$W/x.log" && cat "$W/x.log" >"$T1/logs/log/audit.log"
expect_exit 1 "a byte changed in an included log fails" -- $TG evidence verify "$T1"
expect_output "logs/log/audit.log does not match its SHA-256" "naming the file"
expect_output "logs/log/audit.log: the hash chain breaks at seq $REFUSED" "and the record where the chain breaks"
expect_output "cites log audit.log seq $REFUSED with SHA-256 .*, but logs/log/ has" "and the citation it spoils"
T2=$(tamper cut)
grep -v "\"seq\":$REFUSED," "$T2/logs/log/audit.log" >"$W/x.log" && cat "$W/x.log" >"$T2/logs/log/audit.log"
expect_exit 1 "a cited record removed fails" -- $TG evidence verify "$T2"
expect_output "variants/1/evidence-index.json \(test case 5.3-2-2\) cites log audit.log seq $REFUSED, which is not in logs/log/" \
  "naming the index, the test case and the record"
T3=$(tamper manifest)
sed -i '1{s/^0/1/;t;s/^./0/}' "$T3/MANIFEST.sha256"	# the first digit, always changed
expect_exit 1 "an edited manifest fails" -- $TG evidence verify "$T3"
expect_output "does not match its SHA-256 in MANIFEST.sha256" "naming the file whose line changed"
T4=$(tamper added)
echo extra >"$T4/variants/1/notes.md"
expect_exit 1 "a file added after the export fails" -- $TG evidence verify "$T4"
expect_output "variants/1/notes.md is not in MANIFEST.sha256" "naming it"
echo tampered >>"$W/self/gaps.md"
if (cd "$W/self" && sha256sum -c --quiet MANIFEST.sha256) >/dev/null 2>&1; then not_ok "manifest missed an edit"; else ok "manifest detects an edited file"; fi
expect_exit 1 "evidence verify fails on the edited signed pack" -- $TG evidence verify "$W/self" --key "$W/sign.pub"
expect_output "self/gaps.md does not match" "naming gaps.md"

# ---- reproducible: the same inputs give the same bytes -----------------------------------
for r in 1 2; do
  expect_exit 0 "export $r of the same logs with --now" -- \
    $TG --config "$P" --now 2026-06-08T10:00:00Z evidence --out "$W/pack-r$r" --sign "$W/sign.pem"
done
check "two exports of the same logs and time are byte-identical, UUIDs and signature included" -- diff -r "$W/pack-r1" "$W/pack-r2"
check "the OSCAL UUIDs are name-based (version 5)" -- jqe \
  '.["assessment-results"] | [.uuid, (.results[] | .. | objects | .uuid? // empty)] | length > 10 and all(.[]; test("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))' "$PK/oscal-assessment-results.json"

# ---- gaps for missing declarations (one policy each) ----------------------------------------
# Exported without device records: the pack judges the exported policy
# (with the device's logs it would judge the policy the device recorded).
mkdir -p "$W/no-records"
declared() {  # NAME SED-EXPRESSION: a copy of the policy with one declaration removed, exported
  sed "$2" "$P" >"$W/etc/$1.conf"; chmod 644 "$W/etc/$1.conf"
  $TG --config "$W/etc/$1.conf" --now 2026-06-08T10:00:00Z evidence --out "$W/$1" --logs "$W/no-records" >/dev/null
}
declared nojust '/^justification=The signature/d'
check "missing justification: 4-1-1 gap for 5.3-9" -- grep -q '^- GAP support-map 5.3-9 (4-1, 4-1-1): N without a justification' "$W/nojust/gaps.md"
check "missing justification: ICS row says so" -- jqe '.rows[] | select(.reference == "5.3-9") | .justification == null' "$W/nojust/variants/1/ics.json"
check "missing justification: listed under 4-1" -- jqe '.justifications.missing == ["5.3-9"]' "$W/nojust/variants/1/ics.json"
declared noowner '/^owner=Release manager/d'
check "missing owner: gap line" -- grep -q '^- GAP procedures owner.procedures: no owner; set owner in \[owner.procedures\]' "$W/noowner/gaps.md"
declared nodesc '/^description=Signed images/d'
check "missing mechanism field: gap line" -- grep -q '^- GAP mechanisms 7-UpdMech fw Description: not declared' "$W/nodesc/gaps.md"
check "the complete policy has no owner or description gap" -- sh -c "! grep -Eq '^- GAP procedures owner|^- GAP mechanisms 7-UpdMech fw Description' '$PK/gaps.md'"
declared nosink '/^\[sink.ui\]/,/^directory=/d'
check "without a sink 5.3-11 is N, never Y" -- jqe '.rows[] | select(.reference == "5.3-11") | .support == "N" and .justification == null' "$W/nosink/variants/1/ics.json"

# ---- a corrupted log ---------------------------------------------------------------------
mkdir -p "$W/fleet/dev-a" "$W/fleet/dev-b" "$W/fleet/dev-c"
cp "$LOG"/audit.log* "$W/fleet/dev-a/"
cp "$LOG"/audit.log* "$W/fleet/dev-b/"
BAD=$POSTPONE
sed -i "/\"seq\":$BAD,/s/\"class\":\"feature\"/\"class\":\"featurX\"/" "$W/fleet/dev-b/audit.log"
grep -q featurX "$W/fleet/dev-b/audit.log" && ok "record $BAD edited" || not_ok "could not edit record $BAD"
expect_exit 0 "export over the corrupted log" -- $(at 8) evidence --out "$W/corrupt" --logs "$W/fleet/dev-b"
check "index names the exact broken record" -- jqe --argjson seq "$BAD" \
  '.devices[0].chain.ok == false and .devices[0].chain.seq == $seq and .devices[0].chain.file == "audit.log" and .devices[0].chain.problem == "edited"' "$W/corrupt/variants/1/evidence-index.json"
check "index.md says the chain failed at that record" -- grep -q "Chain verification failed\*\* for device \`dev-b\`: edited at file \`audit.log\`, seq $BAD" "$W/corrupt/variants/1/evidence-index.md"
check "records from the break on are marked" -- jqe --argjson seq "$BAD" \
  'all(.test_cases[].records[]; if .seq >= $seq then .chain == "after-break" else .chain == "intact" end)' "$W/corrupt/variants/1/evidence-index.json"

# ---- a small fleet ---------------------------------------------------------------------------
expect_exit 0 "fleet export (a directory of device directories)" -- $(at 8) evidence --out "$W/fleetpack" --logs "$W/fleet"
check "fleet has 3 device rows and figures" -- jqe \
  '(.devices | length) == 3 and .fleet.devices == 3 and .fleet.broken_chains == 1 and (.fleet.versions[] | select(.version == "1.3.0") | .devices) == 2 and .fleet.unknown_version == 1' "$W/fleetpack/variants/1/evidence-index.json"
check "fleet counts refusals per device" -- jqe '.fleet.devices_with_refusals == 2 and .fleet.refused >= 2' "$W/fleetpack/variants/1/evidence-index.json"
check "fleet OSCAL validates" -- $VALIDATE "$W/fleetpack/oscal-assessment-results.json"
expect_exit 1 "evidence verify fails on the fleet pack: it carries dev-b's edited log" -- $TG evidence verify "$W/fleetpack"
expect_output "logs/dev-b/audit.log: the hash chain breaks at seq $BAD" "naming the device's file and record"
expect_exit 0 "fleet export with whole logs for one device per variant" -- \
  $(at 8) evidence --out "$W/fleet-cited" --logs "$W/fleet" --include-logs 1
check "the first device brings its audit file, the others the records the pack cites" -- sh -c "
  test -f '$W/fleet-cited/logs/dev-a/audit.log' && test -f '$W/fleet-cited/logs/dev-b/cited.jsonl' &&
  ! test -e '$W/fleet-cited/logs/dev-b/audit.log' &&
  test \$(wc -l <'$W/fleet-cited/logs/dev-b/cited.jsonl') -lt \$(cat '$W/fleet/dev-b/'audit.log* | wc -l)"
expect_exit 0 "evidence verify finds every cited record in the cited records" -- $TG evidence verify "$W/fleet-cited"
expect_exit 1 "--include-logs takes 'all' or a number" -- $(at 8) evidence --out "$W/x" --include-logs some
expect_exit 0 "--since/--until narrow the window" -- $(at 8) evidence --out "$W/window" --since 2026-06-06T00:00:00Z --until 2026-06-06T23:59:59Z
check "window leaves earlier records out" -- jqe --argjson seq "$REFUSED" \
  '(.test_cases[] | select(.id == "5.3-2-2") | all(.records[]; .seq != $seq)) and (.test_cases[] | select(.id == "5.3-6-2") | .records_total > 0)' "$W/window/variants/1/evidence-index.json"
expect_exit 2 "--out is required" -- $(at 8) evidence
expect_exit 1 "a missing log directory is an error" -- $(at 8) evidence --out "$W/x" --logs "$W/nope"
expect_output 'nope' "error names the directory"

# ---- variants: hardware revisions and policies are never merged ----------------------------
# Four devices of one model: A and D run the same policy on revision B2, B
# runs it on revision C1 (its own policy file), C runs B2 with another
# support end. Expected: three variants, in every file of the pack.
VD=$W/variant-devices
mkdir -p "$VD/etc"
write_policy "$VD/etc/a.conf" "[sink.ui]" "type=file" "directory=$W/spool"
sed -i "s|^device-id=.*|device-id-file=$VD/id|" "$VD/etc/a.conf"
sed 's/^hardware-revision=B2/hardware-revision=C1/' "$VD/etc/a.conf" >"$VD/etc/b.conf"
sed 's/^end=2030-12-31/end=2031-06-30/' "$VD/etc/a.conf" >"$VD/etc/c.conf"
chmod 644 "$VD/etc/"*.conf
device() {  # NAME CONF VERSION: the device's id, then first boot, an upgrade and its commit
  echo "id-$1" >"$VD/id"
  local run="env TOLLGATE_CLOCK=2026-06-02T10:00:00Z $TG --config $VD/etc/$2.conf --state-dir $VD/$1"
  echo 1.0.0 >"$W/etc/version"
  $run gate --version "$3" --class feature >/dev/null && $run installed --version "$3" >/dev/null &&
    $run commit >/dev/null && ok "device $1 ($2.conf) ran $3" || not_ok "device $1 ($2.conf) failed"
}
device A a 1.1.0; device B b 1.1.0; device C c 1.2.0; device D a 1.2.0
mkdir -p "$VD/fleet"; for d in A B C D; do ln -s "$VD/$d/log" "$VD/fleet/$d"; done
expect_exit 0 "export of the four devices" -- $(at 8) evidence --out "$W/vpack" --logs "$VD/fleet"
expect_output '3 variants' "the summary names the variants"
VP=$W/vpack
hash_of() { jq -r 'select(.event == "log.policy") | .policy_hash' "$VD/$1/log/audit.log" | head -1; }
HA=$(hash_of A); HB=$(hash_of B); HC=$(hash_of C)
[ "$HA" = "$(hash_of D)" ] && [ "$HA" != "$HB" ] && [ "$HA" != "$HC" ] && ok "A and D share a policy hash; B and C differ" ||
  not_ok "policy hashes: A $HA B $HB C $HC"
vid() { jq -r --arg h "$1" '.variants[] | select(.policy_hash == $h) | .id' "$VP/variants.json"; }
VA=$(vid "$HA"); VB=$(vid "$HB"); VC=$(vid "$HC")
check "variants.json: 3 variants with their devices, revisions and releases" -- jqe --arg a "$VA" --arg b "$VB" --arg c "$VC" '
  (.variants | length) == 3 and
  (.variants[] | select(.id == $a) | [.devices[].device] == ["A","D"] and .hardware_revision == "B2" and .release == "1.1.0, 1.2.0") and
  (.variants[] | select(.id == $b) | [.devices[].device] == ["B"] and .hardware_revision == "C1" and .release == "1.1.0") and
  (.variants[] | select(.id == $c) | [.devices[].device] == ["C"] and .hardware_revision == "B2" and .release == "1.2.0")' "$VP/variants.json"
check "devices under test: ID, installed version and tollgate version from the records" -- jqe --arg a "$VA" '
  .variants[] | select(.id == $a) | .devices[0].device_id == "id-A" and .devices[1].device_id == "id-D" and
  .devices[0].installed == "system 1.1.0" and (.devices[0].tollgate | test("^[0-9]"))' "$VP/variants.json"
for pair in "$VA:a" "$VB:b" "$VC:c"; do
  v=${pair%%:*}; c=${pair#*:}
  check "variant $v carries $c.conf byte for byte" -- cmp "$VD/etc/$c.conf" "$VP/variants/$v/policy/1-$c.conf"
done
check "ICS per variant: its own support end (5.3-13)" -- sh -c "
  jq -e '.rows[] | select(.reference == \"5.3-13\") | .detail | test(\"2031-06-30\")' '$VP/variants/$VC/ics.json' >/dev/null &&
  jq -e '.rows[] | select(.reference == \"5.3-13\") | .detail | test(\"2030-12-31\")' '$VP/variants/$VA/ics.json' >/dev/null"
check "IXIT per variant names its own policy" -- sh -c "grep -q '$HB' '$VP/variants/$VB/ixit.md' && ! grep -q '$HA' '$VP/variants/$VB/ixit.md'"
check "index per variant lists only its devices" -- sh -c "
  jq -e '[.devices[].device] == [\"A\",\"D\"] and .policy_hash == \"$HA\"' '$VP/variants/$VA/evidence-index.json' >/dev/null &&
  jq -e '[.devices[].device] == [\"B\"] and .policy_hash == \"$HB\"' '$VP/variants/$VB/evidence-index.json' >/dev/null"
check "variant OSCAL validates" -- $VALIDATE "$VP/oscal-assessment-results.json"
check "OSCAL: one result per variant, each device a subject of its variant" -- jqe '
  .["assessment-results"].results | length == 3 and
  ([.[] | .["local-definitions"]["inventory-items"] | length] | sort) == [1,1,2] and
  all(.[]; (.["local-definitions"]["inventory-items"] | map(.uuid)) as $d |
      all(.observations[]; ([.subjects[] | select(.type == "inventory-item") | .["subject-uuid"]]) == $d))' "$VP/oscal-assessment-results.json"
check "report: a section per variant and every device in the DUT table" -- sh -c "
  for v in 1 2 3; do grep -q \"<section id=\\\"v\$v\\\">\" '$VP/report.html' || exit 1; done
  for id in id-A id-B id-C id-D; do grep -q \"<td>\$id</td>\" '$VP/report.html' || exit 1; done"
check "no finding: the devices did what their policies say" -- jqe '.contradictions == 0 and ([.findings[] | select(.kind == "unknown-policy")] | length) == 0' "$VP/findings.json"

# ---- example policies ------------------------------------------------------------------------
for ex in consumer cra constrained; do
  expect_exit 0 "config check $ex.conf" -- $TG --config "$TG_SOURCE_DIR/examples/policies/$ex.conf" config check
done
mkdir -p "$W/empty-log"
expect_exit 0 "constrained.conf export" -- $TG --config "$TG_SOURCE_DIR/examples/policies/constrained.conf" \
  --now 2026-06-08T10:00:00Z evidence --out "$W/constrained" --logs "$W/empty-log"
check "constrained: 5.3-14 Y with the published rationale" -- jqe \
  '.rows[] | select(.reference == "5.3-14") | .support == "Y" and (.detail | test("Rationale: The microcontroller"))' "$W/constrained/variants/1/ics.json"
check "constrained: 5.3-15 Y" -- jqe '.rows[] | select(.reference == "5.3-15") | .support == "Y"' "$W/constrained/variants/1/ics.json"
check "constrained: mechanism provisions N/A with derived justification" -- jqe \
  '[.rows[] | select(.status | test("C\\(.*12"))] | length == 10 and all(.[]; .support == "N/A" and .justification_origin == "derived" and (.justification | test("not updateable")))' "$W/constrained/variants/1/ics.json"
check "constrained: no 4-1 gap" -- jqe '.justifications.missing == []' "$W/constrained/variants/1/ics.json"
check "constrained: rationale in ics.md" -- grep -q 'Rationale: The microcontroller cannot store' "$W/constrained/variants/1/ics.md"

# ---- config check validates the declaration and notify groups -------------------------------
cp "$P" "$W/etc/bad.conf"; printf '[component.x]\nmechanisms=nosuch\n' >>"$W/etc/bad.conf"; chmod 644 "$W/etc/bad.conf"
expect_exit 1 "config check refuses an undeclared mechanism" -- $TG --config "$W/etc/bad.conf" config check
expect_output "bad.conf: \[component.x\] mechanisms = 'nosuch' names 'nosuch'" "error names file, group, key and value"
cp "$P" "$W/etc/bad2.conf"; printf '[sink.x]\ntype=pigeon\n' >>"$W/etc/bad2.conf"; chmod 644 "$W/etc/bad2.conf"
expect_exit 1 "config check refuses a bad sink" -- $TG --config "$W/etc/bad2.conf" config check
expect_output "\[sink.x\] type = 'pigeon'" "sink error names group, key and value"

# ---- report.html in headless Chromium --------------------------------------------------------
check "report has the ICS table" -- grep -q '<table id="v1-ics"' "$PK/report.html"
check "report has the inline SVG chart and timeline" -- sh -c "grep -q '<svg id=\"v1-version-chart\"' '$PK/report.html' && grep -q '<svg id=\"v1-support-timeline\"' '$PK/report.html'"
check "report fetches nothing and runs no script" -- sh -c "! grep -Eqi '<script|<link|src=\"http|@import|url\\(' '$PK/report.html'"
check "report links the index to the records" -- sh -c "grep -q 'href=\"#v1-rec-5.3-2-2-0\"' '$PK/report.html' && grep -q 'id=\"v1-rec-5.3-2-2-0\"' '$PK/report.html'"
check "every link inside the report resolves" -- "$PY" - "$PK" <<'PYEOF'
import html.parser, os, sys
pack = sys.argv[1]
class P(html.parser.HTMLParser):
    ids, links = set(), []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a: self.ids.add(a["id"])
        if tag == "a" and "href" in a: self.links.append(a["href"])
p = P(); p.feed(open(os.path.join(pack, "report.html")).read())
bad = [l for l in p.links if (l[1:] not in p.ids if l.startswith("#") else
       not l.startswith("http") and not os.path.exists(os.path.join(pack, l.split("#")[0])))]
assert not bad, f"links that do not resolve: {bad[:5]}"
print(f"{len(p.links)} links resolve")
PYEOF
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  not_ok "chromium is not installed (scripts/install-deps.sh test installs it)"
else
  # render URL SHOT LOG: a screenshot, with the page's console in LOG
  # (Chromium logs each console message as a CONSOLE line at --v=0).
  render() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
      --disable-background-networking --disable-component-update --disable-sync --no-first-run \
      --enable-logging=stderr --v=0 --user-data-dir="$W/chr" --screenshot="$2" \
      --window-size=1200,1600 "$1" >"$3" 2>&1 || true
  }
  render "file://$PK/report.html" "$W/shot.png" "$W/chr.log"
  printf '<!doctype html><title>t</title><p>planted<script>console.error("planted error")</script>' \
    >"$W/planted.html"
  render "file://$W/planted.html" "$W/planted.png" "$W/planted.log"
  check "a console error planted in a page shows in Chromium's log (the check below can fail)" -- \
    grep -q 'CONSOLE.*planted error' "$W/planted.log"
  if grep -E 'CONSOLE|Failed to load resource|Refused to' "$W/chr.log" >"$W/console.txt"; then
    not_ok "report.html logs to the console in Chromium:"; sed 's/^/  | /' "$W/console.txt" | head -5
  else ok "report.html logs nothing to the console in Chromium (no errors, no failed loads)"; fi
  check "chromium rendered a screenshot that is not blank" -- "$PY" - "$W/shot.png" <<'PYEOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width, height, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8, "unexpected bit depth"
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colors, dark = set(), 0
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, width, 3):
            px = tuple(line[x * bpp:x * bpp + 3])
            colors.add(px)
            dark += sum(px) < 200
    prev = line
print(f"{width}x{height}, {len(colors)} colours, {dark} dark samples")
assert width == 1200 and len(colors) > 20 and dark > 500, "the page looks blank"
PYEOF
fi

finish
