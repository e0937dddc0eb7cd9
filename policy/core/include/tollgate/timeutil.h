/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Durations and dates as tollgate writes them in policy files and records. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

/* Parses "30s", "15m", "12h", "7d", "2w" (or a plain number of seconds):
 * digits, then at most one lower-case unit letter. Refuses signs, spaces,
 * empty text, unknown units and results above G_MAXINT64 seconds.
 * @ret_seconds is written only on success. */
TG_EXPORT gboolean tg_parse_duration(const char *text, gint64 *ret_seconds);

/* Parses "YYYY-MM-DD", meaning the end of that day (23:59:59 UTC), or an
 * RFC 3339 date-time with "Z" or a numeric offset (e.g.
 * "2030-06-30T12:00:00+02:00"), converted to UTC. Refuses dates that do not
 * exist (2026-02-30), leap seconds, missing offsets and other ISO 8601 forms.
 * Returns: (transfer full): a UTC date-time or NULL. */
TG_EXPORT GDateTime *tg_parse_date(const char *text);

G_END_DECLS
