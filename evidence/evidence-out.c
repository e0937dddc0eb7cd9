/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing the pack: atomic files, text escaping for Markdown, HTML and
 * JSON, the SHA-256 manifest and its detached Ed25519 signature. */
#include "evidence-private.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "tg-crypto.h"

G_DEFINE_QUARK(tg-evidence-error-quark, tg_evidence_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, EVP_MD_CTX_free)

#define HASH_BLOCK (256 * 1024)

static gboolean io_error(GError **error, const char *what, const char *path)
{
	int saved = errno;

	g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO, "cannot %s %s: %s", what, path,
		    g_strerror(saved));
	return FALSE;
}

gboolean tg_ev_write(const char *dir, const char *name, const char *data, gsize len,
		     GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT,
				      0644, &local)) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO, "cannot write %s: %s",
			    path, local->message);
		return FALSE;
	}
	return TRUE;
}

gboolean tg_ev_write_json(const char *dir, const char *name, JsonNode *node, GError **error)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree gchar *text = NULL;
	g_autofree gchar *with_nl = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	with_nl = g_strconcat(text, "\n", NULL);
	return tg_ev_write(dir, name, with_nl, strlen(with_nl), error);
}

gboolean tg_ev_stream_open(TgEvStream *s, const char *dir, const char *name, GError **error)
{
	int fd;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	s->path = g_build_filename(dir, name, NULL);
	s->tmp = g_strconcat(s->path, ".XXXXXX", NULL);
	fd = g_mkstemp_full(s->tmp, O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0) {
		g_clear_pointer(&s->tmp, g_free);
		return io_error(error, "create a file next to", s->path);
	}
	s->f = fdopen(fd, "w");
	if (!s->f) {
		close(fd);
		return io_error(error, "write", s->tmp);
	}
	return TRUE;
}

gboolean tg_ev_stream_commit(TgEvStream *s, GError **error)
{
	gboolean bad;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	bad = ferror(s->f) != 0;
	if (fflush(s->f) != 0 || fsync(fileno(s->f)) != 0)
		bad = TRUE;
	if (fclose(s->f) != 0)
		bad = TRUE;
	s->f = NULL;
	if (bad) {
		io_error(error, "write", s->path);
		g_unlink(s->tmp);
		return FALSE;
	}
	if (g_rename(s->tmp, s->path) != 0) {
		io_error(error, "rename the new file to", s->path);
		g_unlink(s->tmp);
		return FALSE;
	}
	g_clear_pointer(&s->tmp, g_free);
	return TRUE;
}

void tg_ev_stream_clear(TgEvStream *s)
{
	if (s->f)
		fclose(s->f);
	if (s->tmp)
		g_unlink(s->tmp);
	g_clear_pointer(&s->tmp, g_free);
	g_clear_pointer(&s->path, g_free);
	s->f = NULL;
}

/* ------------------------------------------------------------------ */
/* Text */

gchar *tg_ev_one_line(const char *text, gsize max)
{
	GString *out = g_string_new(NULL);
	g_autofree gchar *valid = g_utf8_make_valid(text ? text : "", -1);

	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		const char *next = g_utf8_next_char(p);

		if (out->len + (gsize)(next - p) > max) {
			g_string_append(out, "...");
			break;
		}
		if ((guchar)*p < 0x20 || *p == 0x7f)
			g_string_append_c(out, ' ');
		else
			g_string_append_len(out, p, next - p);
	}
	return g_string_free(out, FALSE);
}

void tg_ev_md_cell(GString *out, const char *text)
{
	/* Records carry text from updates' metadata: no HTML gets through to
	 * a Markdown renderer that passes HTML on. */
	for (const char *p = text ? text : "-"; *p; p++) {
		if (*p == '|')
			g_string_append(out, "\\|");
		else if (*p == '<')
			g_string_append(out, "&lt;");
		else if (*p == '>')
			g_string_append(out, "&gt;");
		else if (*p == '&')
			g_string_append(out, "&amp;");
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			g_string_append_c(out, ' ');
		else
			g_string_append_c(out, *p);
	}
}

void tg_ev_html_text(GString *out, const char *text)
{
	for (const char *p = text ? text : ""; *p; p++) {
		switch (*p) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			g_string_append_c(out, *p);
		}
	}
}

void tg_ev_json_string(GString *out, const char *text)
{
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *json = NULL;

	if (!text) {
		g_string_append(out, "null");
		return;
	}
	node = json_node_init_string(json_node_alloc(), text);
	json = json_to_string(node, FALSE);
	g_string_append(out, json);
}

gchar *tg_ev_duration_text(gint64 s)
{
	if (s > 0 && s % 86400 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "d", s / 86400);
	if (s > 0 && s % 3600 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "h", s / 3600);
	if (s > 0 && s % 60 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "m", s / 60);
	return g_strdup_printf("%" G_GINT64_FORMAT "s", s);
}

gchar *tg_ev_time_text(GDateTime *when)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(when);

	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

const char *tg_ev_verdict_notice(gboolean self_assessment)
{
	if (self_assessment)
		return "SELF-ASSESSMENT: the satisfied and not-satisfied states in this pack are "
		       "the supplier organization's own assessment, produced with tollgate "
		       "evidence --self-assessment. They are not results of a test laboratory "
		       "under TS 103 701.";
	return "This pack reports declarations, policy settings and device records as "
	       "observations. It assigns no TS 103 701 verdict; only a test laboratory does.";
}

/* ------------------------------------------------------------------ */
/* Name-based UUIDs (RFC 4122 version 5) */

/* The namespace of every UUID a pack carries. */
static const guint8 uuid_namespace[16] = {
	0x7a, 0x1e, 0x4c, 0x2b, 0x93, 0x0d, 0x4f, 0x61,
	0xb8, 0x27, 0x5e, 0xc3, 0x0a, 0x9f, 0x14, 0xd6,
};

gchar *tg_ev_uuid5(const char *seed, const char *fmt, ...)
{
	g_autofree gchar *role = NULL;
	g_autofree gchar *name = NULL;
	guint8 md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	va_list ap;

	va_start(ap, fmt);
	role = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	name = g_strconcat(seed, "\n", role, NULL);
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(ctx, uuid_namespace, sizeof(uuid_namespace)) ||
	    !EVP_DigestUpdate(ctx, name, strlen(name)) || !EVP_DigestFinal_ex(ctx, md, &md_len))
		g_error("SHA-1 is not available from OpenSSL");
	md[6] = (guint8)((md[6] & 0x0f) | 0x50);
	md[8] = (guint8)((md[8] & 0x3f) | 0x80);
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
			       md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9],
			       md[10], md[11], md[12], md[13], md[14], md[15]);
}

/* ------------------------------------------------------------------ */
/* Manifest */

gboolean tg_ev_hash_file(const char *path, char out[TG_SHA256_HEX_LEN + 1], GError **error)
{
	g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new();
	g_autofree guint8 *buf = g_malloc(HASH_BLOCK);
	guint8 md[TG_SHA256_LEN];
	unsigned int md_len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return io_error(error, "read", path);
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		close(fd);
		g_error("SHA-256 is not available from OpenSSL");
	}
	while ((n = read(fd, buf, HASH_BLOCK)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			EVP_DigestUpdate(ctx, buf, (size_t)n);
	if (n < 0) {
		io_error(error, "read", path);
		close(fd);
		return FALSE;
	}
	close(fd);
	EVP_DigestFinal_ex(ctx, md, &md_len);
	tg_hex_encode(md, TG_SHA256_LEN, out);
	return TRUE;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds the regular files under @dir/@rel (relative names, '/' between
 * folders) to @names; links are neither listed nor followed. */
static gboolean list_tree(const char *dir, const char *rel, GPtrArray *names, GError **error)
{
	g_autofree gchar *here = rel ? g_build_filename(dir, rel, NULL) : g_strdup(dir);
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(here, 0, &local);
	const char *name;

	if (!d) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO, "cannot list %s: %s",
			    here, local->message);
		return FALSE;
	}
	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(here, name, NULL);
		g_autofree gchar *sub = rel ? g_strconcat(rel, "/", name, NULL) : g_strdup(name);
		struct stat st;

		if (name[0] == '.' || (!rel && (g_str_equal(name, TG_EV_MANIFEST) ||
						g_str_equal(name, TG_EV_SIGNATURE))))
			continue;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISREG(st.st_mode))
			g_ptr_array_add(names, g_steal_pointer(&sub));
		else if (S_ISDIR(st.st_mode) && !list_tree(dir, sub, names, error))
			return FALSE;
	}
	return TRUE;
}

/* Regular files of the pack in @dir to list, in byte order of their
 * relative names. Returns: (transfer full). */
GPtrArray *tg_ev_pack_files(const char *dir, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

	if (!list_tree(dir, NULL, names, error))
		return NULL;
	g_ptr_array_sort(names, compare_names);
	return g_steal_pointer(&names);
}

/* Removes @path and everything under it, never following a link. */
static gboolean remove_tree(const char *path, GError **error)
{
	g_autoptr(GDir) d = NULL;
	struct stat st;
	const char *name;

	if (lstat(path, &st) != 0)
		return errno == ENOENT || io_error(error, "inspect", path);
	if (!S_ISDIR(st.st_mode))
		return g_unlink(path) == 0 || io_error(error, "remove", path);
	d = g_dir_open(path, 0, NULL);
	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);

		if (!remove_tree(child, error))
			return FALSE;
	}
	return g_rmdir(path) == 0 || io_error(error, "remove", path);
}

gboolean tg_ev_clear_dir(const char *dir, const char *name, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);

	return remove_tree(path, error);
}

static gboolean write_signature(const char *dir, const char *key, const GString *manifest,
				GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree gchar *hex = tg_ed25519_sign_hex(key, manifest->str, manifest->len, &local);
	guint8 sig[64];

	if (!hex || strlen(hex) != 2 * sizeof(sig)) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_SIGN,
			    "cannot sign %s with %s: %s; give --sign an Ed25519 private key in "
			    "PEM of mode 0600", TG_EV_MANIFEST, key,
			    local ? local->message : "bad signature length");
		return FALSE;
	}
	for (gsize i = 0; i < sizeof(sig); i++)
		sig[i] = (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
				  g_ascii_xdigit_value(hex[2 * i + 1]));
	return tg_ev_write(dir, TG_EV_SIGNATURE, (const char *)sig, sizeof(sig), error);
}

/* signing-key.pub: the public half of @sign_key, listed in the manifest so
 * that `tollgate evidence verify` can check the signature without a key
 * (who signed is then a matter of the key's fingerprint); removed from an
 * unsigned pack. */
static gboolean write_signer(const char *dir, const char *sign_key, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, TG_EV_SIGNER, NULL);
	g_autofree gchar *pem = NULL;
	g_autoptr(GError) local = NULL;

	if (!sign_key)
		return g_unlink(path) == 0 || errno == ENOENT ||
		       io_error(error, "remove the old signing key", path);
	pem = tg_ed25519_public_pem(sign_key, &local);
	if (!pem) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_SIGN,
			    "cannot read the public half of %s: %s; give --sign an Ed25519 "
			    "private key in PEM of mode 0600", sign_key, local->message);
		return FALSE;
	}
	return tg_ev_write(dir, TG_EV_SIGNER, pem, strlen(pem), error);
}

gboolean tg_ev_write_manifest(const char *dir, const char *sign_key, GError **error)
{
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GString) manifest = g_string_new(NULL);
	g_autofree gchar *sig_path = g_build_filename(dir, TG_EV_SIGNATURE, NULL);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!write_signer(dir, sign_key, error))
		return FALSE;
	names = tg_ev_pack_files(dir, error);
	if (!names)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
		char hex[TG_SHA256_HEX_LEN + 1];

		if (!tg_ev_hash_file(path, hex, error))
			return FALSE;
		g_string_append_printf(manifest, "%s  %s\n", hex,
				       (const char *)g_ptr_array_index(names, i));
	}
	if (!sign_key && g_unlink(sig_path) != 0 && errno != ENOENT)
		return io_error(error, "remove the old signature", sig_path);
	if (!tg_ev_write(dir, TG_EV_MANIFEST, manifest->str, manifest->len, error))
		return FALSE;
	return !sign_key || write_signature(dir, sign_key, manifest, error);
}
