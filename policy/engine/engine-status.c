/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `tollgate status` shows: versions, support period, settings, the last
 * decision. */
#include "engine-private.h"

static JsonObject *components_json(const TgState *state)
{
	JsonObject *obj = json_object_new();
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, state->components);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const TgComponentState *cs = value;
		JsonObject *c = json_object_new();

		tg_json_set_string(c, "installed", cs->installed);
		tg_json_set_string(c, "floor", cs->floor);
		tg_json_set_string(c, "security_floor", cs->security_floor);
		tg_json_set_string(c, "pending", cs->pending);
		json_object_set_object_member(obj, key, c);
	}
	return obj;
}

static JsonObject *settings_json(TgEngine *engine)
{
	const TgState *st = engine->state;
	JsonObject *obj = json_object_new();

	for (guint i = 0; i < 2; i++) {
		gboolean def = engine->policy->classes[i].auto_install;

		json_object_set_boolean_member(obj, i == 0 ? "auto-install.security"
							   : "auto-install.feature",
					       st->auto_install[i] >= 0 ? st->auto_install[i] != 0
									: def);
	}
	json_object_set_boolean_member(obj, "notifications",
				       st->notifications >= 0 ? st->notifications != 0 : TRUE);
	return obj;
}

static JsonObject *postpone_json(const TgState *st)
{
	JsonObject *obj = json_object_new();

	tg_json_set_date(obj, "security", st->postpone[0].until);
	tg_json_set_date(obj, "feature", st->postpone[1].until);
	return obj;
}

static void add_last_decision(JsonObject *obj, const TgState *st)
{
	g_autoptr(JsonParser) parser = json_parser_new();

	if (!st->last_decision ||
	    !json_parser_load_from_data(parser, st->last_decision, -1, NULL)) {
		json_object_set_null_member(obj, "last_decision");
		return;
	}
	json_object_set_member(obj, "last_decision",
			       json_node_copy(json_parser_get_root(parser)));
}

JsonObject *tg_engine_status(TgEngine *engine, GError **error)
{
	g_autoptr(JsonObject) obj = json_object_new();
	const TgState *st = engine->state;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!tg_engine_require_state(engine, error))
		return NULL;
	json_object_set_string_member(obj, "model", engine->policy->model);
	json_object_set_string_member(obj, "policy_hash", engine->policy->hash);
	tg_json_set_date(obj, "time", engine->now);
	json_object_set_string_member(obj, "time_trust", tg_time_trust_to_string(engine->trust));
	json_object_set_object_member(obj, "components", components_json(st));
	tg_json_set_date(obj, "support_end", tg_engine_support_end(engine));
	tg_json_set_date(obj, "pending_support_end", st->pending_support_end);
	json_object_set_object_member(obj, "settings", settings_json(engine));
	json_object_set_object_member(obj, "postponed_until", postpone_json(st));
	json_object_set_int_member(obj, "approvals", st->approvals->len);
	add_last_decision(obj, st);
	return g_steal_pointer(&obj);
}
