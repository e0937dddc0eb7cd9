/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenSSL EVP helpers: known vectors, key files, Ed25519. */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>

#include "tg-test.h"
#include "tg-crypto.h"

typedef struct {
	gchar *tmp;
} Fixture;

static int setup(void **data)
{
	Fixture *f = g_new0(Fixture, 1);

	f->tmp = tg_test_mkdtemp();
	*data = f;
	return 0;
}

static int teardown(void **data)
{
	Fixture *f = *data;

	tg_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f);
	return 0;
}

/* ---- start-up of tollgate's programs ---------------------------------- */

/* Listed first: every later test then runs the helpers under the OpenSSL
 * start-up the CLI and the RAUC handlers use. */
static void test_init_program(void **data)
{
	EVP_MD *md;

	g_unsetenv("OPENSSL_CONF");
	tg_crypto_init_program();
	/* The legacy name tables were not built... */
	assert_null(EVP_get_digestbyname("SHA256"));
	assert_null(EVP_get_cipherbyname("AES-256-CBC"));
	/* ...and fetching from the default provider still works. */
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
	assert_non_null(md);
	EVP_MD_free(md);
}

/* ---- digests ---------------------------------------------------------- */

static void test_sha256_vectors(void **data)
{
	static const struct {
		const char *input;
		const char *hex;
	} cases[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char out[TG_SHA256_HEX_LEN + 1];

		memset(out, 'X', sizeof(out));
		tg_sha256_hex(cases[i].input, strlen(cases[i].input), out);
		assert_string_equal(out, cases[i].hex);
	}
}

static void test_hmac_rfc4231(void **data)
{
	static const guint8 key1[20] = {
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
		0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	};
	static const struct {
		const guint8 *key;
		gsize key_len;
		const char *data;
		const char *hex;
	} cases[] = {
		/* RFC 4231 test case 1 */
		{ key1, sizeof(key1), "Hi There",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		/* RFC 4231 test case 2 */
		{ (const guint8 *)"Jefe", 4, "what do ya want for nothing?",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		char out[TG_SHA256_HEX_LEN + 1];

		assert_true(tg_hmac_sha256_hex(cases[i].key, cases[i].key_len, cases[i].data,
					       strlen(cases[i].data), out, &err));
		assert_no_error(err);
		assert_string_equal(out, cases[i].hex);
	}
}

static void test_hex_encode(void **data)
{
	static const guint8 bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];

	tg_hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "00017f80abff");
	tg_hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

static void test_secure_equal(void **data)
{
	assert_true(tg_secure_equal("", ""));
	assert_true(tg_secure_equal("5bdcc146", "5bdcc146"));
	assert_false(tg_secure_equal("5bdcc146", "5bdcc147"));
	assert_false(tg_secure_equal("5bdcc146", "Bbdcc146"));
	assert_false(tg_secure_equal("5bdcc146", "5bdcc14"));
	assert_false(tg_secure_equal("5bdcc14", "5bdcc146"));
	assert_false(tg_secure_equal("", "a"));
}

static void test_random_bytes(void **data)
{
	static const guint8 zero[32];
	guint8 a[32], b[32];
	g_autoptr(GError) err = NULL;

	assert_true(tg_random_bytes(a, sizeof(a), &err));
	assert_true(tg_random_bytes(b, sizeof(b), &err));
	assert_no_error(err);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
}

/* ---- key files -------------------------------------------------------- */

static gchar *write_key(const char *dir, const char *name, const void *bytes, gsize len,
			mode_t mode)
{
	g_autoptr(GError) err = NULL;
	gchar *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, bytes, (gssize)len, &err))
		fail_msg("cannot write %s: %s", path, err->message);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void test_read_key_file(void **data)
{
	static const guint8 secret[] = { 's', 0x00, 'e', 0xff, 'c', '\n', 'r', 0x00 };
	Fixture *f = *data;
	g_autofree gchar *path = write_key(f->tmp, "key", secret, sizeof(secret), 0600);
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) bytes = tg_read_key_file(path, &err);
	gsize len = 0;
	const guint8 *got;

	assert_no_error(err);
	assert_non_null(bytes);
	got = g_bytes_get_data(bytes, &len);
	assert_int_equal(len, sizeof(secret));
	assert_memory_equal(got, secret, sizeof(secret));
}

static void test_read_key_file_refuses(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *big_data = g_malloc0(64 * 1024 + 1);
	g_autofree gchar *k644 = write_key(f->tmp, "k644", "secret", 6, 0644);
	g_autofree gchar *k640 = write_key(f->tmp, "k640", "secret", 6, 0640);
	g_autofree gchar *k604 = write_key(f->tmp, "k604", "secret", 6, 0604);
	g_autofree gchar *k601 = write_key(f->tmp, "k601", "secret", 6, 0601);
	g_autofree gchar *empty = write_key(f->tmp, "empty", "", 0, 0600);
	g_autofree gchar *big = write_key(f->tmp, "big", big_data, 64 * 1024 + 1, 0600);
	g_autofree gchar *good = write_key(f->tmp, "good", "secret", 6, 0600);
	g_autofree gchar *link = g_build_filename(f->tmp, "link", NULL);
	g_autofree gchar *missing = g_build_filename(f->tmp, "missing", NULL);
	g_autofree gchar *dir = g_build_filename(f->tmp, "dir", NULL);
	const struct {
		const char *path;
		const char *message;
	} cases[] = {
		{ k644, "chmod 600" }, { k640, "chmod 600" }, { k604, "chmod 600" },
		{ k601, "chmod 600" }, { empty, "non-empty" }, { big, "regular file" },
		{ link, "cannot open" }, { missing, "cannot open" }, { dir, "regular file" },
	};

	assert_int_equal(symlink(good, link), 0);
	assert_int_equal(g_mkdir(dir, 0700), 0);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) bytes = tg_read_key_file(cases[i].path, &err);

		if (bytes)
			fail_msg("%s was accepted", cases[i].path);
		assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
		assert_contains(err->message, cases[i].path);
		assert_contains(err->message, cases[i].message);
	}
}

/* ---- Ed25519 ---------------------------------------------------------- */

static void run_openssl(const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) err = NULL;
	g_autofree gchar *out = NULL, *errout = NULL;
	gint status = 0;

	g_ptr_array_add(argv, (gpointer) "openssl");
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (gchar **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			  &out, &errout, &status, &err))
		fail_msg("cannot run openssl: %s", err->message);
	if (!g_spawn_check_wait_status(status, &err))
		fail_msg("openssl %s failed: %s\n%s", args[0], err->message, errout);
}

/* Generates an @alg key pair in @dir: @name.pem (0600) and @name.pub. */
static void gen_key(const char *dir, const char *name, const char *alg, gchar **ret_priv,
		    gchar **ret_pub)
{
	g_autofree gchar *priv = g_strdup_printf("%s/%s.pem", dir, name);
	g_autofree gchar *pub = g_strdup_printf("%s/%s.pub", dir, name);
	const char *gen[] = { "genpkey", "-algorithm", alg, "-out", priv, NULL };
	const char *pubout[] = { "pkey", "-in", priv, "-pubout", "-out", pub, NULL };

	run_openssl(gen);
	run_openssl(pubout);
	assert_int_equal(chmod(priv, 0600), 0);
	*ret_priv = g_steal_pointer(&priv);
	*ret_pub = g_steal_pointer(&pub);
}

static void test_ed25519_round_trip(void **data)
{
	static const char msg[] = "record 17: sha256 of the previous line";
	Fixture *f = *data;
	g_autofree gchar *priv = NULL, *pub = NULL, *other_priv = NULL, *other_pub = NULL;
	g_autofree gchar *sig = NULL, *sig2 = NULL, *bad_sig = NULL;
	g_autoptr(GError) err = NULL;

	gen_key(f->tmp, "device", "ed25519", &priv, &pub);
	gen_key(f->tmp, "other", "ed25519", &other_priv, &other_pub);
	sig = tg_ed25519_sign_hex(priv, msg, strlen(msg), &err);
	assert_no_error(err);
	assert_non_null(sig);
	assert_int_equal(strlen(sig), 128);
	assert_int_equal(strspn(sig, "0123456789abcdef"), 128);
	/* Ed25519 is deterministic. */
	sig2 = tg_ed25519_sign_hex(priv, msg, strlen(msg), &err);
	assert_string_equal(sig, sig2);
	assert_true(tg_ed25519_verify_hex(pub, msg, strlen(msg), sig, &err));
	assert_no_error(err);

	/* Tampered message. */
	{
		g_autofree gchar *tampered = g_strdup(msg);

		tampered[7] ^= 1;
		assert_false(tg_ed25519_verify_hex(pub, tampered, strlen(tampered), sig, &err));
		assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY);
		g_clear_error(&err);
	}
	/* Tampered signature. */
	bad_sig = g_strdup(sig);
	bad_sig[10] = bad_sig[10] == '0' ? '1' : '0';
	assert_false(tg_ed25519_verify_hex(pub, msg, strlen(msg), bad_sig, &err));
	assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY);
	g_clear_error(&err);
	/* Somebody else's key. */
	assert_false(tg_ed25519_verify_hex(other_pub, msg, strlen(msg), sig, &err));
	assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY);
	g_clear_error(&err);
	/* Not hex, or the wrong length. */
	assert_false(tg_ed25519_verify_hex(pub, msg, strlen(msg), "zz", &err));
	assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY);
	assert_contains(err->message, "128 hex digits");
	g_clear_error(&err);
	bad_sig[0] = 'g';
	assert_false(tg_ed25519_verify_hex(pub, msg, strlen(msg), bad_sig, &err));
	assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY);
}

static void test_ed25519_bad_keys(void **data)
{
	static const char msg[] = "data";
	Fixture *f = *data;
	g_autofree gchar *priv = NULL, *pub = NULL, *x_priv = NULL, *x_pub = NULL;
	g_autofree gchar *enc = g_strdup_printf("%s/enc.pem", f->tmp);
	const char *gen_enc[] = { "genpkey", "-algorithm", "ed25519", "-aes-256-cbc",
				  "-pass", "pass:secret", "-out", enc, NULL };

	gen_key(f->tmp, "device", "ed25519", &priv, &pub);
	gen_key(f->tmp, "x", "x25519", &x_priv, &x_pub);
	run_openssl(gen_enc);
	assert_int_equal(chmod(enc, 0600), 0);
	{
		/* Private key readable by others. */
		g_autoptr(GError) err = NULL;
		g_autofree gchar *sig = NULL;

		assert_int_equal(chmod(priv, 0644), 0);
		sig = tg_ed25519_sign_hex(priv, msg, strlen(msg), &err);
		assert_null(sig);
		assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
		assert_contains(err->message, "chmod 600");
	}
	{
		/* Not Ed25519; a public key where the private one belongs; an
		 * encrypted key (fails instead of prompting). */
		const char *const paths[] = { x_priv, pub, enc };

		for (gsize i = 0; i < G_N_ELEMENTS(paths); i++) {
			g_autoptr(GError) err = NULL;
			g_autofree gchar *sig = tg_ed25519_sign_hex(paths[i], msg, strlen(msg), &err);

			assert_null(sig);
			assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
			assert_contains(err->message, paths[i]);
		}
	}
	{
		g_autoptr(GError) err = NULL;
		g_autofree gchar *zeros = g_strnfill(128, '0');

		assert_false(tg_ed25519_verify_hex(x_pub, msg, strlen(msg), zeros, &err));
		assert_error(err, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY);
		assert_contains(err->message, "not an Ed25519 PEM key");
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_program),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_secure_equal),
		cmocka_unit_test(test_random_bytes),
		T(test_read_key_file),
		T(test_read_key_file_refuses),
		T(test_ed25519_round_trip),
		T(test_ed25519_bad_keys),
	};
#undef T

	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
