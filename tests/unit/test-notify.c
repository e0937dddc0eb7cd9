/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify/: templates, notice cleaning and rendering, the strict policy
 * groups, the sinks; and the engine's notice hooks (which notices a
 * decision sends, suppression, required sinks, support thresholds). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tg-test.h"
#include "tg-config.h"
#include "checks.h"
#include "notify-private.h"
#include "notify.h"
#include "tg-io.h"
#include "template.h"
#include "tollgate/tollgate.h"

#define MARK "...[truncated]"

/* ------------------------------------------------------------------ */
/* Templates */

static const char *const test_names[] = { "version", "risk", "days_left", NULL };

static void test_template_check(void **state)
{
	static const struct {
		const char *text;
		const char *problem;	/* NULL: valid */
	} cases[] = {
		{ "Update {version}", NULL },
		{ "", NULL },
		{ "no placeholders at all", NULL },
		{ "{version}{risk}{days_left}", NULL },
		{ "literal {{braces}} are fine", NULL },
		{ "Fix {cve}", "unknown placeholder {cve}; this notice can use {version}, {risk}, "
			       "{days_left}" },
		{ "a { b", "does not open a placeholder" },
		{ "{Version}", "does not open a placeholder" },
		{ "{version", "does not open a placeholder" },
		{ "{}", "empty placeholder" },
		{ "a } b", "closes no placeholder" },
		{ "{{version}", "closes no placeholder" },
		{ "{abcdefghijklmnopqrstuvwxyzabcdefg}", "longer than 32" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		gboolean ok = tg_template_check(cases[i].text, test_names, &err);

		if (!cases[i].problem) {
			assert_no_error(err);
			assert_true(ok);
			continue;
		}
		assert_false(ok);
		assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE);
		assert_contains(err->message, cases[i].problem);
	}
}

static void test_template_too_long(void **state)
{
	g_autofree gchar *text = g_strnfill(TG_TEMPLATE_MAX_LEN + 1, 'a');
	g_autoptr(GError) err = NULL;

	assert_false(tg_template_check(text, test_names, &err));
	assert_contains(err->message, "longer than 4096");
}

static const char *lookup_table(const char *name, gpointer data)
{
	const char *const *kv = data;

	for (; kv[0]; kv += 2)
		if (g_str_equal(kv[0], name))
			return kv[1];
	return NULL;
}

static void test_template_render(void **state)
{
	const char *values[] = {
		"version", "1.2.3",
		"risk", "{version} $(rm -rf /) `id` ;|&",
		NULL,
	};
	static const struct {
		const char *text;
		const char *expect;
	} cases[] = {
		{ "Update {version}.", "Update 1.2.3." },
		{ "{{version}} is {version}", "{version} is 1.2.3" },
		{ "}}{{", "}{" },
		{ "risk: {risk}", "risk: {version} $(rm -rf /) `id` ;|&" },
		{ "{days_left} days", " days" },
		{ "bad { kept", "bad { kept" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *out = tg_template_render(cases[i].text, lookup_table,
							   (gpointer)values, 1024);

		assert_string_equal(out, cases[i].expect);
	}
}

static void test_template_render_limit(void **state)
{
	g_autoptr(GString) big = g_string_new(NULL);
	const char *values[] = { "risk", NULL, NULL };
	g_autofree gchar *out = NULL;

	/* Two-byte characters, so a cut in the middle of one would show. */
	for (guint i = 0; i < 5000; i++)
		g_string_append(big, "\xc3\xa9");
	values[1] = big->str;
	out = tg_template_render("Risk: {risk}", lookup_table, (gpointer)values, 101);
	assert_true(strlen(out) <= 101);
	assert_true(g_str_has_suffix(out, MARK));
	assert_true(g_utf8_validate(out, -1, NULL));
	assert_true(g_str_has_prefix(out, "Risk: \xc3\xa9"));
}

static void test_text_limit(void **state)
{
	g_autofree gchar *fixed = tg_text_limit("ok \xff\xfe end", 64);
	g_autofree gchar *big = g_strnfill(100 * 1024, 'x');
	g_autofree gchar *cut = tg_text_limit(big, 4096);
	g_autofree gchar *empty = tg_text_limit(NULL, 64);

	assert_true(g_utf8_validate(fixed, -1, NULL));
	assert_contains(fixed, "ok ");
	assert_contains(fixed, " end");
	assert_int_equal(strlen(cut), 4096);
	assert_true(g_str_has_suffix(cut, MARK));
	assert_string_equal(empty, "");
}

/* ------------------------------------------------------------------ */
/* Notices */

static void test_default_templates_valid(void **state)
{
	for (guint t = 0; t < TG_NOTICE_N_TYPES; t++) {
		for (guint p = 0; p < TG_NOTICE_N_PARTS; p++) {
			g_autoptr(GError) err = NULL;
			const char *tmpl = tg_notice_default_template(t, p);

			assert_non_null(tmpl);
			if (!tg_template_check(tmpl, tg_notice_placeholders(t), &err))
				fail_msg("built-in %s template %u: %s", tg_notice_type_name(t), p,
					 err->message);
		}
	}
}

static void test_type_names(void **state)
{
	TgNoticeType t = TG_NOTICE_N_TYPES;

	for (guint i = 0; i < TG_NOTICE_N_TYPES; i++) {
		assert_true(tg_notice_type_from_name(tg_notice_type_name(i), &t));
		assert_int_equal(t, i);
	}
	t = TG_NOTICE_SUPPORT_ENDED;
	assert_false(tg_notice_type_from_name("security_update", &t));
	assert_false(tg_notice_type_from_name(NULL, &t));
	assert_int_equal(t, TG_NOTICE_SUPPORT_ENDED);
}

static JsonObject *parse_object(const char *json)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;

	if (!json_parser_load_from_data(parser, json, -1, &err))
		fail_msg("not JSON (%s): %.200s", err->message, json);
	assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void test_notice_clean(void **state)
{
	g_autoptr(JsonObject) n = json_object_new();
	g_autoptr(JsonObject) dev = json_object_new();
	g_autoptr(JsonArray) list = json_array_new();
	g_autofree gchar *big = g_strnfill(100 * 1024, 'r');
	JsonObject *d;

	for (guint i = 0; i < 100; i++)
		json_array_add_string_element(list, "CVE-2026-0001");
	json_object_set_string_member(dev, "model", "T1\x1b[31m\xff");
	json_object_set_object_member(n, "device", g_steal_pointer(&dev));
	json_object_set_string_member(n, "risk", big);
	json_object_set_string_member(n, "message", "line 1\nline 2\ttab\r\x07");
	json_object_set_array_member(n, "advisories", g_steal_pointer(&list));
	json_object_set_int_member(n, "downtime_s", 90);
	tg_notice_clean(n);
	assert_int_equal(strlen(json_object_get_string_member(n, "risk")), TG_NOTICE_MAX_FIELD);
	assert_true(g_str_has_suffix(json_object_get_string_member(n, "risk"), MARK));
	assert_string_equal(json_object_get_string_member(n, "message"),
			    "line 1\nline 2\ttab\xef\xbf\xbd\xef\xbf\xbd");
	d = json_object_get_object_member(n, "device");
	assert_string_equal(json_object_get_string_member(d, "model"),
			    "T1\xef\xbf\xbd[31m\xef\xbf\xbd");
	assert_int_equal(json_array_get_length(json_object_get_array_member(n, "advisories")),
			 TG_NOTICE_MAX_LIST);
	assert_int_equal(json_object_get_int_member(n, "downtime_s"), 90);
}

static JsonObject *sample_security(void)
{
	JsonObject *n = parse_object(
		"{\"notice_version\":1,\"id\":\"0b5f3c8e-1d2a-4c6b-9e7f-112233445566\","
		"\"type\":\"security-update\",\"time\":\"2026-06-01T10:00:00Z\","
		"\"device\":{\"model\":\"TG-T1\",\"device_id\":\"unit-1\"},"
		"\"version\":\"1.2.3\",\"component\":\"system\",\"class\":\"security\","
		"\"advisories\":[\"CVE-2026-1\",\"CVE-2026-2\"],\"severity\":\"high\","
		"\"risk\":\"remote code execution\"}");

	return n;
}

static void test_render_security(void **state)
{
	g_autoptr(JsonObject) n = sample_security();
	g_autofree gchar *title = NULL;
	g_autofree gchar *text = NULL;

	title = tg_notice_render(TG_NOTICE_SECURITY_UPDATE, TG_NOTICE_TITLE,
				 tg_notice_default_template(TG_NOTICE_SECURITY_UPDATE,
							    TG_NOTICE_TITLE), n);
	text = tg_notice_render(TG_NOTICE_SECURITY_UPDATE, TG_NOTICE_TEXT,
				tg_notice_default_template(TG_NOTICE_SECURITY_UPDATE,
							   TG_NOTICE_TEXT), n);
	assert_string_equal(title, "Security update 1.2.3 for TG-T1");
	assert_string_equal(text, "A security update to version 1.2.3 is available for TG-T1.\n"
				  "Risks it mitigates: remote code execution\n"
				  "Advisories: CVE-2026-1, CVE-2026-2. Severity: high.");
	json_object_set_null_member(n, "risk");
	json_object_set_array_member(n, "advisories", json_array_new());
	g_free(text);
	text = tg_notice_render(TG_NOTICE_SECURITY_UPDATE, TG_NOTICE_TEXT,
				"{risk}|{advisories}|{severity}|{id}", n);
	assert_string_equal(text, "not stated|none listed|high|"
				  "0b5f3c8e-1d2a-4c6b-9e7f-112233445566");
}

static void test_render_formats(void **state)
{
	g_autoptr(JsonObject) n = parse_object(
		"{\"type\":\"disruption-warning\",\"time\":\"2026-06-01T10:00:00Z\","
		"\"reboot\":true,\"downtime_s\":300,\"services\":[\"web\",\"ssh\"],"
		"\"approve_command\":null}");
	g_autoptr(JsonObject) s = parse_object(
		"{\"type\":\"settings-changed\",\"setting\":\"notifications\",\"old\":true,"
		"\"new\":false}");
	g_autoptr(JsonObject) e = parse_object(
		"{\"type\":\"support-extended\",\"old_end\":\"2030-12-31T23:59:59Z\","
		"\"new_end\":\"2032-06-30T23:59:59Z\"}");
	g_autofree gchar *a = tg_notice_render(TG_NOTICE_DISRUPTION_WARNING, TG_NOTICE_TEXT,
					       "{reboot};{downtime};{downtime_s};{services};"
					       "{approve_command};{time};{model}", n);
	g_autofree gchar *b = tg_notice_render(TG_NOTICE_SETTINGS_CHANGED, TG_NOTICE_TEXT,
					       "{setting}: {old} -> {new}", s);
	g_autofree gchar *c = tg_notice_render(TG_NOTICE_SUPPORT_EXTENDED, TG_NOTICE_TITLE,
					       "{old_end} to\n{new_end}", e);

	assert_string_equal(a, "yes;about 5 min;300;web, ssh;no approval needed;"
			       "2026-06-01 10:00 UTC;this device");
	assert_string_equal(b, "notifications: on -> off");
	assert_string_equal(c, "2030-12-31 to 2032-06-30");
}

/* ------------------------------------------------------------------ */
/* Policy groups */

#define BASE_POLICY "[device]\nmodel=TG-T1\ndevice-id=unit-1\n"

static TgPolicy *load_policy(const char *extra)
{
	g_autofree gchar *text = g_strconcat(BASE_POLICY, extra, NULL);
	g_autoptr(GError) err = NULL;
	TgPolicy *p = tg_policy_load_data("test.conf", text, strlen(text), &err);

	assert_no_error(err);
	assert_non_null(p);
	return p;
}

static void test_config_no_sinks(void **state)
{
	const TgNotifyOps *ops = tg_notify_ops();
	g_autoptr(TgPolicy) p = load_policy("[notify]\nlanguage=en\n"
					    "[template.en]\nsecurity-update.title=Fix {version}\n");
	g_autoptr(GError) err = NULL;
	gpointer nf = ops->open(p, NULL, &err);

	assert_no_error(err);
	assert_null(nf);
}

static void test_config_all_sinks(void **state)
{
	const TgNotifyOps *ops = tg_notify_ops();
	g_autoptr(TgPolicy) p = load_policy(
		"[notify]\nlanguage=de\n"
		"[template.de]\nsecurity-update.title=Sicherheitsupdate {version}\n"
		"[template.fr]\nsupport-ended.text=Fin {support_end}\n"
		"[sink.ui]\ntype=exec\nprogram=/usr/bin/tee; /tmp/x;-a\ntimeout=10s\nrequired=true\n"
		"[sink.bus]\ntype=dbus\naddress=unix:path=/run/ui.sock\n"
		"[sink.spool]\ntype=file\ndirectory=/tmp/spool\nmode=0640\nmax-files=10\n"
		"notices=security-update;support-ending\n"
		"[sink.log]\ntype=stderr\nformat=json\n"
		"[product]\nname=ignored by notify\n");
	g_autoptr(GError) err = NULL;
	gpointer nf = ops->open(p, NULL, &err);

	assert_no_error(err);
	assert_non_null(nf);
	ops->close(nf);
}

static void test_config_errors(void **state)
{
	static const struct {
		const char *extra;
		gint code;
		const char *message;
	} cases[] = {
		{ "[sink.a]\ntype=smtp\n", TG_POLICY_ERROR_VALUE,
		  "test.conf: [sink.a] type = 'smtp' is not allowed; use one of: exec, dbus, file, "
		  "stderr" },
		{ "[sink.a]\nrequired=true\n", TG_POLICY_ERROR_MISSING,
		  "test.conf: [sink.a] has no type" },
		{ "[sink.a]\ntype=exec\n", TG_POLICY_ERROR_MISSING,
		  "test.conf: [sink.a] has no program" },
		{ "[sink.a]\ntype=exec\nprogram=notify-send;x\n", TG_POLICY_ERROR_VALUE,
		  "[sink.a] program = 'notify-send;x' does not start with an absolute program path" },
		{ "[sink.a]\ntype=exec\nprogram=/bin/true;;x\n", TG_POLICY_ERROR_VALUE,
		  "has an empty part" },
		{ "[sink.a]\ntype=exec\nprogram=/bin/true\ntimeout=0s\n", TG_POLICY_ERROR_VALUE,
		  "[sink.a] timeout = '0s' is out of range" },
		{ "[sink.a]\ntype=exec\nprogram=/bin/true\ntimeout=1h\n", TG_POLICY_ERROR_VALUE,
		  "[sink.a] timeout = '1h' is out of range" },
		{ "[sink.a]\ntype=exec\nprogram=/bin/true\ntimeout=soon\n", TG_POLICY_ERROR_VALUE,
		  "is not a duration" },
		{ "[sink.a]\ntype=file\n", TG_POLICY_ERROR_MISSING, "[sink.a] has no directory" },
		{ "[sink.a]\ntype=file\ndirectory=spool\n", TG_POLICY_ERROR_VALUE,
		  "not an absolute path" },
		{ "[sink.a]\ntype=file\ndirectory=/s\nmode=0666\n", TG_POLICY_ERROR_VALUE,
		  "[sink.a] mode = '0666' lets group or others change notices" },
		{ "[sink.a]\ntype=file\ndirectory=/s\nmode=rw\n", TG_POLICY_ERROR_VALUE,
		  "is not a file mode" },
		{ "[sink.a]\ntype=file\ndirectory=/s\nmode=0044\n", TG_POLICY_ERROR_VALUE,
		  "does not let the owner read" },
		{ "[sink.a]\ntype=dbus\naddress=nonsense\n", TG_POLICY_ERROR_VALUE,
		  "[sink.a] address = 'nonsense' is not a usable D-Bus address" },
		{ "[sink.a]\ntype=stderr\ncolour=yes\n", TG_POLICY_ERROR_UNKNOWN,
		  "[sink.a] colour = 'yes' is not a known key" },
		{ "[sink.a]\ntype=stderr\nprogram=/bin/true\n", TG_POLICY_ERROR_UNKNOWN,
		  "[sink.a] program = '/bin/true' is not a known key" },
		{ "[sink.a]\ntype=stderr\nnotices=security-update;bogus\n", TG_POLICY_ERROR_VALUE,
		  "names an unknown notice type" },
		{ "[sink.a]\ntype=stderr\nnotices=\n", TG_POLICY_ERROR_VALUE, "is empty" },
		{ "[sink.a]\ntype=stderr\nrequired=maybe\n", TG_POLICY_ERROR_VALUE,
		  "is not a boolean" },
		{ "[sink.a.b]\ntype=stderr\n", TG_POLICY_ERROR_VALUE,
		  "group [sink.a.b] has a bad name" },
		{ "[notify.x]\nfoo=1\n", TG_POLICY_ERROR_UNKNOWN,
		  "group [notify.x] is not a known group" },
		{ "[notify]\nlanguages=de\n", TG_POLICY_ERROR_UNKNOWN,
		  "[notify] languages = 'de' is not a known key" },
		{ "[notify]\nlanguage=de\n[sink.a]\ntype=stderr\n", TG_POLICY_ERROR_VALUE,
		  "[notify] language = 'de' has no [template.de] group" },
		{ "[notify]\nlanguage=d e\n", TG_POLICY_ERROR_VALUE, "is not a language tag" },
		{ "[template.en]\nsecurity-update.text=Fixes {cve}\n", TG_POLICY_ERROR_VALUE,
		  "test.conf: [template.en] security-update.text = 'Fixes {cve}' uses the unknown "
		  "placeholder {cve}; this notice can use {model}" },
		{ "[template.en]\nsupport-ended.title=Only {days_left} days\n", TG_POLICY_ERROR_VALUE,
		  "uses the unknown placeholder {days_left}" },
		{ "[template.fr]\nsecurity-update.subject=x\n", TG_POLICY_ERROR_UNKNOWN,
		  "[template.fr] security-update.subject = 'x' is not a known key" },
		{ "[template.en]\nupdate-deferred.text=a { b\n", TG_POLICY_ERROR_VALUE,
		  "does not open a placeholder" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(TgPolicy) p = load_policy(cases[i].extra);
		g_autoptr(GError) err = NULL;
		gpointer nf = tg_notify_ops()->open(p, NULL, &err);

		if (nf)
			tg_notify_ops()->close(nf);
		assert_null(nf);
		if (!err)
			fail_msg("case %zu: no error for:\n%s", i, cases[i].extra);
		if (!g_error_matches(err, TG_POLICY_ERROR, cases[i].code) ||
		    !strstr(err->message, cases[i].message))
			fail_msg("case %zu: got %d '%s', wanted %d '%s'", i, err->code, err->message,
				 cases[i].code, cases[i].message);
	}
}

/* ------------------------------------------------------------------ */
/* Sinks through the notifier */

typedef struct {
	gchar *dir;
} SinkFixture;

static int sink_setup(void **state)
{
	SinkFixture *f = g_new0(SinkFixture, 1);

	f->dir = tg_test_mkdtemp();
	*state = f;
	return 0;
}

static int sink_teardown(void **state)
{
	SinkFixture *f = *state;

	tg_test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Opens a notifier from @extra (printf format with the fixture dir as
 * every %1$s). Returns: (transfer full). */
static gpointer open_notifier(SinkFixture *f, const char *extra)
{
	g_autoptr(GString) text = g_string_new(extra);
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(GError) err = NULL;
	gpointer nf;

	g_string_replace(text, "@DIR@", f->dir, 0);
	p = load_policy(text->str);
	nf = tg_notify_ops()->open(p, NULL, &err);
	assert_no_error(err);
	assert_non_null(nf);
	return nf;
}

/* Sends a copy of @notice; returns the outcomes (transfer full). */
static JsonArray *send_copy(gpointer nf, JsonObject *notice)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonNode) copy = NULL;
	JsonArray *outcomes = json_array_new();

	json_node_set_object(node, notice);
	copy = json_node_copy(node);
	tg_notify_ops()->send(nf, json_node_get_object(copy), TG_NOTIFY_ALL, outcomes);
	return outcomes;
}

static JsonObject *outcome(JsonArray *outcomes, guint i)
{
	assert_true(i < json_array_get_length(outcomes));
	return json_array_get_object_element(outcomes, i);
}

static gchar *read_text(const char *dir, const char *name)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) err = NULL;
	gchar *data = NULL;

	if (!g_file_get_contents(path, &data, NULL, &err))
		fail_msg("cannot read %s: %s", path, err->message);
	return data;
}

static guint count_files(const char *dir, const char *suffix)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, suffix) && !g_str_equal(name, "latest.json"))
			n++;
	return n;
}

static void test_file_sink(void **state)
{
	SinkFixture *f = *state;
	g_autofree gchar *spool = g_build_filename(f->dir, "spool", NULL);
	gpointer nf = open_notifier(f, "[sink.spool]\ntype=file\ndirectory=@DIR@/spool\n"
				       "max-files=2\n");
	static const char *const ids[] = {
		"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
		"00000000-0000-4000-8000-000000000003",
	};
	struct stat st;

	for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_autoptr(JsonObject) n = sample_security();
		g_autoptr(JsonArray) out = NULL;
		g_autofree gchar *t = g_strdup_printf("2026-06-0%uT10:00:00Z", i + 1);

		json_object_set_string_member(n, "id", ids[i]);
		json_object_set_string_member(n, "time", t);
		out = send_copy(nf, n);
		assert_int_equal(json_array_get_length(out), 1);
		assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
		assert_string_equal(json_object_get_string_member(outcome(out, 0), "type"), "file");
		assert_string_equal(json_object_get_string_member(outcome(out, 0), "sink"), "spool");
		assert_true(json_object_get_null_member(outcome(out, 0), "error"));
	}
	assert_int_equal(count_files(spool, ".json"), 2);
	{
		g_autofree gchar *latest = read_text(spool, "latest.json");
		g_autofree gchar *last = read_text(spool, "20260603T100000Z-00000000-0000-4000-8000-"
						   "000000000003.json");
		g_autoptr(JsonObject) obj = parse_object(latest);

		assert_string_equal(latest, last);
		assert_true(g_str_has_suffix(latest, "}\n"));
		assert_ptr_equal(strchr(latest, '\n'), latest + strlen(latest) - 1);
		assert_string_equal(json_object_get_string_member(obj, "title"),
				    "Security update 1.2.3 for TG-T1");
		assert_string_equal(json_object_get_string_member(obj, "language"), "en");
	}
	assert_int_equal(stat(spool, &st), 0);
	{
		g_autofree gchar *latest = g_build_filename(spool, "latest.json", NULL);

		assert_int_equal(stat(latest, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644);
	}
	tg_notify_ops()->close(nf);
}

static void test_file_sink_stale_temp(void **state)
{
	SinkFixture *f = *state;
	g_autofree gchar *spool = g_build_filename(f->dir, "spool", NULL);
	gpointer nf = open_notifier(f, "[sink.spool]\ntype=file\ndirectory=@DIR@/spool\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;
	g_autofree gchar *stale = NULL;
	g_autofree gchar *mine = NULL;

	assert_int_equal(g_mkdir_with_parents(spool, 0755), 0);
	/* pid 2^22 + 1 is above the kernel's pid_max on most systems. */
	stale = tg_test_write(spool, "latest.json.tmp.4194305", "{\"half");
	mine = g_strdup_printf("x.json.tmp.%d", (int)getpid());
	g_free(tg_test_write(spool, mine, "{"));
	out = send_copy(nf, n);
	assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
	/* A temp file of the running process is not touched. */
	assert_int_equal(count_files(spool, mine + strlen("x.json")), 1);
	tg_notify_ops()->close(nf);
}

static void test_file_sink_unwritable(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = NULL;
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;

	g_free(tg_test_write(f->dir, "blocker", "a file, not a directory"));
	nf = open_notifier(f, "[sink.spool]\ntype=file\ndirectory=@DIR@/blocker/spool\n"
			      "required=true\n");
	out = send_copy(nf, n);
	assert_false(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	assert_true(json_object_get_boolean_member(outcome(out, 0), "required"));
	assert_contains(json_object_get_string_member(outcome(out, 0), "error"),
			"cannot create the spool directory");
	tg_notify_ops()->close(nf);
}

static void test_exec_sink_stdin_env(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[sink.hook]\ntype=exec\n"
				       "program=/bin/sh;-c;env > @DIR@/env && cat > @DIR@/stdin\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;
	g_autofree gchar *in = NULL;
	g_autofree gchar *env = NULL;
	g_autoptr(JsonObject) got = NULL;

	g_setenv("TOLLGATE_SECRET_TEST", "leak", TRUE);
	out = send_copy(nf, n);
	g_unsetenv("TOLLGATE_SECRET_TEST");
	assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	in = read_text(f->dir, "stdin");
	env = read_text(f->dir, "env");
	assert_true(g_str_has_suffix(in, "}\n"));
	got = parse_object(in);
	assert_string_equal(json_object_get_string_member(got, "risk"), "remote code execution");
	assert_contains(json_object_get_string_member(got, "text"), "remote code execution");
	assert_contains(env, "TOLLGATE_NOTICE_TYPE=security-update\n");
	assert_contains(env, "TOLLGATE_NOTICE_ID=0b5f3c8e-1d2a-4c6b-9e7f-112233445566\n");
	assert_contains(env, "LANG=C.UTF-8\n");
	assert_null(strstr(env, "TOLLGATE_SECRET_TEST"));
	tg_notify_ops()->close(nf);
}

static void test_exec_sink_no_shell(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[sink.hook]\ntype=exec\nprogram=/usr/bin/tee;@DIR@/out\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;
	g_autofree gchar *risk = g_strdup_printf("$(touch %s/pwned); `touch %s/pwned2`; "
						 "rm -rf / | cat && echo \"'\n\xff\xfe", f->dir,
						 f->dir);
	g_autofree gchar *got_text = NULL;
	g_autoptr(JsonObject) got = NULL;
	g_autofree gchar *pwned = g_build_filename(f->dir, "pwned", NULL);
	g_autofree gchar *pwned2 = g_build_filename(f->dir, "pwned2", NULL);

	json_object_set_string_member(n, "risk", risk);
	out = send_copy(nf, n);
	assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	got_text = read_text(f->dir, "out");
	got = parse_object(got_text);
	assert_true(g_str_has_prefix(json_object_get_string_member(got, "risk"), "$(touch "));
	assert_true(g_str_has_suffix(json_object_get_string_member(got, "risk"),
				     "\"'\n\xef\xbf\xbd\xef\xbf\xbd"));
	assert_false(g_file_test(pwned, G_FILE_TEST_EXISTS));
	assert_false(g_file_test(pwned2, G_FILE_TEST_EXISTS));
	tg_notify_ops()->close(nf);
}

static void test_exec_sink_failures(void **state)
{
	SinkFixture *f = *state;
	static const struct {
		const char *program;
		const char *error;
	} cases[] = {
		{ "/bin/false", "/bin/false exited with status 1" },
		{ "/bin/sh;-c;echo 'no display' >&2 && echo more >&2 && exit 3",
		  "/bin/sh exited with status 3: no display" },
		{ "/nonexistent/notify-ui", "cannot run /nonexistent/notify-ui" },
		{ "/bin/sh;-c;kill -TERM $$", "/bin/sh was killed by signal 15" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *extra = g_strdup_printf("[sink.hook]\ntype=exec\nprogram=%s\n",
							  cases[i].program);
		gpointer nf = open_notifier(f, extra);
		g_autoptr(JsonObject) n = sample_security();
		g_autoptr(JsonArray) out = send_copy(nf, n);

		assert_false(json_object_get_boolean_member(outcome(out, 0), "delivered"));
		assert_false(json_object_get_boolean_member(outcome(out, 0), "required"));
		assert_contains(json_object_get_string_member(outcome(out, 0), "error"),
				cases[i].error);
		tg_notify_ops()->close(nf);
	}
}

static void test_exec_sink_timeout(void **state)
{
	SinkFixture *f = *state;
	/* A grandchild holding stderr open must not stretch the wait either. */
	gpointer nf = open_notifier(f, "[sink.hook]\ntype=exec\ntimeout=1s\n"
				       "program=/bin/sh;-c;sleep 30 & sleep 30\n");
	g_autoptr(JsonObject) n = sample_security();
	gint64 start = g_get_monotonic_time();
	g_autoptr(JsonArray) out = send_copy(nf, n);
	gint64 took = g_get_monotonic_time() - start;

	assert_false(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	assert_contains(json_object_get_string_member(outcome(out, 0), "error"),
			"/bin/sh did not finish within 1 s and was killed");
	assert_true(took >= G_USEC_PER_SEC);
	assert_true(took < 4 * G_USEC_PER_SEC);
	tg_notify_ops()->close(nf);
}

static void test_routing_and_unknown_type(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[sink.a]\ntype=file\ndirectory=@DIR@/a\n"
				       "notices=support-ended\n"
				       "[sink.b]\ntype=file\ndirectory=@DIR@/b\nrequired=true\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = send_copy(nf, n);
	g_autoptr(JsonArray) bad = NULL;

	assert_int_equal(json_array_get_length(out), 1);
	assert_string_equal(json_object_get_string_member(outcome(out, 0), "sink"), "b");
	assert_true(json_object_get_boolean_member(outcome(out, 0), "required"));
	json_object_set_string_member(n, "type", "coupon");
	bad = send_copy(nf, n);
	assert_int_equal(json_array_get_length(bad), 2);
	assert_false(json_object_get_boolean_member(outcome(bad, 0), "delivered"));
	assert_contains(json_object_get_string_member(outcome(bad, 1), "error"),
			"'coupon' is not a notice type");
	tg_notify_ops()->close(nf);
}

static void test_templates_from_policy(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[notify]\nlanguage=de\n"
				       "[template.de]\nsecurity-update.title=Update {version} "
				       "{{wichtig}}\n"
				       "[template.en]\nsecurity-update.text=Risk: {risk}\n"
				       "[sink.a]\ntype=file\ndirectory=@DIR@/a\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;
	g_autofree gchar *dir = g_build_filename(f->dir, "a", NULL);
	g_autofree gchar *latest = NULL;
	g_autoptr(JsonObject) got = NULL;

	json_object_set_string_member(n, "risk", "{version} and more");
	out = send_copy(nf, n);
	assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	latest = read_text(dir, "latest.json");
	got = parse_object(latest);
	assert_string_equal(json_object_get_string_member(got, "title"), "Update 1.2.3 {wichtig}");
	assert_string_equal(json_object_get_string_member(got, "text"),
			    "Risk: {version} and more");
	assert_string_equal(json_object_get_string_member(got, "language"), "de");
	tg_notify_ops()->close(nf);
}

static void test_dbus_sink_unreachable(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[sink.bus]\ntype=dbus\ntimeout=2s\n"
				       "address=unix:path=@DIR@/no-bus.sock\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = send_copy(nf, n);

	assert_false(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	assert_string_equal(json_object_get_string_member(outcome(out, 0), "type"), "dbus");
	assert_contains(json_object_get_string_member(outcome(out, 0), "error"),
			"cannot connect to the D-Bus bus at unix:path=");
	tg_notify_ops()->close(nf);
}

static void test_stderr_sink(void **state)
{
	SinkFixture *f = *state;
	gpointer nf = open_notifier(f, "[sink.log]\ntype=stderr\n"
				       "[template.en]\nsecurity-update.text=a\\nb\\\\c {risk}\n");
	g_autoptr(JsonObject) n = sample_security();
	g_autoptr(JsonArray) out = NULL;
	g_autofree gchar *path = g_build_filename(f->dir, "stderr", NULL);
	g_autofree gchar *got = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int saved = dup(STDERR_FILENO);

	assert_true(fd >= 0 && saved >= 0);
	json_object_set_string_member(n, "risk", "x\x1b");
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	out = send_copy(nf, n);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	close(saved);
	assert_true(json_object_get_boolean_member(outcome(out, 0), "delivered"));
	got = read_text(f->dir, "stderr");
	assert_string_equal(got, "tollgate notice security-update "
				 "0b5f3c8e-1d2a-4c6b-9e7f-112233445566: Security update 1.2.3 "
				 "for TG-T1 | a\\nb\\\\c x\xef\xbf\xbd\n");
	tg_notify_ops()->close(nf);
}

/* ------------------------------------------------------------------ */
/* The engine's hooks, with a recording notifier */

typedef struct {
	GPtrArray *sent;	/* JsonObject*: copies of what send() got */
	gboolean fail;		/* the sink fails */
	gboolean required;
	guint opened;
	guint closed;
} Fake;

static Fake fake;

static gpointer fake_open(const TgPolicy *policy, gpointer user_data, GError **error)
{
	fake.opened++;
	return &fake;
}

/* One sink "ui", required when fake.required. */
static void fake_send(gpointer data, JsonObject *notice, TgNotifyScope scope,
		      JsonArray *outcomes)
{
	JsonObject *o;
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autoptr(JsonNode) copy = NULL;

	if (scope != TG_NOTIFY_ALL && fake.required != (scope == TG_NOTIFY_REQUIRED))
		return;
	o = json_object_new();
	json_object_set_string_member(notice, "title", "T");
	json_object_set_string_member(notice, "text", "X");
	json_node_set_object(node, notice);
	copy = json_node_copy(node);
	g_ptr_array_add(fake.sent, json_object_ref(json_node_get_object(copy)));
	json_object_set_string_member(o, "sink", "ui");
	json_object_set_string_member(o, "type", "fake");
	json_object_set_boolean_member(o, "delivered", !fake.fail);
	json_object_set_boolean_member(o, "required", fake.required);
	if (fake.fail)
		json_object_set_string_member(o, "error", "no display attached");
	else
		json_object_set_null_member(o, "error");
	json_array_add_object_element(outcomes, o);
}

static void fake_close(gpointer data)
{
	fake.closed++;
}

static const TgNotifyOps fake_ops = { fake_open, fake_send, fake_close };

typedef struct {
	gchar *dir;
	gchar *policy;
} EngineFixture;

static void write_engine_policy(EngineFixture *f, const char *extra)
{
	g_autofree gchar *text = g_strdup_printf(
		"[device]\nmodel=TG-T1\ndevice-id=unit-1\n"
		"[state]\ndirectory=%s/state\nkey-file=%s/state.key\n"
		"version-source=file\nversion-path=%s/version\n"
		"[support]\nend=2026-07-15\nnotice-days=90;30;7;0\nafter-end=allow\n%s",
		f->dir, f->dir, f->dir, extra ? extra : "");

	g_free(f->policy);
	f->policy = tg_test_write(f->dir, "tollgate.conf", text);
	chmod(f->policy, 0644);
}

static int engine_setup(void **state)
{
	EngineFixture *f = g_new0(EngineFixture, 1);

	f->dir = tg_test_mkdtemp();
	chmod(f->dir, 0755);
	write_engine_policy(f, "[disruption]\nrequire-approval=true\n");
	g_free(tg_test_write(f->dir, "version", "1.0.0\n"));
	fake = (Fake){ .sent = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref) };
	*state = f;
	return 0;
}

static int engine_teardown(void **state)
{
	EngineFixture *f = *state;

	tg_test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->policy);
	g_free(f);
	g_clear_pointer(&fake.sent, g_ptr_array_unref);
	return 0;
}

static TgEngine *open_engine(EngineFixture *f, const char *now, const TgNotifyOps *ops)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(now, utc);
	TgEngineOptions opts = {
		.config_path = f->policy,
		.now = dt,
		.checks = tg_checks_builtin(),
		.updater = "test",
		.notify = ops,
	};
	TgEngine *engine = tg_engine_open(&opts, &err);

	assert_no_error(err);
	assert_non_null(engine);
	return engine;
}

static TgCandidate *candidate(const char *version, TgUpdateClass cls)
{
	TgCandidate *cand = tg_candidate_new();

	cand->version = g_strdup(version);
	cand->declared_class = cls;
	cand->has_metadata = TRUE;
	if (cls == TG_CLASS_SECURITY) {
		cand->risk = g_strdup("fixes remote code execution");
		cand->severity = g_strdup("critical");
		g_ptr_array_add(cand->advisories, g_strdup("CVE-2026-0001"));
	}
	return cand;
}

static TgDecision *gate_at(EngineFixture *f, const char *now, TgCandidate *cand)
{
	g_autoptr(TgEngine) engine = open_engine(f, now, &fake_ops);
	g_autoptr(GError) err = NULL;
	TgDecision *d = tg_engine_gate(engine, cand, &err);

	assert_no_error(err);
	assert_non_null(d);
	return d;
}

/* Types of the notices sent since @from, joined with ','. (transfer full) */
static gchar *sent_types(guint from)
{
	g_autoptr(GString) out = g_string_new(NULL);

	for (guint i = from; i < fake.sent->len; i++)
		g_string_append_printf(out, "%s%s", out->len ? "," : "",
				       json_object_get_string_member(g_ptr_array_index(fake.sent, i),
								     "type"));
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static JsonObject *last_sent(void)
{
	assert_true(fake.sent->len > 0);
	return g_ptr_array_index(fake.sent, fake.sent->len - 1);
}

/* Records of @event in the audit log, oldest first. (transfer full) */
static GPtrArray *records(EngineFixture *f, const char *event)
{
	g_autofree gchar *path = g_build_filename(f->dir, "state", "log", "audit.log", NULL);
	g_autofree gchar *data = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)json_object_unref);

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return out;
	lines = g_strsplit(data, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		JsonObject *rec;

		if (!**l)
			continue;
		rec = parse_object(*l);
		if (g_str_equal(json_object_get_string_member(rec, "event"), event))
			g_ptr_array_add(out, rec);
		else
			json_object_unref(rec);
	}
	return out;
}

static void test_engine_opens_and_closes(void **state)
{
	EngineFixture *f = *state;
	TgEngine *engine = open_engine(f, "2026-01-01T00:00:00Z", &fake_ops);

	assert_int_equal(fake.opened, 1);
	tg_engine_close(engine);
	assert_int_equal(fake.closed, 1);
}

static void test_engine_bad_notify_config(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(GError) err = NULL;
	TgEngineOptions opts = { .checks = tg_checks_builtin(), .notify = tg_notify_ops() };
	TgEngine *engine;

	write_engine_policy(f, "[sink.ui]\ntype=exec\nprogram=ui-notify\n");
	opts.config_path = f->policy;
	engine = tg_engine_open(&opts, &err);
	assert_null(engine);
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE);
	assert_contains(err->message, "tollgate.conf: [sink.ui] program = 'ui-notify'");
}

static void test_engine_security_notice(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) cand = candidate("1.0.1", TG_CLASS_SECURITY);
	g_autoptr(TgDecision) d = gate_at(f, "2026-01-01T00:00:00Z", cand);
	g_autofree gchar *types = sent_types(0);
	g_autoptr(GPtrArray) delivered = records(f, "notice.delivered");
	JsonObject *n = last_sent();
	JsonObject *rec;

	assert_int_equal(d->verdict, TG_VERDICT_ALLOW);
	assert_string_equal(types, "security-update");
	assert_int_equal(json_object_get_int_member(n, "notice_version"), 1);
	assert_int_equal(strlen(json_object_get_string_member(n, "id")), 36);
	assert_string_equal(json_object_get_string_member(n, "time"), "2026-01-01T00:00:00Z");
	assert_string_equal(json_object_get_string_member(
				    json_object_get_object_member(n, "device"), "model"), "TG-T1");
	assert_string_equal(json_object_get_string_member(n, "version"), "1.0.1");
	assert_string_equal(json_object_get_string_member(n, "risk"),
			    "fixes remote code execution");
	assert_string_equal(json_object_get_string_member(n, "severity"), "critical");
	assert_string_equal(json_array_get_string_element(
				    json_object_get_array_member(n, "advisories"), 0),
			    "CVE-2026-0001");
	assert_string_equal(json_object_get_string_member(n, "transaction_id"), d->transaction_id);
	assert_int_equal(delivered->len, 1);
	rec = g_ptr_array_index(delivered, 0);
	assert_string_equal(json_object_get_string_member(rec, "notice_id"),
			    json_object_get_string_member(n, "id"));
	assert_string_equal(json_object_get_string_member(rec, "notice_type"), "security-update");
	assert_string_equal(json_object_get_string_member(rec, "sink"), "ui");
	assert_false(json_object_get_boolean_member(rec, "required"));
	assert_true(json_object_get_null_member(rec, "error"));
	assert_string_equal(json_object_get_string_member(rec, "title"), "T");
}

static void test_engine_refused_and_feature(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) old = candidate("0.9.0", TG_CLASS_SECURITY);
	g_autoptr(TgCandidate) feat = candidate("1.1.0", TG_CLASS_FEATURE);
	g_autoptr(TgDecision) d1 = gate_at(f, "2026-01-01T00:00:00Z", old);
	g_autoptr(TgDecision) d2 = gate_at(f, "2026-01-01T00:00:00Z", feat);
	g_autofree gchar *types = sent_types(0);
	JsonObject *refused = g_ptr_array_index(fake.sent, 0);

	assert_int_equal(d1->verdict, TG_VERDICT_REFUSE);
	assert_int_equal(d2->verdict, TG_VERDICT_ALLOW);
	/* A plain feature update that disrupts nothing sends no notice. */
	assert_string_equal(types, "update-refused");
	assert_string_equal(json_object_get_string_member(refused, "reason"), d1->reason);
	assert_string_equal(json_object_get_string_member(refused, "message"), d1->message);
	assert_string_equal(json_object_get_string_member(refused, "floor"), "1.0.0");
}

static void test_engine_disruption_needs_approval(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) cand = candidate("1.1.0", TG_CLASS_FEATURE);
	g_autoptr(TgDecision) d = NULL;
	g_autofree gchar *types = NULL;
	JsonObject *warn;

	cand->reboot = TRUE;
	cand->downtime = 300;
	g_ptr_array_add(cand->services, g_strdup("web"));
	cand->digest = g_strnfill(64, 'a');
	d = gate_at(f, "2026-01-01T00:00:00Z", cand);
	types = sent_types(0);
	assert_int_equal(d->verdict, TG_VERDICT_DEFER);
	assert_string_equal(types, "disruption-warning,update-deferred");
	warn = g_ptr_array_index(fake.sent, 0);
	assert_true(json_object_get_boolean_member(warn, "approval_required"));
	assert_true(json_object_get_boolean_member(warn, "reboot"));
	assert_int_equal(json_object_get_int_member(warn, "downtime_s"), 300);
	assert_string_equal(json_array_get_string_element(
				    json_object_get_array_member(warn, "services"), 0), "web");
	assert_string_equal(json_object_get_string_member(warn, "approve_command"),
			    "tollgate approve aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			    "aaaaaaaaaa");
	assert_string_equal(json_object_get_string_member(last_sent(), "reason"),
			    "approval-required");
}

static gboolean has_result(const TgDecision *d, const char *check, const char *reason)
{
	for (guint i = 0; i < d->results->len; i++) {
		const TgCheckResult *r = &g_array_index(d->results, TgCheckResult, i);

		if (g_str_equal(r->check, check) && g_str_equal(r->reason, reason))
			return TRUE;
	}
	return FALSE;
}

static void test_engine_required_sink_defers(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) cand = candidate("1.1.0", TG_CLASS_FEATURE);
	g_autoptr(TgCandidate) quiet = candidate("1.1.0", TG_CLASS_FEATURE);
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(TgDecision) d2 = NULL;
	g_autoptr(GPtrArray) failed = NULL;
	g_autoptr(GPtrArray) decisions = NULL;
	g_autofree gchar *types = NULL;

	write_engine_policy(f, NULL);
	fake.fail = TRUE;
	fake.required = TRUE;
	cand->reboot = TRUE;
	d = gate_at(f, "2026-01-01T00:00:00Z", cand);
	assert_int_equal(d->verdict, TG_VERDICT_DEFER);
	assert_string_equal(d->reason, "notice-undelivered");
	assert_contains(d->message, "sink 'ui': no display attached");
	assert_true(has_result(d, "notify", "notice-undelivered"));
	types = sent_types(0);
	assert_string_equal(types, "disruption-warning,update-deferred");
	failed = records(f, "notice.failed");
	assert_int_equal(failed->len, 2);
	assert_true(json_object_get_boolean_member(g_ptr_array_index(failed, 0), "required"));
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(failed, 0), "error"),
			    "no display attached");
	decisions = records(f, "gate.decision");
	assert_contains(json_object_get_string_member(
				json_object_get_object_member(g_ptr_array_index(decisions, 0),
							      "decision"), "reason"),
			"notice-undelivered");
	/* Not required: recorded, but the update goes ahead. */
	fake.required = FALSE;
	d2 = gate_at(f, "2026-01-01T00:00:00Z", cand);
	assert_int_equal(d2->verdict, TG_VERDICT_ALLOW);
	/* A required failure on a non-disruptive update changes nothing. */
	fake.required = TRUE;
	g_clear_pointer(&d2, tg_decision_free);
	d2 = gate_at(f, "2026-01-01T00:00:00Z", quiet);
	assert_int_equal(d2->verdict, TG_VERDICT_ALLOW);
}

/* The sequence number of the first record of @event, or 0. */
static gint64 first_seq(EngineFixture *f, const char *event)
{
	g_autoptr(GPtrArray) recs = records(f, event);

	return recs->len ? json_object_get_int_member(g_ptr_array_index(recs, 0), "seq") : 0;
}

/* One direction: a failing ordinary sink is recorded after the decision and
 * never changes it; a required sink's miss is in the decision record
 * itself; the state is written once per gate. */
static void test_engine_flow_order(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) sec = candidate("1.0.1", TG_CLASS_SECURITY);
	g_autoptr(TgCandidate) disruptive = candidate("1.0.2", TG_CLASS_FEATURE);
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GPtrArray) decisions = NULL;
	JsonObject *rec, *req;

	write_engine_policy(f, NULL);
	fake.fail = TRUE;
	d = gate_at(f, "2026-01-01T00:00:00Z", sec);
	assert_int_equal(d->verdict, TG_VERDICT_ALLOW);
	assert_true(first_seq(f, "notice.failed") > first_seq(f, "gate.decision"));
	decisions = records(f, "gate.decision");
	rec = json_object_get_object_member(g_ptr_array_index(decisions, 0), "decision");
	assert_string_equal(json_object_get_string_member(rec, "verdict"), "allow");
	assert_false(json_object_has_member(g_ptr_array_index(decisions, 0), "required_notices"));

	/* A required sink misses the warning: the record already says defer. */
	fake.required = TRUE;
	disruptive->reboot = TRUE;
	g_clear_pointer(&d, tg_decision_free);
	d = gate_at(f, "2026-01-01T00:00:00Z", disruptive);
	assert_int_equal(d->verdict, TG_VERDICT_DEFER);
	g_clear_pointer(&decisions, g_ptr_array_unref);
	decisions = records(f, "gate.decision");
	rec = g_ptr_array_index(decisions, 1);
	assert_string_equal(json_object_get_string_member(
				    json_object_get_object_member(rec, "decision"), "verdict"), "defer");
	req = json_array_get_object_element(json_object_get_array_member(rec, "required_notices"), 0);
	assert_string_equal(json_object_get_string_member(req, "sink"), "ui");
	assert_false(json_object_get_boolean_member(req, "delivered"));
	assert_string_equal(json_object_get_string_member(req, "error"), "no display attached");
}

static void test_engine_state_written_once(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) cand = candidate("1.0.1", TG_CLASS_SECURITY);
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) support = NULL;
	guint before;

	if (!TG_FAULT_INJECTION)
		skip();
	write_engine_policy(f, NULL);
	cand->reboot = TRUE;
	/* 44 days before the support end: a support milestone is due too. */
	engine = open_engine(f, "2026-06-01T00:00:00Z", &fake_ops);
	tg_io_reset_faults();
	before = tg_io_calls(TG_IO_RENAME);
	d = tg_engine_gate(engine, cand, &err);
	assert_no_error(err);
	assert_int_equal(tg_io_calls(TG_IO_RENAME) - before, 1);
	support = records(f, "support.ending");
	assert_int_equal(support->len, 1);
}

static void test_engine_notifications_off(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) sec = candidate("1.0.1", TG_CLASS_SECURITY);
	g_autoptr(TgCandidate) old = candidate("0.5.0", TG_CLASS_FEATURE);
	g_autoptr(TgDecision) d1 = NULL;
	g_autoptr(TgDecision) d2 = NULL;
	g_autoptr(GPtrArray) suppressed = NULL;
	g_autofree gchar *types = NULL;

	{
		g_autoptr(TgEngine) engine = open_engine(f, "2026-01-01T00:00:00Z", &fake_ops);
		g_autoptr(GError) err = NULL;

		assert_true(tg_engine_set_setting(engine, "notifications", FALSE, &err));
		assert_no_error(err);
		assert_true(tg_engine_set_setting(engine, "notifications", FALSE, &err));
	}
	d1 = gate_at(f, "2026-01-01T00:00:00Z", sec);
	d2 = gate_at(f, "2026-01-01T00:00:00Z", old);
	types = sent_types(0);
	/* The change itself is confirmed once; the security notice is held back;
	 * the administrator still hears of the refusal. */
	assert_string_equal(types, "settings-changed,update-refused");
	assert_false(json_object_get_boolean_member(g_ptr_array_index(fake.sent, 0), "new"));
	assert_true(json_object_get_boolean_member(g_ptr_array_index(fake.sent, 0), "old"));
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(fake.sent, 0),
							  "setting"), "notifications");
	suppressed = records(f, "notice.suppressed");
	assert_int_equal(suppressed->len, 1);
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(suppressed, 0),
							  "notice_type"), "security-update");
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(suppressed, 0),
							  "reason"), "notifications-off");
}

/* One gate run at @now; returns the types it sent (transfer full). */
static gchar *support_run(EngineFixture *f, const char *now)
{
	g_autoptr(TgCandidate) cand = candidate("1.5.0", TG_CLASS_FEATURE);
	guint before = fake.sent->len;
	g_autoptr(TgDecision) d = gate_at(f, now, cand);

	return sent_types(before);
}

static void test_engine_support_thresholds(void **state)
{
	EngineFixture *f = *state;
	static const struct {
		const char *now;
		const char *types;
		gint64 days_left;
		gint64 threshold;
	} runs[] = {
		{ "2026-01-01T00:00:00Z", "", 0, 0 },			/* 195 days left */
		{ "2026-06-01T00:00:00Z", "support-ending", 44, 90 },
		{ "2026-06-01T00:00:00Z", "", 0, 0 },
		{ "2026-06-02T00:00:00Z", "", 0, 0 },
		{ "2026-06-20T00:00:00Z", "support-ending", 25, 30 },
		{ "2026-07-14T00:00:00Z", "support-ending", 1, 7 },	/* 7 passed unseen */
		{ "2026-07-15T12:00:00Z", "", 0, 0 },			/* last day: 0 is the end */
		{ "2026-07-16T00:00:00Z", "support-ended", 0, 0 },
		{ "2026-08-01T00:00:00Z", "", 0, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(runs); i++) {
		g_autofree gchar *types = support_run(f, runs[i].now);

		if (!g_str_equal(types, runs[i].types))
			fail_msg("run %zu at %s sent '%s', wanted '%s'", i, runs[i].now, types,
				 runs[i].types);
		if (!runs[i].threshold)
			continue;
		assert_int_equal(json_object_get_int_member(last_sent(), "days_left"),
				 runs[i].days_left);
		assert_int_equal(json_object_get_int_member(last_sent(), "threshold"),
				 runs[i].threshold);
		assert_string_equal(json_object_get_string_member(last_sent(), "support_end"),
				    "2026-07-15T23:59:59Z");
	}
	{
		g_autoptr(GPtrArray) ending = records(f, "support.ending");
		g_autoptr(GPtrArray) ended = records(f, "support.ended");

		assert_int_equal(ending->len, 3);
		assert_int_equal(json_object_get_int_member(g_ptr_array_index(ending, 2),
							    "threshold"), 7);
		assert_int_equal(ended->len, 1);
		assert_string_equal(json_object_get_string_member(g_ptr_array_index(ended, 0),
								  "after_support_end"), "allow");
	}
}

/* Without sinks the milestones are still recorded, once each. */
static void test_engine_support_without_sinks(void **state)
{
	EngineFixture *f = *state;
	static const char *const times[] = {
		"2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z", "2026-07-20T00:00:00Z",
		"2026-07-21T00:00:00Z",
	};
	g_autoptr(GPtrArray) ending = NULL;
	g_autoptr(GPtrArray) ended = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(times); i++) {
		g_autoptr(TgEngine) engine = open_engine(f, times[i], NULL);
		g_autoptr(TgCandidate) cand = candidate("1.5.0", TG_CLASS_FEATURE);
		g_autoptr(GError) err = NULL;
		g_autoptr(TgDecision) d = tg_engine_gate(engine, cand, &err);

		assert_no_error(err);
	}
	ending = records(f, "support.ending");
	ended = records(f, "support.ended");
	assert_int_equal(ending->len, 1);
	assert_int_equal(json_object_get_int_member(g_ptr_array_index(ending, 0), "days_left"), 44);
	assert_int_equal(ended->len, 1);
	assert_int_equal(fake.sent->len, 0);
}

static void test_engine_support_extended(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgCandidate) cand = candidate("1.1.0", TG_CLASS_FEATURE);
	g_autoptr(GError) err = NULL;
	g_autofree gchar *types = NULL;
	guint before;

	g_free(support_run(f, "2026-07-10T00:00:00Z"));
	cand->support_end = g_date_time_new_utc(2027, 7, 15, 23, 59, 59);
	{
		g_autoptr(TgEngine) engine = open_engine(f, "2026-07-10T00:00:00Z", &fake_ops);

		assert_true(tg_engine_installed(engine, cand, &err));
		before = fake.sent->len;
		assert_true(tg_engine_commit(engine, NULL, &err));
		assert_no_error(err);
	}
	types = sent_types(before);
	assert_string_equal(types, "support-extended");
	assert_string_equal(json_object_get_string_member(last_sent(), "old_end"),
			    "2026-07-15T23:59:59Z");
	assert_string_equal(json_object_get_string_member(last_sent(), "new_end"),
			    "2027-07-15T23:59:59Z");
	assert_false(json_object_has_member(last_sent(), "shortened"));
	/* The thresholds count again towards the new end. */
	g_free(types);
	types = support_run(f, "2027-06-01T00:00:00Z");
	assert_string_equal(types, "support-ending");
	assert_int_equal(json_object_get_int_member(last_sent(), "threshold"), 90);
}

static void test_engine_record_check(void **state)
{
	EngineFixture *f = *state;
	g_autoptr(TgEngine) engine = open_engine(f, "2026-06-01T00:00:00Z", &fake_ops);
	TgUpdateCheck none = { .available = FALSE, .client = "hawkbit" };
	TgUpdateCheck avail = { .available = TRUE, .version = "1.2.0" };
	TgUpdateCheck bad = { .available = TRUE, .version = "v1.2" };
	TgUpdateCheck mixed = { .available = FALSE, .version = "1.2.0" };
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) checks = NULL;
	JsonObject *r;

	assert_true(tg_engine_record_check(engine, &none, &err));
	assert_no_error(err);
	/* The periodic check also delivers the due support notice, once. */
	assert_string_equal(json_object_get_string_member(last_sent(), "type"), "support-ending");
	assert_true(tg_engine_record_check(engine, &avail, &err));
	assert_int_equal(fake.sent->len, 1);
	assert_false(tg_engine_record_check(engine, &bad, &err));
	assert_error(err, TG_VERSION_ERROR, err->code);
	assert_contains(err->message, "the offered version cannot be ordered");
	g_clear_error(&err);
	assert_false(tg_engine_record_check(engine, &mixed, &err));
	assert_error(err, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT);
	checks = records(f, "update.check");
	assert_int_equal(checks->len, 2);
	r = g_ptr_array_index(checks, 0);
	assert_string_equal(json_object_get_string_member(r, "result"), "none");
	assert_true(json_object_get_null_member(r, "version"));
	assert_string_equal(json_object_get_string_member(r, "client"), "hawkbit");
	r = g_ptr_array_index(checks, 1);
	assert_string_equal(json_object_get_string_member(r, "result"), "available");
	assert_string_equal(json_object_get_string_member(r, "version"), "1.2.0");
	assert_string_equal(json_object_get_string_member(r, "installed"), "1.0.0");
	assert_true(json_object_get_boolean_member(r, "newer"));
	assert_string_equal(json_object_get_string_member(r, "component"), "system");
}

static void test_engine_approval_old_new(void **state)
{
	EngineFixture *f = *state;
	g_autofree gchar *digest = g_strnfill(64, 'b');
	g_autoptr(GPtrArray) approvals = NULL;
	g_autoptr(GError) err = NULL;

	{
		g_autoptr(TgEngine) engine = open_engine(f, "2026-01-01T00:00:00Z", NULL);

		assert_true(tg_engine_approve(engine, digest, &err));
	}
	{
		g_autoptr(TgEngine) engine = open_engine(f, "2026-01-02T00:00:00Z", NULL);

		assert_true(tg_engine_approve(engine, digest, &err));
	}
	assert_no_error(err);
	approvals = records(f, "user.approved");
	assert_int_equal(approvals->len, 2);
	assert_true(json_object_get_null_member(g_ptr_array_index(approvals, 0),
						"old_approved_at"));
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(approvals, 0),
							  "new_approved_at"), "2026-01-01T00:00:00Z");
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(approvals, 1),
							  "old_approved_at"), "2026-01-01T00:00:00Z");
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(approvals, 1),
							  "new_approved_at"), "2026-01-02T00:00:00Z");
}

static void test_engine_real_notifier(void **state)
{
	EngineFixture *f = *state;
	g_autofree gchar *extra = g_strdup_printf("[sink.spool]\ntype=file\ndirectory=%s/spool\n",
						  f->dir);
	g_autoptr(TgCandidate) cand = candidate("1.0.1", TG_CLASS_SECURITY);
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *spool = g_build_filename(f->dir, "spool", NULL);
	g_autofree gchar *latest = NULL;
	g_autoptr(JsonObject) n = NULL;
	g_autoptr(GPtrArray) delivered = NULL;

	write_engine_policy(f, extra);
	engine = open_engine(f, "2026-01-01T00:00:00Z", tg_notify_ops());
	d = tg_engine_gate(engine, cand, &err);
	assert_no_error(err);
	latest = read_text(spool, "latest.json");
	n = parse_object(latest);
	assert_string_equal(json_object_get_string_member(n, "type"), "security-update");
	assert_string_equal(json_object_get_string_member(n, "title"),
			    "Security update 1.0.1 for TG-T1");
	assert_contains(json_object_get_string_member(n, "text"), "fixes remote code execution");
	delivered = records(f, "notice.delivered");
	assert_int_equal(delivered->len, 1);
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(delivered, 0),
							  "sink_type"), "file");
	assert_string_equal(json_object_get_string_member(g_ptr_array_index(delivered, 0),
							  "text"),
			    json_object_get_string_member(n, "text"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_check),
		cmocka_unit_test(test_template_too_long),
		cmocka_unit_test(test_template_render),
		cmocka_unit_test(test_template_render_limit),
		cmocka_unit_test(test_text_limit),
		cmocka_unit_test(test_default_templates_valid),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_notice_clean),
		cmocka_unit_test(test_render_security),
		cmocka_unit_test(test_render_formats),
		cmocka_unit_test(test_config_no_sinks),
		cmocka_unit_test(test_config_all_sinks),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test_setup_teardown(test_file_sink, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_file_sink_stale_temp, sink_setup,
						sink_teardown),
		cmocka_unit_test_setup_teardown(test_file_sink_unwritable, sink_setup,
						sink_teardown),
		cmocka_unit_test_setup_teardown(test_exec_sink_stdin_env, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_exec_sink_no_shell, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_exec_sink_failures, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_exec_sink_timeout, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_routing_and_unknown_type, sink_setup,
						sink_teardown),
		cmocka_unit_test_setup_teardown(test_templates_from_policy, sink_setup,
						sink_teardown),
		cmocka_unit_test_setup_teardown(test_dbus_sink_unreachable, sink_setup,
						sink_teardown),
		cmocka_unit_test_setup_teardown(test_stderr_sink, sink_setup, sink_teardown),
		cmocka_unit_test_setup_teardown(test_engine_opens_and_closes, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_bad_notify_config, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_security_notice, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_refused_and_feature, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_disruption_needs_approval, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_required_sink_defers, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_flow_order, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_state_written_once, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_notifications_off, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_support_thresholds, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_support_without_sinks, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_support_extended, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_record_check, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_approval_old_new, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_real_notifier, engine_setup,
						engine_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
