/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The disruption check: what counts as disruptive, approval by exact digest
 * (or version when no digest is known), require-approval on and off. */
#include <string.h>

#include "tg-test.h"
#include "checks.h"

#define DIGEST_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define DIGEST_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

typedef struct {
	const char *name;
	const char *digest;		/* candidate digest, NULL: unknown */
	gboolean reboot;
	gint64 downtime;
	gboolean disruptive;
	gboolean slot_switch;
	const char *services;		/* comma-separated, NULL: none */
	gboolean require_approval;
	const char *approved_digest;	/* approval in the state, NULL: none */
	const char *approved_version;
	TgOutcome outcome;
	const char *reason;
	const char *needle;
	const char *needle2;
} Row;

static const Row rows[] = {
	{ "not-disruptive", DIGEST_A, FALSE, 0, FALSE, FALSE, NULL, TRUE, NULL, NULL,
	  TG_OUTCOME_PASS, "not-disruptive", "no reboot, downtime", NULL },
	{ "services-alone-are-not-disruptive", DIGEST_A, FALSE, 0, FALSE, FALSE, "ssh", FALSE,
	  NULL, NULL, TG_OUTCOME_PASS, "not-disruptive", "4.2.0", NULL },
	{ "reboot-no-approval", DIGEST_A, TRUE, 0, FALSE, FALSE, NULL, TRUE, NULL, NULL,
	  TG_OUTCOME_DEFER, "approval-required", "reboots the device",
	  "`tollgate approve " DIGEST_A "`" },
	{ "approval-for-another-digest", DIGEST_A, TRUE, 0, FALSE, FALSE, NULL, TRUE, DIGEST_B,
	  NULL, TG_OUTCOME_DEFER, "approval-required", "tollgate approve " DIGEST_A, NULL },
	{ "approval-by-version-does-not-cover-digest", DIGEST_A, TRUE, 0, FALSE, FALSE, NULL,
	  TRUE, NULL, "4.2.0", TG_OUTCOME_DEFER, "approval-required", DIGEST_A, NULL },
	{ "approval-present", DIGEST_A, TRUE, 0, FALSE, FALSE, NULL, TRUE, DIGEST_A, NULL,
	  TG_OUTCOME_WARN, "disruptive", "reboots the device",
	  "the user approved it at 2026-05-01T08:00:00Z" },
	{ "approval-digest-case-insensitive",
	  "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", TRUE, 0, FALSE,
	  FALSE, NULL, TRUE, DIGEST_A, NULL, TG_OUTCOME_WARN, "disruptive", "approved", NULL },
	{ "require-approval-off", DIGEST_A, TRUE, 0, FALSE, FALSE, NULL, FALSE, NULL, NULL,
	  TG_OUTCOME_WARN, "disruptive", "reboots the device", NULL },
	{ "no-digest-no-approval", NULL, FALSE, 300, FALSE, FALSE, NULL, TRUE, NULL, NULL,
	  TG_OUTCOME_DEFER, "approval-required", "`tollgate approve 4.2.0`", "about 5 min" },
	{ "no-digest-approved-by-version", NULL, FALSE, 300, FALSE, FALSE, NULL, TRUE, NULL,
	  "4.2.0", TG_OUTCOME_WARN, "disruptive", "about 5 min", NULL },
	{ "no-digest-approved-other-version", NULL, FALSE, 300, FALSE, FALSE, NULL, TRUE, NULL,
	  "4.1.0", TG_OUTCOME_DEFER, "approval-required", "tollgate approve 4.2.0", NULL },
	{ "downtime-and-services", DIGEST_A, FALSE, 90, FALSE, FALSE, "ssh,web ui", FALSE, NULL,
	  NULL, TG_OUTCOME_WARN, "disruptive", "about 90 s", "services ssh, web ui" },
	{ "long-downtime", DIGEST_A, FALSE, 3 * 3600, FALSE, FALSE, NULL, FALSE, NULL, NULL,
	  TG_OUTCOME_WARN, "disruptive", "about 3 h", NULL },
	{ "slot-switch", DIGEST_A, FALSE, 0, FALSE, TRUE, NULL, FALSE, NULL, NULL,
	  TG_OUTCOME_WARN, "disruptive", "switches the boot slot", NULL },
	{ "disruptive-flag", DIGEST_A, FALSE, 0, TRUE, FALSE, NULL, FALSE, NULL, NULL,
	  TG_OUTCOME_WARN, "disruptive", "interrupts its basic functions", NULL },
};

static void approval_free(gpointer data)
{
	TgApproval *a = data;

	g_free(a->digest);
	g_free(a->version);
	if (a->when)
		g_date_time_unref(a->when);
	g_free(a);
}

static TgState *make_state(const Row *row)
{
	TgState *state = g_new0(TgState, 1);

	state->approvals = g_ptr_array_new_with_free_func(approval_free);
	state->auto_install[0] = state->auto_install[1] = -1;
	if (row->approved_digest || row->approved_version) {
		TgApproval *a = g_new0(TgApproval, 1);

		a->digest = g_strdup(row->approved_digest);
		a->version = g_strdup(row->approved_version);
		a->when = g_date_time_new_utc(2026, 5, 1, 8, 0, 0);
		g_ptr_array_add(state->approvals, a);
	}
	return state;
}

static void state_free_local(TgState *state)
{
	g_ptr_array_unref(state->approvals);
	g_free(state);
}

static TgCandidate *make_candidate(const Row *row)
{
	TgCandidate *cand = g_new0(TgCandidate, 1);

	cand->version = g_strdup("4.2.0");
	cand->digest = g_strdup(row->digest);
	cand->reboot = row->reboot;
	cand->downtime = row->downtime;
	cand->disruptive = row->disruptive;
	cand->slot_switch = row->slot_switch;
	if (row->services) {
		g_auto(GStrv) parts = g_strsplit(row->services, ",", -1);

		cand->services = g_ptr_array_new_with_free_func(g_free);
		for (gchar **p = parts; *p; p++)
			g_ptr_array_add(cand->services, g_strdup(*p));
	}
	return cand;
}

static void candidate_free_local(TgCandidate *cand)
{
	g_free(cand->version);
	g_free(cand->digest);
	if (cand->services)
		g_ptr_array_unref(cand->services);
	g_free(cand);
}

static void test_row(void **state)
{
	const Row *row = *state;
	TgPolicy policy = { .scheme = TG_SCHEME_SEMVER, .require_approval = row->require_approval };
	TgState *st = make_state(row);
	TgCandidate *cand = make_candidate(row);
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, "4.2.0", -1, NULL);
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 6, 1, 12, 0, 0);
	TgCheckContext ctx = {
		.policy = &policy, .cand = cand, .state = st, .component = "system",
		.version = version, .now = now, .cls = TG_CLASS_FEATURE,
		.defer_cls = TG_CLASS_FEATURE,
	};
	TgCheckResult result = { 0 };

	tg_check_disruption.run(&ctx, &result);
	assert_string_equal(result.check, "disruption");
	assert_null(result.until);
	if (result.outcome != row->outcome || !g_str_equal(result.reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_outcome_to_string(result.outcome), result.reason, result.message,
			 tg_outcome_to_string(row->outcome), row->reason);
	assert_contains(result.message, row->needle);
	if (row->needle2)
		assert_contains(result.message, row->needle2);
	tg_check_result_clear(&result);
	candidate_free_local(cand);
	state_free_local(st);
}

static void test_find_approval_picks_exact_one(void **state)
{
	const Row row = { .digest = DIGEST_B, .approved_digest = DIGEST_A };
	TgState *st = make_state(&row);
	TgCandidate *cand = make_candidate(&row);
	TgApproval *second = g_new0(TgApproval, 1);

	assert_null(tg_check_find_approval(st, cand));
	second->digest = g_strdup(DIGEST_B);
	g_ptr_array_add(st->approvals, second);
	assert_ptr_equal(tg_check_find_approval(st, cand), second);
	assert_null(tg_check_find_approval(NULL, cand));
	assert_string_equal(tg_check_approval_id(cand), DIGEST_B);
	candidate_free_local(cand);
	state_free_local(st);
}

int main(void)
{
	gsize n = G_N_ELEMENTS(rows);
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n + 1);

	for (gsize i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
						.initial_state = (void *)&rows[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_find_approval_picks_exact_one);
	return _cmocka_run_group_tests("disruption", tests, n + 1, NULL, NULL);
}
