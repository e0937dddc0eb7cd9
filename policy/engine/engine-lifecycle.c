/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* After the gate: installed (stage), failed, commit (floors rise). */
#include "engine-private.h"

#include <string.h>

static gboolean approval_matches(const TgApproval *a, const TgCandidate *cand)
{
	if (a->digest && cand->digest)
		return g_str_equal(a->digest, cand->digest);
	return !a->digest && a->version && cand->version && g_str_equal(a->version, cand->version);
}

/* An approval is used up by the install it approved. */
static void consume_approvals(TgState *state, const TgCandidate *cand)
{
	for (guint i = state->approvals->len; i > 0; i--) {
		if (approval_matches(g_ptr_array_index(state->approvals, i - 1), cand))
			g_ptr_array_remove_index(state->approvals, i - 1);
	}
}

static TgUpdateClass installed_class(const TgEngine *engine, const TgCandidate *cand)
{
	if (cand->declared_class != TG_CLASS_UNSET)
		return cand->declared_class;
	return engine->policy->default_class;
}

gboolean tg_engine_installed(TgEngine *engine, TgCandidate *cand, GError **error)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(TgVersion) v = NULL;
	const char *component = cand->component ? cand->component
						: engine->policy->default_component;
	TgComponentState *cs;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	v = tg_version_parse(engine->policy->scheme, cand->version ? cand->version : "", -1,
			     error);
	if (!v)
		return FALSE;
	cs = tg_state_component(engine->state, component, TRUE);
	body = tg_engine_body_new(engine, cand);
	tg_json_set_string(body, "installed", cs->installed);
	tg_json_set_string(body, "floor", cs->floor);
	tg_json_set_string(body, "previous_pending", cs->pending);
	g_free(cs->pending);
	cs->pending = g_strdup(cand->version);
	cs->pending_class = installed_class(engine, cand);
	g_free(cs->pending_digest);
	cs->pending_digest = g_strdup(cand->digest);
	if (cand->support_end) {
		g_clear_pointer(&engine->state->pending_support_end, g_date_time_unref);
		engine->state->pending_support_end = g_date_time_ref(cand->support_end);
	}
	consume_approvals(engine->state, cand);
	json_object_set_string_member(body, "pending", cs->pending);
	return tg_engine_save_state(engine, "update.installed", body, error);
}

/* An install the updater ended without tollgate: @event with the updater's
 * @reason under @key (or @fallback) and @outcome. */
static gboolean record_updater_end(TgEngine *engine, TgCandidate *cand, const char *event,
				   const char *key, const char *reason, const char *fallback,
				   const char *outcome, GError **error)
{
	g_autoptr(JsonObject) body = tg_engine_body_new(engine, cand);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	tg_json_set_string(body, key, reason ? reason : fallback);
	json_object_set_string_member(body, "outcome", outcome);
	return tg_engine_record(engine, event, body, NULL, error);
}

gboolean tg_engine_failed(TgEngine *engine, TgCandidate *cand, const char *reason,
			  GError **error)
{
	return record_updater_end(engine, cand, "update.failed", "failure", reason,
				  "reported by the updater", "failed", error);
}

gboolean tg_engine_updater_refused(TgEngine *engine, TgCandidate *cand, const char *reason,
				   GError **error)
{
	return record_updater_end(engine, cand, "update.updater-refused", "refusal", reason,
				  "refused by the updater", "refused-by-updater", error);
}

/* @text raised to @pending if higher; returns the new value (transfer full). */
static gchar *raised(const TgPolicy *p, const char *text, const char *pending)
{
	int cmp = 0;

	if (!text || !tg_version_compare_strings(p->scheme, pending, text, &cmp, NULL) || cmp > 0)
		return g_strdup(pending);
	return g_strdup(text);
}

static JsonObject *commit_component(TgEngine *engine, const char *name, TgComponentState *cs)
{
	const TgPolicy *p = engine->policy;
	JsonObject *obj = json_object_new();
	gchar *floor = raised(p, cs->floor, cs->pending);

	json_object_set_string_member(obj, "component", name);
	json_object_set_string_member(obj, "version", cs->pending);
	json_object_set_string_member(obj, "class", tg_update_class_to_string(cs->pending_class));
	tg_json_set_string(obj, "floor_before", cs->floor);
	json_object_set_string_member(obj, "floor_after", floor);
	g_free(cs->floor);
	cs->floor = floor;
	g_free(cs->installed);
	cs->installed = g_strdup(cs->pending);
	if (p->security_floor && cs->pending_class == TG_CLASS_SECURITY) {
		gchar *sf = raised(p, cs->security_floor, cs->pending);

		g_free(cs->security_floor);
		cs->security_floor = sf;
	}
	tg_json_set_string(obj, "security_floor", cs->security_floor);
	g_clear_pointer(&cs->pending, g_free);
	g_clear_pointer(&cs->pending_digest, g_free);
	cs->pending_class = TG_CLASS_UNSET;
	return obj;
}

/* Applies a support end carried by a committed update.
 * Returns: (transfer full): the support.extended body, or NULL if unchanged. */
static JsonObject *commit_support(TgEngine *engine)
{
	TgState *st = engine->state;
	GDateTime *current = tg_engine_support_end(engine);
	GDateTime *carried = st->pending_support_end;
	g_autoptr(JsonObject) body = NULL;
	gboolean later;

	if (!carried)
		return NULL;
	later = !current || g_date_time_compare(carried, current) > 0;
	body = json_object_new();
	tg_json_set_date(body, "old_end", current);
	tg_json_set_date(body, "new_end", carried);
	st->pending_support_end = NULL;
	if (!later && !engine->policy->allow_shortening) {
		g_date_time_unref(carried);
		return NULL;
	}
	g_clear_pointer(&st->support_end, g_date_time_unref);
	st->support_end = carried;
	g_array_set_size(st->support_notices_sent, 0);
	if (!later)
		json_object_set_boolean_member(body, "shortened", TRUE);
	return g_steal_pointer(&body);
}

guint tg_engine_each_pending(TgEngine *engine, TgPendingFunc fn, JsonArray *out)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, engine->state->components);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		TgComponentState *cs = value;

		if (cs->pending)
			json_array_add_object_element(out, fn(engine, key, cs));
	}
	return json_array_get_length(out);
}

gboolean tg_engine_commit(TgEngine *engine, guint *ret_committed, GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonObject) support = NULL;
	JsonArray *done = json_array_new();

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	json_object_set_array_member(body, "components", done);
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	tg_engine_each_pending(engine, commit_component, done);
	support = commit_support(engine);
	if (ret_committed)
		*ret_committed = json_array_get_length(done);
	if (json_array_get_length(done) == 0 && !support)
		return TRUE;	/* nothing changed */
	/* The record that carries the state: the commit, else the support change. */
	if (json_array_get_length(done) > 0) {
		if (!tg_engine_save_state(engine, "update.committed", body, error) ||
		    (support && !tg_engine_record(engine, "support.extended", support, NULL, error)))
			return FALSE;
	} else if (!tg_engine_save_state(engine, "support.extended", support, error)) {
		return FALSE;
	}
	if (support && !json_object_has_member(support, "shortened"))
		tg_engine_notify_event(engine, "support-extended", support);
	return TRUE;
}
