/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small OpenSSL EVP helpers: SHA-256, HMAC-SHA256, Ed25519, hex. OpenSSL
 * errors become GError text here and nowhere else. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"

#include <openssl/types.h>	/* X509 */

G_BEGIN_DECLS

#define TG_CRYPTO_ERROR (tg_crypto_error_quark())
GQuark tg_crypto_error_quark(void);

typedef enum {
	TG_CRYPTO_ERROR_FAILED,
	TG_CRYPTO_ERROR_KEY,
	TG_CRYPTO_ERROR_VERIFY,
} TgCryptoError;

#define TG_SHA256_LEN 32
#define TG_SHA256_HEX_LEN 64

/* Lower-case hex of @len bytes into @out (2*len+1 bytes). */
void tg_hex_encode(const guint8 *data, gsize len, char *out);

/* SHA-256 of @data as lower-case hex into @out (65 bytes). */
void tg_sha256_hex(const void *data, gsize len, char out[TG_SHA256_HEX_LEN + 1]);

/* HMAC-SHA256 of @data with @key as hex into @out (65 bytes). */
gboolean tg_hmac_sha256_hex(const guint8 *key, gsize key_len, const void *data,
				      gsize len, char out[TG_SHA256_HEX_LEN + 1],
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Constant-time comparison of two equal-length strings. */
gboolean tg_secure_equal(const char *a, const char *b);

/* Reads a key file; refuses symlinks, empty files and files readable by group
 * or others. Returns: (transfer full): the bytes, or NULL with @error. */
GBytes *tg_read_key_file(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Ed25519 sign / verify with PEM keys (private key file / public key file).
 * Signature as lower-case hex. */
gchar *tg_ed25519_sign_hex(const char *key_pem_path, const void *data, gsize len,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_ed25519_verify_hex(const char *pub_pem_path, const void *data, gsize len,
					 const char *sig_hex, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* x509.c. The certificate's RFC 2253 subject and SHA-256 fingerprint (64
 * hex digits). Returns: (transfer full). */
gchar *tg_x509_subject(X509 *x);
gchar *tg_x509_sha256(X509 *x);
/* "SUBJECT (SHA-256 0123456789abcdef...)" for each PEM certificate in
 * @path, comma-separated. Returns: (transfer full): the text, or NULL when
 * @path cannot be read or holds none. */
gchar *tg_x509_describe_file(const char *path);

/* For tollgate's own programs (the CLI, the RAUC handlers), first thing in
 * main(): starts OpenSSL with only what tollgate needs (SHA-256, HMAC and
 * Ed25519 of the default provider). The system-wide openssl.cnf is not read
 * unless $OPENSSL_CONF names a file, and the legacy cipher and digest name
 * tables are not built; together about a fifth of the instructions of a
 * gate decision (tests/bench/run.sh). Never call it in a process tollgate
 * only joins (SWUpdate with the compiled-in handler or the Lua module, an
 * application linking libtollgate): that process's own OpenSSL use may
 * need both. */
void tg_crypto_init_program(void);

/* Fills @buf with random bytes (OpenSSL RAND_bytes). */
gboolean tg_random_bytes(guint8 *buf, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* keygen.c. Makes a new Ed25519 key pair: the private key PEM at
 * @priv_path (0600) and the public key PEM at @pub_path (0644), each
 * written whole and never over an existing file (then FALSE with
 * TG_CRYPTO_ERROR_KEY). The public key goes first: a private key on disk
 * always has its public half next to it. */
gboolean tg_ed25519_generate(const char *priv_path, const char *pub_path,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full): the public key PEM of the Ed25519 private key
 * at @priv_path, or NULL with @error. */
gchar *tg_ed25519_public_pem(const char *priv_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
