/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The classify check: declared and default classes, advisories on a feature
 * update, security claims with feature-sized version jumps, risk text and
 * metadata requirements, and the classes handed to later checks. */
#include <string.h>

#include "tg-test.h"
#include "checks.h"

#define NONE TG_CLASS_UNSET
#define SEC TG_CLASS_SECURITY
#define FEAT TG_CLASS_FEATURE
#define MIX TG_CLASS_MIXED

typedef struct {
	const char *name;
	TgUpdateClass declared;
	const char *advisories;		/* comma-separated, NULL: none */
	const char *risk;
	const char *installed;		/* of component "system", NULL: no state */
	const char *candidate;
	TgBump max_bump;
	TgUpdateClass default_class;
	TgUpdateClass mixed_as;
	gboolean require_risk;
	gboolean require_metadata;
	gboolean has_metadata;
	TgOutcome outcome;
	const char *reason;
	TgUpdateClass cls;		/* ctx->cls afterwards */
	TgUpdateClass defer_cls;	/* ctx->defer_cls afterwards */
	const char *needle;
} Row;

#define RISK "CVE-2026-1234 lets a neighbour on the LAN run code"

static const Row rows[] = {
	{ "declared-feature", FEAT, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT, SEC,
	  FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", FEAT, FEAT,
	  "version 1.3.0 is a feature update" },
	{ "default-class-feature", NONE, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT, SEC,
	  FALSE, FALSE, FALSE, TG_OUTCOME_PASS, "class-default", FEAT, FEAT,
	  "policy default feature" },
	{ "default-class-security-without-risk", NONE, NULL, NULL, "1.2.3", "1.2.4",
	  TG_BUMP_PATCH, SEC, SEC, FALSE, FALSE, FALSE, TG_OUTCOME_WARN, "security-without-risk",
	  SEC, SEC, "policy default security" },
	{ "advisories-on-feature", FEAT, "CVE-2026-1234,CVE-2026-9999", RISK, "1.2.3", "1.3.0",
	  TG_BUMP_PATCH, FEAT, SEC, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "advisories-on-feature",
	  MIX, SEC, "lists 2 advisories (cve-2026-1234, ...)" },
	{ "advisories-on-feature-mixed-as-feature", FEAT, "CVE-2026-1234", RISK, "1.2.3",
	  "1.3.0", TG_BUMP_PATCH, FEAT, FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS,
	  "advisories-on-feature", MIX, FEAT, "deferred as feature" },
	{ "advisories-on-feature-without-risk", FEAT, "CVE-2026-1234", NULL, "1.2.3", "1.3.0",
	  TG_BUMP_PATCH, FEAT, SEC, FALSE, FALSE, TRUE, TG_OUTCOME_WARN, "security-without-risk",
	  MIX, SEC, "lists 1 advisory (cve-2026-1234)" },
	{ "security-patch-bump", SEC, "CVE-2026-1234", RISK, "1.2.3", "1.2.4", TG_BUMP_PATCH,
	  FEAT, SEC, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC,
	  "version 1.2.4 is a security update" },
	{ "security-pre-release-only", SEC, NULL, RISK, "1.2.3-rc.1", "1.2.3", TG_BUMP_PATCH,
	  FEAT, FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC,
	  "security update" },
	{ "security-minor-jump-patch-allowed", SEC, NULL, RISK, "1.2.3", "1.3.0", TG_BUMP_PATCH,
	  FEAT, FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "security-claim-with-feature-jump",
	  MIX, FEAT, "changes the minor part (installed 1.2.3)" },
	{ "security-minor-jump-minor-allowed", SEC, NULL, RISK, "1.2.3", "1.3.0", TG_BUMP_MINOR,
	  FEAT, FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC,
	  "security update" },
	{ "security-major-jump-minor-allowed", SEC, NULL, RISK, "1.2.3", "2.0.0", TG_BUMP_MINOR,
	  FEAT, SEC, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "security-claim-with-feature-jump",
	  MIX, SEC, "changes the major part" },
	{ "security-major-jump-major-allowed", SEC, NULL, RISK, "1.2.3", "2.0.0", TG_BUMP_MAJOR,
	  FEAT, FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC,
	  "security update" },
	{ "security-first-install", SEC, NULL, RISK, NULL, "7.0.0", TG_BUMP_PATCH, FEAT, FEAT,
	  FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC, "security update" },
	{ "security-jump-without-risk", SEC, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT,
	  FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_WARN, "security-without-risk", MIX, FEAT,
	  "changes the minor part" },
	{ "security-without-risk-warn", SEC, NULL, NULL, "1.2.3", "1.2.4", TG_BUMP_PATCH, FEAT,
	  FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_WARN, "security-without-risk", SEC, SEC,
	  "describes no risk" },
	{ "security-blank-risk-warn", SEC, NULL, "  \n\t", "1.2.3", "1.2.4", TG_BUMP_PATCH, FEAT,
	  FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_WARN, "security-without-risk", SEC, SEC,
	  "describes no risk" },
	{ "security-without-risk-refuse", SEC, NULL, NULL, "1.2.3", "1.2.4", TG_BUMP_PATCH, FEAT,
	  FEAT, TRUE, FALSE, TRUE, TG_OUTCOME_REFUSE, "security-without-risk", SEC, SEC,
	  "which the policy requires (require-risk)" },
	{ "feature-without-risk-fine", FEAT, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT,
	  FEAT, TRUE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", FEAT, FEAT,
	  "feature update" },
	{ "declared-mixed", MIX, NULL, RISK, "1.2.3", "2.0.0", TG_BUMP_PATCH, FEAT, SEC, FALSE,
	  FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", MIX, SEC, "declares class mixed" },
	{ "no-metadata-required", NONE, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT, SEC,
	  FALSE, TRUE, FALSE, TG_OUTCOME_REFUSE, "no-metadata", FEAT, FEAT, "require-metadata" },
	{ "metadata-present-required", FEAT, NULL, NULL, "1.2.3", "1.3.0", TG_BUMP_PATCH, FEAT,
	  SEC, FALSE, TRUE, TRUE, TG_OUTCOME_PASS, "class-declared", FEAT, FEAT, "feature" },
	{ "installed-unreadable-skips-bump", SEC, NULL, RISK, "v1", "1.3.0", TG_BUMP_PATCH, FEAT,
	  FEAT, FALSE, FALSE, TRUE, TG_OUTCOME_PASS, "class-declared", SEC, SEC,
	  "security update" },
};

static void component_free(gpointer data)
{
	TgComponentState *cs = data;

	g_free(cs->installed);
	g_free(cs);
}

static TgState *make_state(const char *installed)
{
	TgState *state = g_new0(TgState, 1);

	state->components = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, component_free);
	state->auto_install[0] = state->auto_install[1] = -1;
	if (installed) {
		TgComponentState *cs = g_new0(TgComponentState, 1);

		cs->installed = g_strdup(installed);
		g_hash_table_insert(state->components, g_strdup("system"), cs);
	}
	return state;
}

static void state_free_local(TgState *state)
{
	g_hash_table_unref(state->components);
	g_free(state);
}

static TgCandidate *make_candidate(const Row *row)
{
	TgCandidate *cand = g_new0(TgCandidate, 1);

	cand->version = g_strdup(row->candidate);
	cand->has_metadata = row->has_metadata;
	cand->declared_class = row->declared;
	cand->risk = g_strdup(row->risk);
	cand->advisories = g_ptr_array_new_with_free_func(g_free);
	if (row->advisories) {
		g_auto(GStrv) parts = g_strsplit(row->advisories, ",", -1);

		for (gchar **p = parts; *p; p++)
			g_ptr_array_add(cand->advisories, g_strdup(*p));
	}
	return cand;
}

static void candidate_free_local(TgCandidate *cand)
{
	g_free(cand->version);
	g_free(cand->risk);
	g_ptr_array_unref(cand->advisories);
	g_free(cand);
}

static void test_row(void **state)
{
	const Row *row = *state;
	TgPolicy policy = {
		.scheme = TG_SCHEME_SEMVER, .default_class = row->default_class,
		.mixed_as = row->mixed_as, .security_max_bump = row->max_bump,
		.require_risk = row->require_risk, .require_metadata = row->require_metadata,
	};
	TgState *st = make_state(row->installed);
	TgCandidate *cand = make_candidate(row);
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, row->candidate, -1, NULL);
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 6, 1, 12, 0, 0);
	TgCheckContext ctx = {
		.policy = &policy, .cand = cand, .state = st, .component = "system",
		.version = version, .now = now, .cls = TG_CLASS_UNSET, .defer_cls = TG_CLASS_UNSET,
	};
	TgCheckResult result = { 0 };
	g_autofree gchar *lower = NULL;

	assert_non_null(version);
	tg_check_classify.run(&ctx, &result);
	assert_string_equal(result.check, "classify");
	if (result.outcome != row->outcome || !g_str_equal(result.reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_outcome_to_string(result.outcome), result.reason, result.message,
			 tg_outcome_to_string(row->outcome), row->reason);
	assert_int_equal(ctx.cls, row->cls);
	assert_int_equal(ctx.defer_cls, row->defer_cls);
	lower = g_ascii_strdown(result.message, -1);
	assert_contains(lower, row->needle);
	tg_check_result_clear(&result);
	candidate_free_local(cand);
	state_free_local(st);
}

int main(void)
{
	gsize n = G_N_ELEMENTS(rows);
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);

	for (gsize i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
						.initial_state = (void *)&rows[i] };
	return _cmocka_run_group_tests("classify", tests, n, NULL, NULL);
}
