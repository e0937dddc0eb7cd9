/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Variants: the devices of a pack grouped by what their records say they
 * were (model, hardware revision) and obeyed (policy hash), each with the
 * text of that policy as the devices recorded it (log.policy). A device
 * whose records name two policies is in two variants, each with the records
 * it made under that policy; one with no record in the window is listed
 * where its last record puts it, else under the exported policy. */
#include "evidence-private.h"

#include <string.h>

#define KEY_SEP "\x1f"
#define KEY_NONE "\x01"

void tg_ev_policy_text_free(TgEvPolicyText *t)
{
	if (!t)
		return;
	g_ptr_array_unref(t->names);
	g_ptr_array_unref(t->contents);
	g_free(t->omitted);
	g_free(t->writer);
	g_free(t);
}

static void variant_free(TgEvVariant *v)
{
	if (!v)
		return;
	g_free(v->id);
	g_free(v->model);
	g_free(v->hardware_revision);
	g_free(v->policy_hash);
	g_ptr_array_unref(v->dirs);
	g_clear_pointer(&v->own_policy, tg_policy_free);
	g_free(v->policy_source);
	g_free(v->policy_problem);
	g_free(v);
}

void tg_ev_variants_free(TgEvVariants *vs)
{
	if (!vs)
		return;
	g_ptr_array_unref(vs->variants);
	g_hash_table_unref(vs->texts);
	g_free(vs);
}

static gchar *make_key(const char *model, const char *hw, const char *hash)
{
	return g_strjoin(KEY_SEP, model ? model : KEY_NONE, hw ? hw : KEY_NONE,
			 hash ? hash : KEY_NONE, NULL);
}

gboolean tg_ev_time_in(const char *time, const char *since, const char *until)
{
	if (!since && !until)
		return TRUE;
	if (!time)
		return FALSE;
	return (!since || strcmp(time, since) >= 0) && (!until || strcmp(time, until) <= 0);
}

gboolean tg_ev_variant_matches(const TgEvVariant *v, JsonObject *rec)
{
	JsonObject *d = tg_ev_obj_member(rec, "device");

	return g_strcmp0(v->model, tg_ev_str_member(d, "model")) == 0 &&
	       g_strcmp0(v->hardware_revision, tg_ev_str_member(d, "hardware_revision")) == 0 &&
	       g_strcmp0(v->policy_hash, tg_ev_str_member(rec, "policy_hash")) == 0;
}

/* ------------------------------------------------------------------ */
/* log.policy records */

TgEvPolicyText *tg_ev_policy_text_parse(JsonObject *rec)
{
	JsonArray *files = tg_ev_arr_member(rec, "files");
	TgEvPolicyText *t = g_new0(TgEvPolicyText, 1);
	guint n = files ? json_array_get_length(files) : 0;

	t->names = g_ptr_array_new_with_free_func(g_free);
	t->contents = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	t->writer = g_strdup(tg_ev_str_member(rec, "writer"));
	t->omitted = g_strdup(tg_ev_str_member(rec, "text_omitted"));
	for (guint i = 0; i < n && !t->omitted; i++) {
		JsonNode *node = json_array_get_element(files, i);
		JsonObject *f = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
		JsonArray *chunks = tg_ev_arr_member(f, "text");
		GString *text = g_string_new(NULL);

		for (guint c = 0; chunks && c < json_array_get_length(chunks); c++) {
			JsonNode *cn = json_array_get_element(chunks, c);

			if (JSON_NODE_HOLDS_VALUE(cn) && json_node_get_value_type(cn) == G_TYPE_STRING)
				g_string_append(text, json_node_get_string(cn));
		}
		if (!tg_ev_str_member(f, "name") || !chunks)
			t->omitted = g_strdup("the record names no file or carries no text");
		g_ptr_array_add(t->names, g_strdup(tg_ev_str_member(f, "name")));
		g_ptr_array_add(t->contents, g_string_free_to_bytes(text));
	}
	if (n == 0 && !t->omitted)
		t->omitted = g_strdup("the record lists no file");
	return t;
}

/* ------------------------------------------------------------------ */
/* Discovery */

typedef struct {
	GHashTable *keys;	/* key -> GUINT_TO_POINTER(records in the window) */
	gchar *last_key;	/* of the last record, in the window or not */
} DeviceKeys;

static void note_record(TgEvVariants *vs, DeviceKeys *dk, JsonObject *rec,
			const char *since, const char *until)
{
	JsonObject *d = tg_ev_obj_member(rec, "device");
	const char *hash = tg_ev_str_member(rec, "policy_hash");
	const char *time = tg_ev_str_member(rec, "time");
	const char *event = tg_ev_str_member(rec, "event");
	gchar *key = make_key(tg_ev_str_member(d, "model"),
			      tg_ev_str_member(d, "hardware_revision"), hash);
	gpointer n;

	if (event && g_str_equal(event, "log.policy") && hash &&
	    !g_hash_table_contains(vs->texts, hash))
		g_hash_table_insert(vs->texts, g_strdup(hash), tg_ev_policy_text_parse(rec));
	g_free(dk->last_key);
	dk->last_key = g_strdup(key);
	if (!tg_ev_time_in(time, since, until)) {
		g_free(key);
		return;
	}
	n = g_hash_table_lookup(dk->keys, key);
	g_hash_table_insert(dk->keys, key, GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
}

/* Reads @dir's records for their keys; a device whose logs cannot be read
 * is left with none (the scan reports why). */
static void read_keys(TgEvVariants *vs, const char *dir, DeviceKeys *dk, const char *since,
		      const char *until)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, NULL);
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(TgAuditReader) reader = files ? tg_audit_reader_open((const char *const *)files,
								       NULL) : NULL;
	const char *line, *file;
	gsize len;

	while (reader && tg_audit_reader_next(reader, &line, &len, &file, NULL)) {
		JsonNode *root;

		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (json_parser_load_from_data(parser, line, (gssize)len, NULL) &&
		    (root = json_parser_get_root(parser)) && JSON_NODE_HOLDS_OBJECT(root))
			note_record(vs, dk, json_node_get_object(root), since, until);
	}
}

static TgEvVariant *variant_for(GHashTable *by_key, const char *key)
{
	TgEvVariant *v = g_hash_table_lookup(by_key, key);
	g_auto(GStrv) parts = NULL;

	if (v)
		return v;
	parts = g_strsplit(key, KEY_SEP, 3);
	v = g_new0(TgEvVariant, 1);
	v->dirs = g_ptr_array_new_with_free_func(g_free);
	v->model = g_str_equal(parts[0], KEY_NONE) ? NULL : g_strdup(parts[0]);
	v->hardware_revision = g_str_equal(parts[1], KEY_NONE) ? NULL : g_strdup(parts[1]);
	v->policy_hash = g_str_equal(parts[2], KEY_NONE) ? NULL : g_strdup(parts[2]);
	g_hash_table_insert(by_key, g_strdup(key), v);
	return v;
}

static gint compare_variants(gconstpointer a, gconstpointer b)
{
	const TgEvVariant *x = *(const TgEvVariant *const *)a;
	const TgEvVariant *y = *(const TgEvVariant *const *)b;
	gint c = g_strcmp0(x->model, y->model);

	if (c == 0)
		c = g_strcmp0(x->hardware_revision, y->hardware_revision);
	return c ? c : g_strcmp0(x->policy_hash, y->policy_hash);
}

/* The device @dir joins every variant it has records of in the window;
 * with none, the variant of its last record, else the exported policy's. */
static void place_device(GHashTable *by_key, const char *dir, DeviceKeys *dk,
			 const TgPolicy *policy)
{
	g_autofree gchar *fallback = NULL;
	GHashTableIter it;
	gpointer key;

	if (g_hash_table_size(dk->keys) == 0) {
		fallback = dk->last_key ? g_strdup(dk->last_key)
					: make_key(policy->model, policy->hardware_revision,
						   policy->hash);
		g_hash_table_insert(dk->keys, g_strdup(fallback), GUINT_TO_POINTER(0));
	}
	g_hash_table_iter_init(&it, dk->keys);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(variant_for(by_key, key)->dirs, g_strdup(dir));
}

TgEvVariants *tg_ev_variants_discover(const char *const *dirs, const TgPolicy *policy,
				      const char *since, const char *until)
{
	TgEvVariants *vs = g_new0(TgEvVariants, 1);
	g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer v;

	vs->variants = g_ptr_array_new_with_free_func((GDestroyNotify)variant_free);
	vs->texts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)tg_ev_policy_text_free);
	for (const char *const *d = dirs; *d; d++) {
		DeviceKeys dk = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), NULL };

		read_keys(vs, *d, &dk, since, until);
		place_device(by_key, *d, &dk, policy);
		g_hash_table_unref(dk.keys);
		g_free(dk.last_key);
	}
	g_hash_table_iter_init(&it, by_key);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(vs->variants, v);
	g_ptr_array_sort(vs->variants, compare_variants);
	for (guint i = 0; i < vs->variants->len; i++) {
		TgEvVariant *var = g_ptr_array_index(vs->variants, i);

		var->number = i + 1;
		var->id = g_strdup_printf("%u", i + 1);
	}
	return vs;
}

/* ------------------------------------------------------------------ */
/* The policy each variant ran */

TgPolicy *tg_ev_policy_from_text(const TgEvPolicyText *t, const char *hash, gchar **problem)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = NULL;

	if (t->omitted) {
		*problem = g_strdup_printf("the device recorded the policy without its text (%s)",
					   t->omitted);
		return NULL;
	}
	p = tg_policy_load_files((const char *const *)t->names->pdata,
				 (GBytes *const *)t->contents->pdata, t->names->len, &err);
	if (!p) {
		*problem = g_strdup_printf("the recorded policy text does not parse here: %s",
					   err->message);
		return NULL;
	}
	if (!g_str_equal(p->hash, hash)) {
		*problem = g_strdup("the recorded policy text does not reproduce the hash its "
				    "records carry");
		return NULL;
	}
	if (!tg_evidence_check_policy(p, &err)) {
		*problem = g_strdup_printf("the recorded policy's declarations do not parse "
					   "here: %s", err->message);
		return NULL;
	}
	return g_steal_pointer(&p);
}

void tg_ev_variants_resolve(TgEvVariants *vs, const TgPolicy *given)
{
	for (guint i = 0; i < vs->variants->len; i++) {
		TgEvVariant *v = g_ptr_array_index(vs->variants, i);
		TgEvPolicyText *t = v->policy_hash ? g_hash_table_lookup(vs->texts, v->policy_hash)
						   : NULL;

		v->text = t;
		if (v->policy_hash && t)
			v->own_policy = tg_ev_policy_from_text(t, v->policy_hash, &v->policy_problem);
		if (v->own_policy) {
			v->policy = v->own_policy;
			v->policy_source = g_strdup("the devices' log.policy record");
			continue;
		}
		v->policy = given;
		if (v->policy_hash && g_str_equal(v->policy_hash, given->hash)) {
			g_clear_pointer(&v->policy_problem, g_free);
			v->policy_source = g_strdup("the exported policy (same hash; no log.policy "
						    "record needed)");
			continue;
		}
		if (!v->policy_problem)
			v->policy_problem = g_strdup(v->policy_hash
						     ? "no log.policy record carries this policy's text"
						     : "the records carry no policy hash");
		v->policy_source = g_strdup_printf("the exported policy, as a stand-in: %s",
						   v->policy_problem);
	}
}
