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
for f in ics.json ics.md ixit.json ixit.md evidence-index.json evidence-index.md gaps.md crosswalk.md \
         oscal-assessment-results.json report.html MANIFEST.sha256; do
  [ -s "$PK/$f" ] || not_ok "$f missing"
done
ok "all pack files written"

# ---- ICS ------------------------------------------------------------------------
want="5.3-1:Y 5.3-2:Y 5.3-3:Y 5.3-4:Y 5.3-5:Y 5.3-6:Y 5.3-7:Y 5.3-8:Y 5.3-9:N 5.3-10:Y 5.3-11:Y 5.3-12:Y 5.3-13:Y 5.3-14:N/A 5.3-15:N/A 5.3-16:Y"
got=$(jq -r '[.rows[] | "\(.reference):\(.support)"] | join(" ")' "$PK/ics.json")
[ "$got" = "$want" ] && ok "16 ICS rows with the expected support" || not_ok "ICS support: $got"
check "ICS has exactly 16 rows with status" -- jqe '(.rows | length) == 16 and all(.rows[]; .status != null and .status != "")' "$PK/ics.json"
check "5.3-14/15 N/A carry a derived justification" -- jqe \
  'all(.rows[] | select(.reference == "5.3-14" or .reference == "5.3-15"); .justification != null and .justification_origin == "derived" and (.justification | test("updateable")))' "$PK/ics.json"
check "5.3-9 N carries the declared justification" -- jqe \
  '.rows[] | select(.reference == "5.3-9") | .origin == "declared" and .justification_origin == "declared" and (.justification | test("companion hub"))' "$PK/ics.json"
check "ICS never says Y without a basis and a detail" -- jqe \
  'all(.rows[] | select(.support == "Y"); (.basis | length) > 0 and .detail != null and .detail != "")' "$PK/ics.json"
check "5.3-2 basis counts the refused attempt from the log" -- jqe \
  '.rows[] | select(.reference == "5.3-2") | any(.basis[]; test("^log: [0-9]+ refused"))' "$PK/ics.json"
check "ics.md shows V3.1.3 split IDs" -- grep -q '5.3-4A, 5.3-4B' "$PK/ics.md"

# ---- IXIT: every 7-UpdMech field filled or a gap ---------------------------------------
check "7-UpdMech fw has the 7 IXIT fields" -- jqe \
  '[.["7-UpdMech"][] | select(.id == "fw") | .fields[].field] | contains(["Description","Security Guarantees","Cryptographic Details","Initiation and Interaction","Configuration","Update Checking","User Notification"])' "$PK/ixit.json"
for field in "Description" "Security Guarantees" "Cryptographic Details" "Initiation and Interaction" \
             "Configuration" "Update Checking" "User Notification"; do
  origin=$(jq -r --arg f "$field" '.["7-UpdMech"][] | select(.id == "fw") | .fields[] | select(.field == $f) | .origin' "$PK/ixit.json")
  if [ "$origin" = gap ]; then
    grep -q "^- GAP mechanisms 7-UpdMech fw $field:" "$PK/gaps.md" && ok "7-UpdMech $field: listed as a gap" ||
      not_ok "7-UpdMech $field is a gap but gaps.md has no line"
  elif [ -n "$origin" ]; then ok "7-UpdMech $field: $origin"; else not_ok "7-UpdMech $field missing"; fi
done
check "initiation (not declared) is a gap" -- grep -q '^- GAP mechanisms 7-UpdMech fw Initiation and Interaction:' "$PK/gaps.md"
check "cryptographic details derived from the SWUpdate configuration" -- jqe \
  '.["7-UpdMech"][0].fields[] | select(.field == "Cryptographic Details") | .origin == "derived" and (.derived | test("public.pem"))' "$PK/ixit.json"
check "configuration derived from the policy" -- jqe \
  '.["7-UpdMech"][0].fields[] | select(.field == "Configuration") | .origin == "derived"' "$PK/ixit.json"
check "26-UserDec lists the user's decisions" -- jqe \
  '[.["26-UserDec"][].id] == ["auto-install.security","postpone.security","auto-install.feature","postpone.feature","notifications","approve"]' "$PK/ixit.json"

# ---- evidence index ----------------------------------------------------------------
tc_has() { jqe --arg tc "$1" --argjson seq "$2" '.test_cases[] | select(.id == $tc) | any(.records[]; .seq == $seq)' "$PK/evidence-index.json"; }
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
  '.test_cases[] | select(.id == "5.3-2-2") | any(.records[]; .seq == $seq and .hash == $h and .file == "audit.log")' "$PK/evidence-index.json"
check "index labels records as external evidence from device logs" -- grep -q 'External evidence: records from the devices' "$PK/evidence-index.md"
check "index reports the chain intact" -- jqe '.devices[0].chain.ok == true and .devices[0].chain.checkpoints > 0' "$PK/evidence-index.json"
check "summary of the refusal names versions and reason" -- jqe --argjson seq "$REFUSED" \
  '.test_cases[] | select(.id == "5.3-2-2") | any(.records[]; .seq == $seq and (.summary | test("refused 0.9.0.*below-floor")))' "$PK/evidence-index.json"

# ---- no verdict without --self-assessment -------------------------------------------
if grep -Ewq 'PASS|FAIL|satisfied|not-satisfied' "$PK"/*.md "$PK"/*.json "$PK/report.html"; then
  not_ok "a default export states a verdict"; grep -Ew 'PASS|FAIL|satisfied' "$PK"/* | head -3
else ok "no verdict in a default export"; fi
check "OSCAL validates against the official schema" -- $VALIDATE "$PK/oscal-assessment-results.json"
check "OSCAL has observations from the tool and no findings" -- jqe \
  '.["assessment-results"].results[0] | (.findings == null) and (.observations | length) > 16 and all(.observations[]; .origins[0].actors[0].type == "tool")' "$PK/oscal-assessment-results.json"
check "OSCAL controls are the catalogue's provision IDs" -- jqe \
  '[.["assessment-results"].results[0]["reviewed-controls"]["control-selections"][0]["include-controls"][]["control-id"]] | index("en303645-5.3-2") != null' "$PK/oscal-assessment-results.json"

# ---- manifest, self-assessment, signature ----------------------------------------------
check "MANIFEST.sha256 verifies with sha256sum -c" -- sh -c "cd '$PK' && sha256sum -c --quiet MANIFEST.sha256"
check "MANIFEST.sha256 lists the 12 other files" -- test "$(wc -l <"$PK/MANIFEST.sha256")" -eq 12
openssl genpkey -algorithm ed25519 -out "$W/sign.pem" 2>/dev/null; chmod 600 "$W/sign.pem"
openssl pkey -in "$W/sign.pem" -pubout -out "$W/sign.pub" 2>/dev/null
expect_exit 0 "signed self-assessment export" -- $(at 8) evidence --out "$W/self" --self-assessment --sign "$W/sign.pem"
check "signature verifies with openssl" -- openssl pkeyutl -verify -pubin -inkey "$W/sign.pub" -rawin \
  -in "$W/self/MANIFEST.sha256" -sigfile "$W/self/MANIFEST.sha256.sig"
check "self-assessment OSCAL validates" -- $VALIDATE "$W/self/oscal-assessment-results.json"
check "self-assessment findings are labelled" -- jqe \
  '.["assessment-results"].results[0].findings | length > 0 and all(.[]; (.description | test("^Supplier self-assessment")) and (.target.status.state | test("satisfied")))' "$W/self/oscal-assessment-results.json"
check "self-assessment ICS labels its states" -- grep -q 'SELF-ASSESSMENT' "$W/self/ics.md"
echo tampered >>"$W/self/gaps.md"
if (cd "$W/self" && sha256sum -c --quiet MANIFEST.sha256) >/dev/null 2>&1; then not_ok "manifest missed an edit"; else ok "manifest detects an edited file"; fi

# ---- gaps for missing declarations (one policy each) ----------------------------------------
variant() {  # NAME SED-EXPRESSION: a copy of the policy with one declaration removed, exported
  sed "$2" "$P" >"$W/etc/$1.conf"; chmod 644 "$W/etc/$1.conf"
  $TG --config "$W/etc/$1.conf" --now 2026-06-08T10:00:00Z evidence --out "$W/$1" --logs "$LOG" >/dev/null
}
variant nojust '/^justification=The signature/d'
check "missing justification: 4-1-1 gap for 5.3-9" -- grep -q '^- GAP support-map 5.3-9 (4-1, 4-1-1): N without a justification' "$W/nojust/gaps.md"
check "missing justification: ICS row says so" -- jqe '.rows[] | select(.reference == "5.3-9") | .justification == null' "$W/nojust/ics.json"
check "missing justification: listed under 4-1" -- jqe '.justifications.missing == ["5.3-9"]' "$W/nojust/ics.json"
variant noowner '/^owner=Release manager/d'
check "missing owner: gap line" -- grep -q '^- GAP procedures owner.procedures: no owner; set owner in \[owner.procedures\]' "$W/noowner/gaps.md"
variant nodesc '/^description=Signed images/d'
check "missing mechanism field: gap line" -- grep -q '^- GAP mechanisms 7-UpdMech fw Description: not declared' "$W/nodesc/gaps.md"
check "the complete policy has no owner or description gap" -- sh -c "! grep -Eq '^- GAP procedures owner|^- GAP mechanisms 7-UpdMech fw Description' '$PK/gaps.md'"
variant nosink '/^\[sink.ui\]/,/^directory=/d'
check "without a sink 5.3-11 is N, never Y" -- jqe '.rows[] | select(.reference == "5.3-11") | .support == "N" and .justification == null' "$W/nosink/ics.json"

# ---- a corrupted log ---------------------------------------------------------------------
mkdir -p "$W/fleet/dev-a" "$W/fleet/dev-b" "$W/fleet/dev-c"
cp "$LOG"/audit.log* "$W/fleet/dev-a/"
cp "$LOG"/audit.log* "$W/fleet/dev-b/"
BAD=$POSTPONE
sed -i "/\"seq\":$BAD,/s/\"class\":\"feature\"/\"class\":\"featurX\"/" "$W/fleet/dev-b/audit.log"
grep -q featurX "$W/fleet/dev-b/audit.log" && ok "record $BAD edited" || not_ok "could not edit record $BAD"
expect_exit 0 "export over the corrupted log" -- $(at 8) evidence --out "$W/corrupt" --logs "$W/fleet/dev-b"
check "index names the exact broken record" -- jqe --argjson seq "$BAD" \
  '.devices[0].chain.ok == false and .devices[0].chain.seq == $seq and .devices[0].chain.file == "audit.log" and .devices[0].chain.problem == "edited"' "$W/corrupt/evidence-index.json"
check "index.md says the chain failed at that record" -- grep -q "Chain verification failed\*\* for device \`dev-b\`: edited at file \`audit.log\`, seq $BAD" "$W/corrupt/evidence-index.md"
check "records from the break on are marked" -- jqe --argjson seq "$BAD" \
  'all(.test_cases[].records[]; if .seq >= $seq then .chain == "after-break" else .chain == "intact" end)' "$W/corrupt/evidence-index.json"

# ---- a small fleet ---------------------------------------------------------------------------
expect_exit 0 "fleet export (a directory of device directories)" -- $(at 8) evidence --out "$W/fleetpack" --logs "$W/fleet"
check "fleet has 3 device rows and figures" -- jqe \
  '(.devices | length) == 3 and .fleet.devices == 3 and .fleet.broken_chains == 1 and (.fleet.versions[] | select(.version == "1.3.0") | .devices) == 2 and .fleet.unknown_version == 1' "$W/fleetpack/evidence-index.json"
check "fleet counts refusals per device" -- jqe '.fleet.devices_with_refusals == 2 and .fleet.refused >= 2' "$W/fleetpack/evidence-index.json"
check "fleet OSCAL validates" -- $VALIDATE "$W/fleetpack/oscal-assessment-results.json"
expect_exit 0 "--since/--until narrow the window" -- $(at 8) evidence --out "$W/window" --since 2026-06-06T00:00:00Z --until 2026-06-06T23:59:59Z
check "window leaves earlier records out" -- jqe --argjson seq "$REFUSED" \
  '(.test_cases[] | select(.id == "5.3-2-2") | all(.records[]; .seq != $seq)) and (.test_cases[] | select(.id == "5.3-6-2") | .records_total > 0)' "$W/window/evidence-index.json"
expect_exit 2 "--out is required" -- $(at 8) evidence
expect_exit 1 "a missing log directory is an error" -- $(at 8) evidence --out "$W/x" --logs "$W/nope"
expect_output 'nope' "error names the directory"

# ---- example policies ------------------------------------------------------------------------
for ex in consumer cra constrained; do
  expect_exit 0 "config check $ex.conf" -- $TG --config "$TG_SOURCE_DIR/examples/policies/$ex.conf" config check
done
mkdir -p "$W/empty-log"
expect_exit 0 "constrained.conf export" -- $TG --config "$TG_SOURCE_DIR/examples/policies/constrained.conf" \
  --now 2026-06-08T10:00:00Z evidence --out "$W/constrained" --logs "$W/empty-log"
check "constrained: 5.3-14 Y with the published rationale" -- jqe \
  '.rows[] | select(.reference == "5.3-14") | .support == "Y" and (.detail | test("Rationale: The microcontroller"))' "$W/constrained/ics.json"
check "constrained: 5.3-15 Y" -- jqe '.rows[] | select(.reference == "5.3-15") | .support == "Y"' "$W/constrained/ics.json"
check "constrained: mechanism provisions N/A with derived justification" -- jqe \
  '[.rows[] | select(.status | test("C\\(.*12"))] | length == 10 and all(.[]; .support == "N/A" and .justification_origin == "derived" and (.justification | test("not updateable")))' "$W/constrained/ics.json"
check "constrained: no 4-1 gap" -- jqe '.justifications.missing == []' "$W/constrained/ics.json"
check "constrained: rationale in ics.md" -- grep -q 'Rationale: The microcontroller cannot store' "$W/constrained/ics.md"

# ---- config check validates the declaration and notify groups -------------------------------
cp "$P" "$W/etc/bad.conf"; printf '[component.x]\nmechanisms=nosuch\n' >>"$W/etc/bad.conf"; chmod 644 "$W/etc/bad.conf"
expect_exit 1 "config check refuses an undeclared mechanism" -- $TG --config "$W/etc/bad.conf" config check
expect_output "bad.conf: \[component.x\] mechanisms = 'nosuch' names 'nosuch'" "error names file, group, key and value"
cp "$P" "$W/etc/bad2.conf"; printf '[sink.x]\ntype=pigeon\n' >>"$W/etc/bad2.conf"; chmod 644 "$W/etc/bad2.conf"
expect_exit 1 "config check refuses a bad sink" -- $TG --config "$W/etc/bad2.conf" config check
expect_output "\[sink.x\] type = 'pigeon'" "sink error names group, key and value"

# ---- report.html in headless Chromium --------------------------------------------------------
check "report has the ICS table" -- grep -q '<table id="ics">' "$PK/report.html"
check "report has the inline SVG chart and timeline" -- sh -c "grep -q '<svg id=\"version-chart\"' '$PK/report.html' && grep -q '<svg id=\"support-timeline\"' '$PK/report.html'"
check "report fetches nothing and runs no script" -- sh -c "! grep -Eqi '<script|<link|src=\"http|@import|url\\(' '$PK/report.html'"
check "report links the index to the records" -- sh -c "grep -q 'href=\"#rec-5.3-2-2-0\"' '$PK/report.html' && grep -q 'id=\"rec-5.3-2-2-0\"' '$PK/report.html'"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  not_ok "chromium is not installed (scripts/install-deps.sh test installs it)"
else
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$W/chr" --screenshot="$W/shot.png" --window-size=1200,1600 \
    "file://$PK/report.html" >"$W/chr.log" 2>&1 || true
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
