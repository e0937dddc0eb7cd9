/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON pieces shared by the engine's audit records. */
#include "engine-private.h"

gchar *tg_date_to_string(GDateTime *dt)
{
	g_autoptr(GDateTime) utc = NULL;

	if (!dt)
		return NULL;
	utc = g_date_time_to_utc(dt);
	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

void tg_json_set_date(JsonObject *obj, const char *member, GDateTime *dt)
{
	g_autofree gchar *text = tg_date_to_string(dt);

	if (text)
		json_object_set_string_member(obj, member, text);
	else
		json_object_set_null_member(obj, member);
}

void tg_json_set_string(JsonObject *obj, const char *member, const char *value)
{
	if (value)
		json_object_set_string_member(obj, member, value);
	else
		json_object_set_null_member(obj, member);
}

static JsonArray *string_array(GPtrArray *list)
{
	JsonArray *arr = json_array_new();

	for (guint i = 0; list && i < list->len; i++)
		json_array_add_string_element(arr, g_ptr_array_index(list, i));
	return arr;
}

/* Returns: (transfer full). */
JsonObject *tg_engine_candidate_json(const TgCandidate *cand, const char *component)
{
	JsonObject *obj = json_object_new();

	tg_json_set_string(obj, "name", cand->name);
	tg_json_set_string(obj, "version", cand->version);
	tg_json_set_string(obj, "component", component);
	tg_json_set_string(obj, "digest", cand->digest);
	json_object_set_string_member(obj, "declared_class",
				      tg_update_class_to_string(cand->declared_class));
	json_object_set_array_member(obj, "advisories", string_array(cand->advisories));
	tg_json_set_string(obj, "severity", cand->severity);
	tg_json_set_string(obj, "risk", cand->risk);
	json_object_set_boolean_member(obj, "reboot", cand->reboot);
	json_object_set_int_member(obj, "downtime_s", cand->downtime);
	json_object_set_boolean_member(obj, "disruptive", cand->disruptive);
	json_object_set_boolean_member(obj, "slot_switch", cand->slot_switch);
	json_object_set_array_member(obj, "services", string_array(cand->services));
	tg_json_set_date(obj, "support_end", cand->support_end);
	json_object_set_boolean_member(obj, "has_metadata", cand->has_metadata);
	return obj;
}

/* Common members of records about an update: mechanism, updater, candidate.
 * Returns: (transfer full). */
JsonObject *tg_engine_body_new(TgEngine *engine, const TgCandidate *cand)
{
	JsonObject *body = json_object_new();
	JsonObject *updater = json_object_new();
	const char *component = cand->component ? cand->component
						: engine->policy->default_component;

	tg_json_set_string(body, "mechanism",
			   cand->mechanism ? cand->mechanism : engine->policy->default_mechanism);
	tg_json_set_string(updater, "name", cand->updater ? cand->updater : engine->updater);
	tg_json_set_string(updater, "version",
			   cand->updater_version ? cand->updater_version : engine->updater_version);
	if (cand->updater_transaction)
		json_object_set_string_member(updater, "transaction", cand->updater_transaction);
	json_object_set_object_member(body, "updater", updater);
	json_object_set_object_member(body, "candidate",
				      tg_engine_candidate_json(cand, component));
	return body;
}
