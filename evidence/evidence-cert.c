/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The certificates an updater checks signatures against, for the IXIT:
 * subject, SHA-256 fingerprint and validity of each, and whether one
 * expires before the published support end (then updates signed by it stop
 * installing while the device is still supported: a gap). */
#include "evidence-private.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tg-crypto.h"

static GDateTime *asn1_time(const ASN1_TIME *t)
{
	struct tm tm = { 0 };

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return NULL;
	return g_date_time_new_utc(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				   tm.tm_min, tm.tm_sec);
}

static void cert_free(TgEvCert *c)
{
	g_free(c->subject);
	g_free(c->fingerprint);
	g_clear_pointer(&c->not_before, g_date_time_unref);
	g_clear_pointer(&c->not_after, g_date_time_unref);
	g_free(c);
}

GPtrArray *tg_ev_certs_read(const char *path, gchar **ret_problem)
{
	g_autoptr(GPtrArray) certs = g_ptr_array_new_with_free_func((GDestroyNotify)cert_free);
	BIO *bio = BIO_new_file(path, "r");
	X509 *x;

	if (!bio) {
		*ret_problem = g_strdup_printf("the certificate file %s cannot be read", path);
		return NULL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		TgEvCert *c = g_new0(TgEvCert, 1);

		c->subject = tg_x509_subject(x);
		c->fingerprint = tg_x509_sha256(x);
		c->not_before = asn1_time(X509_get0_notBefore(x));
		c->not_after = asn1_time(X509_get0_notAfter(x));
		g_ptr_array_add(certs, c);
		X509_free(x);
	}
	BIO_free(bio);
	if (!certs->len) {
		*ret_problem = g_strdup_printf("%s holds no PEM certificate", path);
		return NULL;
	}
	return g_steal_pointer(&certs);
}

gchar *tg_ev_certs_text(const GPtrArray *certs, const char *path)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "%s holds %u certificate%s:", path, certs->len,
			       certs->len == 1 ? "" : "s");
	for (guint i = 0; i < certs->len; i++) {
		const TgEvCert *c = g_ptr_array_index(certs, i);
		g_autofree gchar *from = c->not_before ? g_date_time_format(c->not_before, "%F") : NULL;
		g_autofree gchar *to = c->not_after ? g_date_time_format(c->not_after, "%F") : NULL;

		g_string_append_printf(s, "%s %s, SHA-256 fingerprint %s, valid from %s until %s",
				       i ? ";" : "", c->subject, c->fingerprint, tg_ev_or_dash(from),
				       tg_ev_or_dash(to));
	}
	g_string_append_c(s, '.');
	return g_string_free(s, FALSE);
}
