/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The strict key-file helpers, one test per helper. */
#include <string.h>

#include "tg-test.h"
#include "keyfile.h"

#define TEST_ERROR (g_quark_from_static_string("tg-test-keyfile-error"))

enum { CODE_VALUE = 7, CODE_UNKNOWN = 8 };

/* Loads @text into @kf and points @k at it, as file "test.conf". */
static void kf_init(TgKf *k, GKeyFile *kf, const char *text)
{
	g_autoptr(GError) err = NULL;

	if (!g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, &err))
		fail_msg("test data does not load: %s", err->message);
	*k = (TgKf){ .kf = kf, .file = "test.conf", .domain = TEST_ERROR,
		     .code_value = CODE_VALUE, .code_unknown = CODE_UNKNOWN };
}

static void test_string(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree gchar *v = g_strdup("old");
	g_autofree gchar *absent = g_strdup("keep");
	TgKf k;

	kf_init(&k, kf, "[g]\na =  tab\\there  \nbad = x\\qy\ntwo = \\q\\\n");
	assert_true(tg_kf_take_string(&k, "g", "a", &v, &err));
	assert_no_error(err);
	assert_string_equal(v, "tab\there");
	assert_false(g_key_file_has_key(kf, "g", "a", NULL));
	assert_true(tg_kf_take_string(&k, "g", "missing", &absent, &err));
	assert_string_equal(absent, "keep");

	assert_false(tg_kf_take_string(&k, "g", "bad", &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_contains(err->message, "test.conf: [g] bad = 'x\\x5cqy' cannot be read as text");
	assert_string_equal(v, "tab\there");
	assert_false(g_key_file_has_key(kf, "g", "bad", NULL));
	g_clear_error(&err);
	/* Two bad escapes: GLib would set its GError twice (and warn). */
	assert_false(tg_kf_take_string(&k, "g", "two", &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_contains(err->message, "[g] two = '\\x5cq\\x5c' cannot be read as text");
}

static void test_string_list(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) list = NULL;
	TgKf k;

	kf_init(&k, kf, "[g]\nl = a; b ,c;;\n");
	assert_true(tg_kf_take_string_list(&k, "g", "absent", &list, &err));
	assert_null(list);
	assert_true(tg_kf_take_string_list(&k, "g", "l", &list, &err));
	assert_no_error(err);
	assert_int_equal(list->len, 3);
	assert_string_equal(list->pdata[0], "a");
	assert_string_equal(list->pdata[1], "b");
	assert_string_equal(list->pdata[2], "c");
}

static void test_boolean(void **state)
{
	static const struct {
		const char *text;
		gboolean ok;
		gboolean value;
	} cases[] = {
		{ "true", TRUE, TRUE }, { "yes", TRUE, TRUE }, { "on", TRUE, TRUE },
		{ "false", TRUE, FALSE }, { "no", TRUE, FALSE }, { "off", TRUE, FALSE },
		{ "1", FALSE, 0 }, { "True", FALSE, 0 }, { "maybe", FALSE, 0 }, { "", FALSE, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) err = NULL;
		g_autofree gchar *text = g_strdup_printf("[g]\nb = %s\n", cases[i].text);
		g_autofree gchar *expect = NULL;
		gboolean v = 42;
		TgKf k;

		kf_init(&k, kf, text);
		if (cases[i].ok) {
			assert_true(tg_kf_take_boolean(&k, "g", "b", &v, &err));
			assert_no_error(err);
			assert_int_equal(v, cases[i].value);
			continue;
		}
		assert_false(tg_kf_take_boolean(&k, "g", "b", &v, &err));
		assert_error(err, TEST_ERROR, CODE_VALUE);
		expect = g_strdup_printf("test.conf: [g] b = '%s' is not a boolean; use true or "
					 "false", cases[i].text);
		assert_string_equal(err->message, expect);
		assert_int_equal(v, 42);
	}
}

static void test_uint(void **state)
{
	static const struct {
		const char *text;
		gboolean ok;
		guint64 value;
	} cases[] = {
		{ "0", TRUE, 0 }, { "42", TRUE, 42 }, { "100", TRUE, 100 }, { "007", TRUE, 7 },
		{ "101", FALSE, 0 }, { "-1", FALSE, 0 }, { "+1", FALSE, 0 }, { "1.0", FALSE, 0 },
		{ "1 0", FALSE, 0 }, { "0x10", FALSE, 0 }, { "", FALSE, 0 }, { "ten", FALSE, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) err = NULL;
		g_autofree gchar *text = g_strdup_printf("[g]\nn = %s\n", cases[i].text);
		guint64 v = 4242;
		TgKf k;

		kf_init(&k, kf, text);
		if (cases[i].ok) {
			assert_true(tg_kf_take_uint(&k, "g", "n", 100, &v, &err));
			assert_no_error(err);
			assert_int_equal(v, cases[i].value);
			continue;
		}
		assert_false(tg_kf_take_uint(&k, "g", "n", 100, &v, &err));
		assert_error(err, TEST_ERROR, CODE_VALUE);
		assert_contains(err->message, "test.conf: [g] n = '");
		assert_contains(err->message, cases[i].text);
		assert_contains(err->message, "is not a whole number from 0 to 100");
		assert_int_equal(v, 4242);
	}
}

static void test_uint_list(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autoptr(GArray) list = NULL;
	TgKf k;

	kf_init(&k, kf, "[g]\nl = 90; 30,7\nempty =\nbad = 1;x;3\nbig = 5;3651\n");
	assert_true(tg_kf_take_uint_list(&k, "g", "absent", 3650, &list, &err));
	assert_null(list);
	assert_true(tg_kf_take_uint_list(&k, "g", "l", 3650, &list, &err));
	assert_no_error(err);
	assert_int_equal(list->len, 3);
	assert_int_equal(g_array_index(list, guint, 0), 90);
	assert_int_equal(g_array_index(list, guint, 1), 30);
	assert_int_equal(g_array_index(list, guint, 2), 7);
	assert_true(tg_kf_take_uint_list(&k, "g", "empty", 3650, &list, &err));
	assert_int_equal(list->len, 0);

	assert_false(tg_kf_take_uint_list(&k, "g", "bad", 3650, &list, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_contains(err->message, "test.conf: [g] bad = '1;x;3' has 'x', which is not");
	assert_int_equal(list->len, 0);
	g_clear_error(&err);
	assert_false(tg_kf_take_uint_list(&k, "g", "big", 3650, &list, &err));
	assert_contains(err->message, "[g] big = '5;3651' has '3651'");
}

static void test_size(void **state)
{
	static const struct {
		const char *text;
		gboolean ok;
		guint64 value;
	} cases[] = {
		{ "4096", TRUE, 4096 }, { "4K", TRUE, 4096 }, { "4k", TRUE, 4096 },
		{ "1M", TRUE, 1 << 20 }, { "2G", TRUE, G_GUINT64_CONSTANT(2) << 30 },
		{ "4095", FALSE, 0 }, { "3G", FALSE, 0 }, { "1T", FALSE, 0 }, { "K", FALSE, 0 },
		{ "", FALSE, 0 }, { "1.5M", FALSE, 0 }, { "-1M", FALSE, 0 }, { "1 M", FALSE, 0 },
		{ "1MB", FALSE, 0 }, { "99999999999999G", FALSE, 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) err = NULL;
		g_autofree gchar *text = g_strdup_printf("[g]\ns = %s\n", cases[i].text);
		guint64 v = 4242;
		gboolean ok;
		TgKf k;

		kf_init(&k, kf, text);
		ok = tg_kf_take_size(&k, "g", "s", 4096, G_GUINT64_CONSTANT(2) << 30, &v, &err);
		if (ok != cases[i].ok)
			fail_msg("'%s': expected %s", cases[i].text, cases[i].ok ? "ok" : "error");
		if (ok) {
			assert_int_equal(v, cases[i].value);
			continue;
		}
		assert_error(err, TEST_ERROR, CODE_VALUE);
		assert_contains(err->message, "test.conf: [g] s = '");
		assert_contains(err->message, "is not a size from 4096 to 2147483648 bytes");
		assert_int_equal(v, 4242);
	}
}

static void test_path(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree gchar *v = NULL;
	TgKf k;

	kf_init(&k, kf, "[g]\np = /var/lib/x \nrel = var/lib\nempty =\nctl = /a\\tb\n");
	assert_true(tg_kf_take_path(&k, "g", "p", &v, &err));
	assert_string_equal(v, "/var/lib/x");
	assert_false(tg_kf_take_path(&k, "g", "rel", &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_string_equal(err->message, "test.conf: [g] rel = 'var/lib' is not an absolute "
			    "path; write the full path starting with /");
	g_clear_error(&err);
	assert_false(tg_kf_take_path(&k, "g", "empty", &v, &err));
	assert_contains(err->message, "[g] empty = '' is not an absolute path");
	g_clear_error(&err);
	assert_false(tg_kf_take_path(&k, "g", "ctl", &v, &err));
	assert_contains(err->message, "[g] ctl = '/a\\x09b' contains a control character");
	assert_string_equal(v, "/var/lib/x");
}

static void test_duration(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	gint64 v = -1;
	TgKf k;

	kf_init(&k, kf, "[g]\nd = 7d\nbad = 7 days\n");
	assert_true(tg_kf_take_duration(&k, "g", "d", &v, &err));
	assert_int_equal(v, 7 * 86400);
	assert_false(tg_kf_take_duration(&k, "g", "bad", &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_contains(err->message, "test.conf: [g] bad = '7 days' is not a duration");
	assert_int_equal(v, 7 * 86400);
}

static void test_date(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autoptr(GDateTime) v = NULL;
	TgKf k;

	kf_init(&k, kf, "[g]\nd = 2030-12-31\nbad = 2026-02-30\n");
	assert_true(tg_kf_take_date(&k, "g", "d", &v, &err));
	assert_non_null(v);
	assert_int_equal(g_date_time_get_day_of_month(v), 31);
	assert_int_equal(g_date_time_get_hour(v), 23);
	assert_false(tg_kf_take_date(&k, "g", "bad", &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_contains(err->message, "test.conf: [g] bad = '2026-02-30' is not a date");
	assert_int_equal(g_date_time_get_year(v), 2030);
}

static void test_enum(void **state)
{
	static const char *const names[] = { "allow", "refuse", NULL };
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	gint v = -1;
	TgKf k;

	kf_init(&k, kf, "[g]\ne = refuse\nbad = Refuse\n");
	assert_true(tg_kf_take_enum(&k, "g", "e", names, &v, &err));
	assert_int_equal(v, 1);
	assert_false(tg_kf_take_enum(&k, "g", "bad", names, &v, &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_string_equal(err->message, "test.conf: [g] bad = 'Refuse' is not allowed; use one "
			    "of: allow, refuse");
	assert_int_equal(v, 1);
}

static void test_remaining(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	gboolean b = FALSE;
	TgKf k;

	kf_init(&k, kf, "[a]\nknown = true\n[b]\ntypo = 1\n[c]\n");
	assert_true(tg_kf_take_boolean(&k, "a", "known", &b, &err));
	assert_true(tg_kf_check_remaining_keys(&k, "a", &err));
	assert_false(g_key_file_has_group(kf, "a"));
	assert_true(tg_kf_check_remaining_keys(&k, "absent", &err));
	assert_no_error(err);

	assert_false(tg_kf_check_remaining_keys(&k, "b", &err));
	assert_error(err, TEST_ERROR, CODE_UNKNOWN);
	assert_contains(err->message, "test.conf: [b] typo = '1' is not a known key");
	g_clear_error(&err);

	assert_false(tg_kf_check_remaining_groups(&k, &err));
	assert_error(err, TEST_ERROR, CODE_UNKNOWN);
	assert_contains(err->message, "test.conf: group [b] is not a known group");
	g_clear_error(&err);
	g_key_file_remove_group(kf, "b", NULL);
	assert_false(tg_kf_check_remaining_groups(&k, &err));
	assert_contains(err->message, "group [c] is not a known group");
	g_clear_error(&err);
	assert_true(tg_kf_check_remaining_keys(&k, "c", &err));
	assert_true(tg_kf_check_remaining_groups(&k, &err));
	assert_no_error(err);
}

static void test_origin(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GHashTable) origin = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) err = NULL;
	gboolean b = FALSE;
	TgKf k;

	kf_init(&k, kf, "[g]\nb = perhaps\nx = 1\n[h]\n");
	g_hash_table_insert(origin, (gpointer) "g" TG_KF_ORIGIN_SEP "b", (gpointer) "10-a.conf");
	g_hash_table_insert(origin, (gpointer) "h" TG_KF_ORIGIN_SEP, (gpointer) "20-b.conf");
	k.origin = origin;
	assert_string_equal(tg_kf_file(&k, "g", "b"), "10-a.conf");
	assert_string_equal(tg_kf_file(&k, "g", "x"), "test.conf");
	assert_string_equal(tg_kf_file(&k, "h", NULL), "20-b.conf");

	assert_false(tg_kf_take_boolean(&k, "g", "b", &b, &err));
	assert_contains(err->message, "10-a.conf: [g] b = 'perhaps'");
	g_clear_error(&err);
	assert_false(tg_kf_check_remaining_keys(&k, "g", &err));
	assert_contains(err->message, "test.conf: [g] x = '1'");
	g_clear_error(&err);
	g_key_file_remove_group(kf, "g", NULL);
	assert_false(tg_kf_check_remaining_groups(&k, &err));
	assert_contains(err->message, "20-b.conf: group [h]");
}

static void test_value_error(void **state)
{
	g_autoptr(GError) err = NULL;
	TgKf k = { .file = "f.conf", .domain = TEST_ERROR, .code_value = CODE_VALUE };

	assert_false(tg_kf_value_error(&k, "grp", "key", "v'al", "is wrong; fix it", &err));
	assert_error(err, TEST_ERROR, CODE_VALUE);
	assert_string_equal(err->message, "f.conf: [grp] key = 'v\\x27al' is wrong; fix it");
}

static void test_quote(void **state)
{
	g_autofree gchar *plain = tg_kf_quote("Europe/Zürich");
	g_autofree gchar *ctl = tg_kf_quote("a\nb\x7f'\\");
	g_autofree gchar *bad = tg_kf_quote("a\xff\xfe");
	g_autofree gchar *none = tg_kf_quote(NULL);
	g_autofree gchar *long_ascii = NULL;
	g_autofree gchar *long_utf8 = NULL;
	GString *s = g_string_new(NULL);

	assert_string_equal(plain, "Europe/Zürich");
	assert_string_equal(ctl, "a\\x0ab\\x7f\\x27\\x5c");
	assert_string_equal(bad, "a\\xff\\xfe");
	assert_string_equal(none, "");

	for (int i = 0; i < 200; i++)
		g_string_append_c(s, 'x');
	long_ascii = tg_kf_quote(s->str);
	assert_int_equal(strlen(long_ascii), 80 + 3);
	assert_true(g_str_has_suffix(long_ascii, "..."));
	g_string_truncate(s, 0);
	for (int i = 0; i < 100; i++)
		g_string_append(s, "ü");
	long_utf8 = tg_kf_quote(s->str);
	assert_true(g_utf8_validate(long_utf8, -1, NULL));
	assert_true(g_str_has_suffix(long_utf8, "..."));
	assert_true(strlen(long_utf8) <= 82 + 3);
	g_string_free(s, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_string_list),
		cmocka_unit_test(test_boolean),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_uint_list),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_remaining),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_value_error),
		cmocka_unit_test(test_quote),
	};

	g_log_set_always_fatal(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
