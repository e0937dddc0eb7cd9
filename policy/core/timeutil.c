/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Durations and dates as written in the policy. Both parsers are strict:
 * anything that is not exactly one of the documented forms is refused
 * rather than guessed at. */
#include "tollgate/timeutil.h"

#include <string.h>

static const struct {
	char unit;
	gint64 seconds;
} duration_units[] = {
	{ 's', 1 },
	{ 'm', 60 },
	{ 'h', 60 * 60 },
	{ 'd', 24 * 60 * 60 },
	{ 'w', 7 * 24 * 60 * 60 },
};

/* The multiplier for @unit, or 0 when it is not a unit. */
static gint64 duration_unit(char unit)
{
	for (gsize i = 0; i < G_N_ELEMENTS(duration_units); i++) {
		if (duration_units[i].unit == unit)
			return duration_units[i].seconds;
	}
	return 0;
}

gboolean tg_parse_duration(const char *text, gint64 *ret_seconds)
{
	const char *p = text;
	gint64 n = 0;
	gint64 mult = 1;

	g_return_val_if_fail(ret_seconds != NULL, FALSE);
	if (!text || !g_ascii_isdigit(*p))
		return FALSE;
	for (; g_ascii_isdigit(*p); p++) {
		gint64 digit = *p - '0';

		if (n > (G_MAXINT64 - digit) / 10)
			return FALSE;
		n = n * 10 + digit;
	}
	if (*p) {
		mult = duration_unit(*p);
		if (mult == 0 || p[1] != '\0')
			return FALSE;
	}
	if (n > G_MAXINT64 / mult)
		return FALSE;
	*ret_seconds = n * mult;
	return TRUE;
}

/* Exactly @n ASCII digits at @p. */
static gboolean take_digits(const char *p, guint n, gint *ret)
{
	gint v = 0;

	for (guint i = 0; i < n; i++) {
		if (!g_ascii_isdigit(p[i]))
			return FALSE;
		v = v * 10 + (p[i] - '0');
	}
	*ret = v;
	return TRUE;
}

/* "YYYY-MM-DD" at the start of @text, a real calendar date. */
static gboolean parse_full_date(const char *text, gint *ret_y, gint *ret_m, gint *ret_d)
{
	gint y, m, d;

	if (!take_digits(text, 4, &y) || text[4] != '-' || !take_digits(text + 5, 2, &m) ||
	    text[7] != '-' || !take_digits(text + 8, 2, &d))
		return FALSE;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return FALSE;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return FALSE;
	*ret_y = y;
	*ret_m = m;
	*ret_d = d;
	return TRUE;
}

/* "HH:MM:SS" with an optional fraction of 1 to 9 digits; @p advances. */
static gboolean parse_partial_time(const char **p, gint *ret_h, gint *ret_min, gdouble *ret_s)
{
	const char *s = *p;
	gint h, min, sec;
	gint frac_digits = 0;
	gdouble frac = 0, scale = 0.1;

	if (!take_digits(s, 2, &h) || s[2] != ':' || !take_digits(s + 3, 2, &min) ||
	    s[5] != ':' || !take_digits(s + 6, 2, &sec))
		return FALSE;
	if (h > 23 || min > 59 || sec > 59)
		return FALSE;
	s += 8;
	if (*s == '.') {
		for (s++; g_ascii_isdigit(*s); s++, frac_digits++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
		if (frac_digits < 1 || frac_digits > 9)
			return FALSE;
	}
	*ret_h = h;
	*ret_min = min;
	*ret_s = sec + frac;
	*p = s;
	return TRUE;
}

/* "Z" or "+HH:MM" / "-HH:MM" ending the string. */
static gboolean parse_offset(const char *p, gint32 *ret_seconds)
{
	gint h, m;

	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*ret_seconds = 0;
		return TRUE;
	}
	if ((p[0] != '+' && p[0] != '-') || !take_digits(p + 1, 2, &h) || p[3] != ':' ||
	    !take_digits(p + 4, 2, &m) || p[6] != '\0')
		return FALSE;
	if (h > 23 || m > 59)
		return FALSE;
	*ret_seconds = (p[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return TRUE;
}

static GDateTime *parse_date_time(const char *rest, gint y, gint mo, gint d)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) local = NULL;
	gint h, min;
	gdouble sec;
	gint32 offset;

	if (!parse_partial_time(&rest, &h, &min, &sec) || !parse_offset(rest, &offset))
		return NULL;
	tz = g_time_zone_new_offset(offset);
	local = g_date_time_new(tz, y, mo, d, h, min, sec);
	if (!local)
		return NULL;
	return g_date_time_to_utc(local);
}

GDateTime *tg_parse_date(const char *text)
{
	gint y, m, d;

	if (!text || strlen(text) < 10 || !parse_full_date(text, &y, &m, &d))
		return NULL;
	if (text[10] == '\0')
		return g_date_time_new_utc(y, m, d, 23, 59, 59);
	if (text[10] != 'T' && text[10] != 't')
		return NULL;
	return parse_date_time(text + 11, y, m, d);
}
