/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Findings (evidence/evidence-findings.c) from records handed one by one, as
 * the log scan hands them. */
#include <string.h>

#include "tg-test.h"
#include "evidence-private.h"

#define POLICY "[device]\nmodel=TG-1\n[state]\ndirectory=/tmp/x\nkey-file=/tmp/k\n"

typedef struct {
	TgPolicy *policy;
	TgEvLogs *logs;
	TgEvDevice *dev;
} Fixture;

static int setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);
	g_autoptr(GError) err = NULL;

	f->policy = tg_policy_load_data("t.conf", POLICY, strlen(POLICY), &err);
	assert_no_error(err);
	f->logs = tg_ev_logs_new(0);
	f->dev = tg_ev_device_new("/tmp/unit-7");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;

	tg_ev_device_free(f->dev);
	tg_ev_logs_free(f->logs);
	tg_policy_free(f->policy);
	g_free(f);
	return 0;
}

static void feed(Fixture *f, guint64 seq, const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autofree gchar *line = g_strdup_printf("%s\n", json);
	TgEvRecRef r = { .file = "audit.log", .seq = seq, .line = line, .len = strlen(line) };

	assert_true(json_parser_load_from_data(p, json, -1, NULL));
	r.obj = json_node_get_object(json_parser_get_root(p));
	r.event = json_object_get_string_member(r.obj, "event");
	tg_ev_findings_record(f->logs, f->dev, f->policy, &r);
}

static const TgEvFinding *only(Fixture *f, const char *kind)
{
	assert_int_equal(f->logs->findings->len, 1);
	assert_string_equal(((TgEvFinding *)g_ptr_array_index(f->logs->findings, 0))->kind, kind);
	return g_ptr_array_index(f->logs->findings, 0);
}

static void test_security_waited(void **state)
{
	Fixture *f = *state;
	const TgEvFinding *x;

	/* waiting for a window, or a mixed update: no contradiction */
	feed(f, 3, "{\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"defer\","
		   "\"reason\":\"outside-window\",\"class\":\"security\"}}");
	feed(f, 4, "{\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"defer\","
		   "\"reason\":\"approval-required\",\"class\":\"mixed\"}}");
	assert_int_equal(f->logs->findings->len, 0);
	feed(f, 5, "{\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"defer\","
		   "\"reason\":\"approval-required\",\"class\":\"security\"},"
		   "\"candidate\":{\"version\":\"1.0.1\"}}");
	x = only(f, "security-update-waited");
	assert_true(x->contradiction);
	assert_int_equal(x->seq, 5);
	assert_int_equal(strlen(x->hash), 64);
	assert_string_equal(x->device, "unit-7");
	assert_contains(x->text, "security update 1.0.1 waited");
	assert_true(tg_ev_findings_cover(f->logs->findings, "5.3-3"));
	assert_false(tg_ev_findings_cover(f->logs->findings, "5.3-2"));
}

static void test_install_below_floor(void **state)
{
	Fixture *f = *state;

	feed(f, 2, "{\"event\":\"update.committed\",\"components\":[{\"component\":\"system\","
		   "\"version\":\"2.0.0\"}]}");
	feed(f, 3, "{\"event\":\"update.installed\",\"candidate\":{\"version\":\"2.1.0\"}}");
	assert_int_equal(f->logs->findings->len, 0);
	feed(f, 4, "{\"event\":\"update.installed\",\"candidate\":{\"version\":\"1.9.0\"}}");
	assert_contains(only(f, "install-below-floor")->text, "1.9.0 of system was installed");
}

static void test_notice_and_policy(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *rec = g_strdup_printf("{\"event\":\"user.approved\",\"policy_hash\":"
						"\"%064d\"}", 0);

	feed(f, 2, "{\"event\":\"notice.failed\",\"notice_type\":\"support-ending\"}");
	assert_int_equal(f->logs->findings->len, 0);
	feed(f, 3, "{\"event\":\"notice.failed\",\"notice_type\":\"security-update\","
		   "\"sink\":\"app\",\"error\":\"timed out\"}");
	assert_contains(only(f, "notice-not-delivered")->text, "sink app (timed out)");
	g_ptr_array_set_size(f->logs->findings, 0);
	feed(f, 4, rec);
	feed(f, 5, rec);	/* once per hash */
	assert_false(only(f, "unknown-policy")->contradiction);
}

/* At most 20 cited per kind and device; the rest are counted. */
static void test_capped(void **state)
{
	Fixture *f = *state;

	for (guint i = 0; i < 25; i++)
		feed(f, 10 + i, "{\"event\":\"notice.failed\",\"notice_type\":\"disruption-warning\"}");
	assert_int_equal(f->logs->findings->len, 20);
	assert_int_equal(f->dev->finding_count[1], 25);
}

static void test_outputs(void **state)
{
	Fixture *f = *state;
	g_autoptr(JsonNode) json = NULL;
	g_autofree gchar *md = NULL;
	g_autofree gchar *text = NULL;

	tg_ev_finding_add(f->logs->findings, "stale", "unit-7", NULL, "nothing | here");
	feed(f, 5, "{\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"defer\","
		   "\"reason\":\"approval-required\",\"class\":\"security\"}}");
	json = tg_ev_findings_to_json(f->logs->findings);
	text = json_to_string(json, FALSE);
	assert_contains(text, "\"contradictions\":1");
	assert_contains(text, "\"class\":\"weak-evidence\"");
	assert_contains(text, "\"record\":null");
	md = tg_ev_findings_to_md(f->logs->findings);
	assert_contains(md, "1 contradictions, 1 findings of weak evidence");
	assert_contains(md, "nothing \\| here");
	assert_contains(md, "audit.log seq 5");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_security_waited),
		T(test_install_below_floor),
		T(test_notice_and_policy),
		T(test_capped),
		T(test_outputs),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
