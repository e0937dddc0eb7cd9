#!/usr/bin/env bash
# Build hardening and file modes, checked on what `meson install` puts on a
# device:
#  - every installed ELF file (the `tollgate` CLI, libtollgate.so, the RAUC
#    handlers, the Lua module when built): full RELRO (a GNU_RELRO segment
#    and BIND_NOW), a non-executable stack (GNU_STACK RW), no text
#    relocations, no RUNPATH into the build tree, the stack protector
#    (__stack_chk_fail imported) and FORTIFY (__*_chk imported); executables
#    are PIE (ET_DYN with PHDR and INTERP). Under gcc the CLI imports no
#    unchecked printf-family function at all. FORTIFY is not checked in
#    sanitizer or unoptimized builds, where meson.build leaves it out.
#  - the files a first gate run creates, even under umask 000: state 0600,
#    state key 0600, audit files 0640, no directory writable by others;
#  - wrong modes are refused: state file 0644, state key 0644, an audit log
#    or audit directory that group or others may write, checkpoint key 0644
#    (the world-writable policy is covered by test-cli-gate.sh).
. "$(dirname "$0")/lib.sh"

for cmd in readelf meson jq; do
  command -v "$cmd" >/dev/null || { echo "SKIP: $cmd is missing (scripts/install-deps.sh test)"; exit 77; }
done

# ---- install into a DESTDIR ----------------------------------------------
root=$W/root
if meson install -C "$TG_BUILD_DIR" --destdir "$root" --no-rebuild --quiet >"$W/install.log" 2>&1; then
  ok "meson install --destdir"
else
  not_ok "meson install --destdir failed"; sed 's/^/  | /' "$W/install.log"
  finish; exit 1
fi
option() {  # option NAME: a build option's value
  meson introspect "$TG_BUILD_DIR" --buildoptions | jq -r ".[] | select(.name == \"$1\") | .value"
}
sanitize=$(option b_sanitize)
optimization=$(option optimization)
prefix=$(option prefix)

is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
mapfile -t elves < <(find "$root" -type f | sort | while read -r f; do is_elf "$f" && echo "$f"; done)
echo "# ${#elves[@]} installed ELF files"

for want in "bin/tollgate" "libtollgate.so." "tollgate-rauc-pre-install" "tollgate-rauc-post-install"; do
  printf '%s\n' "${elves[@]}" | grep -qF "$want" && ok "installed: $want" || not_ok "not installed: $want"
done
TGI=$(printf '%s\n' "${elves[@]}" | grep '/bin/tollgate$' | head -1)

# ---- per-ELF checks --------------------------------------------------------
check_elf() {  # check_elf FILE
  local f=$1 name=${1#"$root"} hdr phdr dyn syms
  hdr=$(readelf -hW "$f"); phdr=$(readelf -lW "$f"); dyn=$(readelf -dW "$f")
  syms=$(readelf --dyn-syms -W "$f" | awk '$7 == "UND" {print $8}' | sed 's/@.*//')
  grep -q 'Type: *DYN' <<<"$hdr" && ok "$name: ET_DYN" || not_ok "$name: not ET_DYN (no PIE)"
  if grep -q ' INTERP ' <<<"$phdr"; then  # an executable: PIE
    grep -q ' PHDR ' <<<"$phdr" && ok "$name: executable with PHDR and INTERP" ||
      not_ok "$name: executable without PHDR"
    grep -Eq 'FLAGS_1.*PIE' <<<"$dyn" && ok "$name: DF_1_PIE" || not_ok "$name: no DF_1_PIE flag"
  fi
  grep -q ' GNU_RELRO ' <<<"$phdr" && ok "$name: GNU_RELRO" || not_ok "$name: no GNU_RELRO segment"
  grep -Eq '\(FLAGS\).*BIND_NOW|FLAGS_1.*NOW' <<<"$dyn" && ok "$name: BIND_NOW (full RELRO)" ||
    not_ok "$name: no BIND_NOW: only partial RELRO"
  if grep -E ' GNU_STACK ' <<<"$phdr" | grep -Eq ' RW  *0x'; then ok "$name: stack RW, not executable"
  else not_ok "$name: GNU_STACK missing or executable: $(grep GNU_STACK <<<"$phdr")"; fi
  grep -q TEXTREL <<<"$dyn" && not_ok "$name: has text relocations" || ok "$name: no TEXTREL"
  if grep -E 'RPATH|RUNPATH' <<<"$dyn" | grep -qF "$TG_BUILD_DIR"; then
    not_ok "$name: RUNPATH points into the build tree"; else ok "$name: no RUNPATH into the build tree"; fi
  grep -qx '__stack_chk_fail' <<<"$syms" && ok "$name: stack protector (__stack_chk_fail)" ||
    not_ok "$name: no __stack_chk_fail: -fstack-protector-strong not in effect"
  # -fcf-protection: tollgate's code has the x86 branch-target markers (the
  # ELF property note needs every linked object built so, which Debian 12's
  # crt1.o is not; a distribution whose C library is gives the whole file).
  if [ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null; then
    local marks
    marks=$(objdump -d --no-show-raw-insn "$f" | grep -c 'endbr64' || true)
    [ "$marks" -gt 0 ] && ok "$name: -fcf-protection ($marks endbr64)" ||
      not_ok "$name: no endbr64: -fcf-protection not in effect"
  fi
  [ "$fortify" = yes ] || return 0
  if grep -Eqx '__[a-z0-9_]+_chk' <<<"$syms"; then
    ok "$name: FORTIFY ($(grep -Ex '__[a-z0-9_]+_chk' <<<"$syms" | grep -v stack_chk | sort -u | tr '\n' ' '))"
  else not_ok "$name: no __*_chk import: _FORTIFY_SOURCE not in effect"; fi
}

fortify=yes
if [ "$sanitize" != none ]; then
  fortify=no; echo "# b_sanitize=$sanitize: meson.build leaves FORTIFY out of sanitizer builds; not checked"
elif [ "$optimization" = 0 ] || [ "$optimization" = g ] || [ "$optimization" = plain ]; then
  fortify=no; echo "# optimization=$optimization: _FORTIFY_SOURCE needs optimization; not checked"
fi
for f in "${elves[@]}"; do check_elf "$f"; done
# gcc turns every printf-family call into its checked form under FORTIFY >= 2.
if [ "$fortify" = yes ] && readelf -p .comment "$TGI" | grep -q 'GCC:' &&
   ! readelf -p .comment "$TGI" | grep -q clang; then
  plain=$(readelf --dyn-syms -W "$TGI" | awk '$7 == "UND" {print $8}' | sed 's/@.*//' |
    grep -Ex '(v?f?printf|v?s?n?printf|v?sprintf)' | tr '\n' ' ' || true)
  [ -z "$plain" ] && ok "CLI imports no unchecked printf-family function" ||
    not_ok "CLI imports unchecked $plain"
fi

# ---- file modes a first gate run creates -----------------------------------
P=$W/etc/tollgate.conf
mkdir -p "$W/etc"
cat >"$P" <<POL
[device]
model=TG-Thermostat T1
device-id=unit-0001

[state]
directory=$W/state
key-file=$W/etc/keys/state.key
version-source=file
version-path=$W/etc/version
POL
chmod 644 "$P"
echo "1.0.0" >"$W/etc/version"
T="$TGI --config $P"
# The installed CLI is what runs on a device; fall back to the build tree's
# only if the DESTDIR copy cannot run here (it needs no libtollgate.so).
"$TGI" --version >/dev/null 2>&1 || T="$TG --config $P"

(umask 000; exec $T gate --version 1.1.0) >"$W/out" 2>"$W/err" && rc=0 || rc=$?
[ "$rc" = 0 ] && ok "first gate run under umask 000 allows 1.1.0" ||
  { not_ok "first gate run: exit $rc"; sed 's/^/  | /' "$W/out" "$W/err"; }
mode_is() {  # mode_is FILE OCTAL
  local got
  got=$(stat -c '%a' "$1" 2>/dev/null || echo missing)
  [ "$got" = "$2" ] && ok "${1#"$W"/} has mode $2" || not_ok "${1#"$W"/} has mode $got, wanted $2"
}
mode_is "$W/state/state" 600
mode_is "$W/state" 700
mode_is "$W/state/log" 750
mode_is "$W/etc/keys/state.key" 600
test -e "$W/state/log/audit.log" && ok "the gate created audit.log" || not_ok "no audit.log"
for f in "$W"/state/log/*; do mode_is "$f" 640; done
loose=$(find "$W/state" "$W/etc/keys" -perm /022 -printf '%m %P\n')
[ -z "$loose" ] && ok "nothing under the state, log and key directories is writable by group or others" ||
  not_ok "writable by group or others: $loose"
others=$(find "$W/state" "$W/etc/keys" -type f -perm /007 -printf '%m %P\n')
[ -z "$others" ] && ok "no state, log or key file is open to others" || not_ok "open to others: $others"

# ---- wrong modes are refused ------------------------------------------------
LOG=$W/state/log/audit.log
last_reason() { jq -rs '[.[] | select(.event == "gate.decision")] | last | .decision.reason' "$LOG"; }

chmod 644 "$W/state/state"
expect_exit 10 "state file 0644 refused" -- $T gate --version 1.2.0
expect_output 'mode 0644 but must be 0600' "the refusal names the state file's mode"
expect_output "chmod 600 $W/state/state" "the refusal says how to fix it"
[ "$(last_reason)" = state-unusable ] && ok "recorded: gate.decision refuse state-unusable" ||
  not_ok "recorded reason is $(last_reason)"
jq -es '[.[] | select(.event == "state.tamper-detected")] | last | .problem | test("mode 0644")' "$LOG" >/dev/null &&
  ok "recorded: state.tamper-detected naming the mode" || not_ok "no state.tamper-detected for the mode"
chmod 600 "$W/state/state"
expect_exit 0 "state file back at 0600: allowed again" -- $T gate --version 1.2.0

chmod 644 "$W/etc/keys/state.key"
expect_exit 10 "state key 0644 refused" -- $T gate --version 1.2.0
expect_output "key file $W/etc/keys/state.key must be .*mode 0600" "the refusal names the key file and mode"
chmod 600 "$W/etc/keys/state.key"
expect_exit 0 "state key back at 0600: allowed again" -- $T gate --version 1.2.0

n=$(wc -l <"$LOG")
chmod 666 "$LOG"
expect_exit 1 "audit log 0666: error, never allow" -- $T gate --version 1.2.0
expect_output "audit\.log has mode 0666.*chmod 640" "the error names the log's mode and the fix"
chmod 640 "$LOG"
chmod 770 "$W/state/log"
expect_exit 1 "audit directory 0770: error, never allow" -- $T gate --version 1.2.0
expect_output "log has mode 0770.*chmod 750" "the error names the directory's mode and the fix"
chmod 750 "$W/state/log"
[ "$(wc -l <"$LOG")" = "$n" ] && ok "nothing appended to a log others could write" ||
  not_ok "records appended to a log others could write"
expect_exit 0 "audit modes restored: allowed again" -- $T gate --version 1.2.0

head -c 32 /dev/urandom >"$W/etc/keys/checkpoint.key"
chmod 644 "$W/etc/keys/checkpoint.key"
printf '\n[audit]\ncheckpoint-every=1\ncheckpoint-key=%s\n' "$W/etc/keys/checkpoint.key" >>"$P"
n=$(wc -l <"$LOG")
expect_exit 1 "checkpoint key 0644: error, never allow" -- $T gate --version 1.2.0
expect_output "checkpoint.key must be .*mode 0600" "the error names the checkpoint key and mode"
[ "$(wc -l <"$LOG")" = "$n" ] && ok "nothing appended without a usable checkpoint key" ||
  not_ok "records appended without a usable checkpoint key"
chmod 600 "$W/etc/keys/checkpoint.key"
expect_exit 0 "checkpoint key back at 0600: allowed again" -- $T gate --version 1.2.0
jq -es 'last | .event == "log.checkpoint"' "$LOG" >/dev/null && ok "a checkpoint follows the decision" ||
  not_ok "no checkpoint after the decision"
expect_exit 0 "the log verifies" -- $T audit verify

finish
