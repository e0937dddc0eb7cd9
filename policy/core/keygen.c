/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device's own Ed25519 key pair: made once, on the device, for signing
 * audit checkpoints; the public half is for enrolment with a backend. */
#include "tg-crypto.h"

#include <errno.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tg-io.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)

static gboolean key_error(GError **error, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();

	g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY, "cannot %s %s: %s", what, path,
		    e ? ERR_reason_error_string(e) : g_strerror(errno));
	ERR_clear_error();
	return FALSE;
}

/* PEM text of @key's private (or public) half. Returns: (transfer full). */
static GBytes *pem_of(EVP_PKEY *key, gboolean private_half)
{
	g_autoptr(BIO) bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;

	if (!bio || !(private_half ? PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
				   : PEM_write_bio_PUBKEY(bio, key)))
		return NULL;
	len = BIO_get_mem_data(bio, &data);
	return len > 0 ? g_bytes_new(data, (gsize)len) : NULL;
}

/* Writes @data to a synced temp file and links it to @path: the key is
 * there whole or not at all, and an existing @path is never replaced. */
static gboolean publish(const char *path, GBytes *data, mode_t mode, GError **error)
{
	gsize len;
	const void *bytes = g_bytes_get_data(data, &len);
	g_autofree gchar *tmp = tg_io_write_temp(path, bytes, len, mode, error);
	int r;

	if (!tmp)
		return FALSE;
	r = link(tmp, path);
	(void)unlink(tmp);
	if (r < 0)
		return key_error(error, "create", path);
	if (tg_io_fsync_dir_of(path) < 0)
		return key_error(error, "sync the directory of", path);
	return TRUE;
}

gboolean tg_ed25519_generate(const char *priv_path, const char *pub_path, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(GBytes) priv = NULL;
	g_autoptr(GBytes) pub = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	priv = key ? pem_of(key, TRUE) : NULL;
	pub = key ? pem_of(key, FALSE) : NULL;
	if (!priv || !pub)
		return key_error(error, "generate the Ed25519 key", priv_path);
	if (!publish(pub_path, pub, 0644, error))
		return FALSE;
	return publish(priv_path, priv, 0600, error);
}

gchar *tg_ed25519_public_pem(const char *priv_path, GError **error)
{
	g_autoptr(GBytes) bytes = tg_read_key_file(priv_path, error);
	g_autoptr(BIO) bio = NULL;
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(GBytes) pub = NULL;
	gsize len;
	const void *data;

	if (!bytes)
		return NULL;
	data = g_bytes_get_data(bytes, &len);
	bio = BIO_new_mem_buf(data, (int)len);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		key_error(error, "read an Ed25519 private key from", priv_path);
		return NULL;
	}
	pub = pem_of(key, FALSE);
	if (!pub) {
		key_error(error, "derive the public key of", priv_path);
		return NULL;
	}
	data = g_bytes_get_data(pub, &len);
	return g_strndup(data, len);
}
