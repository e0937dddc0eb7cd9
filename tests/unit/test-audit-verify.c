/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verification of the audit chain: a clean log, then one kind of tampering
 * per case on a copy (edits, removals, reordering, truncation, a removed
 * rotated file, forged checkpoints), Ed25519 checkpoints, the file list and
 * the streaming reader. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tg-test.h"
#include "tollgate/audit.h"
#include "tg-crypto.h"

#define N_APPENDS 50

typedef struct {
	gchar *tmp;
	gchar *dir;		/* the clean log */
	gchar *work;		/* a copy to tamper with */
	gchar *key;		/* HMAC key */
	guint64 records;	/* lines in the clean log */
	guint64 checkpoints;
} Fixture;

/* ---- helpers ---- */

static GPtrArray *read_lines(const char *path)
{
	g_autofree gchar *text = NULL;
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		fail_msg("cannot read %s", path);
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (gsize)(text + len - p));
		const char *end = nl ? nl + 1 : text + len;

		g_ptr_array_add(lines, g_strndup(p, (gsize)(end - p)));
		p = end;
	}
	return lines;
}

static void write_lines(const char *path, GPtrArray *lines)
{
	g_autoptr(GString) text = g_string_new(NULL);

	for (guint i = 0; i < lines->len; i++)
		g_string_append(text, lines->pdata[i]);
	if (!g_file_set_contents(path, text->str, (gssize)text->len, NULL))
		fail_msg("cannot write %s", path);
}

static guint64 seq_of(const char *line)
{
	g_autoptr(JsonObject) obj = tg_audit_parse_line(line, strlen(line), NULL);

	assert_non_null(obj);
	return (guint64)json_object_get_int_member(obj, "seq");
}

static gboolean is_event(const char *line, const char *event)
{
	g_autoptr(JsonObject) obj = tg_audit_parse_line(line, strlen(line), NULL);

	return obj && g_str_equal(json_object_get_string_member(obj, "event"), event);
}

static void copy_dir(const char *from, const char *to)
{
	g_autoptr(GDir) d = g_dir_open(from, 0, NULL);
	const char *name;

	assert_non_null(d);
	assert_int_equal(g_mkdir(to, 0750), 0);
	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *src = g_build_filename(from, name, NULL);
		g_autofree gchar *dst = g_build_filename(to, name, NULL);
		g_autofree gchar *data = NULL;
		gsize len = 0;

		assert_true(g_file_get_contents(src, &data, &len, NULL));
		assert_true(g_file_set_contents(dst, data, (gssize)len, NULL));
	}
}

/* Where the record with @seq is: its file (transfer full) and line index. */
static gchar *locate(const char *dir, guint64 seq, guint *ret_index)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, NULL);

	for (gchar **f = files; f && *f; f++) {
		g_autoptr(GPtrArray) lines = read_lines(*f);

		for (guint i = 0; i < lines->len; i++) {
			if (seq_of(lines->pdata[i]) == seq) {
				*ret_index = i;
				return g_strdup(*f);
			}
		}
	}
	fail_msg("no record with seq %" G_GUINT64_FORMAT, seq);
	return NULL;
}

/* First seq >= @from whose record is (or is not) a checkpoint. */
static guint64 find_seq(const char *dir, guint64 from, gboolean checkpoint)
{
	for (guint64 seq = from;; seq++) {
		guint i;
		g_autofree gchar *file = locate(dir, seq, &i);
		g_autoptr(GPtrArray) lines = read_lines(file);

		if (is_event(lines->pdata[i], "log.checkpoint") == checkpoint)
			return seq;
	}
}

static void write_hmac_key(Fixture *f)
{
	f->key = tg_test_write(f->tmp, "hmac.key", "verify-test-key-0123456789abcdef");
	assert_int_equal(chmod(f->key, 0600), 0);
}

static void build_log(const char *dir, guint max_size, guint every, const char *key,
		      const char *alg)
{
	TgAuditOptions opts = {
		.dir = dir, .max_size = max_size, .checkpoint_every = every,
		.checkpoint_key = key, .checkpoint_alg = alg, .model = "TG-1",
		.device_id = "dev-7", .hardware_revision = "A", .no_fsync = TRUE,
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = tg_audit_open(&opts, &err);

	assert_no_error(err);
	for (guint i = 1; i <= N_APPENDS; i++) {
		g_autoptr(JsonObject) body = json_object_new();

		json_object_set_string_member(body, "setting", "notifications");
		json_object_set_boolean_member(body, "new", i % 2);
		json_object_set_int_member(body, "round", i);
		if (!tg_audit_append(log, "user.settings-changed", body, NULL, &err))
			fail_msg("append failed: %s", err->message);
	}
}

static int setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);
	g_auto(GStrv) files = NULL;

	f->tmp = tg_test_mkdtemp();
	f->dir = g_build_filename(f->tmp, "clean", NULL);
	f->work = g_build_filename(f->tmp, "work", NULL);
	write_hmac_key(f);
	build_log(f->dir, 4096, 10, f->key, "hmac-sha256");
	files = tg_audit_list_files(f->dir, NULL);
	for (gchar **p = files; *p; p++) {
		g_autoptr(GPtrArray) lines = read_lines(*p);

		f->records += lines->len;
		for (guint i = 0; i < lines->len; i++)
			f->checkpoints += is_event(lines->pdata[i], "log.checkpoint");
	}
	copy_dir(f->dir, f->work);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;

	tg_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f->dir);
	g_free(f->work);
	g_free(f->key);
	g_free(f);
	return 0;
}

static void verify(const char *dir, const char *const *files, const char *key,
		   TgAuditVerifyResult *res)
{
	g_autoptr(GError) err = NULL;

	if (!tg_audit_verify(dir, files, key, NULL, res, &err))
		fail_msg("verify stopped: %s", err->message);
}

/* Asserts the first problem: file basename, seq, kind, and a message that
 * names both. */
static void expect_problem(const TgAuditVerifyResult *res, const char *file, guint64 seq,
			   const char *problem)
{
	g_autofree gchar *base = NULL;
	g_autofree gchar *seq_text = g_strdup_printf("%" G_GUINT64_FORMAT, seq);

	if (res->ok)
		fail_msg("verify passed, expected %s at %s seq %" G_GUINT64_FORMAT ": %s", problem,
			 file, seq, res->message);
	base = g_path_get_basename(res->bad_file);
	if (!g_str_equal(res->problem, problem) || !g_str_equal(base, file) ||
	    res->bad_seq != seq)
		fail_msg("expected %s at %s seq %" G_GUINT64_FORMAT ", got %s at %s seq %"
			 G_GUINT64_FORMAT ": %s", problem, file, seq, res->problem, base,
			 res->bad_seq, res->message);
	assert_contains(res->message, res->bad_file);
	assert_contains(res->message, seq_text);
}

/* ---- clean logs ---- */

static void test_clean(void **state)
{
	Fixture *f = *state;
	TgAuditVerifyResult res = { 0 };
	g_auto(GStrv) files = tg_audit_list_files(f->dir, NULL);

	assert_true(g_strv_length(files) >= 4);	/* 3+ rotations */
	assert_true(f->checkpoints >= 5);
	verify(f->dir, NULL, f->key, &res);
	assert_true(res.ok);
	assert_int_equal(res.records, f->records);
	assert_int_equal(res.checkpoints, f->checkpoints);
	assert_null(res.bad_file);
	assert_contains(res.message, "checkpoints verified");
	tg_audit_verify_result_clear(&res);

	/* Without a key the checkpoints are counted, not verified. */
	verify(f->dir, NULL, NULL, &res);
	assert_true(res.ok);
	assert_int_equal(res.checkpoints, f->checkpoints);
	assert_contains(res.message, "not verified because no key was given");
	tg_audit_verify_result_clear(&res);

	/* An explicit list of the same files. */
	verify(NULL, (const char *const *)files, f->key, &res);
	assert_true(res.ok);
	assert_int_equal(res.records, f->records);
	tg_audit_verify_result_clear(&res);
}

static void test_empty(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *empty = g_build_filename(f->tmp, "empty", NULL);
	TgAuditVerifyResult res = { 0 };

	assert_int_equal(g_mkdir(empty, 0750), 0);
	verify(empty, NULL, NULL, &res);
	assert_true(res.ok);
	assert_int_equal(res.records, 0);
	assert_contains(res.message, "no records");
	tg_audit_verify_result_clear(&res);
}

/* ---- tampering, one case each ---- */

typedef struct {
	const char *name;
	/* Changes the copy in @dir; fills the expected file basename and seq. */
	void (*tamper)(const char *dir, gchar **ret_file, guint64 *ret_seq);
	const char *problem;
	gboolean with_key;
} TamperCase;

/* Changes one byte of record @seq at the first occurrence of @needle
 * (offset @delta into it) to @byte. */
static void edit_byte(const char *dir, guint64 seq, const char *needle, gsize delta, char byte,
		      gchar **ret_file)
{
	guint i;
	g_autofree gchar *file = locate(dir, seq, &i);
	g_autoptr(GPtrArray) lines = read_lines(file);
	gchar *line = lines->pdata[i];
	char *at = strstr(line, needle);

	assert_non_null(at);
	assert_true(at[delta] != byte);
	at[delta] = byte;
	write_lines(file, lines);
	*ret_file = g_path_get_basename(file);
}

static void tamper_body_byte(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	*ret_seq = find_seq(dir, 25, FALSE);
	edit_byte(dir, *ret_seq, "\"notifications\"", 1, 'N', ret_file);
}

static void tamper_prev_byte(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint i;
	g_autofree gchar *file = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	char *c;

	*ret_seq = find_seq(dir, 25, FALSE);
	file = locate(dir, *ret_seq, &i);
	lines = read_lines(file);
	c = (char *)lines->pdata[i] + strlen("{\"prev\":\"") + 10;
	*c = *c == 'a' ? 'b' : 'a';
	write_lines(file, lines);
	*ret_file = g_path_get_basename(file);
}

static void tamper_seq_byte(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	g_autofree gchar *needle = NULL;

	*ret_seq = find_seq(dir, 25, FALSE);
	needle = g_strdup_printf("\"seq\":%" G_GUINT64_FORMAT ",", *ret_seq);
	edit_byte(dir, *ret_seq, needle, strlen(needle) - 2, '9', ret_file);
}

static void tamper_first_prev(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	*ret_seq = 1;
	edit_byte(dir, 1, "\"prev\":\"0000", 12, '1', ret_file);
}

static void tamper_delete_line(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint i, j;
	g_autofree gchar *file = locate(dir, 30, &i);
	g_autofree gchar *next = locate(dir, 31, &j);
	g_autoptr(GPtrArray) lines = read_lines(file);

	g_ptr_array_remove_index(lines, i);
	write_lines(file, lines);
	*ret_seq = 30;
	*ret_file = g_path_get_basename(next);
}

/* Swaps records @a and @b (same file); reports where @b now stands. */
static void swap(const char *dir, guint64 a, guint64 b, gchar **ret_file, guint64 *ret_seq)
{
	guint i, j;
	g_autofree gchar *file = locate(dir, a, &i);
	g_autofree gchar *file_b = locate(dir, b, &j);
	g_autoptr(GPtrArray) lines = read_lines(file);
	gpointer tmp;

	assert_string_equal(file, file_b);
	tmp = lines->pdata[i];
	lines->pdata[i] = lines->pdata[j];
	lines->pdata[j] = tmp;
	write_lines(file, lines);
	*ret_seq = b;
	*ret_file = g_path_get_basename(file);
}

/* Two neighbours in one file, from seq 20 on. */
static guint64 neighbours(const char *dir, guint gap)
{
	for (guint64 seq = 20;; seq++) {
		guint i, j;
		g_autofree gchar *a = locate(dir, seq, &i);
		g_autofree gchar *b = locate(dir, seq + gap, &j);

		if (g_str_equal(a, b))
			return seq;
	}
}

static void tamper_swap_adjacent(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint64 a = neighbours(dir, 1);

	swap(dir, a, a + 1, ret_file, ret_seq);
}

static void tamper_swap_apart(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint64 a = neighbours(dir, 3);

	swap(dir, a, a + 3, ret_file, ret_seq);
}

static void tamper_duplicate(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint i;
	g_autofree gchar *file = locate(dir, 15, &i);
	g_autoptr(GPtrArray) lines = read_lines(file);

	g_ptr_array_insert(lines, (gint)i + 1, g_strdup(lines->pdata[i]));
	write_lines(file, lines);
	*ret_seq = 15;
	*ret_file = g_path_get_basename(file);
}

static void tamper_truncate_last(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	g_autofree gchar *path = g_build_filename(dir, TG_AUDIT_FILE, NULL);
	g_autoptr(GPtrArray) lines = read_lines(path);
	gchar *last = lines->pdata[lines->len - 1];

	*ret_seq = seq_of(last);
	last[strlen(last) / 2] = '\0';
	write_lines(path, lines);
	*ret_file = g_strdup(TG_AUDIT_FILE);
}

static void tamper_cut_brace(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint i;
	g_autofree gchar *file = locate(dir, 22, &i);
	g_autoptr(GPtrArray) lines = read_lines(file);
	gchar *line = lines->pdata[i];

	line[strlen(line) - 2] = '\n';
	line[strlen(line) - 1] = '\0';
	write_lines(file, lines);
	*ret_seq = 22;
	*ret_file = g_path_get_basename(file);
}

static void tamper_garbage_line(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	guint i;
	g_autofree gchar *file = locate(dir, 12, &i);
	g_autoptr(GPtrArray) lines = read_lines(file);

	g_ptr_array_insert(lines, (gint)i + 1, g_strdup("[\"not\",\"a\",\"record\"]\n"));
	write_lines(file, lines);
	*ret_seq = 13;
	*ret_file = g_path_get_basename(file);
}

static void tamper_remove_middle_file(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	g_autofree gchar *gone = g_build_filename(dir, "audit.log.2", NULL);
	g_autoptr(GPtrArray) lines = read_lines(gone);

	*ret_seq = seq_of(lines->pdata[0]);
	assert_int_equal(g_unlink(gone), 0);
	*ret_file = g_strdup("audit.log.1");
}

static void tamper_checkpoint(const char *dir, const char *member, gchar **ret_file,
			      guint64 *ret_seq)
{
	g_autofree gchar *needle = g_strdup_printf("\"%s\":\"", member);

	*ret_seq = find_seq(dir, 20, TRUE);
	edit_byte(dir, *ret_seq, needle, strlen(needle) + 5, 'x', ret_file);
}

static void tamper_checkpoint_sig(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	g_autofree gchar *needle = NULL;
	guint i;
	g_autofree gchar *file = NULL;
	g_autoptr(GPtrArray) lines = NULL;
	char *sig;

	*ret_seq = find_seq(dir, 20, TRUE);
	file = locate(dir, *ret_seq, &i);
	lines = read_lines(file);
	sig = strstr(lines->pdata[i], "\"sig\":\"") + strlen("\"sig\":\"") + 5;
	*sig = *sig == '0' ? '1' : '0';	/* still hex: only the signature is wrong */
	write_lines(file, lines);
	*ret_file = g_path_get_basename(file);
}

static void tamper_checkpoint_head(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	tamper_checkpoint(dir, "head_hash", ret_file, ret_seq);
}

/* The prev member of the last record: the edited line cannot be told from
 * the one before it; the earlier one is reported. */
static void tamper_last_prev(const char *dir, gchar **ret_file, guint64 *ret_seq)
{
	g_autofree gchar *path = g_build_filename(dir, TG_AUDIT_FILE, NULL);
	g_autoptr(GPtrArray) lines = read_lines(path);
	char *c = (char *)lines->pdata[lines->len - 1] + strlen("{\"prev\":\"") + 3;

	assert_true(lines->len >= 2);
	*ret_seq = seq_of(lines->pdata[lines->len - 2]);
	*c = *c == 'a' ? 'b' : 'a';
	write_lines(path, lines);
	*ret_file = g_strdup(TG_AUDIT_FILE);
}

static const TamperCase tamper_cases[] = {
	{ "body byte", tamper_body_byte, "edited", TRUE },
	{ "prev byte", tamper_prev_byte, "edited", TRUE },
	{ "seq byte", tamper_seq_byte, "edited", TRUE },
	{ "first prev", tamper_first_prev, "edited", TRUE },
	{ "deleted line", tamper_delete_line, "missing", TRUE },
	{ "adjacent swap", tamper_swap_adjacent, "reordered", TRUE },
	{ "distant swap", tamper_swap_apart, "reordered", TRUE },
	{ "duplicated line", tamper_duplicate, "reordered", TRUE },
	{ "truncated last line", tamper_truncate_last, "truncated", TRUE },
	{ "line without closing brace", tamper_cut_brace, "truncated", TRUE },
	{ "inserted garbage", tamper_garbage_line, "malformed", TRUE },
	{ "removed middle file", tamper_remove_middle_file, "missing", TRUE },
	{ "forged checkpoint sig", tamper_checkpoint_sig, "bad-checkpoint", TRUE },
	{ "forged checkpoint head", tamper_checkpoint_head, "bad-checkpoint", TRUE },
	{ "forged checkpoint sig, no key", tamper_checkpoint_sig, "edited", FALSE },
	{ "last prev byte", tamper_last_prev, "edited", TRUE },
};

static void test_tampering(void **state)
{
	Fixture *f = *state;

	for (gsize c = 0; c < G_N_ELEMENTS(tamper_cases); c++) {
		const TamperCase *tc = &tamper_cases[c];
		TgAuditVerifyResult res = { 0 };
		g_autofree gchar *file = NULL;
		guint64 seq = 0;

		tg_test_rmtree(f->work);
		copy_dir(f->dir, f->work);
		tc->tamper(f->work, &file, &seq);
		print_message("case %s: expect %s at %s seq %" G_GUINT64_FORMAT "\n", tc->name,
			      tc->problem, file, seq);
		verify(f->work, NULL, tc->with_key ? f->key : NULL, &res);
		expect_problem(&res, file, seq, tc->problem);
		tg_audit_verify_result_clear(&res);
	}
}

/* An explicit list that skips a file is a removal too. */
static void test_explicit_gap(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *f3 = g_build_filename(f->dir, "audit.log.3", NULL);
	g_autofree gchar *f2 = g_build_filename(f->dir, "audit.log.2", NULL);
	g_autofree gchar *f1 = g_build_filename(f->dir, "audit.log.1", NULL);
	const char *files[] = { f3, f1, NULL };
	g_autoptr(GPtrArray) lines = read_lines(f2);
	TgAuditVerifyResult res = { 0 };

	verify(NULL, files, NULL, &res);
	expect_problem(&res, "audit.log.1", seq_of(lines->pdata[0]), "missing");
	tg_audit_verify_result_clear(&res);
}

/* Records cut from the front of the oldest file are found; a whole oldest
 * file gone (max-files pruning) is not a fault: its successor starts with
 * log.rotated. */
static void test_front_cut(void **state)
{
	Fixture *f = *state;
	g_auto(GStrv) files = tg_audit_list_files(f->work, NULL);
	g_autoptr(GPtrArray) lines = NULL;
	g_autofree gchar *base = NULL;
	TgAuditVerifyResult res = { 0 };
	guint64 kept;

	assert_non_null(files);
	assert_true(g_strv_length(files) >= 3);
	lines = read_lines(files[0]);
	kept = seq_of(lines->pdata[3]);
	g_ptr_array_remove_range(lines, 0, 3);
	write_lines(files[0], lines);
	base = g_path_get_basename(files[0]);
	verify(f->work, NULL, NULL, &res);
	expect_problem(&res, base, kept - 1, "missing");
	assert_contains(res.message, "oldest record kept");
	tg_audit_verify_result_clear(&res);

	assert_int_equal(g_unlink(files[0]), 0);
	verify(f->work, NULL, NULL, &res);
	if (!res.ok)
		fail_msg("a log whose oldest file was pruned whole fails: %s", res.message);
	assert_contains(res.message, "no longer kept");
	tg_audit_verify_result_clear(&res);
}

/* Documented limit: without a checkpoint after it, an edit of the last
 * record's body cannot be detected. */
static void test_last_record_limit(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->work, TG_AUDIT_FILE, NULL);
	g_autoptr(GPtrArray) lines = NULL;
	gchar *last;
	char *at;
	TgAuditVerifyResult res = { 0 };

	/* Whether the fixture log ends in a checkpoint depends on where rotation
	 * fell (record sizes vary with the monotonic time's digits): end it
	 * with a plain record, written without checkpoints. */
	build_log(f->work, 0, 0, NULL, NULL);
	lines = read_lines(path);
	last = lines->pdata[lines->len - 1];
	at = strstr(last, "\"notifications\"");

	assert_false(is_event(last, "log.checkpoint"));
	assert_non_null(at);
	at[1] = 'N';
	write_lines(path, lines);
	verify(f->work, NULL, f->key, &res);
	assert_true(res.ok);
	assert_contains(res.message, "covered by the chain only");
	tg_audit_verify_result_clear(&res);
}

static void test_overlong_line(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->work, TG_AUDIT_FILE, NULL);
	g_autoptr(GPtrArray) lines = read_lines(path);
	g_autofree gchar *huge = g_strnfill(TG_AUDIT_READ_MAX_LINE + 10, 'z');
	TgAuditVerifyResult res = { 0 };
	guint64 expected = seq_of(lines->pdata[lines->len - 1]) + 1;

	g_ptr_array_add(lines, g_strconcat(huge, "\n", NULL));
	write_lines(path, lines);
	verify(f->work, NULL, NULL, &res);
	expect_problem(&res, TG_AUDIT_FILE, expected, "malformed");
	tg_audit_verify_result_clear(&res);
}

/* ---- keys ---- */

static void run_openssl(const char *const *argv)
{
	g_autoptr(GError) err = NULL;
	gint status = -1;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
			  NULL, &status, &err) ||
	    !g_spawn_check_wait_status(status, &err))
		fail_msg("openssl failed: %s", err ? err->message : "?");
}

/* Generates an Ed25519 key pair @name.pem (0600) and @name.pub.pem. */
static void make_ed25519(const char *dir, const char *name, gchar **ret_priv, gchar **ret_pub)
{
	g_autofree gchar *priv_name = g_strdup_printf("%s.pem", name);
	g_autofree gchar *pub_name = g_strdup_printf("%s.pub.pem", name);
	gchar *priv = g_build_filename(dir, priv_name, NULL);
	gchar *pub = g_build_filename(dir, pub_name, NULL);
	const char *gen[] = { "openssl", "genpkey", "-algorithm", "ed25519", "-out", priv, NULL };
	const char *out[] = { "openssl", "pkey", "-in", priv, "-pubout", "-out", pub, NULL };

	run_openssl(gen);
	assert_int_equal(chmod(priv, 0600), 0);
	run_openssl(out);
	*ret_priv = priv;
	*ret_pub = pub;
}

static void test_ed25519(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *priv = NULL, *pub = NULL, *other_priv = NULL, *other_pub = NULL;
	g_autofree gchar *dir = g_build_filename(f->tmp, "ed", NULL);
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;
	g_autofree gchar *cp_file = NULL;
	guint64 first_checkpoint;

	make_ed25519(f->tmp, "device", &priv, &pub);
	make_ed25519(f->tmp, "other", &other_priv, &other_pub);
	build_log(dir, 8192, 10, priv, "ed25519");
	first_checkpoint = find_seq(dir, 1, TRUE);
	{
		guint i;
		g_autofree gchar *path = locate(dir, first_checkpoint, &i);

		cp_file = g_path_get_basename(path);
	}

	assert_true(tg_audit_verify(dir, NULL, pub, "ed25519", &res, &err));
	assert_no_error(err);
	assert_true(res.ok);
	assert_true(res.checkpoints >= 5);
	assert_contains(res.message, "checkpoints verified");
	tg_audit_verify_result_clear(&res);
	verify(dir, NULL, pub, &res);	/* algorithm found from the key */
	assert_true(res.ok);
	tg_audit_verify_result_clear(&res);

	verify(dir, NULL, other_pub, &res);
	expect_problem(&res, cp_file, first_checkpoint, "bad-checkpoint");
	assert_contains(res.message, "does not verify");
	tg_audit_verify_result_clear(&res);

	verify(dir, NULL, f->key, &res);	/* HMAC key on an Ed25519 log */
	expect_problem(&res, cp_file, first_checkpoint, "bad-checkpoint");
	assert_contains(res.message, "signed with ed25519");
	tg_audit_verify_result_clear(&res);
}

static void test_bad_key(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *missing = g_build_filename(f->tmp, "missing.key", NULL);
	g_autofree gchar *pem = tg_test_write(f->tmp, "bad.pem",
					      "-----BEGIN PUBLIC KEY-----\nAAAA\n"
					      "-----END PUBLIC KEY-----\n");
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL;

	assert_false(tg_audit_verify(f->dir, NULL, missing, NULL, &res, &e1));
	assert_error(e1, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
	assert_false(res.ok);
	assert_false(tg_audit_verify(f->dir, NULL, pem, NULL, &res, &e2));
	assert_error(e2, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
	assert_false(tg_audit_verify(f->dir, NULL, f->key, "md5", &res, &e3));
	assert_error(e3, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS);
	tg_audit_verify_result_clear(&res);
}

/* ---- file list and reader ---- */

static void test_list_files(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *lock = g_build_filename(f->dir, "audit.lock", NULL);
	g_auto(GStrv) files = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *nodir = g_build_filename(f->tmp, "nothing", NULL);
	guint n;

	g_free(tg_test_write(f->dir, "audit.log.torn-1700000000-42", "{\"prev\""));
	g_free(tg_test_write(f->dir, "audit.log.01", "x"));
	g_free(tg_test_write(f->dir, "audit.log.tmp", "x"));
	assert_true(g_file_test(lock, G_FILE_TEST_EXISTS));
	files = tg_audit_list_files(f->dir, &err);
	assert_no_error(err);
	n = g_strv_length(files);
	assert_true(n >= 4);
	for (guint i = 0; i + 1 < n; i++) {
		g_autofree gchar *want = g_strdup_printf("audit.log.%u", n - 1 - i);
		g_autofree gchar *base = g_path_get_basename(files[i]);

		assert_string_equal(base, want);
	}
	assert_true(g_str_has_suffix(files[n - 1], "/" TG_AUDIT_FILE));
	g_strfreev(files);
	files = tg_audit_list_files(nodir, &err);
	assert_null(files);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO);
}

static void test_reader(void **state)
{
	Fixture *f = *state;
	g_auto(GStrv) files = tg_audit_list_files(f->dir, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditReader) reader = tg_audit_reader_open((const char *const *)files, &err);
	const char *line, *file, *last_file = NULL;
	guint64 n = 0, line_no = 0;
	gsize len;

	assert_no_error(err);
	while (tg_audit_reader_next(reader, &line, &len, &file, &err)) {
		g_autoptr(JsonObject) rec = tg_audit_parse_line(line, len, NULL);

		n++;
		assert_non_null(rec);
		assert_int_equal(json_object_get_int_member(rec, "seq"), n);
		assert_true(len > 0 && line[len - 1] == '\n');
		line_no = last_file == file ? line_no + 1 : 1;
		last_file = file;
		assert_int_equal(tg_audit_reader_line_number(reader), line_no);
	}
	assert_no_error(err);
	assert_int_equal(n, f->records);
	assert_string_equal(last_file, files[g_strv_length(files) - 1]);
	/* At the end it stays at the end. */
	assert_false(tg_audit_reader_next(reader, &line, &len, &file, &err));
	assert_no_error(err);
}

static void test_reader_torn(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = tg_test_write(f->tmp, "torn.log",
					       "{\"a\":1}\n{\"b\":2}\n{\"c\":");
	const char *files[] = { path, NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditReader) reader = tg_audit_reader_open(files, &err);
	g_autoptr(JsonObject) obj = NULL;
	const char *line;
	gsize len;

	assert_true(tg_audit_reader_next(reader, &line, &len, NULL, &err));
	assert_int_equal(len, 8);
	assert_true(tg_audit_reader_next(reader, &line, &len, NULL, &err));
	obj = tg_audit_parse_line(line, len, &err);
	assert_no_error(err);
	assert_int_equal(json_object_get_int_member(obj, "b"), 2);
	assert_false(tg_audit_reader_next(reader, &line, &len, NULL, &err));
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE);
	assert_contains(err->message, path);
	g_clear_error(&err);
	assert_null(tg_audit_parse_line("[1,2]\n", 6, &err));
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE);
	g_clear_error(&err);
	assert_null(tg_audit_parse_line("{\"x\":", 5, &err));
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_clean),
		T(test_empty),
		T(test_tampering),
		T(test_explicit_gap),
		T(test_front_cut),
		T(test_last_record_limit),
		T(test_overlong_line),
		T(test_ed25519),
		T(test_bad_key),
		T(test_list_files),
		T(test_reader),
		T(test_reader_torn),
	};
#undef T

	return cmocka_run_group_tests_name("audit-verify", tests, NULL, NULL);
}
