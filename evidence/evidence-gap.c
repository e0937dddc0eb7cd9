/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The list of gaps every part of the pack adds to: what the records and
 * declarations do not show, by area. */
#include "evidence-private.h"

static void gap_free(TgEvGap *g)
{
	g_free(g->ref);
	g_free(g->text);
	g_free(g);
}

GPtrArray *tg_ev_gaps_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)gap_free);
}

void tg_ev_gap_add(GPtrArray *gaps, TgEvArea area, const char *ref, const char *fmt, ...)
{
	TgEvGap *g = g_new0(TgEvGap, 1);
	va_list ap;

	g->area = area;
	g->ref = g_strdup(ref);
	va_start(ap, fmt);
	g->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(gaps, g);
}

guint tg_ev_gaps_in_area(const GPtrArray *gaps, TgEvArea area)
{
	guint n = 0;

	for (guint i = 0; i < gaps->len; i++)
		n += ((const TgEvGap *)g_ptr_array_index(gaps, i))->area == area;
	return n;
}
