/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weekly maintenance windows in a named time zone.
 *
 * A window is a range of local wall-clock minutes [start, end) on the enabled
 * days of the week. When end <= start the range crosses midnight: it opens at
 * start on an enabled day D and closes at end on the day after D (end ==
 * start gives a 24 hour window). Only the local wall clock counts, so daylight
 * saving changes lengthen or shorten the window on the day they happen, and a
 * window opening inside a spring-forward gap opens at the first instant after
 * the gap. */
#include <stdlib.h>

#include "policy-private.h"

#define SECONDS_PER_DAY 86400
#define SEARCH_DAYS 8
#define SAMPLE_STEP 3600	/* time-zone offsets are sampled hourly */
#define MAX_OFFSETS 16
#define MAX_CANDIDATES 64

/* Returns: (transfer full): the window's zone, UTC when none is set. */
static GTimeZone *window_tz(const TgWindow *window)
{
	return window->tz ? g_time_zone_ref(window->tz) : g_time_zone_new_utc();
}

/* @dow: 0 = Monday ... 6 = Sunday. */
static gboolean day_enabled(const TgWindow *window, guint dow)
{
	return (window->days >> (dow % 7)) & 1;
}

static gboolean wall_inside(const TgWindow *window, guint dow, guint minute)
{
	guint prev = (dow + 6) % 7;

	if (window->start_minute < window->end_minute)
		return day_enabled(window, dow) && minute >= window->start_minute &&
		       minute < window->end_minute;
	return (day_enabled(window, dow) && minute >= window->start_minute) ||
	       (day_enabled(window, prev) && minute < window->end_minute);
}

gboolean tg_window_contains(const TgWindow *window, GDateTime *when)
{
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) local = NULL;
	guint minute;

	g_return_val_if_fail(when != NULL, FALSE);
	if (!window || !window->enabled)
		return TRUE;
	tz = window_tz(window);
	local = g_date_time_to_timezone(when, tz);
	if (!local)
		return FALSE;
	minute = (guint)(g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local));
	return wall_inside(window, (guint)g_date_time_get_day_of_week(local) - 1, minute);
}

/* UTC offset (seconds) in effect at @instant (seconds since the epoch). */
static gint32 offset_at(GTimeZone *tz, gint64 instant)
{
	gint interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, instant);

	return interval < 0 ? 0 : g_time_zone_get_offset(tz, interval);
}

/* Floor division: local days since 1970-01-01 of local seconds @local. */
static gint64 local_day(gint64 local)
{
	if (local >= 0)
		return local / SECONDS_PER_DAY;
	return -((-local + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY);
}

/* 1970-01-01 was a Thursday (3 when Monday is 0). */
static guint day_of_week(gint64 day)
{
	return (guint)(((day + 3) % 7 + 7) % 7);
}

typedef struct {
	gint32 offsets[MAX_OFFSETS];
	guint n_offsets;
	gint64 candidates[MAX_CANDIDATES];
	guint n_candidates;
} Search;

static void add_offset(Search *s, gint32 offset)
{
	for (guint i = 0; i < s->n_offsets; i++)
		if (s->offsets[i] == offset)
			return;
	if (s->n_offsets < MAX_OFFSETS)
		s->offsets[s->n_offsets++] = offset;
}

static void add_candidate(Search *s, gint64 instant)
{
	if (s->n_candidates < MAX_CANDIDATES)
		s->candidates[s->n_candidates++] = instant;
}

/* Every instant in [from, to] where the offset changes is a candidate (a
 * clock jump can land inside the window); the offsets seen are collected for
 * turning wall-clock openings into instants. */
static void collect_transitions(Search *s, GTimeZone *tz, gint64 from, gint64 to)
{
	gint32 before = offset_at(tz, from);

	add_offset(s, before);
	for (gint64 t = from; t < to; t += SAMPLE_STEP) {
		gint64 lo = t, hi = MIN(t + SAMPLE_STEP, to);
		gint32 after = offset_at(tz, hi);

		if (after == before)
			continue;
		while (hi - lo > 1) {
			gint64 mid = lo + (hi - lo) / 2;

			if (offset_at(tz, mid) == before)
				lo = mid;
			else
				hi = mid;
		}
		add_candidate(s, hi);
		add_offset(s, after);
		before = after;
	}
}

/* Every instant whose local wall clock reads the opening minute of an enabled
 * day (zero, one or two instants per day around DST changes). */
static void collect_openings(Search *s, const TgWindow *window, GTimeZone *tz, gint64 from,
			     gint64 to)
{
	gint64 first = local_day(from + s->offsets[0]) - 1;

	for (gint64 day = first; day <= first + SEARCH_DAYS + 2; day++) {
		gint64 wall = day * SECONDS_PER_DAY + (gint64)window->start_minute * 60;

		if (!day_enabled(window, day_of_week(day)))
			continue;
		for (guint i = 0; i < s->n_offsets; i++) {
			gint64 instant = wall - s->offsets[i];

			if (instant < from || instant > to)
				continue;
			if (offset_at(tz, instant) == s->offsets[i])
				add_candidate(s, instant);
		}
	}
}

static gint compare_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return (x > y) - (x < y);
}

GDateTime *tg_window_next_open(const TgWindow *window, GDateTime *when)
{
	g_autoptr(GTimeZone) tz = NULL;
	Search s = { 0 };
	gint64 from, to;

	g_return_val_if_fail(when != NULL, NULL);
	if (!window || !window->enabled)
		return NULL;
	if (tg_window_contains(window, when))
		return g_date_time_to_utc(when);
	tz = window_tz(window);
	from = g_date_time_to_unix(when);
	to = from + (gint64)SEARCH_DAYS * SECONDS_PER_DAY;
	collect_transitions(&s, tz, from, to);
	collect_openings(&s, window, tz, from, to);
	qsort(s.candidates, s.n_candidates, sizeof(gint64), compare_gint64);
	for (guint i = 0; i < s.n_candidates; i++) {
		g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc(s.candidates[i]);

		if (at && tg_window_contains(window, at))
			return g_steal_pointer(&at);
	}
	return NULL;
}
