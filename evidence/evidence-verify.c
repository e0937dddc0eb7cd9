/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tollgate evidence verify PACK`: what an assessor checks before reading a
 * pack. The manifest covers every file and every file matches it; the
 * signature verifies (with the key given, else the one the pack carries);
 * every included audit log verifies as a hash chain; every record the
 * evidence index or the findings cite is in the included logs with the
 * cited hash. Every mismatch is one sentence naming the file and the
 * record; the check goes on to find the others (a changed byte in a log
 * shows as a file that does not match, a chain that breaks at a record and
 * a cited record whose hash differs). */
#include "evidence-private.h"

#include <errno.h>
#include <string.h>

#include "tg-crypto.h"
#include "audit-private.h"

typedef struct {
	const char *pack;
	GHashTable *listed;	/* relative path -> hex */
	GHashTable *logs;	/* "label/file" -> GHashTable seq (gint64*) -> hex */
	TgEvidenceVerifySummary sum;
	GPtrArray *problems;	/* gchar*: one sentence each */
} Verify;

#define MAX_PROBLEMS 50

/* Notes one mismatch. Returns FALSE, for the caller's convenience. */
static gboolean fail(Verify *v, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean fail(Verify *v, const char *fmt, ...)
{
	va_list ap;

	if (v->problems->len < MAX_PROBLEMS) {
		va_start(ap, fmt);
		g_ptr_array_add(v->problems, g_strdup_vprintf(fmt, ap));
		va_end(ap);
	}
	return FALSE;
}

/* ---- manifest ---- */

static gboolean safe_path(const char *rel)
{
	g_auto(GStrv) parts = g_strsplit(rel, "/", -1);

	if (!*rel || rel[0] == '/')
		return FALSE;
	for (gchar **p = parts; *p; p++)
		if (!**p || g_str_equal(*p, ".") || g_str_equal(*p, ".."))
			return FALSE;
	return TRUE;
}

static gboolean parse_manifest(Verify *v, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] && *lines[i]; i++) {
		const char *l = lines[i];
		const char *rel = l + TG_SHA256_HEX_LEN + 2;

		if (strlen(l) <= TG_SHA256_HEX_LEN + 2 || strncmp(l + TG_SHA256_HEX_LEN, "  ", 2) ||
		    !safe_path(rel))
			return fail(v, "%s/" TG_EV_MANIFEST " line %u is not '<sha256>  <path "
				    "inside the pack>'; the manifest was edited or cut", v->pack, i + 1);
		g_hash_table_insert(v->listed, g_strdup(rel), g_strndup(l, TG_SHA256_HEX_LEN));
	}
	return TRUE;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of @table in byte order (borrowed). Returns: (transfer container). */
static GPtrArray *sorted_keys(GHashTable *table)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, compare_strings);
	return keys;
}

static void check_files(Verify *v)
{
	g_autoptr(GPtrArray) files = tg_ev_pack_files(v->pack, NULL);
	g_autoptr(GPtrArray) listed = sorted_keys(v->listed);

	for (guint i = 0; files && i < files->len; i++)
		if (!g_hash_table_contains(v->listed, files->pdata[i]))
			fail(v, "%s/%s is not in " TG_EV_MANIFEST "; it was added after the export",
			     v->pack, (const char *)files->pdata[i]);
	for (guint i = 0; i < listed->len; i++) {
		const char *rel = listed->pdata[i];
		g_autofree gchar *path = g_build_filename(v->pack, rel, NULL);
		char hex[TG_SHA256_HEX_LEN + 1];

		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || !tg_ev_hash_file(path, hex, NULL))
			fail(v, "%s is listed in " TG_EV_MANIFEST " but missing from the pack or "
			     "unreadable", path);
		else if (!g_str_equal(hex, g_hash_table_lookup(v->listed, rel)))
			fail(v, "%s does not match its SHA-256 in " TG_EV_MANIFEST "; the file was "
			     "changed after the export", path);
		else
			v->sum.files++;
	}
}

/* ---- signature ---- */

static gboolean check_signature(Verify *v, const char *manifest, gsize len, const char *key)
{
	g_autofree gchar *sig_path = g_build_filename(v->pack, TG_EV_SIGNATURE, NULL);
	g_autofree gchar *own = g_build_filename(v->pack, TG_EV_SIGNER, NULL);
	g_autofree gchar *sig = NULL;
	g_autofree gchar *hex = NULL;
	g_autoptr(GError) local = NULL;
	gsize sig_len = 0;
	const char *use = key ? key : own;

	if (!g_file_get_contents(sig_path, &sig, &sig_len, NULL))
		return !key || fail(v, "%s is not signed (no " TG_EV_SIGNATURE "), but --key "
				    "was given", v->pack);
	if (!key && !g_file_test(own, G_FILE_TEST_IS_REGULAR))
		return fail(v, "%s is signed but carries no " TG_EV_SIGNER "; give the "
			    "signer's public key with --key", v->pack);
	hex = g_malloc(2 * sig_len + 1);
	tg_hex_encode((const guint8 *)sig, sig_len, hex);
	if (!tg_ed25519_verify_hex(use, manifest, len, hex, &local))
		return fail(v, "%s: the signature does not verify with %s (%s); the manifest "
			    "was changed or another key signed it", sig_path, use, local->message);
	v->sum.signed_pack = TRUE;
	v->sum.signer = g_strdup(use);
	v->sum.key_given = key != NULL;
	return TRUE;
}

/* ---- logs and cited records ---- */

static void free_table(gpointer t)
{
	g_hash_table_unref(t);
}

/* seq -> SHA-256 hex of every record line of @path. */
static GHashTable *read_log(const char *path)
{
	GHashTable *t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	g_autofree gchar *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return t;
	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (gsize)(text + len - p));
		const char *end = nl ? nl + 1 : text + len;
		TgAuditLineScan sc;
		char hex[TG_SHA256_HEX_LEN + 1];

		/* the audit log's own scanner finds the record's seq */
		if (tg_audit_scan_line(p, (gsize)(end - p) - (nl != NULL), &sc) == TG_AUDIT_LINE_RECORD) {
			gint64 seq = (gint64)sc.seq;

			tg_sha256_hex(p, (gsize)(end - p), hex);
			g_hash_table_insert(t, g_memdup2(&seq, sizeof(seq)), g_strdup(hex));
		}
		p = end;
	}
	return t;
}

/* The hash of record @seq of @file of device @label in the pack's logs, or
 * NULL; whole files first, then cited.jsonl. Returns: (transfer none). */
static const char *logged_hash(Verify *v, const char *label, const char *file, gint64 seq)
{
	const char *names[] = { file, "cited.jsonl" };

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree gchar *key = g_strconcat(label, "/", names[i], NULL);
		GHashTable *t = g_hash_table_lookup(v->logs, key);

		if (!t) {
			g_autofree gchar *path = g_build_filename(v->pack, "logs", label, names[i],
								  NULL);

			t = read_log(path);
			g_hash_table_insert(v->logs, g_strdup(key), t);
		}
		if (g_hash_table_lookup(t, &seq))
			return g_hash_table_lookup(t, &seq);
	}
	return NULL;
}

static gboolean check_cite(Verify *v, const char *where, const char *label, const char *file,
			   gint64 seq, const char *hash)
{
	const char *have;

	if (!label || !file || !hash || seq < 1 || strchr(label, '/') || strchr(file, '/'))
		return fail(v, "%s cites a record without device, file, seq and hash; the "
			    "file was edited", where);
	have = logged_hash(v, label, file, seq);
	if (!have)
		return fail(v, "%s cites %s %s seq %" G_GINT64_FORMAT ", which is not in "
			    "logs/%s/ of the pack; the record was removed or the logs were cut",
			    where, label, file, seq, label);
	if (!g_str_equal(have, hash))
		return fail(v, "%s cites %s %s seq %" G_GINT64_FORMAT " with SHA-256 %.16s..., "
			    "but logs/%s/ has %.16s... for it; the record was changed", where,
			    label, file, seq, hash, label, have);
	v->sum.cited++;
	return TRUE;
}

static void check_logs(Verify *v)
{
	g_autofree gchar *dir = g_build_filename(v->pack, "logs", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *label;

	while (d && (label = g_dir_read_name(d))) {
		g_autofree gchar *sub = g_build_filename(dir, label, NULL);
		g_auto(GStrv) files = tg_audit_list_files(sub, NULL);
		g_autoptr(GError) err = NULL;
		TgAuditVerifyResult res = { 0 };

		if (!files || !files[0])
			continue;	/* cited records only */
		if (!tg_audit_verify(sub, (const char *const *)files, NULL, NULL, &res, &err))
			fail(v, "logs/%s cannot be verified: %s", label, err->message);
		else if (!res.ok)
			fail(v, "logs/%s/%s: the hash chain breaks at seq %" G_GUINT64_FORMAT
			     " (%s): %s", label, res.bad_file ? res.bad_file : "audit.log",
			     res.bad_seq, res.problem, res.message);
		else
			v->sum.logs++;
		tg_audit_verify_result_clear(&res);
	}
}

static JsonNode *load_json(Verify *v, const char *rel)
{
	g_autofree gchar *path = g_build_filename(v->pack, rel, NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) local = NULL;

	if (!json_parser_load_from_file(parser, path, &local) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		fail(v, "%s is not a JSON object (%s)", path,
		     local ? local->message : "another type");
		return NULL;
	}
	return json_node_copy(json_parser_get_root(parser));
}

static void check_index(Verify *v, const char *rel)
{
	g_autoptr(JsonNode) root = load_json(v, rel);
	JsonArray *tcs = root ? tg_ev_arr_member(json_node_get_object(root), "test_cases") : NULL;

	for (guint t = 0; tcs && t < json_array_get_length(tcs); t++) {
		JsonObject *tc = json_array_get_object_element(tcs, t);
		JsonArray *recs = tg_ev_arr_member(tc, "records");
		g_autofree gchar *where = g_strdup_printf("%s (test case %s)", rel,
							  tg_ev_or_dash(tg_ev_str_member(tc, "id")));

		for (guint i = 0; recs && i < json_array_get_length(recs); i++) {
			JsonObject *r = json_array_get_object_element(recs, i);
			gint64 seq = 0;

			tg_ev_int_member(r, "seq", &seq);
			check_cite(v, where, tg_ev_str_member(r, "device"), tg_ev_str_member(r, "file"),
				   seq, tg_ev_str_member(r, "hash"));
		}
	}
}

static void check_findings(Verify *v)
{
	g_autoptr(JsonNode) root = load_json(v, "findings.json");
	JsonArray *fs = root ? tg_ev_arr_member(json_node_get_object(root), "findings") : NULL;

	for (guint i = 0; fs && i < json_array_get_length(fs); i++) {
		JsonObject *f = json_array_get_object_element(fs, i);
		JsonObject *r = tg_ev_obj_member(f, "record");
		gint64 seq = 0;

		if (!r)
			continue;
		tg_ev_int_member(r, "seq", &seq);
		check_cite(v, "findings.json", tg_ev_str_member(f, "device"),
			   tg_ev_str_member(r, "file"), seq, tg_ev_str_member(r, "hash"));
	}
}

static void check_cites(Verify *v)
{
	g_autoptr(GPtrArray) listed = sorted_keys(v->listed);

	for (guint i = 0; i < listed->len; i++) {
		const char *rel = listed->pdata[i];

		if (g_str_has_prefix(rel, "variants/") && g_str_has_suffix(rel, "/evidence-index.json"))
			check_index(v, rel);
	}
	check_findings(v);
}

/* The problems as the error: one sentence per line. */
static gboolean report(Verify *v, GError **error)
{
	GString *msg;

	if (!v->problems->len)
		return TRUE;
	msg = g_string_new(NULL);
	g_string_append_printf(msg, "%s does not verify (%u problem%s%s):", v->pack,
			       v->problems->len, v->problems->len == 1 ? "" : "s",
			       v->problems->len >= MAX_PROBLEMS ? ", the first shown" : "");
	for (guint i = 0; i < v->problems->len; i++)
		g_string_append_printf(msg, "\n  %s", (const char *)v->problems->pdata[i]);
	g_set_error_literal(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_VERIFY, msg->str);
	g_string_free(msg, TRUE);
	return FALSE;
}

void tg_evidence_verify_summary_clear(TgEvidenceVerifySummary *sum)
{
	g_clear_pointer(&sum->signer, g_free);
}

gboolean tg_evidence_verify(const char *pack, const char *key, TgEvidenceVerifySummary *ret,
			    GError **error)
{
	g_autofree gchar *mpath = g_build_filename(pack, TG_EV_MANIFEST, NULL);
	g_autofree gchar *manifest = NULL;
	gsize len = 0;
	Verify v = { .pack = pack };
	gboolean ok;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	v.listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	v.logs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_table);
	v.problems = g_ptr_array_new_with_free_func(g_free);
	if (!g_file_get_contents(mpath, &manifest, &len, NULL))
		fail(&v, "%s has no readable " TG_EV_MANIFEST "; give the folder of a pack that "
		     "tollgate evidence wrote", pack);
	else if (parse_manifest(&v, manifest)) {
		check_files(&v);
		check_signature(&v, manifest, len, key);
		check_logs(&v);
		check_cites(&v);
	}
	ok = report(&v, error);
	g_hash_table_unref(v.listed);
	g_hash_table_unref(v.logs);
	g_ptr_array_unref(v.problems);
	if (ok && ret)
		*ret = v.sum;
	else
		tg_evidence_verify_summary_clear(&v.sum);
	return ok;
}
