/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenSSL EVP helpers; OpenSSL errors become GError text here only. */
#include "tg-crypto.h"
#include "tg-path.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

G_DEFINE_QUARK(tg-crypto-error-quark, tg_crypto_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MAC, EVP_MAC_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MAC_CTX, EVP_MAC_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)

#define MAX_KEY_FILE (64 * 1024)

/* Sets @error from the OpenSSL error queue, prefixed by @what. */
static gboolean ssl_error(GError **error, gint code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown OpenSSL error";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	g_set_error(error, TG_CRYPTO_ERROR, code, "%s: %s", what, buf);
	return FALSE;
}

void tg_crypto_init_program(void)
{
	uint64_t opts = OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS;
	const char *conf = g_getenv("OPENSSL_CONF");

	if (!conf || !*conf)
		opts |= OPENSSL_INIT_NO_LOAD_CONFIG;
	/* A failure here shows again, with its reason, at the first real use. */
	if (!OPENSSL_init_crypto(opts, NULL))
		ERR_clear_error();
}

void tg_hex_encode(const guint8 *data, gsize len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (gsize i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 0xf];
	}
	out[2 * len] = '\0';
}

void tg_sha256_hex(const void *data, gsize len, char out[TG_SHA256_HEX_LEN + 1])
{
	guint8 md[TG_SHA256_LEN];
	unsigned int md_len = 0;

	if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != TG_SHA256_LEN)
		g_error("SHA-256 is not available from OpenSSL");
	tg_hex_encode(md, TG_SHA256_LEN, out);
}

gboolean tg_hmac_sha256_hex(const guint8 *key, gsize key_len, const void *data, gsize len,
			    char out[TG_SHA256_HEX_LEN + 1], GError **error)
{
	g_autoptr(EVP_MAC) mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	g_autoptr(EVP_MAC_CTX) ctx = NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	guint8 md[TG_SHA256_LEN];
	size_t md_len = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!mac || !(ctx = EVP_MAC_CTX_new(mac)))
		return ssl_error(error, TG_CRYPTO_ERROR_FAILED, "HMAC-SHA256 is not available");
	if (!EVP_MAC_init(ctx, key, key_len, params) || !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, md, &md_len, sizeof(md)) || md_len != TG_SHA256_LEN)
		return ssl_error(error, TG_CRYPTO_ERROR_FAILED, "HMAC-SHA256 failed");
	tg_hex_encode(md, TG_SHA256_LEN, out);
	return TRUE;
}

gboolean tg_secure_equal(const char *a, const char *b)
{
	size_t la = strlen(a);

	return la == strlen(b) && CRYPTO_memcmp(a, b, la) == 0;
}

/* Reads all of @fd (at most MAX_KEY_FILE bytes). Returns: (transfer full). */
static GByteArray *read_fd(int fd)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	guint8 chunk[4096];

	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf->len + (gsize)n > MAX_KEY_FILE)
			return NULL;
		if (n == 0)
			return g_steal_pointer(&buf);
		g_byte_array_append(buf, chunk, (guint)n);
	}
}

GBytes *tg_read_key_file(const char *path, GError **error)
{
	g_autoptr(GByteArray) data = NULL;
	g_autoptr(GError) local = NULL;
	struct stat st;
	int fd;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY,
			    "cannot open key file %s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    st.st_size <= 0 || st.st_size > MAX_KEY_FILE) {
		close(fd);
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY,
			    "key file %s must be a non-empty regular file of mode 0600 "
			    "(run chmod 600 %s)", path, path);
		return NULL;
	}
	if (!tg_path_check_owner(path, "the key file", &local)) {
		close(fd);
		g_set_error_literal(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY, local->message);
		return NULL;
	}
	/* Read through the descriptor just checked, not the path again. */
	data = read_fd(fd);
	close(fd);
	if (!data || data->len == 0) {
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY,
			    "cannot read key file %s", path);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&data));
}

static EVP_PKEY *load_pem_key(const char *path, gboolean private_key, GError **error)
{
	g_autoptr(BIO) bio = NULL;
	EVP_PKEY *key;

	if (private_key) {
		g_autoptr(GBytes) bytes = tg_read_key_file(path, error);
		gsize len;
		const void *data;

		if (!bytes)
			return NULL;
		data = g_bytes_get_data(bytes, &len);
		bio = BIO_new_mem_buf(data, (int)len);
		/* Empty passphrase: an encrypted key fails instead of prompting
		 * on the terminal. */
		key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	} else {
		bio = BIO_new_file(path, "r");
		key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	}
	if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(key);
		ssl_error(error, TG_CRYPTO_ERROR_KEY, "not an Ed25519 PEM key");
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	return key;
}

gchar *tg_ed25519_sign_hex(const char *key_pem_path, const void *data, gsize len,
			   GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	guint8 sig[64];
	size_t sig_len = sizeof(sig);
	gchar *hex;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	key = load_pem_key(key_pem_path, TRUE, error);
	if (!key)
		return NULL;
	if (!ctx || !EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) ||
	    !EVP_DigestSign(ctx, sig, &sig_len, data, len)) {
		ssl_error(error, TG_CRYPTO_ERROR_FAILED, "Ed25519 signing failed");
		return NULL;
	}
	hex = g_malloc(2 * sig_len + 1);
	tg_hex_encode(sig, sig_len, hex);
	return hex;
}

static gboolean hex_decode(const char *hex, guint8 *out, gsize out_len)
{
	if (strlen(hex) != 2 * out_len)
		return FALSE;
	for (gsize i = 0; i < out_len; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]);
		int lo = g_ascii_xdigit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

gboolean tg_ed25519_verify_hex(const char *pub_pem_path, const void *data, gsize len,
			       const char *sig_hex, GError **error)
{
	g_autoptr(EVP_PKEY) key = NULL;
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	guint8 sig[64];

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	key = load_pem_key(pub_pem_path, FALSE, error);
	if (!key)
		return FALSE;
	if (!hex_decode(sig_hex, sig, sizeof(sig))) {
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY,
			    "signature is not 128 hex digits");
		return FALSE;
	}
	if (!ctx || !EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) ||
	    EVP_DigestVerify(ctx, sig, sizeof(sig), data, len) != 1) {
		ERR_clear_error();
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY,
			    "Ed25519 signature does not verify");
		return FALSE;
	}
	return TRUE;
}

gboolean tg_random_bytes(guint8 *buf, gsize len, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (RAND_bytes(buf, (int)len) != 1)
		return ssl_error(error, TG_CRYPTO_ERROR_FAILED, "no random bytes");
	return TRUE;
}
