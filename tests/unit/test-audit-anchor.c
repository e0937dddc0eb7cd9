/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Anchors (policy/audit/audit-anchor.c) and the device's own checkpoint key
 * (made on first provisioning, policy/core/keygen.c, policy/audit/audit.c). */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-test.h"
#include "tollgate/audit.h"
#include "tg-crypto.h"

typedef struct {
	gchar *tmp;
	gchar *dir;	/* the log */
	gchar *key;	/* tmp/keys/device.key, made by the first open */
	gchar *pub;	/* key + ".pub" */
	gchar *anchor;	/* tmp/anchor.json */
} Fixture;

static TgAuditLog *open_log(Fixture *f, GError **error)
{
	TgAuditOptions opts = {
		.dir = f->dir, .max_size = 1 << 20, .checkpoint_every = 1,
		.checkpoint_key = f->key, .checkpoint_alg = "ed25519", .model = "TG-1",
		.no_fsync = TRUE,
	};

	return tg_audit_open(&opts, error);
}

static void append(Fixture *f, guint n)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = open_log(f, &err);

	assert_no_error(err);
	for (guint i = 0; i < n; i++) {
		g_autoptr(JsonObject) body = json_object_new();

		json_object_set_string_member(body, "setting", "notifications");
		json_object_set_string_member(body, "old", "on");
		json_object_set_string_member(body, "new", "off");
		assert_true(tg_audit_append(log, "user.settings-changed", body, NULL, &err));
		assert_no_error(err);
	}
}

static void take_anchor(Fixture *f)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *line = tg_audit_last_checkpoint(f->dir, &err);

	assert_no_error(err);
	assert_non_null(line);
	g_free(tg_test_write(f->tmp, "anchor.json", line));
}

static int setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->tmp = tg_test_mkdtemp();
	f->dir = g_build_filename(f->tmp, "log", NULL);
	f->key = g_build_filename(f->tmp, "keys", "device.key", NULL);
	f->pub = g_strconcat(f->key, ".pub", NULL);
	f->anchor = g_build_filename(f->tmp, "anchor.json", NULL);
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
	g_free(f->pub);
	g_free(f->anchor);
	g_free(f);
	return 0;
}

static void verify(Fixture *f, const char *key, TgAuditVerifyResult *res)
{
	g_autoptr(GError) err = NULL;

	assert_true(tg_audit_verify_anchor(f->dir, NULL, f->anchor, key, NULL, res, &err));
	assert_no_error(err);
}

/* The first open of an empty log makes the key pair; the public half alone
 * verifies the log and its anchor. */
static void test_device_key_and_anchor(void **state)
{
	Fixture *f = *state;
	TgAuditVerifyResult res = { 0 };
	struct stat st;

	append(f, 3);
	assert_int_equal(stat(f->key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(f->pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	take_anchor(f);
	verify(f, f->pub, &res);
	assert_true(res.ok);
	append(f, 2);		/* records after the anchor are fine */
	verify(f, f->pub, &res);
	assert_true(res.ok);
	tg_audit_verify_result_clear(&res);
}

/* Cutting the anchored checkpoint and what follows passes the chain, not
 * the anchor. */
static void test_tail_cut(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->dir, "audit.log", NULL);
	g_autofree gchar *text = NULL;
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;
	gchar *last;
	gsize len;

	append(f, 3);
	take_anchor(f);
	assert_true(g_file_get_contents(path, &text, &len, NULL));
	text[len - 1] = '\0';			/* drop the last newline ... */
	last = strrchr(text, '\n');		/* ... then the checkpoint line */
	last[1] = '\0';
	*strrchr(text, '\n') = '\0';		/* and the record it covers */
	last = strrchr(text, '\n');
	last[1] = '\0';
	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_true(tg_audit_verify(f->dir, NULL, f->pub, NULL, &res, &err));
	assert_true(res.ok);
	verify(f, f->pub, &res);
	assert_false(res.ok);
	assert_string_equal(res.problem, "cut");
	assert_contains(res.message, "records were cut from its end");
	tg_audit_verify_result_clear(&res);
}

/* A log rebuilt from scratch (another chain at the same seq) is not the
 * anchored one, even when it verifies with the key. */
static void test_replaced(void **state)
{
	Fixture *f = *state;
	TgAuditVerifyResult res = { 0 };

	append(f, 3);
	take_anchor(f);
	tg_test_rmtree(f->dir);
	g_usleep(1100 * 1000);	/* another second in the records' time */
	append(f, 3);
	verify(f, f->pub, &res);
	assert_false(res.ok);
	assert_string_equal(res.problem, "replaced");
	tg_audit_verify_result_clear(&res);
}

static void test_other_key_and_bad_anchor(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *other = g_build_filename(f->tmp, "other.key", NULL);
	g_autofree gchar *other_pub = g_build_filename(f->tmp, "other.pub", NULL);
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;

	append(f, 2);
	take_anchor(f);
	assert_true(tg_ed25519_generate(other, other_pub, &err));
	assert_true(tg_audit_verify_anchor(f->dir, NULL, f->anchor, other_pub, NULL, &res, &err));
	assert_false(res.ok);
	/* the log's own checkpoints already fail with another key */
	assert_string_equal(res.problem, "bad-anchor");
	tg_audit_verify_result_clear(&res);
	g_free(tg_test_write(f->tmp, "anchor.json", "{\"event\":\"user.approved\"}"));
	assert_false(tg_audit_verify_anchor(f->dir, NULL, f->anchor, f->pub, NULL, &res, &err));
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE);
	assert_contains(err->message, "is not one log.checkpoint line");
	g_clear_error(&err);
	assert_false(tg_audit_verify_anchor(f->dir, NULL, f->anchor, NULL, NULL, &res, &err));
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS);
}

/* Missing after the log has history, the key is not made again. */
static void test_key_not_remade(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = NULL;

	append(f, 1);
	assert_int_equal(unlink(f->key), 0);
	log = open_log(f, &err);
	assert_null(log);
	assert_error(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS);
	assert_contains(err->message, "is missing although the audit log");
	assert_false(g_file_test(f->key, G_FILE_TEST_EXISTS));
}

static void test_key_inside_log_refused(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = NULL;

	g_free(f->key);
	f->key = g_build_filename(f->dir, "device.key", NULL);
	log = open_log(f, &err);
	assert_null(log);
	assert_contains(err->message, "lies inside the audit directory");
}

static void test_no_checkpoint_yet(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *line = NULL;

	assert_int_equal(g_mkdir_with_parents(f->dir, 0750), 0);
	line = tg_audit_last_checkpoint(f->dir, &err);
	assert_null(line);
	assert_contains(err->message, "holds no checkpoint yet");
}

static void test_generate_never_replaces(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *priv = g_build_filename(f->tmp, "k", NULL);
	g_autofree gchar *pub = g_build_filename(f->tmp, "k.pub", NULL);
	g_autofree gchar *pem = NULL;
	g_autofree gchar *pub_text = NULL;
	g_autoptr(GError) err = NULL;

	assert_true(tg_ed25519_generate(priv, pub, &err));
	pem = tg_ed25519_public_pem(priv, &err);
	assert_no_error(err);
	assert_true(g_file_get_contents(pub, &pub_text, NULL, NULL));
	assert_string_equal(pem, pub_text);
	assert_false(tg_ed25519_generate(priv, pub, &err));
	assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_device_key_and_anchor),
		T(test_tail_cut),
		T(test_replaced),
		T(test_other_key_and_bad_anchor),
		T(test_key_not_remade),
		T(test_key_inside_log_refused),
		T(test_no_checkpoint_yet),
		T(test_generate_never_replaces),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
