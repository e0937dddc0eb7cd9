/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RAUC's part of the evidence pack: how RAUC checks a bundle's signature,
 * read from its system.conf ([keyring]) for the IXIT. */
#include "rauc-evidence.h"
#include "rauc-candidate.h"

/* Returns: (transfer full). */
static gchar *rauc_crypto(const char *path, gchar **ret_problem)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree gchar *keyring = NULL;
	g_autofree gchar *crl = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
		*ret_problem = g_strdup_printf("the RAUC configuration %s cannot be read (%s)", path,
					       err->message);
		return NULL;
	}
	keyring = g_key_file_get_value(kf, "keyring", "path", NULL);
	if (!keyring)
		keyring = g_key_file_get_value(kf, "keyring", "directory", NULL);
	if (!keyring) {
		*ret_problem = g_strdup_printf("%s has no [keyring] path or directory", path);
		return NULL;
	}
	crl = g_key_file_get_value(kf, "keyring", "check-crl", NULL);
	return g_strdup_printf("RAUC verifies the CMS signature (X.509) of every bundle against "
			       "the keyring %s before the install starts and before tollgate's "
			       "pre-install handler runs ([keyring] in %s%s)", g_strstrip(keyring),
			       path, crl && g_str_equal(g_strstrip(crl), "true")
				     ? "; revocation lists are checked" : "");
}

/* The [keyring] group of system.conf. Returns: (transfer full). */
static gchar *rauc_excerpt(const char *path)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_auto(GStrv) keys = NULL;
	GString *out;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL) ||
	    !(keys = g_key_file_get_keys(kf, "keyring", NULL, NULL)))
		return NULL;
	out = g_string_new("[keyring]\n");
	for (gchar **k = keys; *k; k++) {
		g_autofree gchar *v = g_key_file_get_value(kf, "keyring", *k, NULL);

		g_string_append_printf(out, "%s=%s\n", *k, v ? v : "");
	}
	return g_string_free(out, FALSE);
}

const TgEvidenceUpdater tg_rauc_evidence_updater = {
	.updater = "rauc",
	.signature_text = rauc_crypto,
	.certificates = tg_rauc_keyring_file,	/* [keyring] path: one PEM file */
	.config_excerpt = rauc_excerpt,
};
