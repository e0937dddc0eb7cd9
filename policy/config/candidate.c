/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TgCandidate: the update an adapter asks about, and its tollgate metadata. */
#include "candidate-private.h"

#include <string.h>

#include "keyfile.h"
#include "policy-private.h"

G_DEFINE_QUARK(tg-candidate-error-quark, tg_candidate_error)

#define MAX_LIST_ITEMS TG_MAX_ADVISORIES

TgCandidate *tg_candidate_new(void)
{
	TgCandidate *cand = g_new0(TgCandidate, 1);

	cand->advisories = g_ptr_array_new_with_free_func(g_free);
	cand->services = g_ptr_array_new_with_free_func(g_free);
	return cand;
}

void tg_candidate_free(TgCandidate *cand)
{
	if (!cand)
		return;
	g_free(cand->name);
	g_free(cand->version);
	g_free(cand->component);
	g_free(cand->digest);
	g_free(cand->mechanism);
	g_free(cand->updater);
	g_free(cand->updater_version);
	g_free(cand->updater_transaction);
	g_ptr_array_unref(cand->advisories);
	g_free(cand->severity);
	g_free(cand->risk);
	g_ptr_array_unref(cand->services);
	g_clear_pointer(&cand->support_end, g_date_time_unref);
	g_free(cand);
}

/* Makes untrusted text safe to keep: valid UTF-8, no control characters but
 * newline and tab, at most TG_META_MAX_LEN bytes (cut at a character
 * boundary, marker appended). Returns: (transfer full). */
static gchar *sanitize(const char *value)
{
	g_autofree gchar *valid = g_utf8_make_valid(value, -1);
	GString *out = g_string_sized_new(MIN(strlen(valid), TG_META_MAX_LEN) + 16);

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		const char *next = g_utf8_next_char(p);

		if (out->len + (gsize)(next - p) > TG_META_MAX_LEN) {
			g_string_append(out, TG_META_TRUNCATED_MARK);
			break;
		}
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			g_string_append_unichar(out, 0xfffd);
		else
			g_string_append_len(out, p, next - p);
	}
	return g_string_free(out, FALSE);
}

static gboolean meta_error(const char *origin, const char *value, const char *what,
			   GError **error)
{
	g_autofree gchar *q = tg_kf_quote(value);

	g_set_error(error, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_VALUE, "%s = '%s' %s", origin,
		    q, what);
	return FALSE;
}

static gboolean parse_bool(const char *value, gboolean *ret)
{
	if (g_str_equal(value, "true") || g_str_equal(value, "yes") || g_str_equal(value, "1")) {
		*ret = TRUE;
		return TRUE;
	}
	if (g_str_equal(value, "false") || g_str_equal(value, "no") || g_str_equal(value, "0")) {
		*ret = FALSE;
		return TRUE;
	}
	return FALSE;
}

static void set_list(GPtrArray *list, const char *value)
{
	g_auto(GStrv) parts = g_strsplit_set(value, ";, ", -1);

	g_ptr_array_set_size(list, 0);
	for (gchar **p = parts; *p && list->len < MAX_LIST_ITEMS; p++) {
		if (**p)
			g_ptr_array_add(list, sanitize(*p));
	}
}

static gboolean is_digest(const char *value)
{
	if (strlen(value) != 64)
		return FALSE;
	for (const char *p = value; *p; p++)
		if (!g_ascii_isxdigit(*p))
			return FALSE;
	return TRUE;
}

static gboolean set_class(TgCandidate *cand, const char *value, const char *origin,
			  GError **error)
{
	if (!tg_update_class_from_string(value, &cand->declared_class))
		return meta_error(origin, value, "is not a class; use security, feature or mixed",
				  error);
	return TRUE;
}

static gboolean set_flag(gboolean *field, const char *value, const char *origin,
			 GError **error)
{
	if (!parse_bool(value, field))
		return meta_error(origin, value, "is not a boolean; use true or false", error);
	return TRUE;
}

static gboolean set_downtime(TgCandidate *cand, const char *value, const char *origin,
			     GError **error)
{
	if (!tg_parse_duration(value, &cand->downtime))
		return meta_error(origin, value,
				  "is not a duration; use seconds or a number with s, m or h",
				  error);
	return TRUE;
}

static gboolean set_support_end(TgCandidate *cand, const char *value, const char *origin,
				GError **error)
{
	GDateTime *dt = tg_parse_date(value);

	if (!dt)
		return meta_error(origin, value, "is not a date; use YYYY-MM-DD", error);
	g_clear_pointer(&cand->support_end, g_date_time_unref);
	cand->support_end = dt;
	return TRUE;
}

static gboolean set_digest(TgCandidate *cand, const char *value, const char *origin,
			   GError **error)
{
	if (!is_digest(value))
		return meta_error(origin, value, "is not a SHA-256 digest; use 64 hex digits",
				  error);
	g_free(cand->digest);
	cand->digest = g_ascii_strdown(value, -1);
	return TRUE;
}

static void set_text(gchar **field, const char *value)
{
	g_free(*field);
	*field = sanitize(value);
}

gboolean tg_candidate_set_meta(TgCandidate *cand, const char *key, const char *value,
			       const char *origin, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(cand && key && value, FALSE);

	cand->has_metadata = TRUE;
	if (g_str_equal(key, "class"))
		return set_class(cand, value, origin, error);
	if (g_str_equal(key, "reboot"))
		return set_flag(&cand->reboot, value, origin, error);
	if (g_str_equal(key, "disruptive"))
		return set_flag(&cand->disruptive, value, origin, error);
	if (g_str_equal(key, "downtime"))
		return set_downtime(cand, value, origin, error);
	if (g_str_equal(key, "support-end"))
		return set_support_end(cand, value, origin, error);
	if (g_str_equal(key, "advisories")) {
		set_list(cand->advisories, value);
	} else if (g_str_equal(key, "services")) {
		set_list(cand->services, value);
	} else if (g_str_equal(key, "severity")) {
		set_text(&cand->severity, value);
	} else if (g_str_equal(key, "risk")) {
		set_text(&cand->risk, value);
	} else if (g_str_equal(key, "component")) {
		set_text(&cand->component, value);
	} else {
		g_autofree gchar *q = tg_kf_quote(key);

		g_set_error(error, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_UNKNOWN,
			    "%s: '%s' is not a tollgate metadata key; use class, advisories, "
			    "severity, risk, reboot, downtime, disruptive, services, support-end "
			    "or component", origin, q);
		return FALSE;
	}
	return TRUE;
}

/* Keys of [candidate] that are not metadata. */
static gboolean set_identity(TgCandidate *cand, const char *key, const char *value,
			     const char *origin, gboolean *ret_handled, GError **error)
{
	*ret_handled = TRUE;
	if (g_str_equal(key, "digest"))
		return set_digest(cand, value, origin, error);
	if (g_str_equal(key, "version"))
		set_text(&cand->version, value);
	else if (g_str_equal(key, "name"))
		set_text(&cand->name, value);
	else if (g_str_equal(key, "mechanism"))
		set_text(&cand->mechanism, value);
	else if (g_str_equal(key, "updater"))
		set_text(&cand->updater, value);
	else if (g_str_equal(key, "updater-version"))
		set_text(&cand->updater_version, value);
	else if (g_str_equal(key, "updater-transaction"))
		set_text(&cand->updater_transaction, value);
	else
		*ret_handled = FALSE;
	return TRUE;
}

gboolean tg_candidate_set(TgCandidate *cand, const char *key, const char *value,
			  const char *origin, GError **error)
{
	gboolean handled = FALSE;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!set_identity(cand, key, value, origin, &handled, error))
		return FALSE;
	return handled || tg_candidate_set_meta(cand, key, value, origin, error);
}

static gboolean load_group(TgCandidate *cand, GKeyFile *kf, const char *group, const char *name,
			   gboolean identity, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (gchar **k = keys; k && *k; k++) {
		g_autofree gchar *value = g_key_file_get_string(kf, group, *k, NULL);
		g_autofree gchar *qkey = tg_kf_quote(*k);
		g_autofree gchar *qgroup = tg_kf_quote(group);
		g_autofree gchar *origin = g_strdup_printf("%s: [%s] %s", name, qgroup, qkey);
		gboolean handled = FALSE;

		if (!value)
			value = g_key_file_get_value(kf, group, *k, NULL);
		g_strstrip(value);
		if (identity && !set_identity(cand, *k, value, origin, &handled, error))
			return FALSE;
		if (!handled && !tg_candidate_set_meta(cand, *k, value, origin, error))
			return FALSE;
	}
	return TRUE;
}

gboolean tg_candidate_load_group(TgCandidate *cand, GKeyFile *kf, const char *group,
				 const char *name, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_key_file_has_group(kf, group))
		return TRUE;
	return load_group(cand, kf, group, name, FALSE, error);
}

gboolean tg_candidate_load_data(TgCandidate *cand, const char *name, const char *data,
				gsize len, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) groups = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
		g_autofree gchar *why = g_utf8_make_valid(local->message, -1);

		g_set_error(error, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_SYNTAX,
			    "%s is not a valid candidate file: %s; see the README's update "
			    "metadata keys", name, why);
		return FALSE;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (gchar **g = groups; *g; g++) {
		if (!g_str_equal(*g, "candidate")) {
			g_autofree gchar *q = tg_kf_quote(*g);

			g_set_error(error, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_UNKNOWN,
				    "%s: group [%s] is not allowed; a candidate file has only "
				    "[candidate]", name, q);
			return FALSE;
		}
	}
	return load_group(cand, kf, "candidate", name, TRUE, error);
}

gboolean tg_candidate_load_file(TgCandidate *cand, const char *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, TG_CANDIDATE_ERROR, TG_CANDIDATE_ERROR_IO,
			    "cannot read candidate file: %s", local->message);
		return FALSE;
	}
	return tg_candidate_load_data(cand, path, data, len, error);
}

const char *tg_candidate_version(const TgCandidate *cand)
{
	return cand->version;
}

gboolean tg_candidate_is_disruptive(const TgCandidate *cand)
{
	return cand->reboot || cand->downtime > 0 || cand->disruptive || cand->slot_switch;
}
