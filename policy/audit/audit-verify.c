/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verification of the audit chain across rotated files.
 *
 * Speed matters (logs reach gigabytes on long-lived devices), so ordinary
 * lines are never handed to a JSON parser: each line is hashed once with one
 * reused SHA-256 context, and "prev" and "seq" are read by hand from their
 * fixed places at the start of the line. Only log.checkpoint lines are parsed
 * fully, to check their signature. The structural check of other lines is
 * limited to "starts with {"prev":"<64 hex>", ends with }"; their contents
 * are covered by the hash chain, not by parsing (docs/audit-log.md).
 *
 * When the chain breaks, one more line is read before deciding what broke:
 * the next line's "prev" tells an edited record from an edited "prev" member,
 * and the next line's seq tells a removal from a reordering. */
#include "audit-private.h"

#include <string.h>

#include <openssl/evp.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD, EVP_MD_free)

/* One line, as far as the chain is concerned. */
typedef struct {
	const char *file;	/* owned by the reader */
	guint64 line_no;
	guint64 seq;
	guint8 hash[TG_SHA256_LEN];
} TgVerifyLine;

typedef enum {
	PENDING_NONE = 0,
	PENDING_EDIT,		/* prev mismatch, seq in order: which line was edited? */
	PENDING_JUMP,		/* prev mismatch, seq jumps forward: removed or moved? */
} TgVerifyPending;

typedef struct {
	TgAuditVerifyResult *res;
	EVP_MD_CTX *md_ctx;
	EVP_MD *md;
	const char *key;
	const char *alg;
	GBytes *hmac_key;

	gboolean have_last;
	TgVerifyLine last;
	TgVerifyPending pending;
	TgVerifyLine pend_a;	/* the line before the break */
	TgVerifyLine pend_b;	/* the line where the break showed */
	guint64 first_seq;
	guint files;
	const char *file;	/* current file, to count files */
	guint64 unverified;	/* checkpoints seen without a key */
	guint64 last_checkpoint;	/* seq of the last verified checkpoint */
	gboolean stop;
} TgVerifier;

void tg_audit_verify_result_clear(TgAuditVerifyResult *res)
{
	if (!res)
		return;
	g_free(res->bad_file);
	g_free(res->problem);
	g_free(res->message);
	memset(res, 0, sizeof(*res));
}

static void report(TgVerifier *v, const char *file, guint64 seq, const char *problem,
		   const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void report(TgVerifier *v, const char *file, guint64 seq, const char *problem,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	v->res->ok = FALSE;
	v->res->bad_file = g_strdup(file);
	v->res->bad_seq = seq;
	v->res->problem = g_strdup(problem);
	v->res->message = g_strdup_vprintf(fmt, ap);
	v->stop = TRUE;
	va_end(ap);
}

static guint64 expected_seq(const TgVerifier *v)
{
	return v->have_last ? v->last.seq + 1 : 1;
}

/* ---- checkpoints ---- */

static gboolean get_string(JsonObject *obj, const char *name, const char **ret)
{
	JsonNode *node = json_object_get_member(obj, name);

	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return FALSE;
	*ret = json_node_get_string(node);
	return TRUE;
}

static gboolean get_uint(JsonObject *obj, const char *name, guint64 *ret)
{
	JsonNode *node = json_object_get_member(obj, name);

	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64 ||
	    json_node_get_int(node) < 0)
		return FALSE;
	*ret = (guint64)json_node_get_int(node);
	return TRUE;
}

gboolean tg_audit_signature_ok(const char *alg, const char *key_path, GBytes *hmac_key,
			       const char *msg, const char *sig, GError **error)
{
	char mac[TG_SHA256_HEX_LEN + 1];
	gsize key_len;
	const guint8 *key;

	if (g_str_equal(alg, TG_AUDIT_ALG_ED25519))
		return tg_ed25519_verify_hex(key_path, msg, strlen(msg), sig, error);
	key = g_bytes_get_data(hmac_key, &key_len);
	if (!tg_hmac_sha256_hex(key, key_len, msg, strlen(msg), mac, error))
		return FALSE;
	if (!tg_secure_equal(mac, sig)) {
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY,
			    "HMAC-SHA256 signature does not verify");
		return FALSE;
	}
	return TRUE;
}

/* The signed part of a checkpoint: its head is the record before it and
 * its signature verifies with the key. */
static void check_signed(TgVerifier *v, const TgVerifyLine *cur, const TgAuditLineScan *sc,
			 JsonObject *obj)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *msg = NULL;
	const char *hash = NULL, *alg = NULL, *sig = NULL;
	char prev_hex[TG_SHA256_HEX_LEN + 1];
	guint64 head_seq = 0;

	tg_hex_encode(sc->prev, TG_SHA256_LEN, prev_hex);
	if (!get_uint(obj, "head_seq", &head_seq) || !get_string(obj, "head_hash", &hash) ||
	    !get_string(obj, "alg", &alg) || !get_string(obj, "sig", &sig)) {
		report(v, cur->file, cur->seq, "bad-checkpoint",
		       "%s: checkpoint %" G_GUINT64_FORMAT " lacks head_seq, head_hash, "
		       "alg or sig", cur->file, cur->seq);
		return;
	}
	if (head_seq + 1 != cur->seq || !g_str_equal(hash, prev_hex)) {
		report(v, cur->file, cur->seq, "bad-checkpoint",
		       "%s: checkpoint %" G_GUINT64_FORMAT " claims head %" G_GUINT64_FORMAT
		       " with hash %.16s..., which is not the record before it", cur->file,
		       cur->seq, head_seq, hash);
		return;
	}
	if (!g_str_equal(alg, v->alg)) {
		report(v, cur->file, cur->seq, "bad-checkpoint",
		       "%s: checkpoint %" G_GUINT64_FORMAT " is signed with %s, but the "
		       "key given is for %s", cur->file, cur->seq, alg, v->alg);
		return;
	}
	msg = tg_audit_checkpoint_message(head_seq, hash);
	if (!tg_audit_signature_ok(v->alg, v->key, v->hmac_key, msg, sig, &err)) {
		report(v, cur->file, cur->seq, "bad-checkpoint",
		       "%s: the signature of checkpoint %" G_GUINT64_FORMAT " does not "
		       "verify with %s (%s)", cur->file, cur->seq, v->key, err->message);
		return;
	}
	v->last_checkpoint = cur->seq;
}

/* Checks a log.checkpoint line against the record before it (whose hash the
 * line's own prev holds, already checked by the chain) and the key. */
static void check_checkpoint(TgVerifier *v, const TgVerifyLine *cur, const TgAuditLineScan *sc,
			     const char *line, gsize len)
{
	g_autoptr(JsonObject) obj = tg_audit_parse_line(line, len, NULL);
	const char *event = NULL;

	if (!obj || !get_string(obj, "event", &event) || !g_str_equal(event, "log.checkpoint")) {
		report(v, cur->file, cur->seq, "malformed",
		       "%s: line %" G_GUINT64_FORMAT " (seq %" G_GUINT64_FORMAT ") looks "
		       "like a checkpoint but is not a valid JSON record", cur->file,
		       cur->line_no, cur->seq);
		return;
	}
	v->res->checkpoints++;
	if (!v->key) {
		v->unverified++;
		return;
	}
	check_signed(v, cur, sc, obj);
}

/* ---- chain ---- */

static void resolve_edit(TgVerifier *v, const TgAuditLineScan *next)
{
	const TgVerifyLine *a = &v->pend_a, *b = &v->pend_b;

	if (next && next->prev_ok && memcmp(next->prev, b->hash, TG_SHA256_LEN) == 0) {
		report(v, a->file, a->seq, "edited",
		       "%s: record %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT ") was "
		       "changed after it was written: the record after it no longer holds "
		       "its hash", a->file, a->seq, a->line_no);
		return;
	}
	if (next) {
		report(v, b->file, b->seq, "edited",
		       "%s: record %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT ") was "
		       "changed after it was written: its prev member no longer matches "
		       "the record before it", b->file, b->seq, b->line_no);
		return;
	}
	report(v, a->file, a->seq, "edited",
	       "%s: record %" G_GUINT64_FORMAT " or the prev member of record %" G_GUINT64_FORMAT
	       " (the last one, in %s) was changed after it was written", a->file, a->seq,
	       b->seq, b->file);
}

static void resolve_jump(TgVerifier *v, const TgAuditLineScan *next)
{
	const TgVerifyLine *a = &v->pend_a, *b = &v->pend_b;

	if (next && next->seq < b->seq) {
		report(v, b->file, b->seq, "reordered",
		       "%s: record %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT ") stands "
		       "where record %" G_GUINT64_FORMAT " belongs: records were moved",
		       b->file, b->seq, b->line_no, a->seq + 1);
		return;
	}
	report(v, b->file, a->seq + 1, "missing",
	       "%s: record %" G_GUINT64_FORMAT " is missing before line %" G_GUINT64_FORMAT
	       " (seq %" G_GUINT64_FORMAT "): lines or a whole rotated file were removed",
	       b->file, a->seq + 1, b->line_no, b->seq);
}

static void resolve_pending(TgVerifier *v, const TgAuditLineScan *next)
{
	if (v->pending == PENDING_EDIT)
		resolve_edit(v, next);
	else
		resolve_jump(v, next);
}

/* Whether @line's own event member (the first one, as in audit-read.c's
 * scanner) is log.rotated. */
static gboolean is_rotation_record(const char *line, gsize len)
{
	static const char key[] = ",\"event\":\"log.rotated\"";
	static const char any[] = ",\"event\":\"";
	const char *p = memmem(line, len, any, strlen(any));

	return p && (gsize)(line + len - p) >= strlen(key) && memcmp(p, key, strlen(key)) == 0;
}

/* The oldest record kept is seq 1 (chaining to the genesis value) or, once
 * max-files pruned older files, the log.rotated record that opened its file.
 * Any other start means records were cut from the front. */
static void check_first(TgVerifier *v, const TgVerifyLine *cur, const TgAuditLineScan *sc,
			const char *line, gsize len)
{
	guint8 genesis[TG_SHA256_LEN] = { 0 };

	v->first_seq = sc->seq;
	if (sc->seq == 1 && (!sc->prev_ok || memcmp(sc->prev, genesis, sizeof(genesis)) != 0))
		report(v, cur->file, 1, "edited",
		       "%s: record 1 was changed after it was written: its prev member is not "
		       "the genesis value", cur->file);
	else if (sc->seq > 1 && !is_rotation_record(line, len))
		report(v, cur->file, sc->seq - 1, "missing",
		       "%s: the oldest record kept, seq %" G_GUINT64_FORMAT " on line %"
		       G_GUINT64_FORMAT ", neither starts the chain nor opens a rotated file: "
		       "records up to seq %" G_GUINT64_FORMAT " were removed", cur->file, sc->seq,
		       cur->line_no, sc->seq - 1);
	else if (sc->seq == 0)
		report(v, cur->file, 0, "malformed",
		       "%s: line %" G_GUINT64_FORMAT " has seq 0, which no record has", cur->file,
		       cur->line_no);
}

static void check_link(TgVerifier *v, const TgVerifyLine *cur, const TgAuditLineScan *sc)
{
	gboolean prev_matches = sc->prev_ok &&
				memcmp(sc->prev, v->last.hash, TG_SHA256_LEN) == 0;
	guint64 expected = v->last.seq + 1;

	if (prev_matches && sc->seq == expected)
		return;
	if (prev_matches) {
		report(v, cur->file, expected, "edited",
		       "%s: the seq member of record %" G_GUINT64_FORMAT " (line %"
		       G_GUINT64_FORMAT ") was changed to %" G_GUINT64_FORMAT, cur->file,
		       expected, cur->line_no, sc->seq);
		return;
	}
	if (sc->seq > v->last.seq) {
		v->pending = sc->seq == expected ? PENDING_EDIT : PENDING_JUMP;
		v->pend_a = v->last;
		v->pend_b = *cur;
		return;
	}
	report(v, cur->file, sc->seq, "reordered",
	       "%s: record %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT ") follows record %"
	       G_GUINT64_FORMAT ": records were moved or repeated", cur->file, sc->seq,
	       cur->line_no, v->last.seq);
}

static void hash_line(TgVerifier *v, const char *line, gsize len, guint8 out[TG_SHA256_LEN])
{
	unsigned int out_len = 0;

	if (!EVP_DigestInit_ex2(v->md_ctx, v->md, NULL) ||
	    !EVP_DigestUpdate(v->md_ctx, line, len) ||
	    !EVP_DigestFinal_ex(v->md_ctx, out, &out_len))
		g_error("SHA-256 failed in OpenSSL");
}

static void bad_shape(TgVerifier *v, const TgVerifyLine *cur, TgAuditLineKind kind,
		      gboolean complete, gsize len)
{
	guint64 seq = expected_seq(v);

	if (!complete)
		report(v, cur->file, seq, "truncated",
		       "%s: the last line (%" G_GUINT64_FORMAT ", where seq %" G_GUINT64_FORMAT
		       " was expected) ends without a newline after %zu bytes: a torn or "
		       "truncated write", cur->file, cur->line_no, seq, len);
	else if (kind == TG_AUDIT_LINE_INCOMPLETE)
		report(v, cur->file, seq, "truncated",
		       "%s: line %" G_GUINT64_FORMAT " (where seq %" G_GUINT64_FORMAT " was "
		       "expected) is not a complete JSON object", cur->file, cur->line_no, seq);
	else
		report(v, cur->file, seq, "malformed",
		       "%s: line %" G_GUINT64_FORMAT " (where seq %" G_GUINT64_FORMAT " was "
		       "expected) is not an audit record", cur->file, cur->line_no, seq);
}

static void handle_line(TgVerifier *v, const char *file, guint64 line_no, const char *line,
			gsize len, gboolean complete)
{
	TgVerifyLine cur = { .file = file, .line_no = line_no };
	TgAuditLineScan sc = { 0 };
	TgAuditLineKind kind;

	kind = complete ? tg_audit_scan_line(line, len - 1, &sc) : TG_AUDIT_LINE_INCOMPLETE;
	if (v->pending != PENDING_NONE) {
		resolve_pending(v, kind == TG_AUDIT_LINE_RECORD ? &sc : NULL);
		return;
	}
	if (file != v->file) {
		v->file = file;
		v->files++;
	}
	if (kind != TG_AUDIT_LINE_RECORD) {
		bad_shape(v, &cur, kind, complete, len);
		return;
	}
	cur.seq = sc.seq;
	hash_line(v, line, len, cur.hash);
	if (v->have_last)
		check_link(v, &cur, &sc);
	else
		check_first(v, &cur, &sc, line, len - 1);
	if (v->stop || v->pending != PENDING_NONE)
		return;
	if (sc.checkpoint)
		check_checkpoint(v, &cur, &sc, line, len);
	if (v->stop)
		return;
	v->res->records++;
	v->last = cur;
	v->have_last = TRUE;
}

/* ---- setup and summary ---- */

static gboolean setup_key(TgVerifier *v, const char *key, const char *alg, GError **error)
{
	g_autofree gchar *head = NULL;
	g_autoptr(GError) local = NULL;
	static const char probe_sig[129] =
		"0000000000000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000000000000000000000000000000";

	v->key = key;
	if (!key)
		return TRUE;
	if (!alg) {
		/* Ed25519 public keys are PEM; an HMAC key is raw bytes. */
		(void)g_file_get_contents(key, &head, NULL, NULL);
		alg = head && g_str_has_prefix(head, "-----BEGIN PUBLIC KEY-----") ?
			      TG_AUDIT_ALG_ED25519 : TG_AUDIT_ALG_HMAC;
	}
	if (!g_str_equal(alg, TG_AUDIT_ALG_HMAC) && !g_str_equal(alg, TG_AUDIT_ALG_ED25519)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "audit checkpoint algorithm '%s' is not supported; use '"
			    TG_AUDIT_ALG_HMAC "' or '" TG_AUDIT_ALG_ED25519 "'", alg);
		return FALSE;
	}
	v->alg = alg;
	if (g_str_equal(alg, TG_AUDIT_ALG_HMAC)) {
		v->hmac_key = tg_read_key_file(key, error);
		return v->hmac_key != NULL;
	}
	/* Load the public key once now: a bad key stops the check. */
	if (!tg_ed25519_verify_hex(key, "", 0, probe_sig, &local) &&
	    g_error_matches(local, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_KEY)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	return TRUE;
}

static void summarize(TgVerifier *v)
{
	TgAuditVerifyResult *res = v->res;
	g_autoptr(GString) msg = g_string_new(NULL);

	res->ok = TRUE;
	if (res->records == 0) {
		res->message = g_strdup("the audit log holds no records");
		return;
	}
	g_string_printf(msg, "%" G_GUINT64_FORMAT " records in %u files verified (seq %"
			G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ")", res->records, v->files,
			v->first_seq, v->last.seq);
	if (v->first_seq > 1)
		g_string_append_printf(msg, ", the first chaining to a file no longer kept");
	if (res->checkpoints == 0)
		g_string_append(msg, "; no checkpoints");
	else if (v->unverified > 0)
		g_string_append_printf(msg, "; %" G_GUINT64_FORMAT " checkpoints not verified "
				       "because no key was given", v->unverified);
	else if (v->last_checkpoint < v->last.seq)
		g_string_append_printf(msg, "; %" G_GUINT64_FORMAT " checkpoints verified, "
				       "records after %" G_GUINT64_FORMAT " are covered by the "
				       "chain only", res->checkpoints, v->last_checkpoint);
	else
		g_string_append_printf(msg, "; %" G_GUINT64_FORMAT " checkpoints verified",
				       res->checkpoints);
	res->message = g_string_free(g_steal_pointer(&msg), FALSE);
}

static void verifier_clear(TgVerifier *v)
{
	EVP_MD_CTX_free(v->md_ctx);
	EVP_MD_free(v->md);
	g_clear_pointer(&v->hmac_key, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgVerifier, verifier_clear)

/* Feeds every line of @files to the verifier. FALSE only on I/O errors. */
static gboolean run(TgVerifier *v, const char *const *files, GError **error)
{
	g_autoptr(TgAuditReader) reader = tg_audit_reader_open(files, error);
	g_autoptr(GError) local = NULL;
	const char *line, *file = NULL;
	gboolean complete;
	gsize len;

	if (!reader)
		return FALSE;
	while (!v->stop &&
	       tg_audit_reader_next_raw(reader, &line, &len, &complete, &file, &local))
		handle_line(v, file, tg_audit_reader_line_number(reader), line, len, complete);
	if (local && !g_error_matches(local, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (v->stop)
		return TRUE;
	if (local) {
		/* A line too long to be a record. */
		if (v->pending != PENDING_NONE)
			resolve_pending(v, NULL);
		else
			report(v, tg_audit_reader_file(reader), expected_seq(v), "malformed",
			       "%s: the line where seq %" G_GUINT64_FORMAT " was expected is "
			       "longer than %d bytes, so it is no audit record",
			       tg_audit_reader_file(reader), expected_seq(v),
			       TG_AUDIT_READ_MAX_LINE);
		return TRUE;
	}
	if (v->pending != PENDING_NONE)
		resolve_pending(v, NULL);
	return TRUE;
}

gboolean tg_audit_verify(const char *dir, const char *const *files, const char *key,
			 const char *alg, TgAuditVerifyResult *res, GError **error)
{
	g_auto(TgVerifier) v = { 0 };
	g_auto(GStrv) listed = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(res != NULL, FALSE);
	g_return_val_if_fail(dir != NULL || files != NULL, FALSE);
	tg_audit_verify_result_clear(res);
	v.res = res;
	if (!files) {
		listed = tg_audit_list_files(dir, error);
		if (!listed)
			return FALSE;
		files = (const char *const *)listed;
	}
	if (!setup_key(&v, key, alg, error))
		return FALSE;
	v.md_ctx = EVP_MD_CTX_new();
	v.md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!v.md_ctx || !v.md) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "SHA-256 is not available from OpenSSL");
		return FALSE;
	}
	if (!run(&v, files, error)) {
		tg_audit_verify_result_clear(res);
		return FALSE;
	}
	if (!v.stop)
		summarize(&v);
	return TRUE;
}
