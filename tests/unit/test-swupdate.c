/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SWUpdate adapters' shared layer: sw-description parsing (libconfig and
 * JSON, SWUpdate's node search), candidates from properties, progress INFO
 * payloads, the progress listener's state and the progress sink. */
#include <string.h>
#include <sys/stat.h>

#include "tg-test.h"
#include "tg-swupdate.h"
#include "decision-private.h"
#include "tg-swupdate-config.h"

/* ---- sw-description ---- */

#define ENTRY_SEC "{ type = \"tollgate\"; properties: { class = \"security\"; " \
		  "advisories = [\"CVE-2026-2\", \"CVE-2026-1\"]; risk = \"rce\"; }; }"

typedef struct {
	const char *name;
	const char *text;
	TgSwuSelection sel;
	gint code;		/* -1: success */
	const char *version;
	gboolean has_tollgate;
	const char *cls;	/* class property found, or NULL */
	const char *format;
} ParseCase;

static const ParseCase parse_cases[] = {
	{ "libconfig entry",
	  "software = { version = \"1.2.0\"; description = \"d\"; scripts: ( " ENTRY_SEC " ); };",
	  { 0 }, -1, "1.2.0", TRUE, "security", "libconfig" },
	{ "json entry",
	  "{ \"software\": { \"version\": \"1.3.0\", \"scripts\": [ { \"type\": \"tollgate\", "
	  "\"properties\": { \"class\": \"feature\" } } ] } }",
	  { 0 }, -1, "1.3.0", TRUE, "feature", "json" },
	{ "no tollgate entry",
	  "software = { version = \"1.0.1\"; scripts: ( { type = \"lua\"; filename = \"a.lua\"; } ); };",
	  { 0 }, -1, "1.0.1", FALSE, NULL, "libconfig" },
	{ "no scripts at all", "software = { version = \"1.0.2\"; };", { 0 }, -1, "1.0.2", FALSE,
	  NULL, "libconfig" },
	{ "board selects its entry",
	  "software = { version = \"2.0.0\";"
	  " boardA = { scripts: ( { type = \"tollgate\"; properties: { class = \"security\"; }; } ); };"
	  " boardB = { scripts: ( { type = \"tollgate\"; properties: { class = \"feature\"; }; } ); }; };",
	  { .board = "boardB" }, -1, "2.0.0", TRUE, "feature", "libconfig" },
	{ "set and mode through a ref link",
	  "software = { version = \"2.1.0\"; stable = {"
	  " main = { scripts: ( { type = \"tollgate\"; properties: { class = \"mixed\"; }; } ); };"
	  " alt = { ref = \"#./main\"; }; }; };",
	  { .software_set = "stable", .running_mode = "alt" }, -1, "2.1.0", TRUE, "mixed",
	  "libconfig" },
	{ "scripts entry linking another list",
	  "software = { version = \"2.2.0\"; scripts: ( { ref = \"#./tgscripts\"; } );"
	  " tgscripts: ( { type = \"tollgate\"; properties: { class = \"security\"; }; } ); };",
	  { 0 }, -1, "2.2.0", TRUE, "security", "libconfig" },
	{ "link loop falls back to the root",
	  "software = { version = \"2.3.0\"; stable = { main = { ref = \"#./main\"; }; }; };",
	  { .software_set = "stable", .running_mode = "main" }, -1, "2.3.0", FALSE, NULL,
	  "libconfig" },
	{ "two tollgate entries",
	  "software = { version = \"1.0.0\"; scripts: ( " ENTRY_SEC ", " ENTRY_SEC " ); };", { 0 },
	  TG_SWU_ERROR_AMBIGUOUS },
	{ "boolean property",
	  "software = { version = \"1.0.0\"; scripts: ( { type = \"tollgate\"; properties: "
	  "{ reboot = true; }; } ); };", { 0 }, TG_SWU_ERROR_VALUE },
	{ "empty list property",
	  "software = { version = \"1.0.0\"; scripts: ( { type = \"tollgate\"; properties: "
	  "{ advisories = []; }; } ); };", { 0 }, TG_SWU_ERROR_VALUE },
	{ "number in a list property",
	  "{ \"software\": { \"version\": \"1.0.0\", \"scripts\": [ { \"type\": \"tollgate\", "
	  "\"properties\": { \"advisories\": [\"a\", 3] } } ] } }", { 0 }, TG_SWU_ERROR_VALUE },
	{ "version is a number", "software = { version = 1; };", { 0 }, TG_SWU_ERROR_VALUE },
	{ "include refused", "@include \"/etc/passwd\"\nsoftware = { version = \"1.0.0\"; };",
	  { 0 }, TG_SWU_ERROR_VALUE },
	{ "neither format", "software = { version = ", { 0 }, TG_SWU_ERROR_SYNTAX },
	{ "scripts not a list", "software = { version = \"1.0.0\"; scripts = \"x\"; };", { 0 },
	  TG_SWU_ERROR_VALUE },
};

static void test_parse_table(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		const ParseCase *c = &parse_cases[i];
		g_autoptr(GError) err = NULL;
		g_autoptr(TgSwuDescription) d =
			tg_swu_description_parse(c->text, strlen(c->text), &c->sel, &err);

		print_message("case: %s\n", c->name);
		if (c->code >= 0) {
			assert_null(d);
			assert_error(err, TG_SWU_ERROR, c->code);
			continue;
		}
		assert_no_error(err);
		assert_non_null(d);
		assert_string_equal(d->version, c->version);
		assert_string_equal(d->format, c->format);
		assert_int_equal(d->has_tollgate, c->has_tollgate);
		if (c->cls)
			assert_string_equal(json_object_get_string_member(d->properties, "class"),
					    c->cls);
		else
			assert_false(json_object_has_member(d->properties, "class"));
	}
}

static void test_parse_limits(void **state)
{
	GString *deep = g_string_new("{ \"software\": ");
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) err2 = NULL;
	g_autoptr(GError) err3 = NULL;
	g_autoptr(TgSwuDescription) d = NULL;
	const char nul[] = "software = { version = \"1.0.0\"; };\0junk";
	g_autofree gchar *big = g_malloc0(TG_SWU_DESCRIPTION_MAX + 2);

	for (int i = 0; i < 100; i++)
		g_string_append(deep, "[");
	d = tg_swu_description_parse(deep->str, deep->len, NULL, &err);
	assert_null(d);
	assert_error(err, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT);
	g_string_free(deep, TRUE);

	d = tg_swu_description_parse(nul, sizeof(nul) - 1, NULL, &err2);
	assert_null(d);
	assert_error(err2, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX);
	assert_contains(err2->message, "NUL");

	memset(big, ' ', TG_SWU_DESCRIPTION_MAX + 1);
	d = tg_swu_description_parse(big, TG_SWU_DESCRIPTION_MAX + 1, NULL, &err3);
	assert_null(d);
	assert_error(err3, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT);
}

static void test_parse_deep_libconfig(void **state)
{
	GString *text = g_string_new("software = { version = \"1.0.0\"; x = ");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgSwuDescription) d = NULL;

	for (int i = 0; i < 80; i++)
		g_string_append(text, "(");
	for (int i = 0; i < 80; i++)
		g_string_append(text, ")");
	g_string_append(text, "; };");
	d = tg_swu_description_parse(text->str, text->len, NULL, &err);
	g_string_free(text, TRUE);
	assert_null(d);
	assert_error(err, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT);
}

static void test_syntax_error_names_both(void **state)
{
	const char *text = "software = { version = \"1.0.0\"; x = ; };";
	g_autoptr(GError) err = NULL;
	g_autoptr(TgSwuDescription) d = tg_swu_description_parse(text, strlen(text), NULL, &err);

	assert_null(d);
	assert_error(err, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX);
	assert_contains(err->message, "libconfig (line 1");
	assert_contains(err->message, "JSON");
}

/* ---- candidates ---- */

static TgSwuDescription *parse_ok(const char *text)
{
	g_autoptr(GError) err = NULL;
	TgSwuDescription *d = tg_swu_description_parse(text, strlen(text), NULL, &err);

	assert_no_error(err);
	return d;
}

static void test_candidate_from_description(void **state)
{
	g_autoptr(TgSwuDescription) d = parse_ok(
		"software = { version = \"1.4.0\"; description = \"Thermostat\";"
		" update-type = \"firmware\"; scripts: ( { type = \"tollgate\"; version = \"1.4.0\";"
		" properties: { class = \"security\"; advisories = [\"CVE-2026-9\", \"CVE-2026-1\"];"
		" downtime = \"5m\"; reboot = \"true\"; component = \"fw\"; }; } ); };");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = tg_swu_description_candidate(d, "2022.12", &err);

	assert_no_error(err);
	assert_string_equal(c->version, "1.4.0");
	assert_string_equal(c->name, "Thermostat (update-type firmware)");
	assert_string_equal(c->updater, "swupdate");
	assert_string_equal(c->updater_version, "2022.12");
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
	assert_int_equal(c->advisories->len, 2);
	/* sorted: SWUpdate hands lists to handlers in reverse order */
	assert_string_equal(g_ptr_array_index(c->advisories, 0), "CVE-2026-1");
	assert_string_equal(g_ptr_array_index(c->advisories, 1), "CVE-2026-9");
	assert_int_equal(c->downtime, 300);
	assert_true(c->reboot);
	assert_string_equal(c->component, "fw");
	assert_true(c->has_metadata);
}

static void test_candidate_without_entry(void **state)
{
	g_autoptr(TgSwuDescription) d = parse_ok("software = { version = \"1.5.0\"; };");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = tg_swu_description_candidate(d, NULL, &err);

	assert_no_error(err);
	assert_string_equal(c->version, "1.5.0");
	assert_null(c->name);
	assert_false(c->has_metadata);
}

static void test_candidate_errors(void **state)
{
	g_autoptr(TgSwuDescription) mismatch = parse_ok(
		"software = { version = \"1.4.0\"; scripts: ( { type = \"tollgate\";"
		" version = \"1.9.0\"; } ); };");
	g_autoptr(TgSwuDescription) unknown = parse_ok(
		"software = { version = \"1.4.0\"; scripts: ( { type = \"tollgate\";"
		" properties: { colour = \"red\"; }; } ); };");
	g_autoptr(TgSwuDescription) badclass = parse_ok(
		"software = { version = \"1.4.0\"; scripts: ( { type = \"tollgate\";"
		" properties: { class = \"urgent\"; }; } ); };");
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;
	g_autoptr(TgCandidate) c1 = tg_swu_description_candidate(mismatch, NULL, &e1);
	g_autoptr(TgCandidate) c2 = tg_swu_description_candidate(unknown, NULL, &e2);
	g_autoptr(TgCandidate) c3 = tg_swu_description_candidate(badclass, NULL, &e3);

	assert_null(c1);
	assert_error(e1, TG_SWU_ERROR, TG_SWU_ERROR_VALUE);
	assert_contains(e1->message, "'1.9.0' differs");
	assert_null(c2);
	assert_error(e2, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_UNKNOWN);
	assert_contains(e2->message, "colour");
	assert_null(c3);
	assert_error(e3, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_VALUE);
	assert_contains(e3->message, "urgent");
}

static void test_set_property_counts(void **state)
{
	g_autoptr(TgCandidate) c = tg_swu_candidate_new("1.0.0", NULL, NULL);
	const char *two[] = { "high", "low" };
	const char *svc[] = { "web", "mqtt" };
	g_autoptr(GError) e1 = NULL, e2 = NULL;

	assert_false(tg_swu_candidate_set_property(c, "severity", two, 2, &e1));
	assert_error(e1, TG_SWU_ERROR, TG_SWU_ERROR_VALUE);
	assert_contains(e1->message, "only advisories and services take a list");
	assert_false(tg_swu_candidate_set_property(c, "risk", NULL, 0, &e2));
	assert_error(e2, TG_SWU_ERROR, TG_SWU_ERROR_VALUE);
	assert_true(tg_swu_candidate_set_property(c, "services", svc, 2, NULL));
	assert_int_equal(c->services->len, 2);
	assert_string_equal(g_ptr_array_index(c->services, 0), "mqtt");
}

static void test_candidate_name(void **state)
{
	g_autofree gchar *both = tg_swu_candidate_name("Fw", "app");
	g_autofree gchar *type = tg_swu_candidate_name("", "app");
	g_autofree gchar *desc = tg_swu_candidate_name("Fw", NULL);
	g_autofree gchar *none = tg_swu_candidate_name(NULL, "");

	assert_string_equal(both, "Fw (update-type app)");
	assert_string_equal(type, "(update-type app)");
	assert_string_equal(desc, "Fw");
	assert_null(none);
}

static void test_digest_file(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = tg_test_write(dir, "sw-description", "abc");
	g_autofree gchar *missing = g_build_filename(dir, "nope", NULL);
	g_autoptr(TgCandidate) c = tg_swu_candidate_new("1.0.0", NULL, NULL);
	g_autoptr(GError) err = NULL;

	assert_true(tg_swu_candidate_set_digest_file(c, path, NULL));
	assert_string_equal(c->digest,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_false(tg_swu_candidate_set_digest_file(c, missing, &err));
	assert_error(err, TG_SWU_ERROR, TG_SWU_ERROR_IO);
	tg_test_rmtree(dir);
}

static void test_description_path(void **state)
{
	g_autofree gchar *old = g_strdup(g_getenv("TMPDIR"));
	g_autofree gchar *set = NULL, *unset = NULL;

	g_setenv("TMPDIR", "/run/swu", TRUE);
	set = tg_swu_description_path();
	g_unsetenv("TMPDIR");
	unset = tg_swu_description_path();
	if (old)
		g_setenv("TMPDIR", old, TRUE);
	assert_string_equal(set, "/run/swu/sw-description");
	assert_string_equal(unset, "/tmp/sw-description");
}

/* ---- INFO payloads ---- */

static JsonObject *parse_object(const char *text)
{
	g_autoptr(JsonParser) p = json_parser_new();

	assert_true(json_parser_load_from_data(p, text, -1, NULL));
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

static void test_info_fits(void **state)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	JsonObject *notice = json_object_new();
	g_autofree gchar *risk = g_strnfill(10000, 'r');
	g_autofree gchar *info = NULL;
	g_autofree gchar *tiny = NULL;
	g_autoptr(JsonObject) root = NULL;
	JsonObject *inner;

	json_node_take_object(node, notice);
	json_object_set_string_member(notice, "type", "security-update");
	json_object_set_string_member(notice, "risk", risk);
	info = tg_swu_info_new("notice", "notice", node, TG_SWU_INFO_MAX);
	assert_non_null(info);
	assert_true(strlen(info) <= TG_SWU_INFO_MAX);
	root = parse_object(info);
	inner = json_object_get_object_member(root, TG_SWU_INFO_MEMBER);
	assert_string_equal(json_object_get_string_member(inner, "kind"), "notice");
	assert_true(json_object_get_boolean_member(inner, "truncated"));
	assert_string_equal(json_object_get_string_member(
				    json_object_get_object_member(inner, "notice"), "type"),
			    "security-update");
	tiny = tg_swu_info_new("notice", "notice", node, 20);
	assert_null(tiny);
}

static void test_info_decision(void **state)
{
	g_autoptr(TgDecision) d = tg_decision_new();
	g_autofree gchar *info = NULL;
	g_autoptr(JsonObject) root = NULL;
	JsonObject *inner;

	d->verdict = TG_VERDICT_DEFER;
	d->reason = g_strdup("approval-required");
	d->message = g_strdup("Approve it first.");
	d->version = g_strdup("1.2.0");
	d->component = g_strdup("system");
	d->until = g_date_time_new_utc(2027, 1, 2, 3, 4, 5);
	info = tg_swu_info_decision(d);
	root = parse_object(info);
	inner = json_object_get_object_member(root, TG_SWU_INFO_MEMBER);
	assert_string_equal(json_object_get_string_member(inner, "kind"), "decision");
	assert_string_equal(json_object_get_string_member(inner, "verdict"), "defer");
	assert_string_equal(json_object_get_string_member(inner, "version"), "1.2.0");
	assert_string_equal(json_object_get_string_member(inner, "until"), "2027-01-02T03:04:05Z");
	assert_false(json_object_has_member(inner, "truncated"));
}

/* ---- the listener ---- */

typedef struct {
	int status;
	const char *info;
	TgSwuEvent event;
} Msg;

static void feed_all(TgSwuListener *l, const Msg *msgs, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		g_autoptr(JsonObject) payload = NULL;
		TgSwuEvent ev = tg_swu_listener_feed(l, msgs[i].status, msgs[i].info,
						     msgs[i].info ? strlen(msgs[i].info) : 0,
						     &payload);

		print_message("message %zu\n", i);
		assert_int_equal(ev, msgs[i].event);
		assert_int_equal(payload != NULL, ev == TG_SWU_EVENT_NOTICE);
	}
}

static void test_listener_failure(void **state)
{
	const Msg msgs[] = {
		{ TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_NONE },	/* no update running */
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"VERSION\" : \"1.1.0\"}}", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_RUN, "not json", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_FAILURE, "HASH mismatch", TG_SWU_EVENT_FAILED },
	};
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	feed_all(l, msgs, G_N_ELEMENTS(msgs));
	assert_string_equal(tg_swu_listener_version(l), "1.1.0");
	assert_string_equal(tg_swu_listener_error(l), "HASH mismatch");
	assert_false(tg_swu_listener_blocked(l));
	assert_false(tg_swu_listener_recorded(l));
}

/* The progress connection closes in the middle of an install (SWUpdate
 * killed): a failure, marked interrupted; a closed connection between
 * updates is nothing. */
static void test_listener_lost(void **state)
{
	const Msg msgs[] = {
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"VERSION\" : \"1.2.2\"}}", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_PROGRESS, NULL, TG_SWU_EVENT_NONE },
	};
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	assert_int_equal(tg_swu_listener_lost(l), TG_SWU_EVENT_NONE);
	feed_all(l, msgs, G_N_ELEMENTS(msgs));
	assert_int_equal(tg_swu_listener_lost(l), TG_SWU_EVENT_FAILED);
	assert_true(tg_swu_listener_interrupted(l));
	assert_string_equal(tg_swu_listener_version(l), "1.2.2");
	assert_int_equal(tg_swu_listener_lost(l), TG_SWU_EVENT_NONE);	/* once */
	feed_all(l, msgs, 1);
	assert_false(tg_swu_listener_interrupted(l));
}

/* SWUpdate's own version limit: logged on the notification stream before
 * progress says anything; the FAILURE that follows ends that update. */
static void test_listener_updater_refusal(void **state)
{
	const Msg after[] = {
		{ TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_FAILED },
	};
	const Msg next[] = {
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"VERSION\" : \"2.1.0\"}}", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_FAILURE, "HASH mismatch", TG_SWU_EVENT_FAILED },
	};
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	tg_swu_listener_note(l, "Software Update started !");
	assert_null(tg_swu_listener_refusal(l));
	tg_swu_listener_note(l, "ERROR : No downgrading allowed: new version 1.5.0 <= installed 2.0.0");
	tg_swu_listener_note(l, "Max version set: new version 9.9 > max allowed 3.0");
	feed_all(l, after, G_N_ELEMENTS(after));
	assert_string_equal(tg_swu_listener_refusal(l),
			    "No downgrading allowed: new version 1.5.0 <= installed 2.0.0");
	assert_string_equal(tg_swu_listener_version(l), "1.5.0");
	/* the next update starts clean */
	feed_all(l, next, G_N_ELEMENTS(next));
	assert_null(tg_swu_listener_refusal(l));
	assert_string_equal(tg_swu_listener_version(l), "2.1.0");
	tg_swu_listener_note(l, "No reinstalling allowed: new version 2.1.0 == installed 2.1.0");
	assert_string_equal(tg_swu_listener_version(l), "2.1.0");
	assert_non_null(strstr(tg_swu_listener_refusal(l), "No reinstalling allowed"));
}

/* SWUpdate's signature check fails while it reads the .swu, before any
 * START: the note starts the update, and its FAILURE is a failed install
 * of unknown version whose error is the check's own text. A FAILURE with
 * no note and no START stays nobody's. */
static void test_listener_early_failure(void **state)
{
	const Msg fail[] = { { TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_FAILED } };
	const Msg stray[] = { { TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_NONE } };
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	(void)state;
	feed_all(l, stray, G_N_ELEMENTS(stray));
	tg_swu_listener_note(l, "[ERROR] : SWUPDATE failed [0] ERROR : Authentication of all "
			     "signatures failed");
	feed_all(l, fail, G_N_ELEMENTS(fail));
	assert_null(tg_swu_listener_version(l));
	assert_string_equal(tg_swu_listener_error(l), "Authentication of all signatures failed");
	assert_false(tg_swu_listener_blocked(l));
	tg_swu_listener_note(l, "description file name not the first of the list: rootfs.img "
			     "instead of sw-description.sig");
	feed_all(l, fail, G_N_ELEMENTS(fail));
	assert_non_null(strstr(tg_swu_listener_error(l), "sw-description.sig"));
}

static void test_listener_blocked(void **state)
{
	const Msg msgs[] = {
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"VERSION\" : \"0.9.0\"}}", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"tollgate\": {\"kind\": \"decision\", \"verdict\": "
				     "\"refuse\", \"version\": \"0.9.0\", \"component\": \"fw\"}}}",
		  TG_SWU_EVENT_NOTICE },
		{ TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_FAILED },
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_PROGRESS, "{\"0\": {\"tollgate\": {\"kind\": \"recorded\", "
					  "\"event\": \"update.failed\"}}}", TG_SWU_EVENT_NOTICE },
		{ TG_SWU_STATUS_FAILURE, NULL, TG_SWU_EVENT_FAILED },
	};
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	feed_all(l, msgs, 4);
	assert_true(tg_swu_listener_blocked(l));
	assert_string_equal(tg_swu_listener_component(l), "fw");
	feed_all(l, msgs + 4, 3);
	assert_false(tg_swu_listener_blocked(l));
	assert_true(tg_swu_listener_recorded(l));
	assert_null(tg_swu_listener_version(l));
}

static void test_listener_success(void **state)
{
	const Msg msgs[] = {
		{ TG_SWU_STATUS_START, NULL, TG_SWU_EVENT_STARTED },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"tollgate\": {\"kind\": \"decision\", \"verdict\": "
				     "\"allow\", \"version\": \"1.2.0\"}}}", TG_SWU_EVENT_NOTICE },
		{ TG_SWU_STATUS_RUN, "{\"0\": {\"VERSION\" : \"9.9.9\"}}", TG_SWU_EVENT_NONE },
		{ TG_SWU_STATUS_SUCCESS, NULL, TG_SWU_EVENT_SUCCEEDED },
		{ TG_SWU_STATUS_SUCCESS, NULL, TG_SWU_EVENT_NONE },
	};
	g_autoptr(TgSwuListener) l = tg_swu_listener_new();

	feed_all(l, msgs, G_N_ELEMENTS(msgs));
	/* tollgate's own decision names the version; SWUpdate's VERSION does not override it */
	assert_string_equal(tg_swu_listener_version(l), "1.2.0");
	assert_false(tg_swu_listener_blocked(l));
}

/* ---- the progress sink through a real engine ---- */

static void collect(const char *info, gpointer user_data)
{
	g_ptr_array_add(user_data, g_strdup(info));
}

static gchar *write_policy(const char *dir)
{
	g_autofree gchar *key = g_build_filename(dir, "state.key", NULL);
	g_autofree gchar *version = tg_test_write(dir, "version", "1.0.0\n");
	g_autofree gchar *text = g_strdup_printf(
		"[device]\nmodel=T1\ndevice-id=u1\n[versions]\nscheme=semver\n"
		"[state]\ndirectory=%s/state\nkey-file=%s\nversion-source=file\n"
		"version-path=%s\n[support]\nend=2030-12-31\n", dir, key, version);
	gchar *path = tg_test_write(dir, "tollgate.conf", text);

	chmod(path, 0644);
	return path;
}

static void test_engine_emits_notices(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *policy = write_policy(dir);
	g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDateTime) now = g_date_time_new_utc(2027, 3, 1, 12, 0, 0);
	TgSwuEngineOptions opts = { .config_path = policy, .now = now, .emit = collect,
				    .emit_data = infos };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = tg_swu_engine_open(&opts, &err);
	g_autoptr(TgCandidate) cand = tg_swu_candidate_new("1.0.1", NULL, NULL);
	g_autoptr(TgDecision) d = NULL;
	gboolean seen = FALSE;

	assert_no_error(err);
	assert_true(tg_candidate_set_meta(cand, "class", "security", "test", NULL));
	assert_true(tg_candidate_set_meta(cand, "risk", "remote code execution", "test", NULL));
	d = tg_engine_gate(engine, cand, &err);
	assert_no_error(err);
	assert_int_equal(d->verdict, TG_VERDICT_ALLOW);
	for (guint i = 0; i < infos->len; i++) {
		g_autoptr(JsonObject) root = parse_object(g_ptr_array_index(infos, i));
		JsonObject *inner = json_object_get_object_member(root, TG_SWU_INFO_MEMBER);
		JsonObject *notice = json_object_get_object_member(inner, "notice");

		assert_string_equal(json_object_get_string_member(inner, "kind"), "notice");
		if (g_str_equal(json_object_get_string_member(notice, "type"), "security-update"))
			seen = json_object_get_string_member(notice, "risk") &&
			       g_str_equal(json_object_get_string_member(notice, "risk"),
					   "remote code execution");
	}
	assert_true(seen);
	g_clear_pointer(&engine, tg_engine_close);
	tg_test_rmtree(dir);
}

/* ---- SWUpdate's configuration (update types) ---- */

#define GLOBALS "globals: { preupdatecmd = \"/usr/bin/tollgate swupdate-precheck\"; };\n"

static const struct {
	const char *text;
	gint code;		/* -1: passes */
	const char *needle;	/* in the message */
} config_cases[] = {
	{ GLOBALS, -1, NULL },
	{ "", -1, NULL },
	{ GLOBALS "update-types: ( { name = \"app\"; preupdatecmd = \"/usr/bin/tollgate "
		  "swupdate-precheck\"; } );", -1, NULL },
	/* the command of globals counts, also when it is a wrapper */
	{ "globals: { preupdatecmd = \"/sbin/gate.sh\"; };\nupdate-types: ( { name = \"os\"; "
	  "preupdatecmd = \"/sbin/gate.sh\"; } );", -1, NULL },
	/* SWUpdate ignores entries without a name and a "default" entry */
	{ GLOBALS "update-types: ( { no-downgrading = \"1.0\"; }, { name = \"default\"; } );", -1,
	  NULL },
	{ GLOBALS "update-types: ( { name = \"app\"; no-downgrading = \"2.0\"; } );",
	  TG_SWU_ERROR_VALUE, "update type 'app' has no preupdatecmd" },
	{ GLOBALS "update-types: ( { name = \"a\"; preupdatecmd = \"/usr/bin/tollgate "
		  "swupdate-precheck\"; }, { name = \"b\"; preupdatecmd = \"/bin/true\"; } );",
	  TG_SWU_ERROR_VALUE, "update type 'b'" },
	{ "update-types: ( { name = \"app\"; } );", TG_SWU_ERROR_VALUE,
	  "add preupdatecmd = \"/usr/bin/tollgate swupdate-precheck\"" },
	{ GLOBALS "update-types: { name = \"app\"; };", TG_SWU_ERROR_VALUE, "is not a list" },
	{ GLOBALS "update-types: ( { name = \"app\"; ", TG_SWU_ERROR_SYNTAX, "line 2" },
	{ GLOBALS "@include \"more.cfg\"\n", TG_SWU_ERROR_VALUE, "@include" },
};

static void test_config_update_types(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(config_cases); i++) {
		g_autoptr(GError) err = NULL;
		gboolean ok = tg_swu_config_check_data(config_cases[i].text, "test.cfg", NULL, &err);

		if (config_cases[i].code < 0) {
			if (!ok)
				fail_msg("case %zu: %s", i, err->message);
			continue;
		}
		if (ok)
			fail_msg("case %zu passed", i);
		assert_int_equal(err->code, config_cases[i].code);
		assert_non_null(strstr(err->message, "test.cfg"));
		if (!strstr(err->message, config_cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err->message, config_cases[i].needle);
	}
}

/* A file: @include lines are read next to it; a missing file is an error. */
static void test_config_file(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *main_cfg = g_build_filename(dir, "swupdate.cfg", NULL);
	g_autofree gchar *inc = g_build_filename(dir, "types.cfg", NULL);
	g_autoptr(GError) err = NULL;

	assert_true(g_file_set_contents(main_cfg, GLOBALS "@include \"types.cfg\"\n", -1, NULL));
	assert_true(g_file_set_contents(inc, "update-types: ( { name = \"app\"; } );\n", -1, NULL));
	assert_false(tg_swu_config_check_file(main_cfg, &err));
	assert_non_null(strstr(err->message, "update type 'app'"));
	assert_non_null(strstr(err->message, main_cfg));
	g_clear_error(&err);
	assert_true(tg_swu_config_check_file(inc, &err) == FALSE);
	g_clear_error(&err);
	assert_false(tg_swu_config_check_file("/nonexistent/swupdate.cfg", &err));
	assert_int_equal(err->code, TG_SWU_ERROR_IO);
	assert_non_null(strstr(err->message, "/nonexistent/swupdate.cfg"));
	/* not under SWUpdate: no configuration to find */
	assert_null(tg_swu_config_path());
	tg_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_deep_libconfig),
		cmocka_unit_test(test_syntax_error_names_both),
		cmocka_unit_test(test_candidate_from_description),
		cmocka_unit_test(test_candidate_without_entry),
		cmocka_unit_test(test_candidate_errors),
		cmocka_unit_test(test_set_property_counts),
		cmocka_unit_test(test_candidate_name),
		cmocka_unit_test(test_digest_file),
		cmocka_unit_test(test_description_path),
		cmocka_unit_test(test_info_fits),
		cmocka_unit_test(test_info_decision),
		cmocka_unit_test(test_listener_failure),
		cmocka_unit_test(test_listener_lost),
		cmocka_unit_test(test_listener_updater_refusal),
		cmocka_unit_test(test_listener_early_failure),
		cmocka_unit_test(test_listener_blocked),
		cmocka_unit_test(test_listener_success),
		cmocka_unit_test(test_engine_emits_notices),
		cmocka_unit_test(test_config_update_types),
		cmocka_unit_test(test_config_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
