#!/usr/bin/env bash
# examples/demo.sh against this build (--build, no package installation, no
# rebuild), without standard input: it exits 0, every step of its summary
# had the expected outcome, each step's audit seq points at a record that
# shows that outcome, the notices reached the spool, nothing it started
# keeps running, nothing stays mounted, and the evidence pack has its
# report with the ICS table.
. "$(dirname "$0")/lib.sh"

for t in swupdate swupdate-client "$LUA" openssl cpio jq; do
  command -v "$t" >/dev/null || { echo "SKIP: $t is not installed (scripts/install-deps.sh demo)"; exit 77; }
done
[ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ] ||
  { echo "SKIP: the Lua module was not built (no Lua development files for the Lua swupdate links)"; exit 77; }

RUN=$W/run
start=$(date +%s)
rc=0
timeout 540 "$TG_SOURCE_DIR/examples/demo.sh" --build "$TG_BUILD_DIR" --workdir "$RUN" \
  </dev/null >"$W/demo.out" 2>&1 || rc=$?
secs=$(( $(date +%s) - start ))
if [ "$rc" = 0 ]; then ok "demo exits 0 after ${secs} s"; else
  not_ok "demo exit $rc after ${secs} s"; tail -40 "$W/demo.out" | sed 's/^/  | /'; fi
S=$RUN/summary.tsv
[ -s "$S" ] || { not_ok "no summary at $S"; finish; exit 1; }

grep -q '^==> feature update 1.1.0 inside the maintenance window$' "$W/demo.out" &&
  grep -Eq '^step +unit +updater +version +expected +outcome +audit_seq$' "$W/demo.out" &&
  ok "progress lines and the summary table are printed" || not_ok "progress lines or summary table missing"

# Every step that ran has the expected outcome; RAUC steps are skipped only
# without root, the evidence step only without the evidence command.
have_evidence=0
"$TG" evidence --help >/dev/null 2>&1 && have_evidence=1
rauc_ok=0
[ "$(id -u)" -eq 0 ] && [ -e /dev/loop-control ] && command -v rauc >/dev/null && rauc_ok=1
bad=$(awk -F'\t' -v rauc="$rauc_ok" -v ev="$have_evidence" '
  NR == 1 { next }
  $6 == $5 { next }
  $6 == "skipped" && $2 == "thermo-0002" && rauc == 0 { next }
  $6 == "skipped" && $1 == "evidence pack" && ev == 0 { next }
  { print $1 ": " $6 " (expected " $5 ")" }' "$S")
if [ -z "$bad" ]; then ok "every step has its expected outcome"; else not_ok "steps off: $bad"; fi
[ "$rauc_ok" = 1 ] || echo "# RAUC steps allowed to be skipped: not root or no loop devices"

# The story is complete: the steps the issue names are all in the summary.
for want in "feature update 1.1.0 inside the maintenance window	thermo-0001	swupdate	1.1.0	installed" \
            "security update 1.1.1 (2 advisories, risk text)	thermo-0001	swupdate	1.1.1	installed" \
            "replay of the signed 1.1.0 update	thermo-0001	swupdate	1.1.0	refused" \
            "disruptive update 1.2.0 (restart, 90 s without heating control)	thermo-0001	swupdate	1.2.0	deferred" \
            "approved update 1.2.0 again	thermo-0001	swupdate	1.2.0	installed" \
            "feature update 1.3.0 while postponed	thermo-0001	swupdate	1.3.0	deferred" \
            "security update 1.2.1 while features are postponed	thermo-0001	swupdate	1.2.1	installed" \
            "install of 1.2.2 interrupted: SWUpdate killed mid-write	thermo-0001	swupdate	1.2.2	failed" \
            "the same 1.2.2 again after SWUpdate restarted	thermo-0001	swupdate	1.2.2	installed" \
            "approved upgrade 1.1.0 into slot B	thermo-0002	rauc	1.1.0	installed" \
            "downgrade to the signed 1.0.4	thermo-0002	rauc	1.0.4	refused" \
            "boot slot B, mark good, commit	thermo-0002	tollgate	1.1.0	committed"; do
  case $want in *thermo-0002*) [ "$rauc_ok" = 1 ] || continue ;; esac
  grep -qF "$want" "$S" && ok "summary has: ${want%%	*}" || not_ok "summary lacks: ${want%%	*}"
done
[ "$(awk -F'\t' '$6 == "committed"' "$S" | wc -l)" = $((5 + rauc_ok)) ] &&
  ok "commits after good boots: 5 on thermo-0001$([ "$rauc_ok" = 1 ] && echo ', 1 on thermo-0002')" || not_ok "commits missing"

# Each seq names the record that shows the outcome.
check_seq() {  # check_seq UNIT SEQ OUTCOME VERSION
  local log=$RUN/fleet/$1/audit.log f
  case $3 in
    installed) f=".event == \"update.installed\" and .candidate.version == \"$4\"" ;;
    failed) f=".event == \"update.failed\" or .event == \"update.updater-refused\"" ;;
    refused) f=".event == \"gate.decision\" and .decision.verdict == \"refuse\" and .candidate.version == \"$4\"" ;;
    deferred) f=".event == \"gate.decision\" and .decision.verdict == \"defer\" and .candidate.version == \"$4\"" ;;
    committed) f='.event == "update.committed"' ;;
    approved) f='.event == "user.approved"' ;;
    postponed) f='.event == "user.postponed" and .class == "feature"' ;;
    notified) f='.event == "support.ending"' ;;
    verified) f='true' ;;
    *) return 0 ;;
  esac
  jq -se --argjson s "$2" "[.[] | select(.seq == \$s)] | length == 1 and (.[0] | $f)" "$log" >/dev/null
}
badseq=""
while IFS=$'\t' read -r title unit _ version _ outcome seq; do
  [ "$seq" = "-" ] && continue
  check_seq "$unit" "$seq" "$outcome" "$version" || badseq="$badseq [$title: seq $seq]"
done < <(tail -n +2 "$S")
[ -z "$badseq" ] && ok "every audit seq in the summary is a record showing that outcome" ||
  not_ok "audit seq mismatch:$badseq"

# What the user saw.
if jq -se 'any(.[]; .type == "security-update" and .version == "1.1.1" and (.advisories | index("CVE-2026-41001")) != null and (.risk | length) > 0)' \
    "$RUN"/unit1/notices/2*.json >/dev/null 2>&1; then ok "security notice with advisories and risk in the spool"; else
  not_ok "no security-update notice for 1.1.1 in the spool"; fi
grep -q 'Risks it mitigates: An attacker on the home network' "$W/demo.out" &&
  ok "the demo shows the security notice's risk text" || not_ok "notice text not shown"
grep -q 'reason (below-security-floor): Version 1.1.0 is below' "$W/demo.out" &&
  ok "the demo shows the replay's refusal reason" || not_ok "refusal reason not shown"
if jq -se 'any(.[]; .type == "support-ending" and .threshold == 90)' "$RUN"/unit1/notices/2*.json >/dev/null 2>&1; then
  ok "support-ending notice (threshold 90) fired after --now"; else not_ok "no support-ending notice"; fi
expect_exit 0 "thermo-0001's audit log verifies" -- "$TG" --config "$RUN/unit1/etc/tollgate.conf" audit verify
validate_audit_schema "$RUN"/fleet/*/audit.log

# Cleanup: no process of the demo runs, nothing is mounted under it.
left=$(ps -eo pid=,args= | grep -F "$RUN" | grep -v grep || true)
[ -z "$left" ] && ok "no process of the demo is left running" || { not_ok "processes left:"; echo "$left" | sed 's/^/  | /'; }
[ -z "$(findmnt -rn -o TARGET | grep -F "$RUN" || true)" ] && ok "nothing mounted under the work directory" ||
  not_ok "mounts left under $RUN"

# Re-runnable: a second run into the same work directory starts afresh.
if [ "$rc" = 0 ]; then
  rc2=0
  timeout 540 "$TG_SOURCE_DIR/examples/demo.sh" --build "$TG_BUILD_DIR" --workdir "$RUN" </dev/null >"$W/demo2.out" 2>&1 || rc2=$?
  [ "$rc2" = 0 ] && [ "$(awk -F'\t' 'NR > 1' "$RUN/summary.tsv" | wc -l)" = "$(awk -F'\t' 'NR > 1' "$S" | wc -l)" ] &&
    [ "$(jq -s 'map(select(.event == "state.initialized")) | length' "$RUN/fleet/thermo-0001/audit.log")" = 1 ] &&
    ok "a second run into the same work directory starts from a fresh device" ||
    { not_ok "second run: exit $rc2"; tail -20 "$W/demo2.out" | sed 's/^/  | /'; }
fi
mkdir -p "$W/other" && touch "$W/other/keep"
expect_exit 1 "a non-empty directory the demo did not write is refused" -- \
  "$TG_SOURCE_DIR/examples/demo.sh" --build "$TG_BUILD_DIR" --workdir "$W/other"
[ -e "$W/other/keep" ] && ok "and left alone" || not_ok "the demo deleted a foreign directory"

# The evidence pack (once `tollgate evidence` exists).
if [ "$have_evidence" = 1 ]; then
  R=$RUN/evidence/report.html
  [ -s "$R" ] && ok "report.html written" || not_ok "no $R"
  grep -q "open $R in a browser" "$W/demo.out" && ok "the demo prints where report.html is" || not_ok "report path not printed"
  # The ICS section: from its heading to the next one, a table with a row
  # for every provision 5.3-1 to 5.3-16.
  # Each unit runs its own policy: a variant each, every file per variant.
  E=$RUN/evidence
  if "$TG" evidence verify "$E" >"$W/verify.out" 2>&1; then
    ok "evidence verify passes on the demo's pack ($(sed 's/.*verifies: //' "$W/verify.out"))"
  else not_ok "evidence verify on the demo's pack"; sed 's/^/  | /' "$W/verify.out" | head; fi
  [ -s "$E/logs/thermo-0001/audit.log" ] && cmp -s "$RUN/fleet/thermo-0001/audit.log" "$E/logs/thermo-0001/audit.log" &&
    ok "the pack carries the units' audit logs" || not_ok "the pack lacks thermo-0001's audit log"
  jq -e '(.variants | length) == 2 and ([.variants[].devices[].device] | sort) == ["thermo-0001","thermo-0002"]' \
    "$E/variants.json" >/dev/null && ok "two variants, one per unit and policy" ||
    not_ok "variants: $(jq -c '[.variants[] | [.id, [.devices[].device]]]' "$E/variants.json")"
  for v in $(jq -r '.variants[].id' "$E/variants.json"); do
    # The ICS section of the variant: from its heading to the next one, a
    # table with a row for every provision 5.3-1 to 5.3-16.
    sed 's/<h2/\n<h2/g' "$R" | awk -v id="<h2 id=\"v$v-ics-table\"" 'index($0, id) == 1 { on = 1; print; next } /^<h2/ { on = 0 } on' >"$W/ics.html"
    rows=$(grep -o '<tr[^>]*>' "$W/ics.html" | wc -l)
    missing=""
    for n in $(seq 1 16); do grep -q "5\.3-$n<" "$W/ics.html" || missing="$missing 5.3-$n"; done
    if grep -q '<table' "$W/ics.html" && [ "$rows" -ge 17 ] && [ -z "$missing" ]; then
      ok "report.html has variant $v's ICS table ($rows rows with 5.3-1 to 5.3-16)"
    else not_ok "report.html variant $v ICS table: $rows rows, missing:$missing"; fi
    jq -e '[.rows[].support] | length == 16 and all(. == "Y" or . == "N/A")' "$E/variants/$v/ics.json" >/dev/null &&
      ok "variant $v's ICS has every provision Y or N/A" || not_ok "variant $v ICS rows: $(jq -c '[.rows[].support]' "$E/variants/$v/ics.json")"
  done
  # What the demo's policy promises is what its units do: no contradiction.
  if "$TG" --config "$RUN/unit1/etc/tollgate.conf" evidence check \
       --strict --logs "$RUN/fleet" >"$W/check.out" 2>&1; then
    ok "evidence check --strict passes on the demo's records"
  else not_ok "evidence check --strict on the demo"; sed 's/^/  | /' "$W/check.out" | head -20; fi
  jq -e 'all(.findings[]; .kind != "release-not-run")' "$RUN/evidence/findings.json" >/dev/null &&
    ok "each unit's declared release is one its records show it ran" || not_ok "a declared release no unit ran"
  jq -e '.contradictions == 0' "$RUN/evidence/findings.json" >/dev/null &&
    ok "the demo's findings.json lists no contradiction" || not_ok "the demo's pack has contradictions"
  # The misuse story: each step the demo ran is indexed under its test case
  # with the record it cites (summary.tsv: the step's audit seq).
  indexed() {  # STEP-TITLE TEST-CASE [UNIT]
    local seq unit=${3:-thermo-0001} v
    v=$E/variants/$(jq -r --arg u "$unit" '.variants[] | select(.devices[].device == $u) | .id' "$E/variants.json")
    seq=$(awk -F'\t' -v t="$1" '$1 == t { print $7 }' "$S")
    if [ -n "$seq" ] && [ "$seq" != - ] && jq -e --arg tc "$2" --argjson s "$seq" --arg u "$unit" \
        '.test_cases[] | select(.id == $tc) | any(.records[]; .device == $u and .seq == $s and (.hash | length) == 64)' \
        "$v/evidence-index.json" >/dev/null; then ok "'$1' ($unit seq $seq) is indexed under $2"
    else not_ok "'$1' ($unit seq ${seq:-none}) is not indexed under $2"; fi
  }
  indexed "replay of the signed 1.1.0 update" 5.3-2-2
  indexed "reinstall of the installed 1.2.1" 5.3-2-2
  indexed "install of 1.2.2 interrupted: SWUpdate killed mid-write" 5.3-2-2
  indexed "image with one byte changed after signing (1.4.0)" 5.3-2-2
  indexed "image for another hardware revision (C9)" 5.3-2-2
  indexed "user switches automatic feature updates off" 5.3-6-2
  indexed "user postpones feature updates for 7 days" 5.3-6-2
  indexed "periodic update check (no update offered)" 5.3-5-1
  indexed "disruptive update 1.2.0 (restart, 90 s without heating control)" 5.3-12-1
  indexed "unsigned image (1.4.0)" 5.3-2-2
  indexed "image signed by another key (1.4.0)" 5.3-9-1
  # The updater configuration lines and certificates the IXIT rests on.
  # (in the variant whose IXIT read SWUpdate's configuration; variants are
  # numbered by the export, not by unit)
  X=$(dirname "$(ls "$E"/variants/*/updater-config/swupdate-signed.txt 2>/dev/null | head -n 1)")
  fp=$( { openssl x509 -in "$X/swupdate-signed.pem" -noout -fingerprint -sha256 2>/dev/null || true; } |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
  if grep -q 'public-key-file' "$X/swupdate-signed.txt" 2>/dev/null && [ -n "$fp" ] &&
     grep -q "$fp" "$X/../ixit.json"; then
    ok "updater-config/ holds SWUpdate's public-key-file line and the certificate the IXIT fingerprints"
  else not_ok "no variant's updater-config/ holds SWUpdate's key line and certificate: $(ls "$E"/variants/*/updater-config 2>&1 | tr '\n' ' ')"; fi
  # The refused signatures name the signer SWUpdate expected.
  if jq -se '[.[] | select(.event == "update.failed" and (.failure | test("signatures failed|not the first")))] |
      length >= 2 and all(.failure | test("expected a signature by CN=TG-Thermostat update signer \\(SHA-256 [0-9a-f]{16}"))' \
      "$RUN/fleet/thermo-0001/audit.log" >/dev/null; then
    ok "the unsigned and the other key's images are recorded with the signer SWUpdate expected"
  else not_ok "signature failures without the expected signer: $(jq -c 'select(.event == "update.failed") | .failure' "$RUN/fleet/thermo-0001/audit.log" | head -3)"; fi
  jq -e -s '[.[] | select(.event == "update.failed") | .failure] |
      any(test("Authentication of all signatures failed")) and any(test("sw-description.sig"))' \
    "$RUN/fleet/thermo-0001/audit.log" >/dev/null &&
    ok "the records name SWUpdate's reason for the unsigned and the foreign-signed image" ||
    not_ok "SWUpdate's signature failures are not recorded with their reason"
  if [ "$rauc_ok" = 1 ]; then
    indexed "downgrade to the signed 1.0.4" 5.3-2-2 thermo-0002
    indexed "bundle with one byte changed after signing (1.2.0)" 5.3-2-2 thermo-0002
    indexed "bundle signed under another CA (1.2.0)" 5.3-9-1 thermo-0002
    if jq -se '[.[] | select(.event == "update.failed" and (.failure | test("signature verification failed")))] |
        length == 2 and all(.failure | test("RAUC expected a signature under CN=TG-Thermostat"))' \
        "$RUN/fleet/thermo-0002/audit.log" >/dev/null; then
      ok "both rejected bundle signatures are recorded with the keyring RAUC checked them against"
    else not_ok "RAUC signature failures without the keyring: $(jq -c 'select(.event == "update.failed") | .failure' "$RUN/fleet/thermo-0002/audit.log" | head -2)"; fi
  fi
  awk -F'\t' '$1 ~ /past the support end$/ && $6 == "ended"' "$S" | grep -q . &&
    awk -F'\t' '$1 == "feature update 1.5.0 after the support end" && $6 == "refused"' "$S" | grep -q . &&
    ok "past the support end: support.ended recorded, a feature update refused" || not_ok "the support end passing is not in the summary"
  awk -F'\t' '$1 ~ /^security updates postponed for 30 days/ && $6 == "refused"' "$S" | grep -q . &&
    ok "a security postpone beyond the policy's limit is refused" || not_ok "the over-long security postpone was not refused"

  # The signing certificates the updaters check against, from their
  # configuration: fingerprint and validity, and the demo's 30-day
  # certificates end long before the support end (a gap).
  jq -e -s '[.[]["7-UpdMech"][].fields[] | select(.field == "Signing Certificates") | .derived // ""] |
      length >= 2 and all(.[]; test("SHA-256 fingerprint [0-9a-f]{64}, valid from [0-9-]+ until [0-9-]+"))' \
    "$E"/variants/*/ixit.json >/dev/null && ok "the IXIT names each updater's signing certificate with fingerprint and validity" ||
    not_ok "no signing certificates in the IXIT"
  grep -q "GAP mechanisms 7-UpdMech swupdate-signed Signing Certificates: the certificate CN=TG-Thermostat update signer .* expires on .*, before the support end 2031-12-31" "$E/gaps.md" &&
    ok "a signing certificate that ends before the support end is a gap" || not_ok "the short-lived signing certificate is not a gap"

  # The updaters that really ran, from the records, in the IXIT and the index.
  ran=$(jq -r '[.. | objects | select(.field? == "Updater versions (records)") | .derived // empty] | join("; ")' \
    "$E"/variants/*/ixit.json)
  printf '%s' "$ran" | grep -Eq 'swupdate [0-9]{4}\.[0-9]+' &&
    ok "the IXIT names the SWUpdate version the records show ($ran)" || not_ok "no SWUpdate version in the IXIT: '$ran'"
  if [ "$rauc_ok" = 1 ]; then
    printf '%s' "$ran" | grep -Eq 'rauc [0-9]+\.[0-9]+' &&
      ok "and the RAUC version" || not_ok "no RAUC version in the IXIT: '$ran'"
  fi
  jq -e -s 'all(.[].devices[]; (.updaters | length) > 0)' "$E"/variants/*/evidence-index.json >/dev/null &&
    ok "every device row of the index lists its updaters" || not_ok "a device row lacks its updaters"
  jq -e 'all(.variants[].devices[]; .updaters != "unknown" and .installed != "unknown" and .tollgate != "unknown")' \
    "$E/variants.json" >/dev/null && ok "the devices-under-test table has no unknown entry" ||
    not_ok "unknown entries: $(jq -c '[.variants[].devices[] | select(.updaters == "unknown" or .installed == "unknown" or .tollgate == "unknown")]' "$E/variants.json")"
else
  echo "# tollgate evidence not built yet: pack checks not run"
fi
finish
