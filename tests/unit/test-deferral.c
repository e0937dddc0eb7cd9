/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The deferral check (auto-install, postpones, maintenance windows,
 * approvals) and the window arithmetic behind it (policy/config/window.c),
 * including the 2026 daylight-saving changes in Europe/Berlin:
 * 2026-03-29 01:00 UTC (02:00 CET -> 03:00 CEST) and
 * 2026-10-25 01:00 UTC (03:00 CEST -> 02:00 CET). */
#include <stdio.h>
#include <string.h>

#include "tg-test.h"
#include "checks.h"

#define MON (1u << 0)
#define FRI (1u << 4)
#define SUN (1u << 6)
#define ALL 0x7fu
#define BERLIN "Europe/Berlin"
#define DIGEST "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

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

static gchar *format_utc(GDateTime *t)
{
	g_autoptr(GDateTime) utc = NULL;

	if (!t)
		return g_strdup("(none)");
	utc = g_date_time_to_utc(t);
	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* "HH:MM" -> minutes after midnight. */
static guint minutes(const char *hhmm)
{
	guint h = 0, m = 0;

	if (sscanf(hhmm, "%u:%u", &h, &m) != 2)
		fail_msg("bad time of day in the test table: %s", hhmm);
	return h * 60 + m;
}

static void window_set(TgWindow *w, const char *tz, guint days, const char *start,
		       const char *end)
{
	w->enabled = TRUE;
	w->days = (guint8)days;
	w->start_minute = minutes(start);
	w->end_minute = minutes(end);
	w->tz_name = g_strdup(tz);
	w->tz = g_time_zone_new_identifier(tz);
	if (!w->tz)
		fail_msg("time zone %s is not installed", tz);
}

static void window_clear(TgWindow *w)
{
	g_clear_pointer(&w->tz_name, g_free);
	g_clear_pointer(&w->tz, g_time_zone_unref);
}

/* ---- tg_window_contains ---- */

typedef struct {
	const char *name;
	const char *tz;
	guint days;
	const char *start, *end;
	const char *when;
	gboolean inside;
} ContainsRow;

static const ContainsRow contains_rows[] = {
	/* 02:00-04:00 on the spring-forward day: 02:00-03:00 never happens. */
	{ "spring-02-04-before", BERLIN, SUN, "02:00", "04:00", "2026-03-29T00:59:59Z", FALSE },
	{ "spring-02-04-after-gap", BERLIN, SUN, "02:00", "04:00", "2026-03-29T01:00:00Z", TRUE },
	{ "spring-02-04-last-second", BERLIN, SUN, "02:00", "04:00", "2026-03-29T01:59:59Z", TRUE },
	{ "spring-02-04-end", BERLIN, SUN, "02:00", "04:00", "2026-03-29T02:00:00Z", FALSE },
	/* 01:00-03:00 on the spring-forward day lasts one real hour. */
	{ "spring-01-03-before", BERLIN, SUN, "01:00", "03:00", "2026-03-28T23:59:59Z", FALSE },
	{ "spring-01-03-start", BERLIN, SUN, "01:00", "03:00", "2026-03-29T00:00:00Z", TRUE },
	{ "spring-01-03-before-gap", BERLIN, SUN, "01:00", "03:00", "2026-03-29T00:59:59Z", TRUE },
	{ "spring-01-03-after-gap", BERLIN, SUN, "01:00", "03:00", "2026-03-29T01:00:00Z", FALSE },
	/* 01:00-03:00 on the fall-back day lasts three real hours. */
	{ "autumn-01-03-before", BERLIN, SUN, "01:00", "03:00", "2026-10-24T22:59:59Z", FALSE },
	{ "autumn-01-03-start", BERLIN, SUN, "01:00", "03:00", "2026-10-24T23:00:00Z", TRUE },
	{ "autumn-01-03-cest-last", BERLIN, SUN, "01:00", "03:00", "2026-10-25T00:59:59Z", TRUE },
	{ "autumn-01-03-cet-first", BERLIN, SUN, "01:00", "03:00", "2026-10-25T01:00:00Z", TRUE },
	{ "autumn-01-03-cet-last", BERLIN, SUN, "01:00", "03:00", "2026-10-25T01:59:59Z", TRUE },
	{ "autumn-01-03-end", BERLIN, SUN, "01:00", "03:00", "2026-10-25T02:00:00Z", FALSE },
	/* 02:00-04:00 on the fall-back day: 02:00-03:00 happens twice. */
	{ "autumn-02-04-before", BERLIN, SUN, "02:00", "04:00", "2026-10-24T23:59:59Z", FALSE },
	{ "autumn-02-04-start", BERLIN, SUN, "02:00", "04:00", "2026-10-25T00:00:00Z", TRUE },
	{ "autumn-02-04-repeat", BERLIN, SUN, "02:00", "04:00", "2026-10-25T01:30:00Z", TRUE },
	{ "autumn-02-04-last", BERLIN, SUN, "02:00", "04:00", "2026-10-25T02:59:59Z", TRUE },
	{ "autumn-02-04-end", BERLIN, SUN, "02:00", "04:00", "2026-10-25T03:00:00Z", FALSE },
	/* Days of the week, in local time. */
	{ "monday-only-on-monday", "UTC", MON, "09:00", "17:00", "2026-03-30T09:00:00Z", TRUE },
	{ "monday-only-on-tuesday", "UTC", MON, "09:00", "17:00", "2026-03-31T09:00:00Z", FALSE },
	{ "sunday-local-saturday-utc", BERLIN, SUN, "00:00", "01:00", "2026-10-24T22:30:00Z",
	  TRUE },
	/* Crossing midnight: Friday 22:00 to Saturday 02:00. */
	{ "cross-friday-evening", "UTC", FRI, "22:00", "02:00", "2026-03-27T23:00:00Z", TRUE },
	{ "cross-saturday-early", "UTC", FRI, "22:00", "02:00", "2026-03-28T01:59:59Z", TRUE },
	{ "cross-saturday-end", "UTC", FRI, "22:00", "02:00", "2026-03-28T02:00:00Z", FALSE },
	{ "cross-saturday-evening", "UTC", FRI, "22:00", "02:00", "2026-03-28T23:00:00Z", FALSE },
	{ "cross-friday-early", "UTC", FRI, "22:00", "02:00", "2026-03-27T01:00:00Z", FALSE },
	{ "cross-thursday-evening", "UTC", FRI, "22:00", "02:00", "2026-03-26T23:00:00Z", FALSE },
	/* 24:00 ends a range at midnight (the policy's "00:00-24:00"). */
	{ "until-midnight-last-second", "UTC", MON, "22:00", "24:00", "2026-03-30T23:59:59Z",
	  TRUE },
	{ "until-midnight-next-day", "UTC", MON, "22:00", "24:00", "2026-03-31T00:00:00Z", FALSE },
	{ "full-day-24", BERLIN, SUN, "00:00", "24:00", "2026-03-29T21:59:59Z", TRUE },
	{ "full-day-24-after", BERLIN, SUN, "00:00", "24:00", "2026-03-29T22:00:00Z", FALSE },
	/* start == end: a whole day from start. */
	{ "whole-day", "UTC", MON, "00:00", "00:00", "2026-03-30T23:59:59Z", TRUE },
	{ "whole-day-next", "UTC", MON, "00:00", "00:00", "2026-03-31T00:00:00Z", FALSE },
};

static void test_contains(void **state)
{
	const ContainsRow *row = *state;
	TgWindow w = { 0 };
	g_autoptr(GDateTime) when = parse_time(row->when);

	window_set(&w, row->tz, row->days, row->start, row->end);
	if (tg_window_contains(&w, when) != row->inside)
		fail_msg("%s: %s should be %s %s-%s %s", row->name, row->when,
			 row->inside ? "inside" : "outside", row->start, row->end, row->tz);
	window_clear(&w);
}

static void test_contains_off(void **state)
{
	TgWindow w = { 0 };
	g_autoptr(GDateTime) when = parse_time("2026-03-29T01:00:00Z");

	assert_true(tg_window_contains(&w, when));
	assert_true(tg_window_contains(NULL, when));
	assert_null(tg_window_next_open(&w, when));
	window_set(&w, "UTC", 0, "01:00", "02:00");
	assert_false(tg_window_contains(&w, when));
	assert_null(tg_window_next_open(&w, when));
	window_clear(&w);
}

/* ---- tg_window_next_open ---- */

typedef struct {
	const char *name;
	const char *tz;
	guint days;
	const char *start, *end;
	const char *from;
	const char *expect;
} NextRow;

static const NextRow next_rows[] = {
	/* The gap swallows the opening minute: the first existing instant. */
	{ "spring-02-04-across-gap", BERLIN, ALL, "02:00", "04:00", "2026-03-29T00:30:00Z",
	  "2026-03-29T01:00:00Z" },
	{ "spring-02-30-in-gap", BERLIN, ALL, "02:30", "04:00", "2026-03-29T00:00:00Z",
	  "2026-03-29T01:00:00Z" },
	{ "spring-window-inside-gap-skips-day", BERLIN, SUN, "02:00", "02:30",
	  "2026-03-29T00:00:00Z", "2026-04-05T00:00:00Z" },
	{ "spring-after-close", BERLIN, ALL, "02:00", "04:00", "2026-03-29T02:00:00Z",
	  "2026-03-30T00:00:00Z" },
	{ "spring-01-03-day-before", BERLIN, ALL, "01:00", "03:00", "2026-03-28T12:00:00Z",
	  "2026-03-29T00:00:00Z" },
	{ "spring-01-03-after-short-window", BERLIN, ALL, "01:00", "03:00",
	  "2026-03-29T01:00:00Z", "2026-03-29T23:00:00Z" },
	/* Fall back: CEST before, CET after. */
	{ "autumn-01-03-opens-cest", BERLIN, ALL, "01:00", "03:00", "2026-10-24T22:00:00Z",
	  "2026-10-24T23:00:00Z" },
	{ "autumn-01-03-next-day-cet", BERLIN, ALL, "01:00", "03:00", "2026-10-25T02:00:00Z",
	  "2026-10-26T00:00:00Z" },
	{ "autumn-02-04-opens-cest", BERLIN, ALL, "02:00", "04:00", "2026-10-24T23:30:00Z",
	  "2026-10-25T00:00:00Z" },
	{ "autumn-01-02-30-reopens-at-jump", BERLIN, ALL, "01:00", "02:30",
	  "2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z" },
	{ "autumn-02-30-04-reopens-cet", BERLIN, ALL, "02:30", "04:00", "2026-10-25T01:10:00Z",
	  "2026-10-25T01:30:00Z" },
	{ "autumn-sunday-only-next-week", BERLIN, SUN, "01:00", "03:00", "2026-10-25T02:00:00Z",
	  "2026-11-01T00:00:00Z" },
	/* Already inside: the instant itself. */
	{ "inside-returns-when", BERLIN, ALL, "02:00", "04:00", "2026-10-25T01:30:00Z",
	  "2026-10-25T01:30:00Z" },
	/* Weekly windows, crossing midnight. */
	{ "cross-midnight-next-friday", "UTC", FRI, "22:00", "02:00", "2026-03-28T02:00:00Z",
	  "2026-04-03T22:00:00Z" },
	{ "cross-midnight-same-day", "UTC", FRI, "22:00", "02:00", "2026-03-27T21:59:30Z",
	  "2026-03-27T22:00:00Z" },
	{ "monday-from-tuesday", "UTC", MON, "09:00", "17:00", "2026-03-31T08:00:00Z",
	  "2026-04-06T09:00:00Z" },
	{ "local-day-differs-from-utc", "America/New_York", SUN, "23:00", "23:30",
	  "2026-03-01T12:00:00Z", "2026-03-02T04:00:00Z" },
};

static void test_next_open(void **state)
{
	const NextRow *row = *state;
	TgWindow w = { 0 };
	g_autoptr(GDateTime) from = parse_time(row->from);
	g_autoptr(GDateTime) next = NULL;
	g_autofree gchar *got = NULL;

	window_set(&w, row->tz, row->days, row->start, row->end);
	next = tg_window_next_open(&w, from);
	got = format_utc(next);
	if (!g_str_equal(got, row->expect))
		fail_msg("%s: next opening after %s is %s, want %s", row->name, row->from, got,
			 row->expect);
	assert_true(tg_window_contains(&w, next));
	window_clear(&w);
}

/* ---- the deferral check ---- */

typedef struct {
	const char *name;
	TgUpdateClass defer_cls;
	gboolean policy_auto[2];	/* security, feature */
	gint user_auto[2];		/* -1: not set by the user */
	const char *postpone_until[2];
	gboolean window;		/* 02:00-04:00 Europe/Berlin, every day */
	const char *now;
	const char *approved;		/* digest approved in the state */
	TgOutcome outcome;
	const char *reason;
	const char *until;
	const char *needle;
} Row;

#define ON2 { TRUE, TRUE }
#define UNSET2 { -1, -1 }
#define NOPP { NULL, NULL }
#define NOON "2026-06-10T12:00:00Z"	/* 14:00 CEST, outside the window */
#define NIGHT "2026-06-10T01:00:00Z"	/* 03:00 CEST, inside */

static const Row rows[] = {
	{ "no-window", TG_CLASS_FEATURE, ON2, UNSET2, NOPP, FALSE, NOON, NULL, TG_OUTCOME_PASS,
	  "no-window", NULL, "no maintenance window" },
	{ "postponed-security", TG_CLASS_SECURITY, ON2, UNSET2, { "2026-06-12T00:00:00Z", NULL },
	  FALSE, NOON, NULL, TG_OUTCOME_DEFER, "postponed", "2026-06-12T00:00:00Z",
	  "postponed security updates until 2026-06-12T00:00:00Z" },
	{ "postponed-feature", TG_CLASS_FEATURE, ON2, UNSET2, { NULL, "2026-07-01T00:00:00Z" },
	  FALSE, NOON, NULL, TG_OUTCOME_DEFER, "postponed", "2026-07-01T00:00:00Z",
	  "feature updates" },
	{ "postpone-of-feature-spares-security", TG_CLASS_SECURITY, ON2, UNSET2,
	  { NULL, "2026-07-01T00:00:00Z" }, FALSE, NOON, NULL, TG_OUTCOME_PASS, "no-window", NULL,
	  "security" },
	{ "postpone-of-security-spares-feature", TG_CLASS_FEATURE, ON2, UNSET2,
	  { "2026-07-01T00:00:00Z", NULL }, FALSE, NOON, NULL, TG_OUTCOME_PASS, "no-window", NULL,
	  "feature" },
	{ "postpone-expired", TG_CLASS_SECURITY, ON2, UNSET2, { "2026-06-10T11:59:59Z", NULL },
	  FALSE, NOON, NULL, TG_OUTCOME_PASS, "no-window", NULL, "security" },
	{ "postpone-ends-now", TG_CLASS_SECURITY, ON2, UNSET2, { NOON, NULL }, FALSE, NOON, NULL,
	  TG_OUTCOME_PASS, "no-window", NULL, "security" },
	{ "postpone-then-window", TG_CLASS_FEATURE, ON2, UNSET2, { NULL, "2026-06-12T10:00:00Z" },
	  TRUE, NOON, NULL, TG_OUTCOME_DEFER, "postponed", "2026-06-13T00:00:00Z",
	  "window then next opens at 2026-06-13T00:00:00Z" },
	{ "auto-install-off-by-policy", TG_CLASS_FEATURE, { TRUE, FALSE }, UNSET2, NOPP, FALSE,
	  NOON, NULL, TG_OUTCOME_DEFER, "auto-install-off", NULL, "`tollgate approve " DIGEST "`" },
	{ "auto-install-off-security-only", TG_CLASS_FEATURE, { FALSE, TRUE }, UNSET2, NOPP,
	  FALSE, NOON, NULL, TG_OUTCOME_PASS, "no-window", NULL, "feature" },
	{ "auto-install-on-by-user", TG_CLASS_SECURITY, { FALSE, FALSE }, { 1, -1 }, NOPP, FALSE,
	  NOON, NULL, TG_OUTCOME_PASS, "no-window", NULL, "security" },
	{ "auto-install-off-by-user", TG_CLASS_SECURITY, ON2, { 0, -1 }, NOPP, FALSE, NOON, NULL,
	  TG_OUTCOME_DEFER, "auto-install-off", NULL, "security updates is off" },
	{ "auto-install-off-beats-postpone", TG_CLASS_SECURITY, ON2, { 0, -1 },
	  { "2026-07-01T00:00:00Z", NULL }, FALSE, NOON, NULL, TG_OUTCOME_DEFER,
	  "auto-install-off", NULL, "tollgate approve" },
	{ "approval-overrides-all", TG_CLASS_FEATURE, { FALSE, FALSE }, { 0, 0 },
	  { "2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z" }, TRUE, NOON, DIGEST,
	  TG_OUTCOME_PASS, "approved", NULL,
	  "approved this update at 2026-06-01T08:00:00Z, which overrides" },
	{ "approval-of-other-update", TG_CLASS_FEATURE, ON2, UNSET2,
	  { NULL, "2026-07-01T00:00:00Z" }, FALSE, NOON,
	  "0000000000000000000000000000000000000000000000000000000000000000", TG_OUTCOME_DEFER,
	  "postponed", "2026-07-01T00:00:00Z", "postponed" },
	{ "inside-window", TG_CLASS_SECURITY, ON2, UNSET2, NOPP, TRUE, NIGHT, NULL,
	  TG_OUTCOME_PASS, "in-window", NULL, "inside the maintenance window" },
	{ "outside-window", TG_CLASS_SECURITY, ON2, UNSET2, NOPP, TRUE, NOON, NULL,
	  TG_OUTCOME_DEFER, "outside-window", "2026-06-11T00:00:00Z",
	  "02:00-04:00 Europe/Berlin" },
	{ "window-closes", TG_CLASS_FEATURE, ON2, UNSET2, NOPP, TRUE, "2026-06-10T02:00:00Z", NULL,
	  TG_OUTCOME_DEFER, "outside-window", "2026-06-11T00:00:00Z", "next opens at" },
	{ "window-last-second", TG_CLASS_FEATURE, ON2, UNSET2, NOPP, TRUE, "2026-06-10T01:59:59Z",
	  NULL, TG_OUTCOME_PASS, "in-window", NULL, "feature" },
	{ "window-spring-gap", TG_CLASS_FEATURE, ON2, UNSET2, NOPP, TRUE, "2026-03-29T00:30:00Z",
	  NULL, TG_OUTCOME_DEFER, "outside-window", "2026-03-29T01:00:00Z", "feature" },
};

static void approval_free(gpointer data)
{
	TgApproval *a = data;

	g_free(a->digest);
	if (a->when)
		g_date_time_unref(a->when);
	g_free(a);
}

static TgPolicy *make_policy(const Row *row)
{
	TgPolicy *policy = g_new0(TgPolicy, 1);

	policy->scheme = TG_SCHEME_SEMVER;
	for (guint i = 0; i < 2; i++) {
		policy->classes[i].auto_install = row->policy_auto[i];
		policy->classes[i].max_postpone = i == 0 ? 3 * 86400 : 30 * 86400;
		if (row->window)
			window_set(&policy->classes[i].window, BERLIN, ALL, "02:00", "04:00");
	}
	return policy;
}

static void policy_free_local(TgPolicy *policy)
{
	for (guint i = 0; i < 2; i++)
		window_clear(&policy->classes[i].window);
	g_free(policy);
}

static TgState *make_state(const Row *row)
{
	TgState *state = g_new0(TgState, 1);

	state->approvals = g_ptr_array_new_with_free_func(approval_free);
	for (guint i = 0; i < 2; i++) {
		state->auto_install[i] = row->user_auto[i];
		state->postpone[i].until = parse_time(row->postpone_until[i]);
	}
	if (row->approved) {
		TgApproval *a = g_new0(TgApproval, 1);

		a->digest = g_strdup(row->approved);
		a->when = parse_time("2026-06-01T08:00:00Z");
		g_ptr_array_add(state->approvals, a);
	}
	return state;
}

static void state_free_local(TgState *state)
{
	for (guint i = 0; i < 2; i++)
		g_clear_pointer(&state->postpone[i].until, g_date_time_unref);
	g_ptr_array_unref(state->approvals);
	g_free(state);
}

static void test_row(void **state)
{
	const Row *row = *state;
	TgPolicy *policy = make_policy(row);
	TgState *st = make_state(row);
	TgCandidate cand = { .version = (gchar *)"5.0.1", .digest = (gchar *)DIGEST };
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, "5.0.1", -1, NULL);
	g_autoptr(GDateTime) now = parse_time(row->now);
	TgCheckContext ctx = {
		.policy = policy, .cand = &cand, .state = st, .component = "system",
		.version = version, .now = now, .cls = row->defer_cls, .defer_cls = row->defer_cls,
	};
	TgCheckResult result = { 0 };
	g_autofree gchar *until = NULL;

	tg_check_deferral.run(&ctx, &result);
	assert_string_equal(result.check, "deferral");
	if (result.outcome != row->outcome || !g_str_equal(result.reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_outcome_to_string(result.outcome), result.reason, result.message,
			 tg_outcome_to_string(row->outcome), row->reason);
	until = result.until ? format_utc(result.until) : NULL;
	if (g_strcmp0(until, row->until) != 0)
		fail_msg("%s: until %s, want %s", row->name, until ? until : "(none)",
			 row->until ? row->until : "(none)");
	assert_contains(result.message, row->needle);
	tg_check_result_clear(&result);
	state_free_local(st);
	policy_free_local(policy);
}

static void test_without_state(void **state)
{
	Row row = { .policy_auto = { TRUE, FALSE } };
	TgPolicy *policy = make_policy(&row);
	TgCandidate cand = { .version = (gchar *)"5.0.1" };
	g_autoptr(TgVersion) version = tg_version_parse(TG_SCHEME_SEMVER, "5.0.1", -1, NULL);
	g_autoptr(GDateTime) now = parse_time(NOON);
	TgCheckContext ctx = {
		.policy = policy, .cand = &cand, .state = NULL, .component = "system",
		.version = version, .now = now, .cls = TG_CLASS_MIXED,
		.defer_cls = TG_CLASS_FEATURE,
	};
	TgCheckResult result = { 0 };

	tg_check_deferral.run(&ctx, &result);
	assert_int_equal(result.outcome, TG_OUTCOME_DEFER);
	assert_string_equal(result.reason, "auto-install-off");
	assert_contains(result.message, "`tollgate approve 5.0.1`");
	tg_check_result_clear(&result);
	policy_free_local(policy);
}

#define ADD_ROWS(table, func) \
	for (gsize i = 0; i < G_N_ELEMENTS(table); i++) \
		tests[n++] = (struct CMUnitTest){ .name = table[i].name, .test_func = func, \
						  .initial_state = (void *)&table[i] }

int main(void)
{
	gsize total = G_N_ELEMENTS(contains_rows) + G_N_ELEMENTS(next_rows) +
		      G_N_ELEMENTS(rows) + 2;
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, total);
	gsize n = 0;

	ADD_ROWS(contains_rows, test_contains);
	ADD_ROWS(next_rows, test_next_open);
	ADD_ROWS(rows, test_row);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_contains_off);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_without_state);
	return _cmocka_run_group_tests("deferral", tests, n, NULL, NULL);
}
