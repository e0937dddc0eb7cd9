/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* After the reboot: a fallback boot gives the pending floors up; commit
 * --booted decides between commit and fallback by the version that runs. */
#include "engine-private.h"

/* One pending component given up after a fallback boot. */
static JsonObject *drop_pending(TgEngine *engine, const char *name, TgComponentState *cs)
{
	JsonObject *obj = json_object_new();

	json_object_set_string_member(obj, "component", name);
	json_object_set_string_member(obj, "version", cs->pending);
	json_object_set_string_member(obj, "class", tg_update_class_to_string(cs->pending_class));
	tg_json_set_string(obj, "installed", cs->installed);
	tg_json_set_string(obj, "floor", cs->floor);
	g_clear_pointer(&cs->pending, g_free);
	g_clear_pointer(&cs->pending_digest, g_free);
	cs->pending_class = TG_CLASS_UNSET;
	return obj;
}

gboolean tg_engine_fell_back(TgEngine *engine, const char *slot, const char *running,
			     guint *ret_dropped, GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	JsonArray *dropped = json_array_new();
	guint n;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	json_object_set_array_member(body, "components", dropped);
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	n = tg_engine_each_pending(engine, drop_pending, dropped);
	if (ret_dropped)
		*ret_dropped = n;
	if (n == 0)
		return TRUE;	/* an earlier boot of this fallback recorded it */
	/* The support end came with the software that did not boot. */
	g_clear_pointer(&engine->state->pending_support_end, g_date_time_unref);
	tg_json_set_string(body, "booted_slot", slot);
	tg_json_set_string(body, "running_version", running);
	json_object_set_string_member(body, "outcome", "fell-back");
	return tg_engine_save_state(engine, "update.fell-back", body, error);
}

/* Is @a the same version as @b under the policy's scheme? */
static gboolean same_version(const TgPolicy *p, const char *a, const char *b)
{
	int cmp = 1;

	return a && b && tg_version_compare_strings(p->scheme, a, b, &cmp, NULL) && cmp == 0;
}

gboolean tg_engine_commit_booted(TgEngine *engine, guint *ret_n, gboolean *ret_fell_back,
				 GError **error)
{
	const TgPolicy *p = engine->policy;
	g_autofree gchar *running = NULL;
	TgComponentState *cs;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	*ret_fell_back = FALSE;
	if (!tg_engine_require_state(engine, error))
		return FALSE;
	cs = tg_state_component(engine->state, p->default_component, FALSE);
	if (p->version_source == TG_VERSION_SOURCE_NONE || !cs || !cs->pending)
		return tg_engine_commit(engine, ret_n, error);
	if (!tg_engine_read_running_version(p, &running, error))
		return FALSE;
	if (same_version(p, running, cs->pending))
		return tg_engine_commit(engine, ret_n, error);
	if (!same_version(p, running, cs->installed)) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_STATE,
			    "the running version %s (from %s) is neither the pending %s nor the "
			    "installed %s; nothing committed or given up: check which software "
			    "booted", running, p->version_path, cs->pending,
			    cs->installed ? cs->installed : "(none)");
		return FALSE;
	}
	*ret_fell_back = TRUE;
	return tg_engine_fell_back(engine, NULL, running, ret_n, error);
}
