/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The support check: warning window, end of support for each after-end
 * action and class, support ends carried by updates, clamped clocks. */
#include <string.h>

#include "tg-test.h"
#include "checks.h"

#define POLICY_END "2027-12-31T23:59:59Z"

typedef struct {
	const char *name;
	const char *now;		/* trusted time handed over by the engine */
	TgTimeTrust trust;
	const char *policy_end;		/* NULL: none in the policy */
	const char *state_end;		/* committed support end, NULL: none */
	const char *cand_end;		/* carried by the update, NULL: none */
	TgAfterEnd after_end;
	TgUpdateClass cls;
	gboolean allow_shortening;
	TgOutcome outcome;
	const char *reason;
	const char *needle;
	const char *needle2;		/* optional second needle */
} Row;

static const Row rows[] = {
	/* Before, at and inside the warning window (warn-days = 90). */
	{ "before-warn-window", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_PASS, "in-support",
	  "until 2027-12-31", "213 days left" },
	{ "one-second-before-warn-window", "2027-10-02T23:59:58Z", TG_TIME_SYSTEM, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_PASS,
	  "in-support", "90 days left", NULL },
	{ "warn-window-starts", "2027-10-02T23:59:59Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN, "support-ending",
	  "ends on 2027-12-31", "90 days left" },
	{ "inside-warn-window", "2027-11-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_SECURITY, FALSE, TG_OUTCOME_WARN, "support-ending",
	  "60 days left", NULL },
	{ "last-second-of-support", "2027-12-31T23:59:59Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN, "support-ending",
	  "less than a day left", NULL },
	/* After the end: every after-end action for security and feature. */
	{ "ended-allow-security", "2028-01-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_ALLOW, TG_CLASS_SECURITY, FALSE, TG_OUTCOME_WARN, "support-ended",
	  "ended on 2027-12-31", "[support] after-end = allow" },
	{ "ended-allow-feature", "2028-01-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_ALLOW, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN, "support-ended",
	  "[support] after-end = allow", NULL },
	{ "ended-refuse-feature-security", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE_FEATURE, TG_CLASS_SECURITY, FALSE, TG_OUTCOME_WARN,
	  "support-ended", "refuse-feature", "this one is security" },
	{ "ended-refuse-feature-feature", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE_FEATURE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_REFUSE,
	  "support-ended", "this one is feature", NULL },
	{ "ended-refuse-feature-mixed", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  NULL, TG_AFTER_END_REFUSE_FEATURE, TG_CLASS_MIXED, FALSE, TG_OUTCOME_REFUSE,
	  "support-ended", "this one is mixed", NULL },
	{ "ended-refuse-security", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_SECURITY, FALSE, TG_OUTCOME_REFUSE, "support-ended",
	  "[support] after-end = refuse", NULL },
	{ "ended-refuse-feature", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_REFUSE, "support-ended",
	  "[support] after-end = refuse", NULL },
	/* The committed end in the state wins over the policy's. */
	{ "state-end-wins", "2028-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END,
	  "2030-12-31T23:59:59Z", NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE,
	  TG_OUTCOME_PASS, "in-support", "until 2030-12-31", NULL },
	/* Support ends carried by the update apply at commit, not now. */
	{ "extension-carried", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  "2029-12-31T23:59:59Z", TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_PASS,
	  "support-extension-pending", "extends support to 2029-12-31", "until 2027-12-31" },
	{ "extension-carried-in-warn-window", "2027-11-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END,
	  NULL, "2029-12-31T23:59:59Z", TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE,
	  TG_OUTCOME_WARN, "support-ending", "extends support to 2029-12-31", NULL },
	{ "extension-does-not-reopen-ended-support", "2028-03-01T00:00:00Z", TG_TIME_SYSTEM,
	  POLICY_END, NULL, "2029-12-31T23:59:59Z", TG_AFTER_END_REFUSE_FEATURE, TG_CLASS_FEATURE,
	  FALSE, TG_OUTCOME_REFUSE, "support-ended", "extends support to 2029-12-31", NULL },
	{ "shortening-ignored", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  "2026-12-31T23:59:59Z", TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN,
	  "support-shortening-ignored", "2026-12-31", "allow-shortening is off" },
	{ "shortening-allowed", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  "2027-09-30T23:59:59Z", TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, TRUE, TG_OUTCOME_PASS,
	  "support-shortening-pending", "lowers support end to 2027-09-30", NULL },
	{ "same-end-carried", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, POLICY_END, NULL,
	  POLICY_END, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_PASS, "in-support",
	  "until 2027-12-31", NULL },
	/* No end anywhere: 5.3-13 needs one. */
	{ "no-end-declared", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, NULL, NULL, NULL,
	  TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN,
	  "no-support-end-declared", "no support end is declared", NULL },
	{ "no-end-declared-update-carries-one", "2027-06-01T00:00:00Z", TG_TIME_SYSTEM, NULL,
	  NULL, "2029-12-31T23:59:59Z", TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE,
	  TG_OUTCOME_WARN, "no-support-end-declared", "extends support to 2029-12-31", NULL },
	/* The system clock was set back a year (to 2026-06-01) after the device
	 * had seen 2027-06-01: the engine hands over the last trusted time. */
	{ "clock-set-back-a-year", "2027-06-01T00:00:00Z", TG_TIME_CLAMPED, POLICY_END, NULL,
	  NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN, "clock-rollback",
	  "clock was behind", "2027-06-01t00:00:00z was used" },
	{ "clock-set-back-into-support", "2028-02-01T00:00:00Z", TG_TIME_CLAMPED, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE_FEATURE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_REFUSE,
	  "support-ended", "clock was behind", "ended on 2027-12-31" },
	{ "clock-set-back-in-warn-window", "2027-11-01T00:00:00Z", TG_TIME_CLAMPED, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_WARN,
	  "support-ending", "clock was behind", NULL },
	{ "override-time-is-not-clamped", "2027-06-01T00:00:00Z", TG_TIME_OVERRIDE, POLICY_END,
	  NULL, NULL, TG_AFTER_END_REFUSE, TG_CLASS_FEATURE, FALSE, TG_OUTCOME_PASS, "in-support",
	  "until 2027-12-31", NULL },
};

static GDateTime *parse_time(const char *text)
{
	GDateTime *t;

	if (!text)
		return NULL;
	t = g_date_time_new_from_iso8601(text, NULL);
	if (!t)
		fail_msg("bad time in the test table: %s", text);
	return t;
}

static TgPolicy *make_policy(const Row *row)
{
	TgPolicy *policy = g_new0(TgPolicy, 1);

	policy->scheme = TG_SCHEME_SEMVER;
	policy->support_end = parse_time(row->policy_end);
	policy->warn_days = 90;
	policy->after_end = row->after_end;
	policy->allow_shortening = row->allow_shortening;
	return policy;
}

static void policy_free_local(TgPolicy *policy)
{
	g_clear_pointer(&policy->support_end, g_date_time_unref);
	g_free(policy);
}

static TgState *make_state(const Row *row)
{
	TgState *state = g_new0(TgState, 1);

	state->support_end = parse_time(row->state_end);
	state->auto_install[0] = state->auto_install[1] = -1;
	return state;
}

static void state_free_local(TgState *state)
{
	g_clear_pointer(&state->support_end, g_date_time_unref);
	g_free(state);
}

static TgCandidate *make_candidate(const Row *row)
{
	TgCandidate *cand = g_new0(TgCandidate, 1);

	cand->version = g_strdup("3.1.0");
	cand->support_end = parse_time(row->cand_end);
	return cand;
}

static void candidate_free_local(TgCandidate *cand)
{
	g_clear_pointer(&cand->support_end, g_date_time_unref);
	g_free(cand->version);
	g_free(cand);
}

static void assert_static_fields(const TgCheckResult *r)
{
	assert_string_equal(r->check, "support");
	assert_null(r->until);
}

static void test_row(void **state)
{
	const Row *row = *state;
	TgPolicy *policy = make_policy(row);
	TgState *st = make_state(row);
	TgCandidate *cand = make_candidate(row);
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, "3.1.0", -1, NULL);
	g_autoptr(GDateTime) now = parse_time(row->now);
	TgCheckContext ctx = {
		.policy = policy, .cand = cand, .state = st, .component = "system",
		.version = version, .now = now, .trust = row->trust, .cls = row->cls,
		.defer_cls = row->cls == TG_CLASS_SECURITY ? TG_CLASS_SECURITY : TG_CLASS_FEATURE,
	};
	TgCheckResult result = { 0 };
	g_autofree gchar *lower = NULL;

	assert_non_null(version);
	tg_check_support.run(&ctx, &result);
	assert_static_fields(&result);
	if (result.outcome != row->outcome || !g_str_equal(result.reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_outcome_to_string(result.outcome), result.reason, result.message,
			 tg_outcome_to_string(row->outcome), row->reason);
	lower = g_ascii_strdown(result.message, -1);
	assert_contains(lower, row->needle);
	if (row->needle2)
		assert_contains(lower, row->needle2);
	if (row->trust != TG_TIME_CLAMPED && strstr(lower, "clock"))
		fail_msg("%s: clock mentioned without a clamped clock: %s", row->name,
			 result.message);
	tg_check_result_clear(&result);
	candidate_free_local(cand);
	state_free_local(st);
	policy_free_local(policy);
}

static void test_without_state(void **state)
{
	Row row = rows[0];
	TgPolicy *policy = make_policy(&row);
	TgCandidate *cand = make_candidate(&row);
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, "3.1.0", -1, NULL);
	g_autoptr(GDateTime) now = parse_time("2028-01-05T00:00:00Z");
	TgCheckContext ctx = {
		.policy = policy, .cand = cand, .state = NULL, .component = "system",
		.version = version, .now = now, .cls = TG_CLASS_FEATURE,
	};
	TgCheckResult result = { 0 };

	tg_check_support.run(&ctx, &result);
	assert_int_equal(result.outcome, TG_OUTCOME_REFUSE);
	assert_string_equal(result.reason, "support-ended");
	tg_check_result_clear(&result);
	candidate_free_local(cand);
	policy_free_local(policy);
}

int main(void)
{
	gsize n = G_N_ELEMENTS(rows);
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n + 1);

	for (gsize i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
						.initial_state = (void *)&rows[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_without_state);
	return _cmocka_run_group_tests("support", tests, n + 1, NULL, NULL);
}
