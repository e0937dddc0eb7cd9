/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the notifier and the sink parsers share (notify-private.h). */
#include "notify-private.h"
#include "policy-private.h"

G_DEFINE_QUARK(tg-notify-error-quark, tg_notify_error)

/* Longest delivery timeout a sink may set, in seconds. */
#define MAX_TIMEOUT_S 300

gpointer tg_notify_missing_key(const TgKf *k, const char *group, const char *key,
			       const char *hint, GError **error)
{
	g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_MISSING, "%s: [%s] has no %s; %s",
		    tg_kf_file(k, group, NULL), group, key, hint);
	return NULL;
}

gboolean tg_notify_take_timeout(TgKf *k, const char *group, gint64 def, gint64 *ret,
				GError **error)
{
	g_autofree gchar *raw = NULL;
	gint64 v = -1;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (g_key_file_has_key(k->kf, group, "timeout", NULL))
		raw = g_key_file_get_value(k->kf, group, "timeout", NULL);
	if (!tg_kf_take_duration(k, group, "timeout", &v, error))
		return FALSE;
	if (!raw) {
		*ret = def;
		return TRUE;
	}
	if (v < 1 || v > MAX_TIMEOUT_S)
		return tg_kf_value_error(k, group, "timeout", raw,
					 "is out of range; use 1s to 5m", error);
	*ret = v;
	return TRUE;
}

static gboolean on_deadline(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

gboolean tg_notify_iterate(GMainContext *ctx, const gboolean *done, gint64 timeout_ms)
{
	g_autoptr(GSource) timer = g_timeout_source_new((guint)MIN(timeout_ms, G_MAXUINT));
	gboolean expired = FALSE;

	g_source_set_callback(timer, on_deadline, &expired, NULL);
	g_source_attach(timer, ctx);
	while (!*done && !expired)
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(timer);
	return *done;
}

