/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* X.509 certificates as tollgate names them: RFC 2253 subject and SHA-256
 * fingerprint. Used by the evidence pack (the IXIT's
 * signing certificates) and by the listeners, which name the signer an
 * updater expected when it rejects an update's signature. */
#include "tg-crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

gchar *tg_x509_subject(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;
	gchar *out;

	X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(bio, &data);
	out = len > 0 ? g_utf8_make_valid(data, len) : g_strdup("(no subject)");
	BIO_free(bio);
	return out;
}

gchar *tg_x509_sha256(X509 *x)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	if (!X509_digest(x, EVP_sha256(), md, &n))
		return g_strdup("unknown");
	tg_hex_encode(md, n, hex);
	return g_strdup(hex);
}

gchar *tg_x509_describe_file(const char *path)
{
	BIO *bio = BIO_new_file(path, "r");
	GString *s = g_string_new(NULL);
	X509 *x;

	if (!bio)
		return g_string_free(s, TRUE);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		g_autofree gchar *subject = tg_x509_subject(x);
		g_autofree gchar *fp = tg_x509_sha256(x);

		g_string_append_printf(s, "%s%s (SHA-256 %.16s...)", s->len ? ", " : "", subject, fp);
		X509_free(x);
	}
	BIO_free(bio);
	return g_string_free(s, s->len == 0);
}
