/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Update checks reported by update clients: update.check records. */
#include "engine-private.h"

/* Sets "installed" and "newer" (NULL when unknown) for @component. */
static void compare_installed(TgEngine *engine, JsonObject *body, const char *component,
			      const char *version)
{
	TgComponentState *cs = engine->state
				       ? tg_state_component(engine->state, component, FALSE)
				       : NULL;
	int cmp = 0;

	tg_json_set_string(body, "installed", cs ? cs->installed : NULL);
	if (version && cs && cs->installed &&
	    tg_version_compare_strings(engine->policy->scheme, version, cs->installed, &cmp, NULL))
		json_object_set_boolean_member(body, "newer", cmp > 0);
	else
		json_object_set_null_member(body, "newer");
}

static gboolean check_input(TgEngine *engine, const TgUpdateCheck *check, GError **error)
{
	g_autoptr(TgVersion) v = NULL;

	if (check->version && !check->available) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
			    "a version only goes with an update that is available; drop the "
			    "version or give the result available");
		return FALSE;
	}
	if (!check->version)
		return TRUE;
	v = tg_version_parse(engine->policy->scheme, check->version, -1, error);
	if (!v) {
		g_prefix_error(error, "the offered version cannot be ordered: ");
		return FALSE;
	}
	return TRUE;
}

gboolean tg_engine_record_check(TgEngine *engine, const TgUpdateCheck *check, GError **error)
{
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonObject) due = NULL;
	const char *event = NULL;
	const TgPolicy *p = engine->policy;
	const char *component = check->component ? check->component : p->default_component;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!check_input(engine, check, error))
		return FALSE;
	json_object_set_string_member(body, "result", check->available ? "available" : "none");
	tg_json_set_string(body, "version", check->version);
	json_object_set_string_member(body, "component", component);
	compare_installed(engine, body, component, check->version);
	tg_json_set_string(body, "mechanism",
			   check->mechanism ? check->mechanism : p->default_mechanism);
	tg_json_set_string(body, "client", check->client);
	tg_json_set_string(body, "updater", engine->updater);
	due = engine->state ? tg_engine_support_due(engine, &event) : NULL;
	if (due ? !tg_engine_save_state(engine, "update.check", body, error)
		: !tg_engine_record(engine, "update.check", body, NULL, error))
		return FALSE;
	if (due)
		tg_engine_support_announce(engine, event, g_steal_pointer(&due));
	return TRUE;
}
