#!/usr/bin/env bash
# Done-when 3: with preupdatecmd set to `tollgate swupdate-precheck` (from
# examples/swupdate/swupdate.cfg), an .swu without a tollgate entry is still
# gated, and an installed-directly image below the floor is refused before it
# touches the target. Stock Debian binary with CMS-signed updates and the Lua
# plugin (SWUpdate refuses an sw-description whose scripts name a handler it
# does not have, so updates with a tollgate entry need the plugin too).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/swupdate-lib.sh"
swu_require swupdate cpio openssl jq
[ -f "$TG_BUILD_DIR/handlers/swupdate/tollgate_swupdate.so" ] ||
  { echo "SKIP: the Lua module was not built (no Lua development files for the Lua swupdate links)"; exit 77; }
export LUA_PATH="$TG_SOURCE_DIR/handlers/swupdate/lua/?.lua;;"
export LUA_CPATH="$TG_BUILD_DIR/handlers/swupdate/?.so;;"

swu_keys
swu_policy
swu_write_config "$W/swupdate.cfg" "$SWU_CERT" "$TG --config $POLICY swupdate-precheck"
CFG=(swupdate -f "$W/swupdate.cfg" -H board:1.0)

make_swu plain-down 0.9.0 - signed
run_swu "${CFG[@]}" plain-down
expect_stopped "update without tollgate entry below the floor refused" 1.0.0
expect_audit "its refusal is recorded by the precheck" \
  "($(last_decision 0.9.0)) | .verdict == \"refuse\" and .reason == \"below-floor\""
grep -q "tollgate: refused 0.9.0" "$W/swu.log" && ok "SWUpdate's log shows the precheck's refusal" ||
  not_ok "the refusal line is missing from SWUpdate's log"

make_swu plain-up 1.1.0 - signed
run_swu "${CFG[@]}" plain-up
expect_installed "update without tollgate entry allowed by policy" 1.1.0
expect_audit "allow of 1.1.0 recorded without metadata, digest of sw-description" \
  "($(last_decision 1.1.0)).verdict == \"allow\" and ([.[] | select(.event == \"gate.decision\")] | last | .candidate.digest == \"$(swu_digest plain-up)\")"

make_swu direct-down 0.9.5 'class = "security"; risk = "x";' signed direct
run_swu "${CFG[@]}" direct-down
expect_stopped "installed-directly image below the floor refused before it touches the target" 1.1.0
grep -q "swupdate-precheck command returned 10" "$W/swu.log" && ok "the precheck stopped it (exit 10)" ||
  not_ok "the precheck did not stop the installed-directly image"

make_swu direct-up 1.2.0 'class = "feature"; advisories = ["TG-1", "TG-2"];' signed direct
run_swu "${CFG[@]}" direct-up
expect_installed "installed-directly image above the floor installs" 1.2.0
expect_audit "metadata of the entry reached the decision" \
  '[.[] | select(.event == "gate.decision")] | last | .candidate.advisories == ["TG-1", "TG-2"] and .candidate.declared_class == "feature"'
# Precheck and handler gate the same install: one decision, one confirmation
# of it (same transaction), and one attempt in the evidence counts.
expect_audit "one decision for the install of 1.2.0, confirmed by the handler's gate" \
  '[.[] | select(.candidate.version == "1.2.0")] as $r |
   ([$r[] | select(.event == "gate.decision")] | length) == 1 and
   ([$r[] | select(.event == "gate.confirmed")] | length) == 1 and
   ([$r[] | select(.event == "gate.decision")][0].transaction_id ==
    [$r[] | select(.event == "gate.confirmed")][0].transaction_id)'
rm -rf "$W/pack"
if tg evidence --out "$W/pack" --logs "$(dirname "$AUDIT")" >"$W/ev.out" 2>&1 &&
   jq -e '.devices[0].counts.allowed == 2' "$W/pack/variants/1/evidence-index.json" >/dev/null; then
  ok "the evidence counts 2 allowed attempts (1.1.0 by the precheck, 1.2.0 by precheck and handler)"
else not_ok "evidence counts: $(jq -c '.devices[0].counts' "$W/pack/variants/1/evidence-index.json" 2>/dev/null || cat "$W/ev.out")"; fi

# Update types (SWUpdate 2025.12+ runs the precheck of the update's type):
# the shipped configuration has it in every entry, so an old image naming
# type "app" is refused like any other.
make_swu app-down 0.9.1 - signed type=app
run_swu "${CFG[@]}" app-down
expect_stopped "update-type app below the floor refused ($(swupdate --version 2>/dev/null | head -1))" 1.2.0
expect_audit "its refusal is recorded" \
  "($(last_decision 0.9.1)) | .verdict == \"refuse\" and .reason == \"below-floor\""

# A configuration with an update type that lacks the precheck: every
# update is refused until it is fixed, with one sentence naming the type
# (the precheck finds the file through SWUpdate's -f).
sed '/name = "app";/{n;d}' "$W/swupdate.cfg" >"$W/bypass.cfg"
grep -q 'name = "app"' "$W/bypass.cfg" && ! grep -A1 'name = "app"' "$W/bypass.cfg" | grep -q preupdatecmd &&
  ok "bypass.cfg: type app without preupdatecmd" || not_ok "bypass.cfg was not made"
make_swu up-bypass 1.2.5 - signed
run_swu swupdate -f "$W/bypass.cfg" -H board:1.0 up-bypass
expect_stopped "with a type that bypasses the precheck, even an allowed update is stopped" 1.2.0
grep -q "update type 'app' has no preupdatecmd that runs tollgate swupdate-precheck" "$W/swu.log" &&
  ok "SWUpdate's log names the update type and what to add" ||
  { not_ok "no sentence about the update type in SWUpdate's log"; grep -i tollgate "$W/swu.log" | sed 's/^/  | /'; }
expect_audit "no decision is recorded for it" 'all(.[]; .event != "gate.decision" or .candidate.version != "1.2.5")'
expect_exit 1 "--check-config finds the bypass" -- tg swupdate-precheck --check-config --swupdate-config "$W/bypass.cfg"
expect_output "update type 'app'" "the sentence names the type"
expect_exit 0 "--check-config accepts the shipped configuration" -- \
  tg swupdate-precheck --check-config --swupdate-config "$TG_SOURCE_DIR/examples/swupdate/swupdate.cfg"

# Policy decides about updates without metadata.
printf '\n[classify]\nrequire-metadata=true\n' >>"$POLICY"
make_swu plain-meta 1.3.0 - signed
run_swu "${CFG[@]}" plain-meta
expect_stopped "require-metadata refuses an update without tollgate entry" 1.2.0
expect_audit "refusal names the missing metadata" "($(last_decision 1.3.0)).verdict == \"refuse\""

# Tollgate properties SWUpdate would silently drop are refused, not ignored.
make_swu badprop 1.3.1 'class = "security"; reboot = true;' signed
run_swu "${CFG[@]}" badprop
expect_stopped "a non-string property is refused" 1.2.0
grep -q "property 'reboot'" "$W/swu.log" && ok "the error names the property" || not_ok "error does not name the property"

# The shipped sw-description examples parse into candidates (exit 0, 10 or
# 11: a decision, never an error).
ex=$TG_SOURCE_DIR/examples/swupdate
for f in sw-description.security sw-description.feature-streamed sw-description.json; do
  rc=0; tg swupdate-precheck --sw-description "$ex/$f" >"$W/out" 2>&1 || rc=$?
  case $rc in 0|10|11) ok "example $f is decided (exit $rc)" ;; *) not_ok "example $f: exit $rc"; cat "$W/out" ;; esac
done
rc=0; tg swupdate-precheck --board gw-a --select stable,copy2 --json \
  --sw-description "$ex/sw-description.boards" >"$W/out" 2>&1 || rc=$?
if [ "$rc" != 1 ] && jq -se '[.[] | select(.event == "gate.decision")] | last | .candidate.version == "2.0.1" and .candidate.advisories == ["CVE-2026-4444"]' "$AUDIT" >/dev/null; then
  ok "board/selection example: the linked tollgate entry is found"
else not_ok "board/selection example (exit $rc)"; cat "$W/out"; fi

# What the precheck reads is the file SWUpdate extracted: a symlink, a FIFO
# (which would block) or another user's file is refused, never followed.
cp "$ex/sw-description.security" "$W/real-desc"
ln -s "$W/real-desc" "$W/link-desc"
expect_exit 1 "a symlinked sw-description is refused" -- tg swupdate-precheck --sw-description "$W/link-desc"
expect_output "symlink" "the error says it is a symlink"
mkfifo "$W/fifo-desc"
expect_exit 1 "a FIFO as sw-description is refused at once" -- \
  timeout 5 "$TG" --config "$POLICY" swupdate-precheck --sw-description "$W/fifo-desc"
expect_output "not a regular file" "the error says it is no regular file"
if [ "$(id -u)" = 0 ]; then
  cp "$W/real-desc" "$W/foreign-desc"; chown 65534 "$W/foreign-desc"
  expect_exit 1 "another user's sw-description is refused" -- \
    tg swupdate-precheck --sw-description "$W/foreign-desc"
  expect_output "belongs to user 65534" "the error names the owner"
fi

# The precheck on its own: a broken sw-description never allows.
printf 'software = { version = "2.0.0"; scripts: ( { type = "tollgate"; } ) ' >"$W/broken"
expect_exit 1 "unparseable sw-description is an error (exit 1)" -- tg swupdate-precheck --sw-description "$W/broken"
expect_output "line 1" "the error gives the line"
finish
