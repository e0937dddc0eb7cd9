/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rollback check: floors, security floor, installed version, fail-closed
 * state. One table row per situation; structs are built by hand so the test
 * depends only on the check and the version parser. */
#include <string.h>

#include "tg-test.h"
#include "checks.h"

typedef struct {
	const char *name;
	TgVersionScheme scheme;
	const char *security_floor;	/* stored state of component "system" */
	const char *floor;
	const char *installed;
	const char *candidate;
	gboolean allow_downgrade;
	TgReinstall reinstall;
	gboolean security_floor_on;
	TgOutcome outcome;
	const char *reason;
	const char *needle;		/* must appear in the message */
} Row;

static const Row rows[] = {
	{ "below-floor", TG_SCHEME_SEMVER, NULL, "1.2.0", "1.3.0", "1.0.0", FALSE,
	  TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "below-floor",
	  "version 1.0.0 is below the floor 1.2.0 of component system; a vendor who needs the old "
	  "code re-releases it with a higher version" },
	{ "below-floor-even-with-downgrade", TG_SCHEME_SEMVER, NULL, "1.2.0", "1.3.0", "1.1.9",
	  TRUE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "below-floor", "floor 1.2.0" },
	{ "equal-reinstall-allow", TG_SCHEME_SEMVER, NULL, "1.0.0", "1.3.0", "1.3.0", FALSE,
	  TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_PASS, "reinstall",
	  "1.3.0 equals the installed 1.3.0" },
	{ "equal-reinstall-refuse", TG_SCHEME_SEMVER, NULL, "1.0.0", "1.3.0", "1.3.0", FALSE,
	  TG_REINSTALL_REFUSE, TRUE, TG_OUTCOME_REFUSE, "reinstall-refused", "reinstall = refuse" },
	{ "equal-ignores-build-metadata", TG_SCHEME_SEMVER, NULL, NULL, "1.3.0", "1.3.0+b7",
	  FALSE, TG_REINSTALL_REFUSE, TRUE, TG_OUTCOME_REFUSE, "reinstall-refused", "1.3.0+b7" },
	{ "above", TG_SCHEME_SEMVER, "1.1.0", "1.2.0", "1.3.0", "1.4.0", FALSE,
	  TG_REINSTALL_REFUSE, TRUE, TG_OUTCOME_PASS, "upgrade",
	  "1.4.0 is newer than the installed 1.3.0" },
	{ "below-installed-downgrade-off", TG_SCHEME_SEMVER, NULL, "1.0.0", "1.3.0", "1.2.0",
	  FALSE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "downgrade",
	  "older than the installed 1.3.0" },
	{ "below-installed-downgrade-on", TG_SCHEME_SEMVER, NULL, "1.0.0", "1.3.0", "1.2.0",
	  TRUE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_WARN, "downgrade-allowed",
	  "policy allows downgrades" },
	{ "pre-release-below-release", TG_SCHEME_SEMVER, NULL, NULL, "2.0.0", "2.0.0-rc.1",
	  FALSE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "downgrade", "2.0.0-rc.1" },
	{ "below-security-floor-with-downgrade-on", TG_SCHEME_SEMVER, "1.2.5", "1.0.0", "1.3.0",
	  "1.2.0", TRUE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "below-security-floor",
	  "below the security floor 1.2.5" },
	{ "security-floor-off-in-policy", TG_SCHEME_SEMVER, "1.2.5", "1.0.0", "1.3.0", "1.2.0",
	  TRUE, TG_REINSTALL_ALLOW, FALSE, TG_OUTCOME_WARN, "downgrade-allowed", "1.2.0" },
	{ "equal-to-security-floor", TG_SCHEME_SEMVER, "1.2.5", "1.0.0", "1.2.4", "1.2.5",
	  FALSE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_PASS, "upgrade", "1.2.5" },
	{ "unparseable-installed", TG_SCHEME_SEMVER, NULL, "1.0.0", "v1.3", "1.4.0", FALSE,
	  TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "state-version-unparseable",
	  "installed version of component system" },
	{ "unparseable-floor", TG_SCHEME_SEMVER, NULL, "1.0.x", "1.3.0", "1.4.0", FALSE,
	  TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "state-version-unparseable",
	  "tollgate state reseed" },
	{ "unparseable-security-floor-when-off", TG_SCHEME_SEMVER, "", "1.0.0", "1.3.0", "1.4.0",
	  FALSE, TG_REINSTALL_ALLOW, FALSE, TG_OUTCOME_REFUSE, "state-version-unparseable",
	  "security floor" },
	{ "floor-only", TG_SCHEME_SEMVER, NULL, "1.2.0", NULL, "1.2.0", FALSE,
	  TG_REINSTALL_REFUSE, TRUE, TG_OUTCOME_PASS, "above-floor", "not below the floor" },
	{ "swupdate-four-fields", TG_SCHEME_SWUPDATE, NULL, "1.2.3.4", "1.2.3.9", "1.2.3.10",
	  FALSE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_PASS, "upgrade", "1.2.3.10" },
	{ "swupdate-below-floor", TG_SCHEME_SWUPDATE, NULL, "1.2.3.10", "1.2.3.10", "1.2.3.9",
	  FALSE, TG_REINSTALL_ALLOW, TRUE, TG_OUTCOME_REFUSE, "below-floor", "1.2.3.10" },
};

typedef struct {
	TgPolicy *policy;
	TgState *state;
	TgCandidate *cand;
	TgVersion *version;
	GDateTime *now;
	TgCheckResult result;
} Fixture;

static void component_free(gpointer data)
{
	TgComponentState *cs = data;

	g_free(cs->floor);
	g_free(cs->installed);
	g_free(cs->security_floor);
	g_free(cs);
}

static TgState *make_state(void)
{
	TgState *state = g_new0(TgState, 1);

	state->components = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, component_free);
	state->auto_install[0] = state->auto_install[1] = -1;
	state->notifications = -1;
	return state;
}

static void state_free_local(TgState *state)
{
	g_hash_table_unref(state->components);
	g_free(state);
}

static TgComponentState *add_component(TgState *state, const char *name, const char *sec,
				       const char *floor, const char *installed)
{
	TgComponentState *cs = g_new0(TgComponentState, 1);

	cs->security_floor = g_strdup(sec);
	cs->floor = g_strdup(floor);
	cs->installed = g_strdup(installed);
	g_hash_table_insert(state->components, g_strdup(name), cs);
	return cs;
}

static TgPolicy *make_policy(TgVersionScheme scheme)
{
	TgPolicy *policy = g_new0(TgPolicy, 1);

	policy->scheme = scheme;
	policy->default_component = g_strdup("system");
	policy->allow_downgrade = FALSE;
	policy->reinstall = TG_REINSTALL_REFUSE;
	policy->security_floor = TRUE;
	return policy;
}

static void policy_free_local(TgPolicy *policy)
{
	g_free(policy->default_component);
	g_free(policy);
}

static Fixture *fixture_new(TgVersionScheme scheme, const char *version)
{
	Fixture *f = g_new0(Fixture, 1);
	g_autoptr(GError) err = NULL;

	f->policy = make_policy(scheme);
	f->state = make_state();
	f->cand = g_new0(TgCandidate, 1);
	f->cand->version = g_strdup(version);
	f->version = tg_version_parse(scheme, version, -1, &err);
	assert_no_error(err);
	f->now = g_date_time_new_utc(2026, 6, 1, 12, 0, 0);
	return f;
}

static void fixture_free(Fixture *f)
{
	tg_check_result_clear(&f->result);
	tg_version_free(f->version);
	g_free(f->cand->version);
	g_free(f->cand);
	state_free_local(f->state);
	policy_free_local(f->policy);
	g_date_time_unref(f->now);
	g_free(f);
}

static void run(Fixture *f, const char *component)
{
	TgCheckContext ctx = {
		.policy = f->policy, .cand = f->cand, .state = f->state,
		.component = component, .version = f->version, .now = f->now,
		.trust = TG_TIME_SYSTEM, .cls = TG_CLASS_FEATURE, .defer_cls = TG_CLASS_FEATURE,
	};

	tg_check_rollback.run(&ctx, &f->result);
}

static void assert_static_fields(const TgCheckResult *r)
{
	assert_string_equal(r->check, "rollback");
	assert_null(r->until);
}

static void test_row(void **state)
{
	const Row *row = *state;
	Fixture *f = fixture_new(row->scheme, row->candidate);
	g_autofree gchar *lower = NULL;

	f->policy->allow_downgrade = row->allow_downgrade;
	f->policy->reinstall = row->reinstall;
	f->policy->security_floor = row->security_floor_on;
	add_component(f->state, "system", row->security_floor, row->floor, row->installed);
	run(f, "system");
	assert_static_fields(&f->result);
	if (f->result.outcome != row->outcome || !g_str_equal(f->result.reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_outcome_to_string(f->result.outcome), f->result.reason,
			 f->result.message, tg_outcome_to_string(row->outcome), row->reason);
	lower = g_ascii_strdown(f->result.message, -1);
	assert_contains(lower, row->needle);
	fixture_free(f);
}

static void test_first_install(void **state)
{
	Fixture *f = fixture_new(TG_SCHEME_SEMVER, "0.1.0");

	add_component(f->state, "bootloader", NULL, "9.0.0", "9.0.0");
	run(f, "system");
	assert_static_fields(&f->result);
	assert_int_equal(f->result.outcome, TG_OUTCOME_PASS);
	assert_string_equal(f->result.reason, "no-floor");
	assert_contains(f->result.message, "Component system");
	assert_contains(f->result.message, "0.1.0");
	fixture_free(f);
}

static void test_component_is_separate(void **state)
{
	Fixture *f = fixture_new(TG_SCHEME_SEMVER, "2.0.0");

	add_component(f->state, "system", NULL, "5.0.0", "5.0.0");
	add_component(f->state, "bootloader", NULL, "1.0.0", "1.5.0");
	run(f, "bootloader");
	assert_int_equal(f->result.outcome, TG_OUTCOME_PASS);
	assert_string_equal(f->result.reason, "upgrade");
	assert_contains(f->result.message, "component bootloader");
	fixture_free(f);
}

static void test_no_state_at_all(void **state)
{
	Fixture *f = fixture_new(TG_SCHEME_SEMVER, "1.0.0");
	TgCheckContext ctx = {
		.policy = f->policy, .cand = f->cand, .state = NULL, .component = "system",
		.version = f->version, .now = f->now,
	};

	tg_check_rollback.run(&ctx, &f->result);
	assert_int_equal(f->result.outcome, TG_OUTCOME_PASS);
	assert_string_equal(f->result.reason, "no-floor");
	fixture_free(f);
}

static void test_ops(void **state)
{
	assert_string_equal(tg_check_rollback.name, "rollback");
	assert_non_null(tg_check_rollback.run);
}

int main(void)
{
	gsize n = G_N_ELEMENTS(rows);
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n + 4);

	for (gsize i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
						.initial_state = (void *)&rows[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_first_install);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(test_component_is_separate);
	tests[n + 2] = (struct CMUnitTest)cmocka_unit_test(test_no_state_at_all);
	tests[n + 3] = (struct CMUnitTest)cmocka_unit_test(test_ops);
	return _cmocka_run_group_tests("rollback", tests, n + 4, NULL, NULL);
}
