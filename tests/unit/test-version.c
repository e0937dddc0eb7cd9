/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "tg-test.h"
#include "tollgate/version.h"

#define SEMVER TG_SCHEME_SEMVER
#define SWU TG_SCHEME_SWUPDATE

#define assert_invalid(err) assert_error((err), TG_VERSION_ERROR, TG_VERSION_ERROR_INVALID)

/* ---- accepted texts ---------------------------------------------------- */

static const struct {
	TgVersionScheme scheme;
	const char *text;
} accept_cases[] = {
	{ SEMVER, "0" },
	{ SEMVER, "1" },
	{ SEMVER, "1.2" },
	{ SEMVER, "1.2.3" },
	{ SEMVER, "2024.05" },
	{ SEMVER, "2011.03-2" },
	{ SEMVER, "00.000.0" },
	{ SEMVER, "1.0.65536" },
	{ SEMVER, "18446744073709551615.0.0" },
	{ SEMVER, "1.0.0-alpha" },
	{ SEMVER, "1.0.0-alpha.1" },
	{ SEMVER, "1.0.0-0.3.7" },
	{ SEMVER, "1.0.0-x.7.z.92" },
	{ SEMVER, "1.0.0-x-y-z.--" },
	{ SEMVER, "1.0.0-rc.01" },
	{ SEMVER, "1.0.0-18446744073709551615" },
	{ SEMVER, "1.0.0+20130313144700" },
	{ SEMVER, "1.0.0+exp.sha.5114f85" },
	{ SEMVER, "1.0.0+build.007" },
	{ SEMVER, "1.0.0+99999999999999999999999" },
	{ SEMVER, "1.0.0-beta+exp.sha.5114f85" },
	{ SEMVER, "3000000000.0.0-rc.1" },
	{ SEMVER, "1.0.0-rc.-5" },
	{ SWU, "0" },
	{ SWU, "1.2.3.4" },
	{ SWU, "65535.65535.65535.65535" },
	{ SWU, "2024.05" },
	{ SWU, "0001.0002" },
	{ SWU, "1.2.3-rc.1" },
	{ SWU, "1.2.3+build.5" },
	{ SWU, "1.2-rc1" },
	{ SWU, "1.0.70000-rc1" },
	{ SWU, "2147483647.0.0-2147483647" },
	{ SWU, "1.0.0-rc-5" },
};

static void test_parse_accepts(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(accept_cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgVersion) v = tg_version_parse(accept_cases[i].scheme,
							  accept_cases[i].text, -1, &err);

		if (!v)
			fail_msg("%s '%s' refused: %s",
				 tg_version_scheme_to_string(accept_cases[i].scheme),
				 accept_cases[i].text, err->message);
		assert_no_error(err);
		assert_string_equal(tg_version_to_string(v), accept_cases[i].text);
	}
}

/* ---- refused texts ----------------------------------------------------- */

static const struct {
	TgVersionScheme scheme;
	const char *text;
	gssize len;		/* -1: NUL-terminated */
	const char *quoted;	/* how the message must quote the input */
	const char *reason;	/* part of the message that says what is wrong */
} refuse_cases[] = {
	{ SEMVER, "", -1, "''", "it is empty" },
	{ SWU, "", -1, "''", "it is empty" },
	{ SEMVER, "v2.0", -1, "'v2.0'", "must start with a digit" },
	{ SEMVER, "v10.0", -1, "'v10.0'", "must start with a digit" },
	{ SWU, "v2.0", -1, "'v2.0'", "must start with a digit" },
	{ SWU, "v10.0", -1, "'v10.0'", "must start with a digit" },
	{ SEMVER, "V1", -1, "'V1'", "must start with a digit" },
	{ SEMVER, ".1", -1, "'.1'", "must start with a digit" },
	{ SEMVER, "-1", -1, "'-1'", "must start with a digit" },
	{ SEMVER, "+1", -1, "'+1'", "must start with a digit" },
	{ SEMVER, "2.0.0.1", -1, "'2.0.0.1'", "more than 3 numeric parts" },
	{ SEMVER, "1.2.3.4.5", -1, "'1.2.3.4.5'", "more than 3 numeric parts" },
	{ SWU, "1.2.3.4.5", -1, "'1.2.3.4.5'", "more than 4 fields; SWUpdate" },
	{ SWU, "1.2.3.4.9", -1, "'1.2.3.4.9'", "would mis-order it" },
	{ SWU, "1.0.65536", -1, "'1.0.65536'", "larger than 65535; SWUpdate" },
	{ SWU, "65536", -1, "'65536'", "'65536' is larger than 65535" },
	{ SWU, "1.2.3.4-rc1", -1, "'1.2.3.4-rc1'", "at most 3 numbers" },
	{ SEMVER, "1..2", -1, "'1..2'", "empty part" },
	{ SEMVER, "1.", -1, "'1.'", "empty part" },
	{ SEMVER, "1.-rc", -1, "'1.-rc'", "empty part" },
	{ SWU, "1..2", -1, "'1..2'", "empty field" },
	{ SWU, "1.", -1, "'1.'", "empty field" },
	{ SWU, ".1", -1, "'.1'", "empty field" },
	{ SWU, ".", -1, "'.'", "empty field" },
	{ SEMVER, "1.a", -1, "'1.a'", "only digits and dots, found 'a'" },
	{ SEMVER, "1.2a", -1, "'1.2a'", "only digits and dots, found 'a'" },
	{ SEMVER, "1_2", -1, "'1_2'", "found '_'" },
	{ SEMVER, "1.0~rc1", -1, "'1.0~rc1'", "found '~'" },
	{ SEMVER, "18446744073709551616", -1, "'18446744073709551616'", "is too large" },
	{ SEMVER, "1.99999999999999999999", -1, "'1.99999999999999999999'", "is too large" },
	{ SEMVER, " 1.0", -1, "' 1.0'", "whitespace" },
	{ SEMVER, "1.0 ", -1, "'1.0 '", "whitespace" },
	{ SEMVER, "1 .0", -1, "'1 .0'", "whitespace" },
	{ SWU, "1.0\t", -1, "'1.0\\x09'", "whitespace" },
	{ SEMVER, "1.0\n", -1, "'1.0\\x0a'", "whitespace" },
	{ SEMVER, "1.0\x01", -1, "'1.0\\x01'", "control character \\x01" },
	{ SWU, "\x1b[31m1.0", -1, "'\\x1b[31m1.0'", "control character \\x1b" },
	{ SEMVER, "1.0\x7f", -1, "'1.0\\x7f'", "control character \\x7f" },
	{ SEMVER, "1.0.0\0.1", 8, "'1.0.0\\x00.1'", "NUL byte at offset 5" },
	{ SWU, "1.0\0", 4, "'1.0\\x00'", "NUL byte at offset 3" },
	{ SEMVER, "1.0-r\xc3\xa9", -1, "'1.0-r\\xc3\\xa9'", "non-ASCII byte (\\xc3)" },
	{ SEMVER, "1.0-it's", -1, "'1.0-it\\x27s'", "found '\\x27'" },
	{ SEMVER, "1.0-", -1, "'1.0-'", "the pre-release after '-' is empty" },
	{ SEMVER, "1.0-+b", -1, "'1.0-+b'", "the pre-release after '-' is empty" },
	{ SEMVER, "1.0-rc..1", -1, "'1.0-rc..1'", "pre-release has an empty identifier" },
	{ SEMVER, "1.0-rc.", -1, "'1.0-rc.'", "pre-release has an empty identifier" },
	{ SEMVER, "1.0-.rc", -1, "'1.0-.rc'", "pre-release has an empty identifier" },
	{ SEMVER, "1.0-rc_1", -1, "'1.0-rc_1'", "pre-release may contain only" },
	{ SEMVER, "1.0-18446744073709551616", -1, "'1.0-18446744073709551616'",
	  "pre-release identifier '18446744073709551616' is too large" },
	{ SEMVER, "1.0+", -1, "'1.0+'", "the build metadata after '+' is empty" },
	{ SEMVER, "1.0+a..b", -1, "'1.0+a..b'", "build metadata has an empty identifier" },
	{ SEMVER, "1.0+a+b", -1, "'1.0+a+b'", "build metadata may contain only" },
	{ SEMVER, "1.0+a/b", -1, "'1.0+a/b'", "found '/'" },
	{ SWU, "3000000000.0.0-rc1", -1, "'3000000000.0.0-rc1'",
	  "larger than 2147483647; SWUpdate" },
	{ SWU, "1.0.0-rc.2147483648", -1, "'1.0.0-rc.2147483648'",
	  "'2147483648' is larger than 2147483647" },
	{ SWU, "1.0.0-rc.-5", -1, "'1.0.0-rc.-5'", "'-5' as a negative number" },
};

static void test_parse_refuses(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(refuse_cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgVersion) v = NULL;
		g_autofree gchar *head = g_strdup_printf(
			"version %s is not a valid %s version: ", refuse_cases[i].quoted,
			tg_version_scheme_to_string(refuse_cases[i].scheme));

		v = tg_version_parse(refuse_cases[i].scheme, refuse_cases[i].text,
				     refuse_cases[i].len, &err);
		if (v)
			fail_msg("case %" G_GSIZE_FORMAT " '%s' was accepted", i,
				 refuse_cases[i].quoted);
		assert_invalid(err);
		if (!g_str_has_prefix(err->message, head))
			fail_msg("'%s' does not start with '%s'", err->message, head);
		assert_contains(err->message, refuse_cases[i].reason);
	}
}

static void test_error_message_exact(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgVersion) v = tg_version_parse(SEMVER, "v2.0", -1, &err);

	assert_null(v);
	assert_invalid(err);
	assert_string_equal(err->message, "version 'v2.0' is not a valid semver version: "
			    "it must start with a digit (e.g. 2.0.0, 2024.05 or 2.0.0-rc.1)");
	g_clear_error(&err);
	v = tg_version_parse(SWU, "1.0.65536", -1, &err);
	assert_null(v);
	assert_string_equal(err->message, "version '1.0.65536' is not a valid swupdate version: "
			    "the field '65536' is larger than 65535; SWUpdate packs each field "
			    "into 16 bits and would mis-order it");
}

/* A 256-byte version is the longest accepted; 257 bytes are refused and the
 * message quotes a shortened copy. */
static void test_length_limit(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgVersion) v = NULL;
	g_autoptr(GString) text = g_string_new("1.0.0+");

	while (text->len < TG_VERSION_MAX_LEN)
		g_string_append_c(text, 'a');
	assert_int_equal(text->len, 256);
	v = tg_version_parse(SEMVER, text->str, -1, &err);
	assert_no_error(err);
	assert_non_null(v);
	g_clear_pointer(&v, tg_version_free);

	/* SWUpdate reads at most 255 bytes of a semantic version. */
	v = tg_version_parse(SWU, text->str, -1, &err);
	assert_null(v);
	assert_contains(err->message, "longer than 255 bytes");
	g_clear_error(&err);

	g_string_append_c(text, 'a');
	assert_int_equal(text->len, 257);
	for (int scheme = SEMVER; scheme <= SWU; scheme++) {
		v = tg_version_parse(scheme, text->str, -1, &err);
		assert_null(v);
		assert_invalid(err);
		assert_contains(err->message, "'1.0.0+aaaaaaaaaaaaaaaaaaaa");
		assert_contains(err->message, "aaa...'");
		assert_contains(err->message, "it is 257 bytes long, at most 256 are allowed");
		assert_true(strlen(err->message) < 200);
		g_clear_error(&err);
	}
}

/* A long digits-and-dots text is fine for SWUpdate when its fields fit. */
static void test_leading_zeros_long(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *zeros = g_strnfill(TG_VERSION_MAX_LEN - 1, '0');
	g_autofree gchar *text = g_strconcat(zeros, "7", NULL);
	g_autoptr(TgVersion) a = NULL;
	g_autoptr(TgVersion) b = NULL;

	for (int scheme = SEMVER; scheme <= SWU; scheme++) {
		a = tg_version_parse(scheme, text, -1, &err);
		assert_no_error(err);
		b = tg_version_parse(scheme, "7.0", -1, &err);
		assert_no_error(err);
		assert_int_equal(tg_version_compare(a, b), 0);
		g_clear_pointer(&a, tg_version_free);
		g_clear_pointer(&b, tg_version_free);
	}
}

/* An explicit length takes only that many bytes. */
static void test_explicit_length(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgVersion) v = tg_version_parse(SEMVER, "1.2.3garbage", 5, &err);

	assert_no_error(err);
	assert_string_equal(tg_version_to_string(v), "1.2.3");
	g_clear_pointer(&v, tg_version_free);
	v = tg_version_parse(SWU, "1.2.3.4.5", 7, &err);
	assert_no_error(err);
	assert_string_equal(tg_version_to_string(v), "1.2.3.4");
	g_clear_pointer(&v, tg_version_free);
	v = tg_version_parse(SEMVER, NULL, 0, &err);
	assert_null(v);
	assert_contains(err->message, "it is empty");
}

/* Buffers without a terminating NUL: nothing may be read past @len (the
 * sanitizer build catches an over-read). */
static void test_unterminated_buffers(void **state)
{
	static const struct {
		TgVersionScheme scheme;
		const char *text;
		const char *reason;	/* NULL: accepted */
	} cases[] = {
		{ SEMVER, "1.2.3-rc.1+b.7", NULL },
		{ SWU, "1.2.3.4", NULL },
		{ SEMVER, "1.0-rc_1", "found '_'" },
		{ SEMVER, "99999999999999999999999", "'99999999999999999999999' is too large" },
		{ SEMVER, "1.0-99999999999999999999", "'99999999999999999999' is too large" },
		{ SWU, "1.2.99999", "'99999' is larger than 65535" },
		{ SWU, "1.0.0-rc.", "empty identifier" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gsize len = strlen(cases[i].text);
		g_autofree char *buf = g_memdup2(cases[i].text, len);
		g_autoptr(GError) err = NULL;
		g_autoptr(TgVersion) v = tg_version_parse(cases[i].scheme, buf, (gssize)len, &err);

		if (!cases[i].reason) {
			assert_no_error(err);
			assert_string_equal(tg_version_to_string(v), cases[i].text);
			continue;
		}
		assert_null(v);
		assert_invalid(err);
		assert_contains(err->message, cases[i].reason);
	}
}

/* ---- ordering ---------------------------------------------------------- */

static const struct {
	TgVersionScheme scheme;
	const char *a;
	const char *b;
	int cmp;		/* sign of compare(a, b) */
	int diff;		/* first_difference(a, b) */
} order_cases[] = {
	/* pre-release below release */
	{ SEMVER, "1.0.0-alpha", "1.0.0", -1, 3 },
	{ SEMVER, "1.0.0-rc.1+build.5", "1.0.0", -1, 3 },
	{ SEMVER, "1.0.0-rc.1", "0.9.9", 1, 0 },
	/* build metadata ignored */
	{ SEMVER, "1.0.0+build.1", "1.0.0+build.2", 0, -1 },
	{ SEMVER, "1.0.0+build.1", "1.0.0", 0, -1 },
	{ SEMVER, "1.0.0-rc.1+a", "1.0.0-rc.1+b", 0, -1 },
	/* numeric identifiers */
	{ SEMVER, "1.0.0-2", "1.0.0-10", -1, 3 },
	{ SEMVER, "1.0.0-rc.2", "1.0.0-rc.10", -1, 3 },
	{ SEMVER, "1.0.0-999", "1.0.0-a", -1, 3 },
	{ SEMVER, "1.0.0-1999.3", "1.0.0-1abc.3", -1, 3 },
	{ SEMVER, "1.0.0-rc.01", "1.0.0-rc.1", 0, -1 },
	{ SEMVER, "1.0.0-18446744073709551615", "1.0.0-18446744073709551614", 1, 3 },
	{ SEMVER, "1.0.0-Z", "1.0.0-a", -1, 3 },
	{ SEMVER, "1.0.0-alpha-1", "1.0.0-alpha-2", -1, 3 },
	{ SEMVER, "1.0.0-alpha", "1.0.0-alpha.0", -1, 3 },
	/* missing core parts are 0; leading zeros are numbers */
	{ SEMVER, "2024.05", "2024.5.0", 0, -1 },
	{ SEMVER, "2024.05", "2024.10", -1, 1 },
	{ SEMVER, "2024.12", "2025.01", -1, 0 },
	{ SEMVER, "2011.03-2", "2011.03", -1, 3 },
	{ SEMVER, "1", "1.0.0", 0, -1 },
	{ SEMVER, "1.2", "1.2.1", -1, 2 },
	{ SEMVER, "1.10.0", "1.9.0", 1, 1 },
	{ SEMVER, "10.0", "9.99", 1, 0 },
	{ SEMVER, "18446744073709551615", "18446744073709551614", 1, 0 },
	/* swupdate: plain 4-field versions */
	{ SWU, "1.2.3.4", "1.2.3.5", -1, 3 },
	{ SWU, "1.2.3.4", "1.2.3", 1, 3 },
	{ SWU, "1.2.3.0", "1.2.3", 0, -1 },
	{ SWU, "1.2.10", "1.2.9", 1, 2 },
	{ SWU, "1.2.3.65535", "1.2.4", -1, 2 },
	{ SWU, "65535", "65534.65535.65535.65535", 1, 0 },
	{ SWU, "2024.05", "2024.5", 0, -1 },
	{ SWU, "2024.05.0.1", "2024.5", 1, 3 },
	/* swupdate: plain versus semantic */
	{ SWU, "1.2.3.4", "1.2.3-rc1", 1, 3 },
	{ SWU, "1.2.3.0", "1.2.3-rc1", 1, 3 },
	{ SWU, "1.2.3.4", "1.2.3+b", 1, 3 },
	{ SWU, "1.2.3", "1.2.3+b", 0, -1 },
	{ SWU, "1.2.3-rc1", "1.2.3", -1, 3 },
	{ SWU, "1.2.4-rc1", "1.2.3.9", 1, 2 },
	{ SWU, "1.3", "1.2.3-rc.1", 1, 1 },
	{ SWU, "2-rc.1", "1.65535.65535.65535", 1, 0 },
	{ SWU, "1.0.70000-rc1", "1.0.65535.65535", 1, 2 },
	/* swupdate: semantic versus semantic */
	{ SWU, "1.0.0-rc.2", "1.0.0-rc.10", -1, 3 },
	{ SWU, "1.0.0-rc.1+a", "1.0.0-rc.1+b", 0, -1 },
	{ SWU, "1.0.0-beta", "1.0.0-alpha.9", 1, 3 },
};

/* Returns: (transfer full): @text parsed; fails the test when it is refused. */
static TgVersion *parse_ok(TgVersionScheme scheme, const char *text)
{
	g_autoptr(GError) err = NULL;
	TgVersion *v = tg_version_parse(scheme, text, -1, &err);

	if (!v)
		fail_msg("'%s' refused: %s", text, err->message);
	return v;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_order_table(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(order_cases); i++) {
		g_autoptr(TgVersion) a = parse_ok(order_cases[i].scheme, order_cases[i].a);
		g_autoptr(TgVersion) b = parse_ok(order_cases[i].scheme, order_cases[i].b);
		int ab = sign(tg_version_compare(a, b));
		int ba = sign(tg_version_compare(b, a));

		if (ab != order_cases[i].cmp || ba != -order_cases[i].cmp)
			fail_msg("%s: compare('%s', '%s') = %d / %d, expected %d",
				 tg_version_scheme_to_string(order_cases[i].scheme),
				 order_cases[i].a, order_cases[i].b, ab, ba, order_cases[i].cmp);
		if (tg_version_first_difference(a, b) != order_cases[i].diff ||
		    tg_version_first_difference(b, a) != order_cases[i].diff)
			fail_msg("first_difference('%s', '%s') = %d, expected %d",
				 order_cases[i].a, order_cases[i].b,
				 tg_version_first_difference(a, b), order_cases[i].diff);
		assert_int_equal(tg_version_compare(a, a), 0);
		assert_int_equal(tg_version_first_difference(a, a), -1);
	}
}

/* The precedence example of SemVer 2.0.0, and a SWUpdate chain mixing both
 * forms: every earlier entry sorts below every later one. */
static const char *const semver_chain[] = {
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
	"1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1-0",
	"1.0.1", "1.1", "2", "2024.05-rc.1", "2024.05", NULL,
};
static const char *const swupdate_chain[] = {
	"0", "0.0.0.1", "0.1-rc.1", "0.1", "0.1.0.1", "1.2.3-alpha", "1.2.3-rc.1",
	"1.2.3+b1", "1.2.3.1", "1.2.3.65535", "1.2.4-rc.1", "1.2.4", "1.65535",
	"2.0.0-rc.1", "2.0.0.0", "2.0.0.1", "65535.0.0.0", "70000.0.0-rc.1", NULL,
};

static void check_chain(TgVersionScheme scheme, const char *const *chain)
{
	for (gsize i = 0; chain[i]; i++) {
		g_autoptr(TgVersion) a = parse_ok(scheme, chain[i]);

		for (gsize j = 0; chain[j]; j++) {
			g_autoptr(TgVersion) b = parse_ok(scheme, chain[j]);
			int expected = (i > j) - (i < j);

			if (sign(tg_version_compare(a, b)) != expected)
				fail_msg("%s: compare('%s', '%s') = %d, expected %d",
					 tg_version_scheme_to_string(scheme), chain[i], chain[j],
					 tg_version_compare(a, b), expected);
		}
	}
}

static void test_order_chains(void **state)
{
	check_chain(SEMVER, semver_chain);
	check_chain(SWU, swupdate_chain);
}

/* Antisymmetry and transitivity over every accepted text of both tables. */
static void check_total(TgVersionScheme scheme)
{
	g_autoptr(GPtrArray) vs = g_ptr_array_new_with_free_func((GDestroyNotify)tg_version_free);

	for (gsize i = 0; i < G_N_ELEMENTS(order_cases); i++) {
		if (order_cases[i].scheme != scheme)
			continue;
		g_ptr_array_add(vs, parse_ok(scheme, order_cases[i].a));
		g_ptr_array_add(vs, parse_ok(scheme, order_cases[i].b));
	}
	assert_true(vs->len > 30);
	for (guint i = 0; i < vs->len; i++) {
		for (guint j = 0; j < vs->len; j++) {
			int ij = sign(tg_version_compare(vs->pdata[i], vs->pdata[j]));

			assert_int_equal(ij, -sign(tg_version_compare(vs->pdata[j], vs->pdata[i])));
			for (guint k = 0; k < vs->len; k++) {
				int jk = sign(tg_version_compare(vs->pdata[j], vs->pdata[k]));
				int ik = sign(tg_version_compare(vs->pdata[i], vs->pdata[k]));

				if (ij <= 0 && jk <= 0)
					assert_true(ik <= 0);
				if (ij == 0 && jk == 0)
					assert_int_equal(ik, 0);
			}
		}
	}
}

static void test_order_is_total(void **state)
{
	check_total(SEMVER);
	check_total(SWU);
}

/* ---- compare_strings --------------------------------------------------- */

static void test_compare_strings(void **state)
{
	static const struct {
		TgVersionScheme scheme;
		const char *a;
		const char *b;
		const char *quoted;
	} refused[] = {
		{ SEMVER, "v2.0", "v10.0", "'v2.0'" },
		{ SWU, "v2.0", "v10.0", "'v2.0'" },
		{ SEMVER, "2.0", "v10.0", "'v10.0'" },
		{ SWU, "1.2.3.4.9", "1.2.3.4.5", "'1.2.3.4.9'" },
		{ SWU, "1.2.3.4", "1.2.3.4.5", "'1.2.3.4.5'" },
		{ SWU, "1.0.65536", "1.0.65535", "'1.0.65536'" },
		{ SEMVER, "1.0", "", "''" },
	};
	g_autoptr(GError) err = NULL;
	int cmp = 42;

	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		assert_false(tg_version_compare_strings(refused[i].scheme, refused[i].a,
							refused[i].b, &cmp, &err));
		assert_invalid(err);
		assert_contains(err->message, refused[i].quoted);
		assert_int_equal(cmp, 42);
		g_clear_error(&err);
	}
	assert_true(tg_version_compare_strings(SEMVER, "2.0", "10.0", &cmp, &err));
	assert_no_error(err);
	assert_int_equal(cmp, -1);
	assert_true(tg_version_compare_strings(SWU, "1.2.3.4", "1.2.3.3", &cmp, &err));
	assert_int_equal(cmp, 1);
	assert_true(tg_version_compare_strings(SEMVER, "2024.05", "2024.5", &cmp, &err));
	assert_int_equal(cmp, 0);
}

static void test_free_null(void **state)
{
	tg_version_free(NULL);
	assert_int_not_equal(TG_VERSION_ERROR, 0);
	assert_string_equal(g_quark_to_string(TG_VERSION_ERROR), "tg-version-error-quark");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_error_message_exact),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_leading_zeros_long),
		cmocka_unit_test(test_explicit_length),
		cmocka_unit_test(test_unterminated_buffers),
		cmocka_unit_test(test_order_table),
		cmocka_unit_test(test_order_chains),
		cmocka_unit_test(test_order_is_total),
		cmocka_unit_test(test_compare_strings),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
