/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's part of the evidence pack: how SWUpdate checks an update's
 * signature, read from its swupdate.cfg (public-key-file) for the IXIT. */
#include "swu-evidence.h"
#include "tg-swupdate.h"

/* Returns: (transfer full). */
static gchar *swupdate_crypto(const char *path, gchar **ret_problem)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *key = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		*ret_problem = g_strdup_printf("the SWUpdate configuration %s cannot be read (%s)",
					       path, err->message);
		return NULL;
	}
	key = tg_swu_config_public_key_in(text);
	if (!key) {
		*ret_problem = g_strdup_printf("%s sets no public-key-file, so SWUpdate checks no "
					       "signature with it", path);
		return NULL;
	}
	return g_strdup_printf("SWUpdate verifies the signature of sw-description with the "
			       "public key %s and the SHA-256 of every image it lists before "
			       "writing, and runs tollgate's gate only after that "
			       "(public-key-file in %s)", key, path);
}

/* The public-key-file line(s) of swupdate.cfg. Returns: (transfer full). */
static gchar *swupdate_excerpt(const char *path)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	GString *out = g_string_new(NULL);

	if (g_file_get_contents(path, &text, NULL, NULL)) {
		lines = g_strsplit(text, "\n", -1);
		for (gchar **l = lines; *l; l++) {
			g_autofree gchar *key = tg_swu_config_public_key_in(*l);

			if (key)	/* the line the IXIT read, not a comment about it */
				g_string_append_printf(out, "%s\n", *l);
		}
	}
	return g_string_free(out, out->len == 0);
}

const TgEvidenceUpdater tg_swu_evidence_updater = {
	.updater = "swupdate",
	.signature_text = swupdate_crypto,
	.certificates = tg_swu_config_public_key,
	.config_excerpt = swupdate_excerpt,
};
