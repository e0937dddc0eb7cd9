#!/usr/bin/env bash
# A production build (-Dproduction=true): `tollgate` refuses another policy
# than the default one, by --config or TOLLGATE_CONFIG, and --now and
# --state-dir, before it records anything. The production refusal of --now
# and --state-dir through the policy key is in tests/unit/test-engine.c.
# The build is the same in the sanitizer run, so that run skips it.
. "$(dirname "$0")/lib.sh"
if [ -n "${TG_SANITIZE:-}" ]; then echo "# skipped in the sanitizer build: the production build is a plain one"; exit 77; fi

PB=$TG_BUILD_DIR/production-build
opts=(-Dproduction=true -Dtests=false -Dman=disabled -Dlua=disabled -Dlibconfig=disabled
      -Dswupdate_progress=disabled -Drauc=false -Dfault_injection=false)
if [ -d "$PB" ]; then setup=(meson setup --reconfigure "$PB"); else setup=(meson setup "$PB"); fi
if ! "${setup[@]}" "$TG_SOURCE_DIR" "${opts[@]}" >"$W/setup.log" 2>&1 ||
   ! ninja -C "$PB" handlers/cli/tollgate >"$W/ninja.log" 2>&1; then
  not_ok "production build"; tail -20 "$W/setup.log" "$W/ninja.log" | sed 's/^/  | /'
  finish; exit 1
fi
ok "built tollgate with -Dproduction=true"
PT=$PB/handlers/cli/tollgate

P=$W/etc/tollgate.conf
write_policy "$P" ""
echo "1.0.0" >"$W/etc/version"
log=$W/state/log/audit.log

expect_exit 1 "--config naming another policy is refused" -- $PT --config "$P" gate --version 1.1.0
expect_output 'production mode.*refuses another policy than /etc/tollgate/tollgate.conf' \
  "the refusal names production mode and the default policy"
expect_exit 1 "TOLLGATE_CONFIG naming another policy is refused" -- \
  env TOLLGATE_CONFIG="$P" $PT gate --version 1.1.0
expect_output 'production mode' "the refusal says production mode"
expect_exit 1 "approve with another policy is refused too" -- $PT --config "$P" approve 1.1.0
[ ! -e "$log" ] && ok "nothing was recorded" || not_ok "an audit log was written: $log"

# The development build of the same tree gates with that policy.
expect_exit 0 "the development build accepts the same policy" -- $TG --config "$P" gate --version 1.1.0
finish
