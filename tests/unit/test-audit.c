/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log writer: record format, limits, hostile input, durability,
 * rotation, checkpoints, crash recovery, fault injection, the event
 * catalogue against its documentation, and the JSON Schema. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "tg-test.h"
#include "tg-config.h"
#include "tollgate/audit.h"
#include "audit-private.h"
#include "tg-crypto.h"
#include "tg-io.h"

#define POLICY_HASH "5d41402abc4b2a76b9719d911017c592ae8e7c6a2c3e4d5f60718293a4b5c6d7"
#define CRASH_ROUNDS 200
#define CRASH_SEED 20240501

typedef struct {
	gchar *tmp;	/* removed by teardown */
	gchar *dir;	/* tmp/audit (not created) */
	gchar *key;	/* tmp/hmac.key, mode 0600 */
} Fixture;

static int setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->tmp = tg_test_mkdtemp();
	f->dir = g_build_filename(f->tmp, "audit", NULL);
	f->key = tg_test_write(f->tmp, "hmac.key", "0123456789abcdef0123456789abcdef");
	assert_int_equal(chmod(f->key, 0600), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;

	tg_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f->dir);
	g_free(f->key);
	g_free(f);
	return 0;
}

static TgAuditOptions options(const Fixture *f)
{
	return (TgAuditOptions){
		.dir = f->dir,
		.model = "TG-Router 3000",
		.device_id = "SN-0042",
		.hardware_revision = "rev-B",
		.policy_hash = POLICY_HASH,
	};
}

static TgAuditLog *open_ok(const TgAuditOptions *opts)
{
	g_autoptr(GError) err = NULL;
	TgAuditLog *log = tg_audit_open(opts, &err);

	assert_no_error(err);
	assert_non_null(log);
	return log;
}

static JsonObject *body_from(const char *json)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;

	if (!json_parser_load_from_data(parser, json, -1, &err))
		fail_msg("test body does not parse: %s", err->message);
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static guint64 append_ok(TgAuditLog *log, const char *event, JsonObject *body)
{
	g_autoptr(GError) err = NULL;
	guint64 seq = 0;

	if (!tg_audit_append(log, event, body, &seq, &err))
		fail_msg("append of %s failed: %s", event, err ? err->message : "(no error)");
	return seq;
}

static guint64 append_setting(TgAuditLog *log, guint i)
{
	g_autoptr(JsonObject) body = json_object_new();

	json_object_set_string_member(body, "setting", "notifications");
	json_object_set_boolean_member(body, "old", i % 2 == 0);
	json_object_set_boolean_member(body, "new", i % 2 == 1);
	json_object_set_int_member(body, "round", i);
	return append_ok(log, "user.settings-changed", body);
}

/* Lines of @path, each with its '\n' (a last line without one is kept). */
static GPtrArray *read_lines(const char *path)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) err = NULL;
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	gsize len = 0;
	const char *p;

	if (!g_file_get_contents(path, &text, &len, &err))
		fail_msg("cannot read %s: %s", path, err->message);
	for (p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (gsize)(text + len - p));
		const char *end = nl ? nl + 1 : text + len;

		g_ptr_array_add(lines, g_strndup(p, (gsize)(end - p)));
		p = end;
	}
	return lines;
}

static gchar *file_in(const Fixture *f, const char *name)
{
	return g_build_filename(f->dir, name, NULL);
}

static JsonObject *parse_line(const char *line)
{
	g_autoptr(GError) err = NULL;
	JsonObject *obj = tg_audit_parse_line(line, strlen(line), &err);

	assert_no_error(err);
	assert_non_null(obj);
	return obj;
}

static guint64 seq_of(const char *line)
{
	g_autoptr(JsonObject) obj = parse_line(line);

	return (guint64)json_object_get_int_member(obj, "seq");
}

static gchar *event_of(const char *line)
{
	g_autoptr(JsonObject) obj = parse_line(line);

	return g_strdup(json_object_get_string_member(obj, "event"));
}

static gchar *hash_of(const char *line)
{
	char hex[TG_SHA256_HEX_LEN + 1];

	tg_sha256_hex(line, strlen(line), hex);
	return g_strdup(hex);
}

static gsize file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return (gsize)st.st_size;
}

static gchar *file_text(const char *path)
{
	gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return g_strdup("");
	return text;
}

static void assert_verifies(const char *dir, const char *key, guint64 records)
{
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;

	assert_true(tg_audit_verify(dir, NULL, key, NULL, &res, &err));
	assert_no_error(err);
	if (!res.ok)
		fail_msg("verify failed: %s", res.message);
	if (records)
		assert_int_equal(res.records, records);
	tg_audit_verify_result_clear(&res);
}

static void set_fault(const char *spec)
{
	if (spec)
		g_setenv("TOLLGATE_FAULT", spec, TRUE);
	else
		g_unsetenv("TOLLGATE_FAULT");
	tg_io_reset_faults();
}

/* ---- catalogue ---- */

static void test_catalogue(void **state)
{
	g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
	guint n = 0;
	const TgAuditEventInfo *events = tg_audit_events(&n);
	static const char *const required[] = {
		"gate.decision", "gate.confirmed", "update.installed", "update.failed", "update.updater-refused",
		"update.committed", "update.fell-back",
		"user.postponed", "user.approved", "user.settings-changed", "state.initialized",
		"state.anchored", "state.recovered", "state.tamper-detected", "clock.rollback-detected",
		"support.ending", "support.ended", "support.extended", "log.rotated",
		"log.recovered", "log.checkpoint", "notice.delivered", "notice.failed",
		"update.check",
	};

	assert_true(n >= G_N_ELEMENTS(required));
	for (guint i = 0; i < n; i++) {
		assert_int_equal(strlen(events[i].message_id), 32);
		assert_int_equal(strspn(events[i].message_id, "0123456789abcdef"), 32);
		assert_true(strlen(events[i].description) > 10);
		assert_null(g_hash_table_lookup(ids, events[i].message_id));
		g_hash_table_insert(ids, (gpointer)events[i].message_id, (gpointer)events[i].name);
		assert_ptr_equal(tg_audit_message_id(events[i].name), events[i].message_id);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(required); i++)
		if (!tg_audit_message_id(required[i]))
			fail_msg("event %s is not in the catalogue", required[i]);
	/* Message IDs are an API: these two must never change. */
	assert_string_equal(tg_audit_message_id("gate.decision"), "99a14317173dad14ab3e0491db8611b8");
	assert_string_equal(tg_audit_message_id("log.checkpoint"), "d6eee5dbf23fa0a353336953dc9e9562");
	assert_null(tg_audit_message_id("gate.decisions"));
	assert_null(tg_audit_message_id(NULL));
}

static gchar *source_file(const char *rel)
{
	const char *src = g_getenv("TG_SOURCE_DIR");

	return g_build_filename(src ? src : ".", rel, NULL);
}

/* docs/audit-events.md has one line naming each event with its exact ID. */
static void test_catalogue_documented(void **state)
{
	g_autofree gchar *path = source_file("docs/audit-events.md");
	g_autofree gchar *doc = NULL;
	g_auto(GStrv) lines = NULL;
	guint n = 0;
	const TgAuditEventInfo *events = tg_audit_events(&n);

	if (!g_file_get_contents(path, &doc, NULL, NULL))
		fail_msg("cannot read %s (set TG_SOURCE_DIR)", path);
	lines = g_strsplit(doc, "\n", -1);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *name = g_strdup_printf("`%s`", events[i].name);
		g_autofree gchar *id = g_strdup_printf("`%s`", events[i].message_id);
		gboolean found = FALSE;

		for (gchar **l = lines; *l && !found; l++)
			found = strstr(*l, name) && strstr(*l, id);
		if (!found)
			fail_msg("%s has no line with %s and %s", path, name, id);
	}
}

/* The schema knows every event, with the catalogue's message ID. */
static void test_catalogue_in_schema(void **state)
{
	g_autofree gchar *path = source_file("docs/schema/audit-record.schema.json");
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	JsonObject *root;
	JsonArray *all_of, *names;
	guint n = 0;
	const TgAuditEventInfo *events = tg_audit_events(&n);

	if (!json_parser_load_from_file(parser, path, &err))
		fail_msg("cannot read %s: %s", path, err->message);
	root = json_node_get_object(json_parser_get_root(parser));
	all_of = json_object_get_array_member(root, "allOf");
	for (guint i = 0; i < json_array_get_length(all_of); i++) {
		JsonObject *rule = json_array_get_object_element(all_of, i);
		JsonObject *cond = json_object_get_object_member(rule, "if");
		JsonObject *then = json_object_get_object_member(rule, "then");
		JsonObject *cprops = json_object_get_object_member(cond, "properties");
		JsonObject *ev, *mid;

		if (!json_object_has_member(cprops, "event"))
			continue;	/* a rule on the schema version, not on an event */
		ev = json_object_get_object_member(cprops, "event");
		mid = json_object_get_object_member(
			json_object_get_object_member(then, "properties"), "message_id");
		g_hash_table_insert(seen, g_strdup(json_object_get_string_member(ev, "const")),
				    g_strdup(json_object_get_string_member(mid, "const")));
	}
	names = json_object_get_array_member(json_object_get_object_member(
		json_object_get_object_member(root, "properties"), "event"), "enum");
	assert_int_equal(json_array_get_length(names), n);
	assert_int_equal(g_hash_table_size(seen), n);
	for (guint i = 0; i < n; i++) {
		const char *id = g_hash_table_lookup(seen, events[i].name);

		if (!id || !g_str_equal(id, events[i].message_id))
			fail_msg("schema rule for %s has message ID %s, catalogue %s",
				 events[i].name, id ? id : "(none)", events[i].message_id);
		assert_string_equal(json_array_get_string_element(names, i), events[i].name);
	}
}

/* ---- record format ---- */

static void test_record_members(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) log = open_ok(&opts);
	g_autoptr(GDateTime) when = g_date_time_new_utc(2024, 5, 1, 12, 30, 45);
	g_autoptr(JsonObject) body = body_from(
		"{\"transaction_id\":\"tx-1\",\"zeta\":1,\"mechanism\":\"7-UpdMech-1\","
		"\"alpha\":{\"b\":2,\"a\":[1,\"x\"]}}");
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(JsonObject) rec = NULL;
	g_autoptr(GList) members = NULL;
	static const char *const order[] = {
		"prev", "schema", "seq", "time", "time_trust", "monotonic_us", "boot_id", "event",
		"message_id", "device", "policy_hash", "transaction_id", "zeta", "mechanism", "alpha",
	};
	g_autofree gchar *h1 = NULL;
	JsonObject *device;
	struct stat st;
	guint i = 0;

	tg_audit_set_time(log, when, TG_TIME_OVERRIDE);
	assert_int_equal(tg_audit_last_seq(log), 0);
	assert_int_equal(append_ok(log, "update.check", body), 1);
	lines = read_lines(path);
	assert_int_equal(lines->len, 1);
	assert_true(g_str_has_prefix(lines->pdata[0],
				     "{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":2,\"seq\":1,"
				     "\"time\":\"2024-05-01T12:30:45Z\",\"time_trust\":\"override\","
				     "\"monotonic_us\":"));
	assert_true(g_str_has_suffix(lines->pdata[0], "\"alpha\":{\"b\":2,\"a\":[1,\"x\"]}}\n"));
	rec = parse_line(lines->pdata[0]);
	members = json_object_get_members(rec);
	assert_int_equal(g_list_length(members), G_N_ELEMENTS(order));
	for (GList *l = members; l; l = l->next)
		assert_string_equal(l->data, order[i++]);
	assert_string_equal(json_object_get_string_member(rec, "event"), "update.check");
	assert_string_equal(json_object_get_string_member(rec, "message_id"),
			    "020c856ffdd3bdb0cfbcdcc0e644660b");
	assert_true(json_object_get_int_member(rec, "monotonic_us") > 0);
	assert_true(strlen(json_object_get_string_member(rec, "boot_id")) >= 7);
	assert_string_equal(json_object_get_string_member(rec, "policy_hash"), POLICY_HASH);
	device = json_object_get_object_member(rec, "device");
	assert_string_equal(json_object_get_string_member(device, "model"), "TG-Router 3000");
	assert_string_equal(json_object_get_string_member(device, "device_id"), "SN-0042");
	assert_string_equal(json_object_get_string_member(device, "hardware_revision"), "rev-B");

	/* The second record chains to the first line's exact bytes. */
	tg_audit_set_time(log, NULL, TG_TIME_CLAMPED);
	assert_int_equal(append_setting(log, 1), 2);
	g_ptr_array_unref(g_steal_pointer(&lines));
	lines = read_lines(path);
	h1 = hash_of(lines->pdata[0]);
	g_clear_pointer(&rec, json_object_unref);
	rec = parse_line(lines->pdata[1]);
	assert_string_equal(json_object_get_string_member(rec, "prev"), h1);
	assert_string_equal(json_object_get_string_member(rec, "time_trust"), "clamped");
	assert_string_not_equal(json_object_get_string_member(rec, "time"), "2024-05-01T12:30:45Z");
	assert_int_equal(tg_audit_last_seq(log), 2);

	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

/* Closing and opening again continues seq and chain from the last line. */
static void test_reopen_continues(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(JsonObject) rec = NULL;
	g_autofree gchar *h3 = NULL;

	for (guint round = 0; round < 3; round++) {
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_int_equal(tg_audit_last_seq(log), round);
		assert_int_equal(append_setting(log, round), round + 1);
	}
	lines = read_lines(path);
	assert_int_equal(lines->len, 3);
	h3 = hash_of(lines->pdata[2]);
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_int_equal(append_ok(log, "state.initialized", NULL), 4);
	}
	g_ptr_array_unref(g_steal_pointer(&lines));
	lines = read_lines(path);
	rec = parse_line(lines->pdata[3]);
	assert_string_equal(json_object_get_string_member(rec, "prev"), h3);
	assert_int_equal(json_object_get_int_member(rec, "seq"), 4);
	assert_true(tg_audit_has_history(f->dir));
	assert_verifies(f->dir, NULL, 4);
}

/* ---- refused input ---- */

static void test_refused_appends(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) log = open_ok(&opts);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autoptr(JsonObject) reserved = body_from("{\"ok\":1,\"seq\":99}");
	g_autoptr(JsonObject) huge = json_object_new();
	g_autoptr(JsonObject) deep = json_object_new();
	g_autofree gchar *filler = g_strnfill(4000, 'x');
	JsonObject *level = deep;
	static const char *const refused_events[] = {
		"no.such-event", "log.checkpoint", "log.rotated", "log.recovered", "",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(refused_events); i++) {
		g_autoptr(GError) err = NULL;

		assert_false(tg_audit_append(log, refused_events[i], NULL, NULL, &err));
		assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_EVENT);
		assert_contains(err->message, refused_events[i]);
	}
	for (guint i = 0; i < 20; i++) {
		g_autofree gchar *name = g_strdup_printf("m%u", i);

		json_object_set_string_member(huge, name, filler);
	}
	for (guint i = 0; i < TG_AUDIT_MAX_DEPTH + 5; i++) {
		JsonObject *child = json_object_new();

		json_object_set_object_member(level, "next", child);
		level = child;
	}
	{
		g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;

		assert_false(tg_audit_append(log, "update.check", reserved, NULL, &e1));
		assert_error(e1, TG_AUDIT_ERROR, TG_AUDIT_ERROR_BODY);
		assert_contains(e1->message, "'seq'");
		assert_false(tg_audit_append(log, "update.check", huge, NULL, &e2));
		assert_error(e2, TG_AUDIT_ERROR, TG_AUDIT_ERROR_TOO_LARGE);
		assert_false(tg_audit_append(log, "update.check", deep, NULL, &e3));
		assert_error(e3, TG_AUDIT_ERROR, TG_AUDIT_ERROR_BODY);
	}
	/* Nothing was written, and no seq was used up. */
	assert_int_equal(file_size(path), 0);
	assert_int_equal(append_setting(log, 0), 1);
}

static void test_bad_options(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *link = g_build_filename(f->tmp, "link", NULL);
	g_autofree gchar *real = g_build_filename(f->tmp, "real", NULL);
	g_autofree gchar *missing_key = g_build_filename(f->tmp, "none.key", NULL);
	struct {
		TgAuditOptions opts;
		GQuark domain;
		int code;
		const char *text;
	} cases[] = {
		{ { .dir = NULL }, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS, "no audit directory" },
		{ { .dir = f->dir, .checkpoint_every = 5 }, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
		  "need a checkpoint key" },
		{ { .dir = f->dir, .checkpoint_every = 5, .checkpoint_key = f->key,
		    .checkpoint_alg = "rsa" }, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS, "'rsa'" },
		{ { .dir = f->dir, .checkpoint_every = 5, .checkpoint_key = missing_key },
		  TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY, "none.key" },
		{ { .dir = link }, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO, "symlink" },
	};

	assert_int_equal(g_mkdir(real, 0750), 0);
	assert_int_equal(symlink(real, link), 0);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgAuditLog) log = tg_audit_open(&cases[i].opts, &err);

		assert_null(log);
		assert_error(err, cases[i].domain, cases[i].code);
		assert_contains(err->message, cases[i].text);
	}
	/* audit.log itself must not be a symlink either. */
	{
		TgAuditOptions opts = options(f);
		g_autofree gchar *target = g_build_filename(f->tmp, "elsewhere", NULL);
		g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
		g_autoptr(GError) err = NULL;
		g_autoptr(TgAuditLog) log = NULL;

		assert_int_equal(g_mkdir_with_parents(f->dir, 0750), 0);
		assert_int_equal(symlink(target, path), 0);
		log = tg_audit_open(&opts, &err);
		assert_null(log);
		assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO);
		assert_contains(err->message, path);
		assert_false(g_file_test(target, G_FILE_TEST_EXISTS));
	}
}

/* A log or directory that group or others may write is refused; 0640 in a
 * 0750 directory (what tollgate creates) and stricter modes are fine. */
static void test_writable_by_others(void **state)
{
	static const struct {
		mode_t dir, file;
		gboolean ok;
		const char *text;
	} cases[] = {
		{ 0750, 0640, TRUE, NULL },
		{ 0700, 0600, TRUE, NULL },
		{ 0750, 0660, FALSE, "audit.log has mode 0660" },
		{ 0750, 0606, FALSE, "audit.log has mode 0606" },
		{ 0770, 0640, FALSE, "audit has mode 0770" },
		{ 0757, 0640, FALSE, "audit has mode 0757" },
	};
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);

	{
		g_autoptr(TgAuditLog) first = open_ok(&opts);

		assert_int_equal(append_setting(first, 0), 1);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgAuditLog) log = NULL;

		assert_int_equal(chmod(f->dir, cases[i].dir), 0);
		assert_int_equal(chmod(path, cases[i].file), 0);
		log = tg_audit_open(&opts, &err);
		if (cases[i].ok) {
			assert_no_error(err);
			assert_non_null(log);
			continue;
		}
		assert_null(log);
		assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO);
		assert_contains(err->message, cases[i].text);
		assert_contains(err->message, "chmod");
	}
}

/* ---- hostile strings ---- */

static void test_hostile_strings(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) log = open_ok(&opts);
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonObject) cand = json_object_new();
	g_autoptr(JsonArray) advisories = json_array_new();
	g_autofree gchar *big = g_strnfill(100 * 1024, 'a');
	g_autoptr(GString) accents = g_string_new(NULL);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autofree gchar *text = NULL;
	g_autoptr(JsonObject) rec = NULL;
	JsonObject *c;
	const char *s;

	for (guint i = 0; i < 3000; i++)
		g_string_append(accents, "\xc3\xa9");	/* é: 2 bytes */
	json_object_set_string_member(cand, "name", "evil\nname \"quoted\" back\\slash");
	json_object_set_string_member(cand, "version", "1.0\r\n{\"prev\":\"forged\"}");
	json_object_set_string_member(cand, "risk", "bad \xff\xfe bytes \xc3");
	json_object_set_string_member(cand, "severity", "\x01\x1b[31mred\x7f");
	json_object_set_string_member(cand, "big", big);
	json_object_set_string_member(cand, "accents", accents->str);
	json_object_set_double_member(cand, "score", NAN);
	json_array_add_string_element(advisories, "CVE-2024-0001\n");
	json_array_add_string_element(advisories, "\xc0\xaf../../etc");
	json_object_set_array_member(cand, "advisories", g_steal_pointer(&advisories));
	json_object_set_object_member(body, "candidate", g_steal_pointer(&cand));
	json_object_set_string_member(body, "key\nwith newline", "v");
	assert_int_equal(append_ok(log, "gate.error", body), 1);

	text = file_text(path);
	/* One line: the only newline byte ends it, no raw control bytes. */
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	for (const char *p = text; *p != '\n'; p++)
		if ((guchar)*p < 0x20)
			fail_msg("raw control byte 0x%02x in the record", (guchar)*p);
	assert_true(g_utf8_validate(text, -1, NULL));
	rec = parse_line(text);
	c = json_object_get_object_member(rec, "candidate");
	assert_string_equal(json_object_get_string_member(c, "name"),
			    "evil\nname \"quoted\" back\\slash");
	assert_string_equal(json_object_get_string_member(c, "version"),
			    "1.0\r\n{\"prev\":\"forged\"}");
	s = json_object_get_string_member(c, "risk");
	assert_true(g_str_has_prefix(s, "bad \xef\xbf\xbd"));
	assert_true(g_str_has_suffix(s, " bytes \xef\xbf\xbd"));
	assert_string_equal(json_object_get_string_member(c, "severity"), "\x01\x1b[31mred\x7f");
	s = json_object_get_string_member(c, "big");
	assert_int_equal(strlen(s), TG_AUDIT_MAX_FIELD);
	assert_true(g_str_has_suffix(s, TG_AUDIT_TRUNCATED_MARK));
	assert_int_equal(strspn(s, "a"), TG_AUDIT_MAX_FIELD - strlen(TG_AUDIT_TRUNCATED_MARK));
	s = json_object_get_string_member(c, "accents");
	assert_true(g_utf8_validate(s, -1, NULL));
	assert_true(strlen(s) <= TG_AUDIT_MAX_FIELD);
	assert_true(g_str_has_suffix(s, "\xc3\xa9" TG_AUDIT_TRUNCATED_MARK));
	assert_true(json_node_is_null(json_object_get_member(c, "score")));
	assert_string_equal(json_array_get_string_element(
		json_object_get_array_member(c, "advisories"), 0), "CVE-2024-0001\n");
	assert_true(g_utf8_validate(json_array_get_string_element(
		json_object_get_array_member(c, "advisories"), 1), -1, NULL));
	assert_string_equal(json_object_get_string_member(rec, "key\nwith newline"), "v");
	assert_verifies(f->dir, NULL, 1);
}

/* ---- rotation and checkpoints ---- */

static void check_checkpoint_line(const char *line, const char *prev_line, const char *key)
{
	g_autoptr(JsonObject) rec = parse_line(line);
	g_autoptr(GBytes) kb = tg_read_key_file(key, NULL);
	g_autofree gchar *h = hash_of(prev_line);
	g_autofree gchar *msg = g_strdup_printf("tollgate-checkpoint 1 %" G_GUINT64_FORMAT " %s",
						seq_of(prev_line), h);
	char mac[TG_SHA256_HEX_LEN + 1];
	gsize klen;
	const guint8 *k = g_bytes_get_data(kb, &klen);

	assert_true(tg_hmac_sha256_hex(k, klen, msg, strlen(msg), mac, NULL));
	assert_int_equal(json_object_get_int_member(rec, "head_seq"), seq_of(prev_line));
	assert_string_equal(json_object_get_string_member(rec, "head_hash"), h);
	assert_string_equal(json_object_get_string_member(rec, "alg"), "hmac-sha256");
	assert_string_equal(json_object_get_string_member(rec, "sig"), mac);
}

/* Every line of every file, oldest first, with the file each came from. */
static void all_lines(const char *dir, GPtrArray *lines, GPtrArray *files)
{
	g_auto(GStrv) paths = tg_audit_list_files(dir, NULL);

	assert_non_null(paths);
	for (gchar **p = paths; *p; p++) {
		g_autoptr(GPtrArray) l = read_lines(*p);

		for (guint i = 0; i < l->len; i++) {
			g_ptr_array_add(lines, g_strdup(l->pdata[i]));
			g_ptr_array_add(files, g_path_get_basename(*p));
		}
	}
}

/* Line @i of the whole log: seq, chain, and the rotation and checkpoint
 * rules (a new file starts with log.rotated; a checkpoint follows every
 * log.rotated and every record whose seq is a multiple of 10). */
static void check_line_rules(GPtrArray *lines, GPtrArray *files, guint i, const char *key,
			     guint *rotations, guint *checkpoints)
{
	g_autofree gchar *event = event_of(lines->pdata[i]);
	g_autoptr(JsonObject) rec = parse_line(lines->pdata[i]);
	g_autofree gchar *h = i > 0 ? hash_of(lines->pdata[i - 1]) : g_strdup(TG_AUDIT_GENESIS);

	assert_int_equal(seq_of(lines->pdata[i]), i + 1);
	assert_string_equal(json_object_get_string_member(rec, "prev"), h);
	if (i > 0 && !g_str_equal(files->pdata[i], files->pdata[i - 1])) {
		assert_string_equal(event, "log.rotated");
		assert_string_equal(json_object_get_string_member(rec, "previous_file"),
				    "audit.log.1");
		assert_int_equal(json_object_get_int_member(rec, "previous_last_seq"), i);
		(*rotations)++;
	}
	if (g_str_equal(event, "log.checkpoint")) {
		g_autofree gchar *before = event_of(lines->pdata[i - 1]);

		assert_true(g_str_equal(before, "log.rotated") || i % 10 == 0);
		check_checkpoint_line(lines->pdata[i], lines->pdata[i - 1], key);
		(*checkpoints)++;
	} else if (g_str_equal(event, "log.rotated") || (i + 1) % 10 == 0) {
		g_autofree gchar *after = event_of(lines->pdata[i + 1]);

		assert_string_equal(after, "log.checkpoint");
	}
}

static void test_rotation_and_checkpoints(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) paths = NULL;
	TgAuditVerifyResult res = { 0 };
	guint checkpoints = 0, rotations = 0;

	opts.max_size = 4096;
	opts.checkpoint_every = 10;
	opts.checkpoint_key = f->key;
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		for (guint i = 1; i <= 50; i++)
			append_setting(log, i);
	}
	paths = tg_audit_list_files(f->dir, NULL);
	assert_true(g_strv_length(paths) >= 5);
	for (gchar **p = paths; *(p + 1); p++)
		assert_true(file_size(*p) <= opts.max_size);
	all_lines(f->dir, lines, files);
	for (guint i = 0; i < lines->len; i++)
		check_line_rules(lines, files, i, f->key, &rotations, &checkpoints);
	assert_true(rotations >= 3);
	/* Periodic checkpoints happened too, not only those after rotations. */
	assert_true(checkpoints >= rotations + 3);
	assert_true(tg_audit_verify(f->dir, NULL, f->key, "hmac-sha256", &res, NULL));
	assert_true(res.ok);
	assert_int_equal(res.records, lines->len);
	assert_int_equal(res.checkpoints, checkpoints);
	tg_audit_verify_result_clear(&res);
}

static void test_max_files(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *f1 = file_in(f, "audit.log.1");
	g_autofree gchar *f2 = file_in(f, "audit.log.2");
	g_autofree gchar *f3 = file_in(f, "audit.log.3");
	g_auto(GStrv) paths = NULL;
	TgAuditVerifyResult res = { 0 };

	opts.max_size = 2048;
	opts.max_files = 2;
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		for (guint i = 1; i <= 40; i++)
			append_setting(log, i);
	}
	paths = tg_audit_list_files(f->dir, NULL);
	assert_int_equal(g_strv_length(paths), 3);
	assert_string_equal(paths[0], f2);
	assert_string_equal(paths[1], f1);
	assert_false(g_file_test(f3, G_FILE_TEST_EXISTS));
	assert_true(tg_audit_verify(f->dir, NULL, NULL, NULL, &res, NULL));
	assert_true(res.ok);
	assert_contains(res.message, "no longer kept");
	tg_audit_verify_result_clear(&res);
}

/* A crash after the rename left an empty audit.log: the next record is
 * log.rotated, chained to audit.log.1. */
static void test_rotation_resumed(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *cur = file_in(f, TG_AUDIT_FILE);
	g_autofree gchar *old = file_in(f, "audit.log.1");
	g_autoptr(GPtrArray) before = NULL;
	g_autoptr(GPtrArray) after = NULL;
	g_autoptr(JsonObject) rec = NULL;
	g_autofree gchar *h = NULL;

	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		for (guint i = 1; i <= 3; i++)
			append_setting(log, i);
	}
	assert_int_equal(rename(cur, old), 0);
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_int_equal(tg_audit_last_seq(log), 3);
		assert_int_equal(append_setting(log, 4), 5);
	}
	before = read_lines(old);
	after = read_lines(cur);
	assert_int_equal(after->len, 2);
	rec = parse_line(after->pdata[0]);
	h = hash_of(before->pdata[2]);
	assert_string_equal(json_object_get_string_member(rec, "event"), "log.rotated");
	assert_string_equal(json_object_get_string_member(rec, "prev"), h);
	assert_int_equal(json_object_get_int_member(rec, "previous_last_seq"), 3);
	assert_verifies(f->dir, NULL, 5);
}

/* ---- recovery ---- */

static gchar *find_torn(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d)))
		if (g_str_has_prefix(name, "audit.log.torn-"))
			return g_strdup(name);
	return NULL;
}

static void append_raw(const char *path, const char *bytes)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	close(fd);
}

static void test_torn_line(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	const char *torn = "{\"prev\":\"0a1b2c\",\"schema\":1,\"seq\":4,\"ti";
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(JsonObject) rec = NULL;
	g_autofree gchar *side = NULL;
	g_autofree gchar *side_path = NULL;
	g_autofree gchar *side_text = NULL;
	g_autofree gchar *h3 = NULL;
	struct stat st;

	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		for (guint i = 1; i <= 3; i++)
			append_setting(log, i);
	}
	append_raw(path, torn);
	{
		TgAuditVerifyResult res = { 0 };

		assert_true(tg_audit_verify(f->dir, NULL, NULL, NULL, &res, NULL));
		assert_false(res.ok);
		assert_string_equal(res.problem, "truncated");
		assert_int_equal(res.bad_seq, 4);
		tg_audit_verify_result_clear(&res);
	}
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_int_equal(tg_audit_last_seq(log), 4);
		assert_int_equal(append_setting(log, 5), 5);
	}
	side = find_torn(f->dir);
	assert_non_null(side);
	side_path = file_in(f, side);
	side_text = file_text(side_path);
	assert_string_equal(side_text, torn);
	assert_int_equal(stat(side_path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	lines = read_lines(path);
	assert_int_equal(lines->len, 5);
	rec = parse_line(lines->pdata[3]);
	h3 = hash_of(lines->pdata[2]);
	assert_string_equal(json_object_get_string_member(rec, "event"), "log.recovered");
	assert_string_equal(json_object_get_string_member(rec, "prev"), h3);
	assert_int_equal(json_object_get_int_member(rec, "torn_bytes"), strlen(torn));
	assert_string_equal(json_object_get_string_member(rec, "moved_to"), side);
	assert_verifies(f->dir, NULL, 5);
}

/* The current file holds nothing but a torn line; the head is in .1. */
static void test_torn_whole_file(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autofree gchar *old = file_in(f, "audit.log.1");
	g_autoptr(GPtrArray) lines = NULL;
	g_autofree gchar *e0 = NULL, *e1 = NULL;

	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		append_setting(log, 1);
		append_setting(log, 2);
	}
	assert_int_equal(rename(path, old), 0);
	assert_true(g_file_set_contents(path, "{\"prev\":\"", -1, NULL));
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_int_equal(tg_audit_last_seq(log), 4);
	}
	lines = read_lines(path);
	assert_int_equal(lines->len, 2);
	e0 = event_of(lines->pdata[0]);
	e1 = event_of(lines->pdata[1]);
	assert_string_equal(e0, "log.rotated");
	assert_string_equal(e1, "log.recovered");
	assert_verifies(f->dir, NULL, 4);
}

/* The last complete line is no record: the chain cannot continue. */
static void test_garbage_head(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = NULL;

	assert_int_equal(g_mkdir(f->dir, 0750), 0);
	assert_true(g_file_set_contents(path, "not a record\n", -1, NULL));
	log = tg_audit_open(&opts, &err);
	assert_null(log);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE);
	assert_contains(err->message, path);
}

static void test_lock(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) first = open_ok(&opts);
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) second = NULL;
	gint64 start = g_get_monotonic_time();

	opts.lock_timeout_ms = 100;
	second = tg_audit_open(&opts, &err);
	assert_null(second);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_LOCKED);
	assert_contains(err->message, "audit.lock");
	assert_true(g_get_monotonic_time() - start >= 100 * 1000);
	g_clear_pointer(&first, tg_audit_close);
	second = open_ok(&opts);
	assert_int_equal(append_setting(second, 1), 1);
}

static void test_has_history(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);

	assert_false(tg_audit_has_history(f->dir));
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		assert_false(tg_audit_has_history(f->dir));
		append_setting(log, 1);
	}
	assert_true(tg_audit_has_history(f->dir));
	assert_false(tg_audit_has_history(NULL));
}

/* ---- fault injection ---- */

static void check_failed_append(const Fixture *f, const char *fault, const char *text)
{
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) log = open_ok(&opts);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	g_autoptr(JsonObject) rec = NULL;
	g_autofree gchar *h2 = NULL;
	guint64 seq = 77;

	append_setting(log, 1);
	append_setting(log, 2);
	before = file_text(path);
	set_fault(fault);
	assert_false(tg_audit_append(log, "update.check", NULL, &seq, &err));
	set_fault(NULL);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO);
	assert_contains(err->message, path);
	assert_contains(err->message, text);
	assert_int_equal(seq, 77);
	after = file_text(path);
	assert_string_equal(after, before);
	assert_int_equal(append_setting(log, 3), 3);
	lines = read_lines(path);
	assert_int_equal(lines->len, 3);
	rec = parse_line(lines->pdata[2]);
	h2 = hash_of(lines->pdata[1]);
	assert_string_equal(json_object_get_string_member(rec, "prev"), h2);
	assert_verifies(f->dir, NULL, 3);
}

static void test_fault_write_enospc(void **state)
{
	if (!TG_FAULT_INJECTION) {
		print_message("skipped: build without -Dfault_injection=true\n");
		skip();
	}
	check_failed_append(*state, "write:1:ENOSPC", "No space left on device");
}

static void test_fault_fsync_eio(void **state)
{
	if (!TG_FAULT_INJECTION) {
		print_message("skipped: build without -Dfault_injection=true\n");
		skip();
	}
	check_failed_append(*state, "fsync:1:EIO", "Input/output error");
}

static void test_fault_rotation(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(TgAuditLog) log = NULL;
	g_autoptr(GError) err = NULL;

	if (!TG_FAULT_INJECTION) {
		print_message("skipped: build without -Dfault_injection=true\n");
		skip();
	}
	opts.max_size = 1;	/* every append after the first rotates */
	log = open_ok(&opts);
	append_setting(log, 1);
	append_setting(log, 2);
	set_fault("rename:1:EIO");
	assert_false(tg_audit_append(log, "update.check", NULL, NULL, &err));
	set_fault(NULL);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO);
	assert_contains(err->message, "rotate");
	/* The failed rotation left audit.log in place; the next append rotates:
	 * .2 = [1], .1 = [rotated 2, 3], audit.log = [rotated 4, 5]. */
	assert_int_equal(append_setting(log, 3), 5);
	g_clear_pointer(&log, tg_audit_close);
	assert_verifies(f->dir, NULL, 5);
}

/* ---- crash test ---- */

static void child_loop(const TgAuditOptions *opts, int out)
{
	g_autoptr(TgAuditLog) log = tg_audit_open(opts, NULL);

	if (!log)
		_exit(3);
	for (guint i = 0;; i++) {
		guint64 seq = 0;
		g_autoptr(JsonObject) body = json_object_new();

		json_object_set_int_member(body, "round", i);
		json_object_set_string_member(body, "setting", "notifications");
		json_object_set_boolean_member(body, "new", TRUE);
		if (!tg_audit_append(log, "user.settings-changed", body, &seq, NULL))
			_exit(4);
		if (write(out, &seq, sizeof(seq)) != sizeof(seq))
			_exit(5);
	}
}

static void collect_reported(int in, GHashTable *reported)
{
	guint64 seq;
	ssize_t n;

	while ((n = read(in, &seq, sizeof(seq))) == sizeof(seq))
		g_hash_table_add(reported, g_memdup2(&seq, sizeof(seq)));
	assert_int_equal(n, 0);
}

static void assert_all_present(const char *dir, GHashTable *reported)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) present = g_hash_table_new_full(g_int64_hash, g_int64_equal,
							       g_free, NULL);
	GHashTableIter iter;
	gpointer key;

	all_lines(dir, lines, files);
	for (guint i = 0; i < lines->len; i++) {
		guint64 seq = seq_of(lines->pdata[i]);

		g_hash_table_add(present, g_memdup2(&seq, sizeof(seq)));
	}
	g_hash_table_iter_init(&iter, reported);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		if (!g_hash_table_contains(present, key))
			fail_msg("seq %" G_GUINT64_FORMAT " was reported durable but is gone",
				 *(guint64 *)key);
}

static void crash_round(const TgAuditOptions *opts, GRand *rand, GHashTable *reported)
{
	int pipefd[2];
	pid_t pid;
	int status = 0;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		child_loop(opts, pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	g_usleep((gulong)g_rand_int_range(rand, 0, 5001));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status))
		fail_msg("the child ended by itself with status %d", WEXITSTATUS(status));
	collect_reported(pipefd[0], reported);
	close(pipefd[0]);
}

static void test_crash_recovery(void **state)
{
	Fixture *f = *state;
	TgAuditOptions opts = options(f);
	g_autoptr(GRand) rand = g_rand_new_with_seed(CRASH_SEED);
	g_autoptr(GHashTable) reported = g_hash_table_new_full(g_int64_hash, g_int64_equal,
								g_free, NULL);

	opts.max_size = 32 * 1024;
	opts.checkpoint_every = 7;
	opts.checkpoint_key = f->key;
	for (guint round = 0; round < CRASH_ROUNDS; round++) {
		guint64 seq;

		crash_round(&opts, rand, reported);
		{
			g_autoptr(TgAuditLog) log = open_ok(&opts);

			seq = append_setting(log, round);
		}
		g_hash_table_add(reported, g_memdup2(&seq, sizeof(seq)));
		assert_verifies(f->dir, f->key, 0);
	}
	assert_true(g_hash_table_size(reported) > CRASH_ROUNDS);
	assert_all_present(f->dir, reported);
	print_message("crash test: %u records reported durable over %d kills\n",
		      g_hash_table_size(reported), CRASH_ROUNDS);
}

/* ---- schema ---- */

/* Bodies shaped like the engine's (policy/engine/engine-*.c). */
#define CANDIDATE \
	"\"mechanism\":\"UM-1\",\"updater\":{\"name\":\"rauc\",\"version\":\"1.11\"}," \
	"\"candidate\":{\"name\":\"rootfs-bundle\",\"version\":\"2.4.1\",\"component\":\"rootfs\"," \
	"\"digest\":\"" POLICY_HASH "\",\"declared_class\":\"security\"," \
	"\"advisories\":[\"CVE-2024-3094\"],\"severity\":\"critical\"," \
	"\"risk\":\"remote code execution in sshd\",\"reboot\":true,\"downtime_s\":90," \
	"\"disruptive\":true,\"slot_switch\":true,\"services\":[\"routing\"]," \
	"\"support_end\":\"2029-12-31T00:00:00Z\",\"has_metadata\":true}"

static const struct {
	const char *event;
	const char *body;
} realistic[] = {
	{ "gate.confirmed",
	  "{" CANDIDATE ",\"transaction_id\":\"7f3c2a10-9d4e-4b7a-8c1f-2e5d6a7b8c9d\","
	  "\"confirms\":\"precheck\",\"verdict\":\"allow\"}" },
	{ "gate.decision",
	  "{" CANDIDATE ",\"transaction_id\":\"7f3c2a10-9d4e-4b7a-8c1f-2e5d6a7b8c9d\","
	  "\"installed\":\"2.4.0\",\"floor\":\"2.3.0\",\"decision\":{\"verdict\":\"defer\","
	  "\"reason\":\"outside-window\",\"message\":\"waits for the maintenance window\","
	  "\"until\":\"2024-05-02T02:00:00Z\",\"class\":\"security\",\"component\":\"rootfs\","
	  "\"version\":\"2.4.1\",\"time\":\"2024-05-01T12:00:00Z\",\"time_trust\":\"system\","
	  "\"transaction_id\":\"7f3c2a10-9d4e-4b7a-8c1f-2e5d6a7b8c9d\"},"
	  "\"checks\":[{\"check\":\"rollback\",\"outcome\":\"pass\",\"reason\":\"above-floor\","
	  "\"message\":\"2.4.1 is above the floor 2.3.0\"},{\"check\":\"deferral\","
	  "\"outcome\":\"defer\",\"reason\":\"outside-window\",\"message\":\"waits\","
	  "\"until\":\"2024-05-02T02:00:00Z\"}]}" },
	{ "gate.decision",	/* an update without a version is refused and recorded */
	  "{\"mechanism\":null,\"updater\":{\"name\":\"cli\",\"version\":null},"
	  "\"candidate\":{\"name\":null,\"version\":null,\"component\":\"rootfs\",\"digest\":null,"
	  "\"declared_class\":\"unset\",\"advisories\":[],\"support_end\":null},"
	  "\"transaction_id\":\"a1\",\"installed\":null,\"floor\":null,"
	  "\"decision\":{\"verdict\":\"refuse\",\"reason\":\"no-version\",\"class\":\"unset\"},"
	  "\"checks\":[{\"check\":\"gate\",\"outcome\":\"refuse\",\"reason\":\"no-version\","
	  "\"message\":\"no version\"}]}" },
	{ "gate.error",
	  "{\"error\":\"policy /etc/tollgate/policy.conf: [rollback] reinstall = maybe is not "
	  "allow or refuse\",\"candidate\":{\"version\":\"2.4.1\"}}" },
	{ "update.check",
	  "{\"result\":\"available\",\"version\":\"2.4.1\",\"component\":\"rootfs\","
	  "\"installed\":\"2.4.0\",\"mechanism\":\"UM-1\",\"client\":\"hawkbit\","
	  "\"updater\":\"rauc\"}" },
	{ "update.installed",
	  "{" CANDIDATE ",\"installed\":\"2.4.0\",\"floor\":\"2.3.0\",\"previous_pending\":null,"
	  "\"pending\":\"2.4.1\"}" },
	{ "update.failed",
	  "{" CANDIDATE ",\"failure\":\"slot write failed: No space left on device\","
	  "\"outcome\":\"failed\"}" },
	{ "update.updater-refused",
	  "{" CANDIDATE ",\"refusal\":\"RAUC refused the bundle: Version mismatch: Expected at "
	  "least '2.5.0' but bundle manifest has '2.4.1'\",\"outcome\":\"refused-by-updater\"}" },
	{ "update.committed",
	  "{\"components\":[{\"component\":\"rootfs\",\"version\":\"2.4.1\",\"class\":\"security\","
	  "\"floor_before\":\"2.3.0\",\"floor_after\":\"2.4.1\",\"security_floor\":\"2.4.1\"}]}" },
	{ "update.fell-back",
	  "{\"components\":[{\"component\":\"rootfs\",\"version\":\"2.4.1\",\"class\":\"security\","
	  "\"installed\":\"2.4.0\",\"floor\":\"2.4.0\"}],\"booted_slot\":\"A\","
	  "\"running_version\":\"2.4.0\",\"outcome\":\"fell-back\"}" },
	{ "user.postponed",
	  "{\"class\":\"feature\",\"old_until\":null,\"new_until\":\"2024-06-01T00:00:00Z\","
	  "\"max_postpone_s\":2592000}" },
	{ "user.approved",
	  "{\"digest\":\"" POLICY_HASH "\",\"version\":null,\"old_approved_at\":null,"
	  "\"new_approved_at\":\"2024-05-01T12:00:00Z\"}" },
	{ "user.settings-changed",
	  "{\"setting\":\"auto-install.feature\",\"old\":true,\"new\":false,"
	  "\"initialized_default\":true,\"changed_by\":\"user\"}" },
	{ "state.initialized",
	  "{\"source\":\"/etc/os-release\",\"installed\":\"2.4.0\",\"floor\":\"2.4.0\"}" },
	{ "state.anchored",
	  "{\"anchor\":\"tpm2\",\"tcti\":\"device:/dev/tpmrm0\",\"nv_index\":22024449}" },
	{ "state.recovered",
	  "{\"component\":\"rootfs\",\"version\":\"2.4.0\",\"previous_problem\":\"state HMAC "
	  "mismatch\",\"old_floor\":null}" },
	{ "state.tamper-detected",
	  "{\"problem\":\"the state HMAC does not match\",\"state_dir\":\"/var/lib/tollgate\"}" },
	{ "clock.rollback-detected",
	  "{\"clock_time\":\"2001-01-01T00:00:00Z\",\"last_trusted_time\":\"2024-05-01T12:00:00Z\","
	  "\"source\":\"system clock\"}" },
	{ "support.ending", "{\"support_end\":\"2024-06-30\",\"days_left\":60}" },
	{ "support.ended", "{\"support_end\":\"2024-04-30T00:00:00Z\","
			   "\"after_support_end\":\"refuse-feature\"}" },
	{ "support.extended", "{\"old_end\":\"2026-12-31T00:00:00Z\","
			      "\"new_end\":\"2029-12-31T00:00:00Z\"}" },
	{ "notice.delivered",
	  "{\"notice_id\":\"n-17\",\"notice_type\":\"security-update\",\"transaction_id\":null,"
	  "\"sink\":\"dbus\",\"sink_type\":\"dbus\",\"required\":false,"
	  "\"delivered\":true,\"error\":null,\"title\":\"Security update\",\"text\":\"...\"}" },
	{ "notice.failed",
	  "{\"notice_id\":\"n-18\",\"notice_type\":\"disruption\",\"transaction_id\":\"tx-9\","
	  "\"sink\":\"exec\",\"sink_type\":\"exec\",\"required\":true,"
	  "\"delivered\":false,\"error\":\"/usr/bin/notify-admin exited with status 2\"}" },
	{ "notice.suppressed",
	  "{\"notice_id\":\"n-19\",\"notice_type\":\"support-ending\",\"transaction_id\":null,"
	  "\"reason\":\"notifications-off\","
	  "\"setting\":\"notifications\"}" },
	{ "notice.acknowledged", "{\"notice_id\":\"n-17\",\"channel\":\"cli\"}" },
};

/* Debian's interpreter, which python3-jsonschema (installed by
 * scripts/install-deps.sh) belongs to. */
#define DEBIAN_PYTHON "/usr/bin/python3"

static gboolean jsonschema_available(void)
{
	const char *argv[] = { DEBIAN_PYTHON, "-c", "import jsonschema", NULL };
	gint status = -1;

	return g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH |
			    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
			    NULL, NULL, &status, NULL) && g_spawn_check_wait_status(status, NULL);
}

/* Runs validate-schema.py on @files; returns its exit status. */
static int validate(gchar **files, gchar **ret_stderr)
{
	g_autofree gchar *script = source_file("tests/unit/validate-schema.py");
	g_autofree gchar *schema = source_file("docs/schema/audit-record.schema.json");
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) err = NULL;
	gint status = -1;

	g_ptr_array_add(argv, DEBIAN_PYTHON);
	g_ptr_array_add(argv, script);
	g_ptr_array_add(argv, schema);
	for (gchar **p = files; *p; p++)
		g_ptr_array_add(argv, *p);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			  NULL, ret_stderr, &status, &err))
		fail_msg("cannot run %s: %s", script, err->message);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const TgAuditPolicyFile one_policy[] = {
	{ "/etc/tollgate/tollgate.conf", "[device]\nmodel = TG-Router 3000\n", 31 },
};

static void write_every_event(const Fixture *f)
{
	TgAuditOptions opts = options(f);
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);

	opts.policy_files = one_policy;
	opts.n_policy_files = 1;
	opts.writer_version = "0.0-test";

	opts.max_size = 8192;
	opts.checkpoint_every = 5;
	opts.checkpoint_key = f->key;
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);
		g_autoptr(GDateTime) when = g_date_time_new_utc(2024, 5, 1, 12, 0, 0);

		tg_audit_set_time(log, when, TG_TIME_OVERRIDE);
		for (guint round = 0; round < 2; round++)
			for (gsize i = 0; i < G_N_ELEMENTS(realistic); i++) {
				g_autoptr(JsonObject) body = body_from(realistic[i].body);

				append_ok(log, realistic[i].event, body);
			}
	}
	append_raw(path, "{\"prev\":\"");
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);
	}
}

/* ---- log.policy ---- */

/* The text of the log.policy record @line carries for file @i. */
static gchar *policy_text_of(const char *line, guint i)
{
	g_autoptr(JsonObject) rec = parse_line(line);
	JsonObject *file = json_array_get_object_element(json_object_get_array_member(rec, "files"), i);
	JsonArray *chunks = json_object_get_array_member(file, "text");
	GString *text = g_string_new(NULL);

	for (guint c = 0; c < json_array_get_length(chunks); c++) {
		const char *chunk = json_array_get_string_element(chunks, c);

		assert_true(strlen(chunk) <= 4000);
		g_string_append(text, chunk);
	}
	assert_int_equal(json_object_get_int_member(file, "size"), text->len);
	return g_string_free(text, FALSE);
}

/* Events of the whole log in order, joined by spaces. */
static gchar *event_list(const Fixture *f)
{
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	GString *out = g_string_new(NULL);

	all_lines(f->dir, lines, files);
	for (guint i = 0; i < lines->len; i++) {
		g_autofree gchar *e = event_of(lines->pdata[i]);

		g_string_append_printf(out, "%s%s", out->len ? " " : "", e);
	}
	return g_string_free(out, FALSE);
}

/* The policy's text is recorded before the first record, again whenever
 * the hash changes and after every rotation; never when it did not change;
 * exactly (long multi-byte text cut on character boundaries), or by name
 * and size when it cannot fit one record. */
static void test_policy_record(void **state)
{
	Fixture *f = *state;
	g_autoptr(GString) big = g_string_new("[device]\n# ");
	g_autoptr(GPtrArray) lines = NULL;
	g_autofree gchar *path = file_in(f, TG_AUDIT_FILE);
	g_autofree gchar *events = NULL;
	g_autofree gchar *text = NULL;
	TgAuditPolicyFile files[2] = { { "/p/main.conf", NULL, 0 }, { "/p/conf.d/10.conf", "[x]\n", 4 } };
	TgAuditOptions opts = options(f);

	for (guint i = 0; i < 3000; i++)
		g_string_append(big, "\xc3\xa9");	/* 6000 bytes of 'é' */
	files[0].text = big->str;
	files[0].len = big->len;
	opts.policy_files = files;
	opts.n_policy_files = 2;
	opts.writer_version = "9.9";
	for (guint round = 0; round < 2; round++) {
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		append_setting(log, round);
	}
	events = event_list(f);
	assert_string_equal(events, "log.policy user.settings-changed user.settings-changed");
	lines = read_lines(path);
	text = policy_text_of(lines->pdata[0], 0);
	assert_string_equal(text, big->str);
	g_free(text);
	text = policy_text_of(lines->pdata[0], 1);
	assert_string_equal(text, "[x]\n");
	assert_true(tg_audit_line_has_policy(lines->pdata[0], strlen(lines->pdata[0]), POLICY_HASH));

	/* Another policy hash: recorded again, under the new hash. */
	opts.policy_hash = "aa41402abc4b2a76b9719d911017c592ae8e7c6a2c3e4d5f60718293a4b5c6d7";
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		append_setting(log, 3);
	}
	g_free(events);
	events = event_list(f);
	assert_string_equal(events, "log.policy user.settings-changed user.settings-changed "
				    "log.policy user.settings-changed");

	/* Rotation: the new file starts with log.rotated, then the policy. */
	opts.max_size = 1;
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);

		append_setting(log, 4);
	}
	g_free(events);
	events = event_list(f);
	assert_true(g_str_has_suffix(events, "log.rotated log.policy user.settings-changed"));

	/* Too large for one record: names and sizes, and why. */
	g_string_set_size(big, 0);
	for (guint i = 0; i < 70000; i++)
		g_string_append_c(big, 'a');
	files[0].text = big->str;
	files[0].len = big->len;
	opts.policy_hash = "bb41402abc4b2a76b9719d911017c592ae8e7c6a2c3e4d5f60718293a4b5c6d7";
	opts.max_size = 0;
	{
		g_autoptr(TgAuditLog) log = open_ok(&opts);
		g_autoptr(JsonObject) rec = NULL;

		append_setting(log, 5);
		g_ptr_array_unref(lines);
		lines = read_lines(path);
		rec = parse_line(lines->pdata[lines->len - 2]);
		assert_string_equal(json_object_get_string_member(rec, "event"), "log.policy");
		assert_string_equal(json_object_get_string_member(rec, "text_omitted"),
				    "larger than one audit record");
		assert_string_equal(json_object_get_string_member(rec, "writer"), "9.9");
	}
}

/* A gate.decision as tollgate 0.1 wrote it: checks tagged with provisions
 * and test cases. %d: the schema version. */
#define OLD_DECISION \
	"{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":%d,\"seq\":4,\"time\":\"2024-05-01T12:00:00Z\"," \
	"\"time_trust\":\"system\",\"monotonic_us\":1,\"boot_id\":\"unknown\"," \
	"\"event\":\"gate.decision\",\"message_id\":\"99a14317173dad14ab3e0491db8611b8\"," \
	"\"device\":{\"model\":null,\"device_id\":null,\"hardware_revision\":null}," \
	"\"policy_hash\":null,\"transaction_id\":\"t\",\"candidate\":{\"version\":\"1\"}," \
	"\"decision\":{\"verdict\":\"allow\"},\"checks\":[{\"check\":\"rollback\"," \
	"\"outcome\":\"pass\",\"reason\":\"above-floor\",\"message\":\"m\"," \
	"\"provisions\":[\"5.3-2\"],\"test_cases\":[\"5.3-2-2\"]}]}\n"

static void test_schema(void **state)
{
	Fixture *f = *state;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GHashTable) events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) paths = NULL;
	g_autofree gchar *err_text = NULL;
	g_autofree gchar *bad_path = NULL;
	g_autofree gchar *bad_err = NULL;
	gchar *bad_files[2] = { NULL, NULL };
	g_autoptr(GString) bad = g_string_new(NULL);
	guint n = 0;
	const TgAuditEventInfo *catalogue = tg_audit_events(&n);

	if (!jsonschema_available())
		fail_msg("Debian's python3-jsonschema is missing; run scripts/install-deps.sh");
	write_every_event(f);
	all_lines(f->dir, lines, files);
	for (guint i = 0; i < lines->len; i++)
		g_hash_table_add(events, event_of(lines->pdata[i]));
	for (guint i = 0; i < n; i++)
		if (!g_hash_table_contains(events, catalogue[i].name))
			fail_msg("the test log lacks a %s record", catalogue[i].name);
	paths = tg_audit_list_files(f->dir, NULL);
	if (validate(paths, &err_text) != 0)
		fail_msg("schema validation failed:\n%s", err_text);

	/* The schema rejects what it must: a gate.decision without checks, a
	 * wrong message ID, an unknown time_trust. */
	g_string_append(bad, "{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":1,\"seq\":1,"
			"\"time\":\"2024-05-01T12:00:00Z\",\"time_trust\":\"system\","
			"\"monotonic_us\":1,\"boot_id\":\"unknown\",\"event\":\"gate.decision\","
			"\"message_id\":\"99a14317173dad14ab3e0491db8611b8\",\"device\":{\"model\":null,"
			"\"device_id\":null,\"hardware_revision\":null},\"policy_hash\":null,"
			"\"transaction_id\":\"t\",\"candidate\":{\"version\":\"1\"},"
			"\"decision\":{\"verdict\":\"allow\"}}\n");
	g_string_append(bad, "{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":1,\"seq\":2,"
			"\"time\":\"2024-05-01T12:00:00Z\",\"time_trust\":\"guessed\","
			"\"monotonic_us\":1,\"boot_id\":\"unknown\",\"event\":\"update.check\","
			"\"message_id\":\"99a14317173dad14ab3e0491db8611b8\",\"device\":{\"model\":null,"
			"\"device_id\":null,\"hardware_revision\":null},\"policy_hash\":null,"
			"\"result\":\"none\"}\n");
	g_string_append(bad, "{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":1,\"seq\":3,"
			"\"time\":\"2024-05-01T12:00:00Z\",\"time_trust\":\"system\","
			"\"monotonic_us\":1,\"boot_id\":\"unknown\",\"event\":\"update.failed\","
			"\"message_id\":\"176e53e089d0b05386140c35f88c8d64\",\"device\":{\"model\":null,"
			"\"device_id\":null,\"hardware_revision\":null},\"policy_hash\":null,"
			"\"candidate\":{\"version\":\"1\"}}\n");
	g_string_append_printf(bad, OLD_DECISION, 2);	/* schema 2 leaves the mapping out */
	bad_path = tg_test_write(f->tmp, "bad.log", bad->str);
	bad_files[0] = bad_path;
	assert_int_equal(validate(bad_files, &bad_err), 1);
	assert_contains(bad_err, "bad.log:1:");
	assert_contains(bad_err, "bad.log:2: time_trust");
	assert_contains(bad_err, "bad.log:2: message_id");
	assert_contains(bad_err, "bad.log:3: (record): 'failure' is a required property");
	assert_contains(bad_err, "bad.log:4:");
	/* A schema 1 record, written before the mapping left the device, still
	 * validates. */
	g_free(bad_err);
	bad_err = NULL;
	g_string_set_size(bad, 0);
	g_string_append_printf(bad, OLD_DECISION, 1);
	g_free(bad_path);
	bad_path = tg_test_write(f->tmp, "old.log", bad->str);
	bad_files[0] = bad_path;
	if (validate(bad_files, &bad_err) != 0)
		fail_msg("a schema 1 record does not validate:\n%s", bad_err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_catalogue_documented),
		cmocka_unit_test(test_catalogue_in_schema),
		T(test_policy_record),
		T(test_record_members),
		T(test_reopen_continues),
		T(test_refused_appends),
		T(test_bad_options),
		T(test_writable_by_others),
		T(test_hostile_strings),
		T(test_rotation_and_checkpoints),
		T(test_max_files),
		T(test_rotation_resumed),
		T(test_torn_line),
		T(test_torn_whole_file),
		T(test_garbage_head),
		T(test_lock),
		T(test_has_history),
		T(test_fault_write_enospc),
		T(test_fault_fsync_eio),
		T(test_fault_rotation),
		T(test_crash_recovery),
		T(test_schema),
	};
#undef T

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
