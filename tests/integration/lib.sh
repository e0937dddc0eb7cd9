# Shared helpers for the integration tests (sourced).
set -euo pipefail

TG_BUILD_DIR=${TG_BUILD_DIR:?run through meson test}
TG_SOURCE_DIR=${TG_SOURCE_DIR:?run through meson test}
TG=$TG_BUILD_DIR/handlers/cli/tollgate

# The updater matrix (tests/run.sh): a build made with -Dswupdate_prefix
# tests that SWUpdate, TG_RAUC_PREFIX names the RAUC under test; their
# binaries come first on PATH. Unset or empty: the system's.
[ -n "${TG_SWUPDATE_PREFIX:-}" ] && PATH=$TG_SWUPDATE_PREFIX/bin:$PATH
[ -n "${TG_RAUC_PREFIX:-}" ] && PATH=$TG_RAUC_PREFIX/bin:$PATH
export PATH
LUA=lua${TG_LUA_VERSION:-5.3}

W=$(mktemp -d "${TMPDIR:-/tmp}/tg-it-XXXXXX")
chmod 0755 "$W"
cleanup() { rm -rf "$W"; }
trap cleanup EXIT

# HOST_ENV: env(1) assignments for an uninstrumented program that loads
# tollgate code (swupdate with the Lua module, lua5.3): in sanitizer builds
# the ASan runtime must come first, so it is preloaded, and the host's own
# leaks are not reported. Empty otherwise. Use: env "${HOST_ENV[@]}" CMD...
HOST_ENV=()
if [ -n "${TG_ASAN_PRELOAD:-}" ]; then
  HOST_ENV=("LD_PRELOAD=$TG_ASAN_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}"
    "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
fi

fails=0
passes=0
ok() { passes=$((passes + 1)); echo "ok - $*"; }
not_ok() { fails=$((fails + 1)); echo "not ok - $*"; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
  local want=$1 desc=$2; shift 3
  local got=0
  "$@" >"$W/out" 2>"$W/err" || got=$?
  if [ "$got" = "$want" ]; then ok "$desc (exit $got)"; else
    not_ok "$desc: exit $got, wanted $want"; sed 's/^/  | /' "$W/out" "$W/err"; fi
}

# expect_output PATTERN DESCRIPTION: grep -E on the last command's stdout+stderr
expect_output() {
  if grep -Eq -- "$1" "$W/out" "$W/err"; then ok "$2"; else
    not_ok "$2: no match for /$1/"; sed 's/^/  | /' "$W/out" "$W/err"; fi
}

# write_policy FILE [extra lines...]: a small device policy using $W
write_policy() {
  local f=$1; shift
  mkdir -p "$W/etc"
  head -c 32 /dev/urandom >"$W/etc/state.key"; chmod 600 "$W/etc/state.key"
  cat >"$f" <<POL
[device]
model=TG-Thermostat T1
hardware-revision=B2
device-id=unit-0001

[versions]
scheme=semver

[state]
directory=$W/state
key-file=$W/etc/state.key
version-source=file
version-path=$W/etc/version

[support]
end=2030-12-31
warn-days=90
POL
  for line in "$@"; do printf '%s\n' "$line" >>"$f"; done
  chmod 644 "$f"
}

# validate_audit_schema FILE...: every record validates against the shipped
# JSON Schema, with Debian's python3-jsonschema.
validate_audit_schema() {
  if /usr/bin/python3 "$TG_SOURCE_DIR/tests/unit/validate-schema.py" \
      "$TG_SOURCE_DIR/docs/schema/audit-record.schema.json" "$@" >"$W/schema.out" 2>&1; then
    ok "every audit record validates against docs/schema/audit-record.schema.json"
  else
    not_ok "audit records do not validate against the schema"; sed 's/^/  | /' "$W/schema.out"
  fi
}

# Every record that names its updater names its version too (never null,
# empty or "unknown"), in every audit log a test wrote.
check_updater_versions() {
  local logs bad
  logs=$(find "$W" -name 'audit.log*' -type f 2>/dev/null | sort)
  [ -n "$logs" ] && command -v jq >/dev/null || return 0
  # shellcheck disable=SC2086
  # (lines that are not JSON, e.g. from a tampering test, are skipped)
  bad=$(cat $logs | jq -Rc 'fromjson? | select((.updater? | type) == "object" and
    ((.updater.version // "") == "" or .updater.version == "unknown")) |
    {seq, event, updater}' 2>/dev/null | head -3) || true
  if [ -z "$bad" ]; then ok "no audit record leaves its updater's version out"
  else not_ok "records without the updater's version:"; echo "$bad" | sed 's/^/  | /'; fi
}

finish() {
  check_updater_versions
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
