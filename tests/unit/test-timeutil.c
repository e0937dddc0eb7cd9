/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tg_parse_duration() and tg_parse_date(). */
#include <string.h>

#include "tg-test.h"
#include "policy-private.h"

#define SENTINEL G_GINT64_CONSTANT(-4242)

/* "YYYY-MM-DDTHH:MM:SS" with a zero-padded year (GLib's %Y does not pad).
 * Returns: (transfer full). */
static gchar *format_utc(GDateTime *dt)
{
	return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d", g_date_time_get_year(dt),
			       g_date_time_get_month(dt), g_date_time_get_day_of_month(dt),
			       g_date_time_get_hour(dt), g_date_time_get_minute(dt),
			       g_date_time_get_second(dt));
}

static void test_duration_valid(void **state)
{
	static const struct {
		const char *text;
		gint64 seconds;
	} cases[] = {
		{ "0", 0 },
		{ "0d", 0 },
		{ "30", 30 },
		{ "007", 7 },
		{ "30s", 30 },
		{ "15m", 15 * 60 },
		{ "12h", 12 * 3600 },
		{ "7d", 7 * 86400 },
		{ "2w", 14 * 86400 },
		{ "9223372036854775807", G_MAXINT64 },
		{ "9223372036854775807s", G_MAXINT64 },
		{ "15250284452471w", G_GINT64_CONSTANT(15250284452471) * 604800 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 v = SENTINEL;

		if (!tg_parse_duration(cases[i].text, &v))
			fail_msg("'%s' was refused", cases[i].text);
		if (v != cases[i].seconds)
			fail_msg("'%s' gave %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
				 cases[i].text, v, cases[i].seconds);
	}
}

static void test_duration_invalid(void **state)
{
	static const char *const cases[] = {
		"", "-1", "+1", "-0", " 1", "1 ", "1 d", "1d ", "\t1d", "1x", "1dd", "d", "s",
		"1.5h", "1,5h", "1D", "1H", "1s1m", "0x10", "1e3",
		"9223372036854775808",	/* one above G_MAXINT64 */
		"99999999999999999999999",
		"15250284452472w",	/* overflows after multiplying */
		"106751991167301d",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 v = SENTINEL;

		if (tg_parse_duration(cases[i], &v))
			fail_msg("'%s' was accepted as %" G_GINT64_FORMAT, cases[i], v);
		if (v != SENTINEL)
			fail_msg("'%s' wrote the result on failure", cases[i]);
	}
	assert_false(tg_parse_duration(NULL, &(gint64){ 0 }));
}

static void test_date_valid(void **state)
{
	static const struct {
		const char *text;
		const char *utc;	/* expected, formatted %Y-%m-%dT%H:%M:%S */
		gint usec;
	} cases[] = {
		/* A bare date is the end of that day in UTC. */
		{ "2026-02-28", "2026-02-28T23:59:59", 0 },
		{ "2024-02-29", "2024-02-29T23:59:59", 0 },
		{ "2000-02-29", "2000-02-29T23:59:59", 0 },
		{ "0001-01-01", "0001-01-01T23:59:59", 0 },
		{ "9999-12-31", "9999-12-31T23:59:59", 0 },
		{ "2030-12-31T23:59:59Z", "2030-12-31T23:59:59", 0 },
		{ "2030-01-01t00:00:00z", "2030-01-01T00:00:00", 0 },
		{ "2030-06-30T12:00:00+02:00", "2030-06-30T10:00:00", 0 },
		{ "2030-06-30T00:30:00-01:30", "2030-06-30T02:00:00", 0 },
		{ "2026-03-01T01:00:00+02:00", "2026-02-28T23:00:00", 0 },
		{ "2030-01-01T00:00:00-00:00", "2030-01-01T00:00:00", 0 },
		{ "2030-01-01T00:00:00.5Z", "2030-01-01T00:00:00", 500000 },
		{ "2030-01-01T00:00:00.123456789+00:00", "2030-01-01T00:00:00", 123456 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GDateTime) dt = tg_parse_date(cases[i].text);
		g_autofree gchar *got = NULL;

		if (!dt)
			fail_msg("'%s' was refused", cases[i].text);
		got = format_utc(dt);
		if (!g_str_equal(got, cases[i].utc))
			fail_msg("'%s' gave %s, expected %s", cases[i].text, got, cases[i].utc);
		assert_int_equal(g_date_time_get_utc_offset(dt), 0);
		if (ABS(g_date_time_get_microsecond(dt) - cases[i].usec) > 1)
			fail_msg("'%s' gave %d microseconds, expected %d", cases[i].text,
				 g_date_time_get_microsecond(dt), cases[i].usec);
	}
}

static void test_date_invalid(void **state)
{
	static const char *const cases[] = {
		"", "2026", "2026-02-30", "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "0000-01-01", "2026-1-01",
		"26-01-01", "2026/01/01", "20260101", "2026-W01-1", "2026-001",
		" 2026-01-01", "2026-01-01 ", "2026-01-01x", "+2026-01-01", "-2026-01-01",
		"2026-01-01T", "2026-01-01T12:00:00", "2026-01-01 12:00:00Z",
		"2026-01-01T12:00Z", "2026-01-01T12:00:00.Z", "2026-01-01T12:00:00.1234567890Z",
		"2026-01-01T24:00:00Z", "2026-01-01T12:60:00Z", "2026-12-31T23:59:60Z",
		"2026-01-01T12:00:00+24:00", "2026-01-01T12:00:00+01:60",
		"2026-01-01T12:00:00+0100", "2026-01-01T12:00:00+01", "2026-01-01T12:00:00Z ",
		"2026-01-01T12:00:00ZZ", "2026-01-01T1:00:00Z", "2026-02-30T12:00:00Z",
		"9999-12-31T23:59:59-01:00",	/* year 10000 in UTC */
		"now", "tomorrow",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GDateTime) dt = tg_parse_date(cases[i]);

		if (dt) {
			g_autofree gchar *got = g_date_time_format_iso8601(dt);

			fail_msg("'%s' was accepted as %s", cases[i], got);
		}
	}
	assert_null(tg_parse_date(NULL));
}

/* The two forms agree: the bare date is exactly one second before the next
 * day starts in UTC. */
static void test_date_end_of_day(void **state)
{
	g_autoptr(GDateTime) day = tg_parse_date("2030-03-31");
	g_autoptr(GDateTime) next = tg_parse_date("2030-04-01T00:00:00Z");

	assert_non_null(day);
	assert_non_null(next);
	assert_int_equal(g_date_time_difference(next, day), G_TIME_SPAN_SECOND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_valid),
		cmocka_unit_test(test_duration_invalid),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_date_invalid),
		cmocka_unit_test(test_date_end_of_day),
	};

	g_log_set_always_fatal(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
