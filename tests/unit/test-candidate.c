/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The candidate (policy/config/candidate.c): the strict candidate file, the
 * metadata keys every adapter sets through tg_candidate_set_meta(), and how
 * untrusted text is made safe to keep. */
#include <string.h>

#include "tg-test.h"
#include "candidate-private.h"

#define DIGEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static TgCandidate *load(const char *text, GError **error)
{
	g_autoptr(TgCandidate) cand = tg_candidate_new();

	if (!tg_candidate_load_data(cand, "cand.conf", text, strlen(text), error))
		return NULL;
	return g_steal_pointer(&cand);
}

static void test_full_file(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = load("[candidate]\n"
					"name = thermo-fw\n"
					"version = 1.2.3\n"
					"digest = " DIGEST "\n"
					"mechanism = ota\n"
					"updater = cli\n"
					"updater-version = 1.0\n"
					"updater-transaction = tx-7\n"
					"class = security\n"
					"advisories = CVE-2026-1, CVE-2026-2;CVE-2026-3\n"
					"severity = high\n"
					"risk = remote code execution\n"
					"reboot = yes\n"
					"downtime = 90s\n"
					"services = heating ui\n"
					"support-end = 2030-06-30\n"
					"component = app\n", &err);

	assert_no_error(err);
	assert_string_equal(tg_candidate_version(c), "1.2.3");
	assert_string_equal(c->name, "thermo-fw");
	assert_string_equal(c->digest, DIGEST);
	assert_string_equal(c->mechanism, "ota");
	assert_string_equal(c->updater_transaction, "tx-7");
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
	assert_int_equal(c->advisories->len, 3);
	assert_string_equal(g_ptr_array_index(c->advisories, 2), "CVE-2026-3");
	assert_int_equal(c->services->len, 2);
	assert_true(c->reboot);
	assert_int_equal(c->downtime, 90);
	assert_string_equal(c->component, "app");
	assert_non_null(c->support_end);
	assert_int_equal(g_date_time_get_year(c->support_end), 2030);
	assert_true(c->has_metadata);
	assert_true(tg_candidate_is_disruptive(c));
}

static void test_digest_is_lowered(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *upper = g_ascii_strup(DIGEST, -1);
	g_autofree gchar *text = g_strdup_printf("[candidate]\nversion = 1\ndigest = %s\n", upper);
	g_autoptr(TgCandidate) c = load(text, &err);

	assert_no_error(err);
	assert_string_equal(c->digest, DIGEST);
	assert_false(c->has_metadata);
	assert_false(tg_candidate_is_disruptive(c));
}

/* Each bad value is refused with one sentence naming file, group, key and
 * value and what to write instead. */
static void test_bad_values(void **state)
{
	static const struct {
		const char *line, *want;
	} rows[] = {
		{ "digest = abc", "cand.conf: [candidate] digest = 'abc' is not a SHA-256 digest" },
		{ "class = urgent", "[candidate] class = 'urgent' is not a class; use security" },
		{ "reboot = maybe", "reboot = 'maybe' is not a boolean; use true or false" },
		{ "downtime = -5", "downtime = '-5' is not a duration" },
		{ "support-end = 2030-02-30", "support-end = '2030-02-30' is not a date" },
		{ "colour = red", "'colour' is not a tollgate metadata key; use class" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree gchar *text = g_strdup_printf("[candidate]\nversion = 1\n%s\n",
							 rows[i].line);
		g_autoptr(TgCandidate) c = load(text, &err);

		assert_null(c);
		assert_non_null(err);
		assert_int_equal(err->domain, TG_CANDIDATE_ERROR);
		assert_contains(err->message, rows[i].want);
	}
}

static void test_only_candidate_group(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = load("[candidate]\nversion = 1\n[extra]\nx = 1\n", &err);

	assert_null(c);
	assert_error(err, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_UNKNOWN);
	assert_contains(err->message, "group [extra] is not allowed");
}

static void test_not_a_key_file(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = load("version 1.0\n", &err);

	assert_null(c);
	assert_error(err, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_SYNTAX);
	assert_contains(err->message, "cand.conf is not a valid candidate file");
}

/* A metadata group (RAUC's [meta.tollgate]) takes metadata keys only: an
 * identity key there is not a metadata key. */
static void test_group_takes_metadata_only(void **state)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(TgCandidate) c = tg_candidate_new();
	g_autoptr(GError) err = NULL;

	assert_true(g_key_file_load_from_data(kf, "[meta.tollgate]\nclass = feature\n"
					      "version = 9.9\n", -1, G_KEY_FILE_NONE, NULL));
	assert_false(tg_candidate_load_group(c, kf, "meta.tollgate", "manifest.raucm", &err));
	assert_error(err, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_UNKNOWN);
	assert_contains(err->message, "'version' is not a tollgate metadata key");
	assert_null(tg_candidate_version(c));
	/* A missing group is no metadata, not an error. */
	assert_true(tg_candidate_load_group(c, kf, "meta.other", "manifest.raucm", NULL));
}

/* Control characters become U+FFFD (newline and tab stay), invalid UTF-8 is
 * replaced, and a long value is cut at a character boundary with a marker. */
static void test_text_made_safe(void **state)
{
	g_autoptr(TgCandidate) c = tg_candidate_new();
	g_autoptr(GString) long_text = g_string_new(NULL);
	gsize mark = strlen(TG_META_TRUNCATED_MARK);

	assert_true(tg_candidate_set_meta(c, "risk", "a\x1b[31mb\nc\td\x7f", "test", NULL));
	assert_string_equal(c->risk, "a\xef\xbf\xbd[31mb\nc\td\xef\xbf\xbd");
	assert_true(tg_candidate_set_meta(c, "severity", "hi\xff\xfe", "test", NULL));
	assert_true(g_utf8_validate(c->severity, -1, NULL));
	assert_true(g_str_has_prefix(c->severity, "hi"));
	while (long_text->len < TG_META_MAX_LEN + 10)
		g_string_append(long_text, "\xc3\xa9");	/* two bytes each */
	assert_true(tg_candidate_set_meta(c, "risk", long_text->str, "test", NULL));
	assert_true(strlen(c->risk) <= TG_META_MAX_LEN + mark);
	assert_true(g_str_has_suffix(c->risk, TG_META_TRUNCATED_MARK));
	assert_true(g_utf8_validate(c->risk, -1, NULL));
}

/* tg_candidate_set() takes identity keys and metadata keys alike. */
static void test_set_identity_or_meta(void **state)
{
	g_autoptr(TgCandidate) c = tg_candidate_new();
	g_autoptr(GError) err = NULL;

	assert_true(tg_candidate_set(c, "version", "2.0", "arg", NULL));
	assert_false(c->has_metadata);
	assert_true(tg_candidate_set(c, "disruptive", "true", "arg", NULL));
	assert_true(c->has_metadata);
	assert_true(tg_candidate_is_disruptive(c));
	assert_false(tg_candidate_set(c, "bogus", "1", "--set bogus", &err));
	assert_contains(err->message, "--set bogus: 'bogus' is not a tollgate metadata key");
	assert_string_equal(tg_candidate_version(c), "2.0");
}

static void test_slot_switch_is_disruptive(void **state)
{
	g_autoptr(TgCandidate) c = tg_candidate_new();

	assert_false(tg_candidate_is_disruptive(c));
	c->slot_switch = TRUE;
	assert_true(tg_candidate_is_disruptive(c));
}

static void test_missing_file(void **state)
{
	g_autoptr(TgCandidate) c = tg_candidate_new();
	g_autoptr(GError) err = NULL;

	assert_false(tg_candidate_load_file(c, "/nonexistent/cand.conf", &err));
	assert_error(err, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_IO);
	assert_contains(err->message, "/nonexistent/cand.conf");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_digest_is_lowered),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_only_candidate_group),
		cmocka_unit_test(test_not_a_key_file),
		cmocka_unit_test(test_group_takes_metadata_only),
		cmocka_unit_test(test_text_made_safe),
		cmocka_unit_test(test_set_identity_or_meta),
		cmocka_unit_test(test_slot_switch_is_disruptive),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
