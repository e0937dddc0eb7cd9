/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "keyfile.h"

#include <string.h>

#include "tollgate/policy.h"

#define QUOTE_MAX 80

gchar *tg_kf_quote(const char *value)
{
	GString *out = g_string_new(NULL);

	if (!value)
		return g_string_free(out, FALSE);
	for (const char *p = value; *p; p++) {
		if (out->len >= QUOTE_MAX) {
			g_string_append(out, "...");
			break;
		}
		if ((guchar)*p < 0x20 || *p == 0x7f || *p == '\'' || *p == '\\')
			g_string_append_printf(out, "\\x%02x", (guchar)*p);
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

static gboolean value_error(TgKf *k, const char *group, const char *key, const char *raw,
			    const char *what, GError **error)
{
	g_autofree gchar *q = tg_kf_quote(raw);

	g_set_error(error, k->domain, k->code_value, "%s: [%s] %s = '%s' %s", k->file, group,
		    key, q, what);
	return FALSE;
}

/* Reads the raw value; FALSE without error when absent. */
static gboolean take_raw(TgKf *k, const char *group, const char *key, gchar **ret)
{
	gchar *raw;

	if (!g_key_file_has_key(k->kf, group, key, NULL))
		return FALSE;
	raw = g_key_file_get_value(k->kf, group, key, NULL);
	g_key_file_remove_key(k->kf, group, key, NULL);
	*ret = g_strstrip(raw ? raw : g_strdup(""));
	return TRUE;
}

gboolean tg_kf_take_string(TgKf *k, const char *group, const char *key, gchar **ret,
			   GError **error)
{
	g_autofree gchar *raw = NULL;
	g_autofree gchar *val = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	/* Re-read through GKeyFile's unescaping rules. */
	g_key_file_set_value(k->kf, group, key, raw);
	val = g_key_file_get_string(k->kf, group, key, NULL);
	g_key_file_remove_key(k->kf, group, key, NULL);
	if (!val || !g_utf8_validate(val, -1, NULL))
		return value_error(k, group, key, raw, "is not valid UTF-8 text; write it as UTF-8",
				   error);
	g_strstrip(val);
	g_free(*ret);
	*ret = g_steal_pointer(&val);
	return TRUE;
}

gboolean tg_kf_take_string_list(TgKf *k, const char *group, const char *key, GPtrArray **ret,
				GError **error)
{
	g_autofree gchar *raw = NULL;
	g_auto(GStrv) parts = NULL;
	GPtrArray *list;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_string(k, group, key, &raw, error))
		return FALSE;
	if (!raw)
		return TRUE;
	list = g_ptr_array_new_with_free_func(g_free);
	parts = g_strsplit_set(raw, ";,", -1);
	for (gchar **p = parts; *p; p++) {
		g_strstrip(*p);
		if (**p)
			g_ptr_array_add(list, g_strdup(*p));
	}
	if (*ret)
		g_ptr_array_unref(*ret);
	*ret = list;
	return TRUE;
}

gboolean tg_kf_take_boolean(TgKf *k, const char *group, const char *key, gboolean *ret,
			    GError **error)
{
	g_autofree gchar *raw = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	if (g_str_equal(raw, "true") || g_str_equal(raw, "yes") || g_str_equal(raw, "on")) {
		*ret = TRUE;
		return TRUE;
	}
	if (g_str_equal(raw, "false") || g_str_equal(raw, "no") || g_str_equal(raw, "off")) {
		*ret = FALSE;
		return TRUE;
	}
	return value_error(k, group, key, raw, "is not a boolean; use true or false", error);
}

gboolean tg_kf_take_uint(TgKf *k, const char *group, const char *key, guint64 max,
			 guint64 *ret, GError **error)
{
	g_autofree gchar *raw = NULL;
	g_autofree gchar *what = NULL;
	guint64 v;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	if (!g_ascii_string_to_unsigned(raw, 10, 0, max, &v, NULL)) {
		what = g_strdup_printf("is not a whole number from 0 to %" G_GUINT64_FORMAT
				       "; write digits only", max);
		return value_error(k, group, key, raw, what, error);
	}
	*ret = v;
	return TRUE;
}

gboolean tg_kf_take_duration(TgKf *k, const char *group, const char *key, gint64 *ret,
			     GError **error)
{
	g_autofree gchar *raw = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	if (!tg_parse_duration(raw, ret))
		return value_error(k, group, key, raw,
				   "is not a duration; use a number with s, m, h, d or w (e.g. 7d)",
				   error);
	return TRUE;
}

gboolean tg_kf_take_date(TgKf *k, const char *group, const char *key, GDateTime **ret,
			 GError **error)
{
	g_autofree gchar *raw = NULL;
	GDateTime *dt;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	dt = tg_parse_date(raw);
	if (!dt)
		return value_error(k, group, key, raw,
				   "is not a date; use YYYY-MM-DD or an RFC 3339 time", error);
	if (*ret)
		g_date_time_unref(*ret);
	*ret = dt;
	return TRUE;
}

gboolean tg_kf_take_enum(TgKf *k, const char *group, const char *key,
			 const char *const *names, gint *ret, GError **error)
{
	g_autofree gchar *raw = NULL;
	g_autofree gchar *joined = NULL;
	g_autofree gchar *what = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	for (gint i = 0; names[i]; i++) {
		if (g_str_equal(raw, names[i])) {
			*ret = i;
			return TRUE;
		}
	}
	joined = g_strjoinv(", ", (gchar **)names);
	what = g_strdup_printf("is not allowed; use one of: %s", joined);
	return value_error(k, group, key, raw, what, error);
}

gboolean tg_kf_check_remaining_keys(TgKf *k, const char *group, GError **error)
{
	g_auto(GStrv) keys = NULL;
	g_autofree gchar *val = NULL;
	g_autofree gchar *q = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	keys = g_key_file_get_keys(k->kf, group, NULL, NULL);
	if (!keys || !keys[0]) {
		g_key_file_remove_group(k->kf, group, NULL);
		return TRUE;
	}
	val = g_key_file_get_value(k->kf, group, keys[0], NULL);
	q = tg_kf_quote(val);
	g_set_error(error, k->domain, k->code_unknown,
		    "%s: [%s] %s = '%s' is not a known key; check its spelling against the "
		    "policy reference or remove it", k->file, group, keys[0], q);
	return FALSE;
}

gboolean tg_kf_check_remaining_groups(TgKf *k, GError **error)
{
	g_auto(GStrv) groups = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	groups = g_key_file_get_groups(k->kf, NULL);
	if (!groups || !groups[0])
		return TRUE;
	g_set_error(error, k->domain, k->code_unknown,
		    "%s: group [%s] is not a known group; check its spelling against the "
		    "policy reference or remove it", k->file, groups[0]);
	return FALSE;
}
