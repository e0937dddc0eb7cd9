/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Anchors: the latest signed checkpoint, kept off the device (a backend,
 * an assessor), against which a log is checked later. A log cut after the
 * anchor, or replaced by an older copy or another chain, no longer holds
 * the anchored line at its seq, whatever its own chain says. */
#include "audit-private.h"

#include <string.h>

#include "tg-io.h"

#define ANCHOR_MAX 65536	/* bytes of an anchor file */

typedef struct {
	gchar *line;		/* the checkpoint line, no newline */
	guint64 seq;
	guint64 head_seq;
	const char *head_hash;	/* into obj */
	const char *alg;
	const char *sig;
	JsonObject *obj;
} Anchor;

static void anchor_clear(Anchor *a)
{
	g_free(a->line);
	g_clear_pointer(&a->obj, json_object_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Anchor, anchor_clear)

gchar *tg_audit_last_checkpoint(const char *dir, GError **error)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, error);
	g_autoptr(TgAuditReader) r = NULL;
	g_autofree gchar *last = NULL;
	const char *line;
	gsize len;

	if (!files)
		return NULL;
	r = tg_audit_reader_open((const char *const *)files, error);
	if (!r)
		return NULL;
	while (tg_audit_reader_next(r, &line, &len, NULL, error)) {
		TgAuditLineScan sc;

		if (tg_audit_scan_line(line, len - 1, &sc) == TG_AUDIT_LINE_RECORD && sc.checkpoint) {
			g_free(last);
			last = g_strndup(line, len - 1);
		}
	}
	if (error && *error)
		return NULL;
	if (!last)
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "the audit log in %s holds no checkpoint yet; set [audit] "
			    "checkpoint-every and export the anchor after the next record", dir);
	return g_steal_pointer(&last);
}

static gboolean member_string(JsonObject *o, const char *name, const char **ret)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return FALSE;
	*ret = json_node_get_string(n);
	return TRUE;
}

static gboolean member_uint(JsonObject *o, const char *name, guint64 *ret)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    json_node_get_int(n) < 0)
		return FALSE;
	*ret = (guint64)json_node_get_int(n);
	return TRUE;
}

/* Parses a->line (set by the caller), named @path in messages. */
static gboolean anchor_parse(Anchor *a, const char *path, GError **error)
{
	const char *event = NULL;

	g_strchomp(a->line);
	a->obj = tg_audit_parse_line(a->line, strlen(a->line), NULL);
	if (!a->obj || !member_string(a->obj, "event", &event) ||
	    !g_str_equal(event, "log.checkpoint") || !member_uint(a->obj, "seq", &a->seq) ||
	    !member_uint(a->obj, "head_seq", &a->head_seq) ||
	    !member_string(a->obj, "head_hash", &a->head_hash) ||
	    !member_string(a->obj, "alg", &a->alg) || !member_string(a->obj, "sig", &a->sig)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "the anchor %s is not one log.checkpoint line with seq, head_seq, "
			    "head_hash, alg and sig; export it with `tollgate audit anchor`", path);
		return FALSE;
	}
	return TRUE;
}

static gboolean anchor_load(const char *path, Anchor *a, GError **error)
{
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	if (!tg_io_read_regular(path, ANCHOR_MAX, &a->line, &len, NULL, &local)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO, "the anchor %s: %s", path,
			    local->message);
		return FALSE;
	}
	if (strlen(a->line) != len) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "the anchor %s holds a NUL byte; export it with `tollgate audit "
			    "anchor`", path);
		return FALSE;
	}
	return anchor_parse(a, path, error);
}

gboolean tg_audit_anchor_parse_data(const char *data, gsize len, GError **error)
{
	g_auto(Anchor) a = { 0 };

	if (len > ANCHOR_MAX || memchr(data, '\0', len)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "the anchor is larger than %d bytes or holds a NUL byte", ANCHOR_MAX);
		return FALSE;
	}
	a.line = g_strndup(data, len);
	return anchor_parse(&a, "(data)", error);
}

/* The anchor's own signature, with the verifier's key. */
static gboolean anchor_signed(const Anchor *a, const char *key, const char *alg,
			      GError **error)
{
	g_autofree gchar *msg = tg_audit_checkpoint_message(a->head_seq, a->head_hash);
	g_autoptr(GBytes) hmac = NULL;

	if (!g_str_equal(a->alg, alg)) {
		g_set_error(error, TG_CRYPTO_ERROR, TG_CRYPTO_ERROR_VERIFY,
			    "it is signed with %s, but the key given is for %s", a->alg, alg);
		return FALSE;
	}
	if (g_str_equal(alg, TG_AUDIT_ALG_HMAC) && !(hmac = tg_read_key_file(key, error)))
		return FALSE;
	return tg_audit_signature_ok(alg, key, hmac, msg, a->sig, error);
}

static void fail(TgAuditVerifyResult *res, guint64 seq, const char *problem, gchar *message)
{
	res->ok = FALSE;
	res->bad_seq = seq;
	g_free(res->problem);
	res->problem = g_strdup(problem);
	g_free(res->message);
	res->message = message;
}

/* Finds the anchored line in @files: FALSE (res set) when it is not there. */
static gboolean find_anchor(const char *const *files, const Anchor *a,
			    TgAuditVerifyResult *res, GError **error)
{
	g_autoptr(TgAuditReader) r = tg_audit_reader_open(files, error);
	guint64 first = 0, last = 0;
	gboolean any = FALSE;
	const char *line;
	gsize len;

	if (!r)
		return FALSE;
	while (tg_audit_reader_next(r, &line, &len, NULL, error)) {
		TgAuditLineScan sc;

		if (tg_audit_scan_line(line, len - 1, &sc) != TG_AUDIT_LINE_RECORD)
			continue;
		first = any ? first : sc.seq;
		any = TRUE;
		last = sc.seq;
		if (sc.seq != a->seq)
			continue;
		if (len - 1 == strlen(a->line) && memcmp(line, a->line, len - 1) == 0)
			return TRUE;
		fail(res, a->seq, "replaced",
		     g_strdup_printf("the record at seq %" G_GUINT64_FORMAT " is not the anchored "
				     "checkpoint: the log was replaced or rewritten since the "
				     "anchor was taken", a->seq));
		return FALSE;
	}
	if (error && *error)
		return FALSE;
	if (any && a->seq < first)
		fail(res, a->seq, "anchor-rotated",
		     g_strdup_printf("the anchored checkpoint (seq %" G_GUINT64_FORMAT ") is older "
				     "than the oldest record kept (seq %" G_GUINT64_FORMAT "), so "
				     "the log cannot be checked against it; take anchors more "
				     "often than the log rotates", a->seq, first));
	else
		fail(res, a->seq, "cut",
		     g_strdup_printf("the log ends at seq %" G_GUINT64_FORMAT ", before the "
				     "anchored checkpoint at seq %" G_GUINT64_FORMAT ": records "
				     "were cut from its end", last, a->seq));
	return FALSE;
}

gboolean tg_audit_verify_anchor(const char *dir, const char *const *files, const char *anchor,
				const char *key, const char *alg, TgAuditVerifyResult *res,
				GError **error)
{
	g_auto(Anchor) a = { 0 };
	g_auto(GStrv) listed = NULL;
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!key) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "checking against an anchor needs the key that verifies the device's "
			    "checkpoints; give --key (its Ed25519 public key)");
		return FALSE;
	}
	if (!anchor_load(anchor, &a, error))
		return FALSE;
	alg = alg ? alg : a.alg;
	if (!tg_audit_verify(dir, files, key, alg, res, error))
		return FALSE;
	if (!anchor_signed(&a, key, alg, &local)) {
		fail(res, a.seq, "bad-anchor",
		     g_strdup_printf("the anchor %s does not verify with %s (%s); it is not a "
				     "checkpoint of this device", anchor, key, local->message));
		return TRUE;
	}
	if (!res->ok)
		return TRUE;
	if (!files) {
		listed = tg_audit_list_files(dir, error);
		if (!listed)
			return FALSE;
		files = (const char *const *)listed;
	}
	if (!find_anchor(files, &a, res, error) && error && *error)
		return FALSE;
	return TRUE;
}
