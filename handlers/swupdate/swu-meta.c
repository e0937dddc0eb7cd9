/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Candidates for SWUpdate updates: identity, tollgate properties, digest. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <string.h>

#include "tg-crypto.h"

G_DEFINE_QUARK(tg-swupdate-error-quark, tg_swu_error)

TgCandidate *tg_swu_candidate_new(const char *version, const char *name,
				  const char *updater_version)
{
	TgCandidate *cand = tg_candidate_new();

	cand->version = g_strdup(version && *version ? version : NULL);
	cand->name = g_strdup(name && *name ? name : NULL);
	cand->updater = g_strdup("swupdate");
	cand->updater_version = g_strdup(tg_swu_updater_version(updater_version));
	return cand;
}

gchar *tg_swu_candidate_name(const char *description, const char *update_type)
{
	gboolean d = description && *description;
	gboolean t = update_type && *update_type;

	if (d && t)
		return g_strdup_printf("%s (update-type %s)", description, update_type);
	if (t)
		return g_strdup_printf("(update-type %s)", update_type);
	return d ? g_strdup(description) : NULL;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns: (transfer full): @values sorted and joined with ';' (the
 * candidate's list separator). Sorted, because SWUpdate's property lists
 * reach handlers in reverse order while the precheck reads them in file
 * order: every adapter must build the same candidate. */
static gchar *join_values(const char *const *values, guint n_values)
{
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < n_values; i++)
		g_ptr_array_add(sorted, (gpointer)values[i]);
	g_ptr_array_sort(sorted, compare_strings);
	for (guint i = 0; i < sorted->len; i++) {
		if (i)
			g_string_append_c(out, ';');
		g_string_append(out, g_ptr_array_index(sorted, i));
	}
	return g_string_free(out, FALSE);
}

static gboolean is_list_key(const char *key)
{
	return g_str_equal(key, "advisories") || g_str_equal(key, "services");
}

gboolean tg_swu_candidate_set_property(TgCandidate *cand, const char *key,
				       const char *const *values, guint n_values,
				       GError **error)
{
	g_autofree gchar *origin = NULL;
	g_autofree gchar *joined = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(cand && key && (values || n_values == 0), FALSE);

	origin = g_strdup_printf("sw-description property '%s' of the tollgate entry", key);
	if (n_values == 0) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "%s has no value; give it a string or remove it", origin);
		return FALSE;
	}
	if (n_values > 1 && !is_list_key(key)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "%s has %u values; only advisories and services take a list, "
			    "give '%s' one string", origin, n_values, key);
		return FALSE;
	}
	if (n_values > TG_MAX_ADVISORIES) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT,
			    "%s has %u values; at most %d are accepted", origin, n_values,
			    TG_MAX_ADVISORIES);
		return FALSE;
	}
	for (guint i = 0; i < n_values; i++) {
		if (!values[i]) {
			g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
				    "%s has a value that is not a string; quote it", origin);
			return FALSE;
		}
	}
	joined = join_values(values, n_values);
	return tg_candidate_set_meta(cand, key, joined, origin, error);
}

gboolean tg_swu_candidate_set_digest_file(TgCandidate *cand, const char *path, GError **error)
{
	g_autofree gchar *data = NULL;
	char hex[TG_SHA256_HEX_LEN + 1];
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "cannot read the verified sw-description to identify the update: %s",
			    local->message);
		return FALSE;
	}
	tg_sha256_hex(data, len, hex);
	g_free(cand->digest);
	cand->digest = g_strdup(hex);
	return TRUE;
}

gchar *tg_swu_description_path(void)
{
	const char *tmp = g_getenv("TMPDIR");

	return g_build_filename(tmp && *tmp ? tmp : "/tmp", TG_SWU_DESCRIPTION_FILE, NULL);
}
