/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's part of the evidence pack: how SWUpdate checks an update's
 * signature, read from its swupdate.cfg (public-key-file) for the IXIT. */
#include "swu-evidence.h"

#define PUBLIC_KEY_FILE "^\\s*public-key-file\\s*=\\s*\"([^\"]+)\""

/* public-key-file of @text, or NULL. Returns: (transfer full). */
static gchar *key_file(const char *text)
{
	g_autoptr(GRegex) re = g_regex_new(PUBLIC_KEY_FILE, G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;

	return g_regex_match(re, text, 0, &match) ? g_match_info_fetch(match, 1) : NULL;
}

static gchar *swupdate_certificates(const char *path)
{
	g_autofree gchar *text = NULL;

	return g_file_get_contents(path, &text, NULL, NULL) ? key_file(text) : NULL;
}

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
	key = key_file(text);
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

const TgEvidenceUpdater tg_swu_evidence_updater = {
	.updater = "swupdate",
	.signature_text = swupdate_crypto,
	.certificates = swupdate_certificates,
};
