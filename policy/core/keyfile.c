/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "keyfile.h"
#include "tollgate/timeutil.h"

#include <string.h>


#define QUOTE_MAX 80

gchar *tg_kf_quote(const char *value)
{
	GString *out = g_string_new(NULL);
	gboolean utf8;

	if (!value)
		return g_string_free(out, FALSE);
	utf8 = g_utf8_validate(value, -1, NULL);
	for (const char *p = value; *p;) {
		guchar c = (guchar)*p;

		if (out->len >= QUOTE_MAX) {
			g_string_append(out, "...");
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\' || (c >= 0x80 && !utf8)) {
			g_string_append_printf(out, "\\x%02x", c);
			p++;
		} else if (c >= 0x80) {
			const char *next = g_utf8_next_char(p);

			g_string_append_len(out, p, next - p);
			p = next;
		} else {
			g_string_append_c(out, *p++);
		}
	}
	return g_string_free(out, FALSE);
}

const char *tg_kf_file(const TgKf *k, const char *group, const char *key)
{
	g_autofree gchar *id = NULL;
	const char *file;

	if (!k->origin)
		return k->file;
	id = g_strconcat(group, TG_KF_ORIGIN_SEP, key ? key : "", NULL);
	file = g_hash_table_lookup(k->origin, id);
	return file ? file : k->file;
}

gboolean tg_kf_value_error(const TgKf *k, const char *group, const char *key, const char *raw,
			   const char *what, GError **error)
{
	g_autofree gchar *q = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	q = tg_kf_quote(raw);
	g_set_error(error, k->domain, k->code_value, "%s: [%s] %s = '%s' %s",
		    tg_kf_file(k, group, key), group, key, q, what);
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

/* Only the escapes GKeyFile knows for strings: \s \n \t \r \\ */
static gboolean escapes_ok(const char *raw)
{
	for (const char *p = raw; *p; p++) {
		if (*p != '\\')
			continue;
		p++;
		if (!*p || !strchr("sntr\\", *p))
			return FALSE;
	}
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
	/* Re-read through GKeyFile's unescaping rules. On a bad escape GLib
	 * still returns a value (and with several bad escapes sets its GError
	 * twice), so escapes are checked here and GLib gets no GError. */
	if (escapes_ok(raw)) {
		g_key_file_set_value(k->kf, group, key, raw);
		val = g_key_file_get_string(k->kf, group, key, NULL);
		g_key_file_remove_key(k->kf, group, key, NULL);
	}
	if (!val || !g_utf8_validate(val, -1, NULL))
		return tg_kf_value_error(k, group, key, raw,
					 "cannot be read as text (not UTF-8, or a bad \\ escape); "
					 "write UTF-8 and \\\\ for a backslash", error);
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
	return tg_kf_value_error(k, group, key, raw, "is not a boolean; use true or false", error);
}

/* Digits only: no sign, no space, no empty string. */
static gboolean parse_digits(const char *text, guint64 max, guint64 *ret)
{
	if (!*text)
		return FALSE;
	for (const char *p = text; *p; p++) {
		if (!g_ascii_isdigit(*p))
			return FALSE;
	}
	return g_ascii_string_to_unsigned(text, 10, 0, max, ret, NULL);
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
	if (!parse_digits(raw, max, &v)) {
		what = g_strdup_printf("is not a whole number from 0 to %" G_GUINT64_FORMAT
				       "; write digits only", max);
		return tg_kf_value_error(k, group, key, raw, what, error);
	}
	*ret = v;
	return TRUE;
}

gboolean tg_kf_take_uint_list(TgKf *k, const char *group, const char *key, guint64 max,
			      GArray **ret, GError **error)
{
	g_autofree gchar *raw = NULL;
	g_auto(GStrv) parts = NULL;
	g_autoptr(GArray) list = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(max <= G_MAXUINT, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	list = g_array_new(FALSE, FALSE, sizeof(guint));
	parts = g_strsplit_set(raw, ";,", -1);
	for (gchar **p = parts; *p; p++) {
		g_autofree gchar *q = NULL;
		g_autofree gchar *what = NULL;
		guint64 v;
		guint u;

		g_strstrip(*p);
		if (!**p)
			continue;
		if (!parse_digits(*p, max, &v)) {
			q = tg_kf_quote(*p);
			what = g_strdup_printf("has '%s', which is not a whole number from 0 to %"
					       G_GUINT64_FORMAT "; write numbers separated by ';'",
					       q, max);
			return tg_kf_value_error(k, group, key, raw, what, error);
		}
		u = (guint)v;
		g_array_append_val(list, u);
	}
	if (*ret)
		g_array_unref(*ret);
	*ret = g_steal_pointer(&list);
	return TRUE;
}

static gboolean parse_size(const char *text, guint64 *ret)
{
	g_autofree gchar *digits = g_strdup(text);
	gsize n = strlen(digits);
	guint64 mult = 1;
	guint64 v;

	if (n == 0)
		return FALSE;
	switch (digits[n - 1]) {
	case 'K':
	case 'k':
		mult = G_GUINT64_CONSTANT(1) << 10;
		break;
	case 'M':
	case 'm':
		mult = G_GUINT64_CONSTANT(1) << 20;
		break;
	case 'G':
	case 'g':
		mult = G_GUINT64_CONSTANT(1) << 30;
		break;
	default:
		break;
	}
	if (mult != 1)
		digits[n - 1] = '\0';
	if (!parse_digits(digits, G_MAXUINT64 / mult, &v))
		return FALSE;
	*ret = v * mult;
	return TRUE;
}

gboolean tg_kf_take_size(TgKf *k, const char *group, const char *key, guint64 min,
			 guint64 max, guint64 *ret, GError **error)
{
	g_autofree gchar *raw = NULL;
	g_autofree gchar *what = NULL;
	guint64 v = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!take_raw(k, group, key, &raw))
		return TRUE;
	if (!parse_size(raw, &v) || v < min || v > max) {
		what = g_strdup_printf("is not a size from %" G_GUINT64_FORMAT " to %"
				       G_GUINT64_FORMAT " bytes; write a number with an optional "
				       "K, M or G suffix (e.g. 1M)", min, max);
		return tg_kf_value_error(k, group, key, raw, what, error);
	}
	*ret = v;
	return TRUE;
}

gboolean tg_kf_take_path(TgKf *k, const char *group, const char *key, gchar **ret,
			 GError **error)
{
	g_autofree gchar *val = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_kf_take_string(k, group, key, &val, error))
		return FALSE;
	if (!val)
		return TRUE;
	for (const char *p = val; *p; p++) {
		if ((guchar)*p < 0x20 || *p == 0x7f)
			return tg_kf_value_error(k, group, key, val,
						 "contains a control character; write a plain path",
						 error);
	}
	if (!g_path_is_absolute(val))
		return tg_kf_value_error(k, group, key, val,
					 "is not an absolute path; write the full path starting "
					 "with /", error);
	g_free(*ret);
	*ret = g_steal_pointer(&val);
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
		return tg_kf_value_error(k, group, key, raw,
					 "is not a duration; use a whole number with s, m, h, d or w "
					 "(e.g. 7d)", error);
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
		return tg_kf_value_error(k, group, key, raw,
					 "is not a date; use YYYY-MM-DD or an RFC 3339 time such "
					 "as 2030-12-31T23:59:59Z", error);
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
	return tg_kf_value_error(k, group, key, raw, what, error);
}

gboolean tg_kf_check_remaining_keys(TgKf *k, const char *group, GError **error)
{
	g_auto(GStrv) keys = NULL;
	g_autofree gchar *val = NULL;
	g_autofree gchar *qk = NULL;
	g_autofree gchar *qv = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	keys = g_key_file_get_keys(k->kf, group, NULL, NULL);
	if (!keys || !keys[0]) {
		g_key_file_remove_group(k->kf, group, NULL);
		return TRUE;
	}
	val = g_key_file_get_value(k->kf, group, keys[0], NULL);
	qk = tg_kf_quote(keys[0]);
	qv = tg_kf_quote(val);
	g_set_error(error, k->domain, k->code_unknown,
		    "%s: [%s] %s = '%s' is not a known key; check its spelling against the "
		    "policy reference or remove it", tg_kf_file(k, group, keys[0]), group, qk, qv);
	return FALSE;
}

gboolean tg_kf_check_remaining_groups(TgKf *k, GError **error)
{
	g_auto(GStrv) groups = NULL;
	g_autofree gchar *q = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	groups = g_key_file_get_groups(k->kf, NULL);
	if (!groups || !groups[0])
		return TRUE;
	q = tg_kf_quote(groups[0]);
	g_set_error(error, k->domain, k->code_unknown,
		    "%s: group [%s] is not a known group; check its spelling against the "
		    "policy reference or remove it", tg_kf_file(k, groups[0], NULL), q);
	return FALSE;
}

GKeyFile *tg_kf_copy_groups(GKeyFile *from, gboolean (*want)(const char *group))
{
	GKeyFile *kf = g_key_file_new();
	g_auto(GStrv) groups = from ? g_key_file_get_groups(from, NULL) : NULL;

	for (gchar **g = groups; g && *g; g++) {
		g_auto(GStrv) keys = NULL;

		if (!want(*g))
			continue;
		keys = g_key_file_get_keys(from, *g, NULL, NULL);
		g_key_file_set_value(kf, *g, "x", "");	/* keeps an empty group */
		g_key_file_remove_key(kf, *g, "x", NULL);
		for (gchar **key = keys; keys && *key; key++) {
			g_autofree gchar *v = g_key_file_get_value(from, *g, *key, NULL);

			g_key_file_set_value(kf, *g, *key, v ? v : "");
		}
	}
	return kf;
}
