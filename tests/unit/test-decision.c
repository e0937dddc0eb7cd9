/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check results and decisions: combination (refuse > defer > allow),
 * exit codes, the JSON form, and the built-in check table. */
#include <string.h>

#include "tg-test.h"
#include "checks.h"


typedef struct {
	const char *check;
	TgOutcome outcome;
	const char *reason;
	const char *until;	/* for defers, NULL: none */
} Step;

typedef struct {
	const char *name;
	Step steps[5];		/* terminated by check == NULL */
	TgVerdict verdict;
	int exit_code;
	const char *reason;
	const char *message;	/* needle */
	const char *until;
} Row;

#define P(c) { c, TG_OUTCOME_PASS, "fine", NULL }
#define W(c, r) { c, TG_OUTCOME_WARN, r, NULL }
#define D(c, r, u) { c, TG_OUTCOME_DEFER, r, u }
#define R(c, r) { c, TG_OUTCOME_REFUSE, r, NULL }

static const Row rows[] = {
	{ "all-pass", { P("classify"), P("rollback"), P("support"), P("disruption"),
	  P("deferral") }, TG_VERDICT_ALLOW, 0, "ok", "All 5 checks let the update through", NULL },
	{ "one-warning", { P("classify"), P("rollback"), W("support", "support-ending"),
	  P("disruption"), P("deferral") }, TG_VERDICT_ALLOW, 0, "ok",
	  "allowed with 1 warning: support (support-ending)", NULL },
	{ "two-warnings", { W("classify", "security-without-risk"), P("rollback"),
	  W("support", "support-ending") }, TG_VERDICT_ALLOW, 0, "ok",
	  "2 warnings: classify (security-without-risk), support (support-ending)", NULL },
	{ "defer-beats-warn", { W("support", "support-ending"),
	  D("deferral", "postponed", "2026-06-12T00:00:00Z") }, TG_VERDICT_DEFER, 11,
	  "postponed", "message of deferral", "2026-06-12T00:00:00Z" },
	{ "latest-defer-wins", { D("disruption", "early", "2026-06-11T00:00:00Z"),
	  D("deferral", "late", "2026-06-12T00:00:00Z"),
	  D("other", "middle", "2026-06-11T12:00:00Z") }, TG_VERDICT_DEFER, 11, "late",
	  "message of deferral", "2026-06-12T00:00:00Z" },
	{ "undated-defer-is-latest", { D("disruption", "approval-required", NULL),
	  D("deferral", "postponed", "2026-06-12T00:00:00Z") }, TG_VERDICT_DEFER, 11,
	  "approval-required", "message of disruption", NULL },
	{ "undated-defer-after-dated", { D("deferral", "postponed", "2026-06-12T00:00:00Z"),
	  D("disruption", "approval-required", NULL) }, TG_VERDICT_DEFER, 11,
	  "approval-required", "message of disruption", NULL },
	{ "first-undated-defer", { D("disruption", "approval-required", NULL),
	  D("deferral", "auto-install-off", NULL) }, TG_VERDICT_DEFER, 11, "approval-required",
	  "message of disruption", NULL },
	{ "refuse-beats-defer", { P("classify"), D("disruption", "approval-required", NULL),
	  R("rollback", "below-floor") }, TG_VERDICT_REFUSE, 10, "below-floor",
	  "message of rollback", NULL },
	{ "first-refusal-wins", { R("classify", "no-metadata"), R("rollback", "downgrade"),
	  D("deferral", "postponed", "2026-06-12T00:00:00Z") }, TG_VERDICT_REFUSE, 10,
	  "no-metadata", "message of classify", NULL },
	{ "no-checks", { { NULL } }, TG_VERDICT_REFUSE, 10, "no-checks", "No check ran", NULL },
	{ "outcome-out-of-range", { P("classify"), { "broken", (TgOutcome)7, "odd", NULL } },
	  TG_VERDICT_REFUSE, 10, "odd", "message of broken", NULL },
};

static GDateTime *parse_time(const char *text)
{
	return text ? g_date_time_new_from_iso8601(text, NULL) : NULL;
}

static gchar *format_utc(GDateTime *t)
{
	g_autoptr(GDateTime) utc = NULL;

	if (!t)
		return NULL;
	utc = g_date_time_to_utc(t);
	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void add_step(TgDecision *d, const Step *s)
{
	TgCheckResult r = { .check = s->check };

	tg_check_result_set(&r, s->outcome, s->reason, "message of %s", s->check);
	r.until = parse_time(s->until);
	g_array_append_val(d->results, r);
}

static TgDecision *decision_from(const Row *row)
{
	TgDecision *d = tg_decision_new();

	for (guint i = 0; i < G_N_ELEMENTS(row->steps) && row->steps[i].check; i++)
		add_step(d, &row->steps[i]);
	return d;
}

static void test_row(void **state)
{
	const Row *row = *state;
	g_autoptr(TgDecision) d = decision_from(row);
	g_autofree gchar *until = NULL;

	tg_decision_finish(d);
	if (d->verdict != row->verdict || !g_str_equal(d->reason, row->reason))
		fail_msg("%s: got %s/%s (%s), want %s/%s", row->name,
			 tg_verdict_to_string(d->verdict), d->reason, d->message,
			 tg_verdict_to_string(row->verdict), row->reason);
	assert_int_equal(tg_decision_exit_code(d), row->exit_code);
	assert_contains(d->message, row->message);
	until = format_utc(d->until);
	if (g_strcmp0(until, row->until) != 0)
		fail_msg("%s: until %s, want %s", row->name, until ? until : "(none)",
			 row->until ? row->until : "(none)");
	/* Finishing again gives the same answer (nothing accumulates). */
	tg_decision_finish(d);
	assert_int_equal(d->verdict, row->verdict);
	assert_string_equal(d->reason, row->reason);
}

static void test_result_set_and_clear(void **state)
{
	TgCheckResult r = { .check = "rollback" };

	tg_check_result_set(&r, TG_OUTCOME_WARN, "first", "version %s below %d", "1.0", 2);
	assert_int_equal(r.outcome, TG_OUTCOME_WARN);
	assert_string_equal(r.reason, "first");
	assert_string_equal(r.message, "version 1.0 below 2");
	tg_check_result_set(&r, TG_OUTCOME_REFUSE, "second", "%s", "100% sure");
	assert_int_equal(r.outcome, TG_OUTCOME_REFUSE);
	assert_string_equal(r.reason, "second");
	assert_string_equal(r.message, "100% sure");
	assert_string_equal(r.check, "rollback");
	r.until = g_date_time_new_utc(2026, 1, 1, 0, 0, 0);
	tg_check_result_clear(&r);
	assert_null(r.reason);
	assert_null(r.message);
	assert_null(r.until);
	assert_null(r.check);
	tg_check_result_clear(&r);
	tg_check_result_clear(NULL);
}

static void test_exit_codes(void **state)
{
	g_autoptr(TgDecision) d = tg_decision_new();

	/* A fresh decision refuses until it is finished. */
	assert_int_equal(tg_decision_exit_code(d), 10);
	d->verdict = TG_VERDICT_ALLOW;
	assert_int_equal(tg_decision_exit_code(d), 0);
	d->verdict = TG_VERDICT_DEFER;
	assert_int_equal(tg_decision_exit_code(d), 11);
	d->verdict = TG_VERDICT_REFUSE;
	assert_int_equal(tg_decision_exit_code(d), 10);
	d->verdict = (TgVerdict)42;
	assert_int_equal(tg_decision_exit_code(d), 10);
	assert_int_equal(tg_decision_exit_code(NULL), 10);
	tg_decision_free(NULL);
}

static TgDecision *sample_decision(void)
{
	const Row row = { .steps = { W("support", "support-ending"),
				     D("deferral", "outside-window", "2026-03-29T01:00:00Z") } };
	TgDecision *d = decision_from(&row);
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");

	d->cls = TG_CLASS_SECURITY;
	d->component = g_strdup("system");
	d->version = g_strdup("1.2.4");
	d->installed = g_strdup("1.2.3");
	d->floor = g_strdup("1.2.0");
	d->time = g_date_time_new(berlin, 2026, 3, 29, 1, 30, 0);
	d->trust = TG_TIME_CLAMPED;
	d->transaction_id = g_strdup("0f8fad5b-d9cb-469f-a165-70867728950e");
	tg_decision_finish(d);
	return d;
}

static void test_json_members(void **state)
{
	g_autoptr(TgDecision) d = sample_decision();
	g_autoptr(JsonNode) node = tg_decision_to_json(d);
	JsonObject *o = json_node_get_object(node);
	JsonArray *checks = json_object_get_array_member(o, "checks");
	JsonObject *c0 = json_array_get_object_element(checks, 0);
	JsonObject *c1 = json_array_get_object_element(checks, 1);

	assert_string_equal(json_object_get_string_member(o, "verdict"), "defer");
	assert_string_equal(json_object_get_string_member(o, "reason"), "outside-window");
	assert_string_equal(json_object_get_string_member(o, "message"), "message of deferral");
	assert_string_equal(json_object_get_string_member(o, "until"), "2026-03-29T01:00:00Z");
	assert_string_equal(json_object_get_string_member(o, "class"), "security");
	assert_string_equal(json_object_get_string_member(o, "component"), "system");
	assert_string_equal(json_object_get_string_member(o, "version"), "1.2.4");
	assert_string_equal(json_object_get_string_member(o, "installed"), "1.2.3");
	assert_string_equal(json_object_get_string_member(o, "floor"), "1.2.0");
	assert_string_equal(json_object_get_string_member(o, "time"), "2026-03-29T00:30:00Z");
	assert_string_equal(json_object_get_string_member(o, "time_trust"), "clamped");
	assert_string_equal(json_object_get_string_member(o, "transaction_id"),
			    "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_int_equal(json_array_get_length(checks), 2);
	assert_string_equal(json_object_get_string_member(c0, "check"), "support");
	assert_string_equal(json_object_get_string_member(c0, "outcome"), "warn");
	assert_string_equal(json_object_get_string_member(c0, "reason"), "support-ending");
	assert_string_equal(json_object_get_string_member(c0, "message"), "message of support");
	assert_false(json_object_has_member(c0, "until"));
	/* The mapping to provisions and test cases is the exporter's
	 * (evidence/evidence-catalog.c), never the device's. */
	assert_false(json_object_has_member(c0, "provisions"));
	assert_false(json_object_has_member(c0, "test_cases"));
	assert_string_equal(json_object_get_string_member(c1, "outcome"), "defer");
	assert_string_equal(json_object_get_string_member(c1, "until"), "2026-03-29T01:00:00Z");
}

static void test_json_optional_members_absent(void **state)
{
	const Row row = { .steps = { P("classify") } };
	g_autoptr(TgDecision) d = decision_from(&row);
	g_autoptr(JsonNode) node = NULL;
	JsonObject *o;

	tg_decision_finish(d);
	node = tg_decision_to_json(d);
	o = json_node_get_object(node);
	assert_string_equal(json_object_get_string_member(o, "verdict"), "allow");
	assert_string_equal(json_object_get_string_member(o, "reason"), "ok");
	assert_string_equal(json_object_get_string_member(o, "class"), "unset");
	assert_string_equal(json_object_get_string_member(o, "time_trust"), "system");
	assert_false(json_object_has_member(o, "until"));
	assert_false(json_object_has_member(o, "installed"));
	assert_false(json_object_has_member(o, "floor"));
	assert_false(json_object_has_member(o, "time"));
	assert_true(json_object_has_member(o, "checks"));
}

static void test_json_escapes_hostile_text(void **state)
{
	g_autoptr(TgDecision) d = tg_decision_new();
	TgCheckResult r = { .check = "classify" };
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *text = NULL;
	JsonObject *o;

	tg_check_result_set(&r, TG_OUTCOME_REFUSE, "x", "quote \" newline \n brace }");
	g_array_append_val(d->results, r);
	d->version = g_strdup("1.0\"},{\"verdict\":\"allow");
	tg_decision_finish(d);
	node = tg_decision_to_json(d);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	assert_true(json_parser_load_from_data(parser, text, -1, NULL));
	o = json_node_get_object(json_parser_get_root(parser));
	assert_string_equal(json_object_get_string_member(o, "verdict"), "refuse");
	assert_string_equal(json_object_get_string_member(o, "version"), d->version);
	assert_string_equal(json_object_get_string_member(o, "message"),
			    "quote \" newline \n brace }");
}

static void test_builtin_table(void **state)
{
	static const char *const names[] = { "classify", "rollback", "support", "disruption",
					     "deferral" };
	const TgCheckOps *const *table = tg_checks_builtin();
	guint n = 0;

	for (; table[n]; n++) {
		assert_true(n < G_N_ELEMENTS(names));
		assert_string_equal(table[n]->name, names[n]);
		assert_non_null(table[n]->run);
	}
	assert_int_equal(n, G_N_ELEMENTS(names));
}

int main(void)
{
	gsize n = G_N_ELEMENTS(rows);
	g_autofree struct CMUnitTest *tests = g_new0(struct CMUnitTest, n + 6);

	for (gsize i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){ .name = rows[i].name, .test_func = test_row,
						.initial_state = (void *)&rows[i] };
	tests[n] = (struct CMUnitTest)cmocka_unit_test(test_result_set_and_clear);
	tests[n + 1] = (struct CMUnitTest)cmocka_unit_test(test_exit_codes);
	tests[n + 2] = (struct CMUnitTest)cmocka_unit_test(test_json_members);
	tests[n + 3] = (struct CMUnitTest)cmocka_unit_test(test_json_optional_members_absent);
	tests[n + 4] = (struct CMUnitTest)cmocka_unit_test(test_json_escapes_hostile_text);
	tests[n + 5] = (struct CMUnitTest)cmocka_unit_test(test_builtin_table);
	return _cmocka_run_group_tests("decision", tests, n + 6, NULL, NULL);
}
