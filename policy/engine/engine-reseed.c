/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `tollgate state reseed`: the operator's recovery after a lost or tampered
 * state. It can never lower a floor below what the device is known to have
 * reached: the highest version the remaining audit log shows committed (or
 * as security floor) for the component, and the running version when the
 * policy names a version source. Recorded as state.recovered. */
#include "engine-private.h"

#include <string.h>

#include "tollgate/audit.h"

typedef struct {
	gchar *version;	/* highest floor seen */
	guint64 seq;	/* the record that shows it */
} Highest;

static void consider(const TgPolicy *p, Highest *h, const char *version, guint64 seq)
{
	int cmp = 0;

	if (!version || (h->version && (!tg_version_compare_strings(p->scheme, version, h->version,
								     &cmp, NULL) || cmp <= 0)))
		return;
	g_free(h->version);
	h->version = g_strdup(version);
	h->seq = seq;
}

/* floor_after / security_floor of @component in one update.committed record. */
static void consider_commit(const TgPolicy *p, JsonObject *rec, const char *component,
			    Highest *h)
{
	JsonArray *list = json_object_get_array_member(rec, "components");
	guint64 seq = (guint64)json_object_get_int_member_with_default(rec, "seq", 0);

	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonNode *n = json_array_get_element(list, i);
		JsonObject *c = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

		if (!c || g_strcmp0(json_object_get_string_member_with_default(c, "component", ""),
				    component) != 0)
			continue;
		consider(p, h, json_object_get_string_member_with_default(c, "floor_after", NULL), seq);
		consider(p, h, json_object_get_string_member_with_default(c, "security_floor", NULL),
			 seq);
	}
}

/* The highest floor the audit log shows for @component (a log that cannot
 * be read shows nothing; its problem is for `audit verify`). */
static void highest_in_log(TgEngine *engine, const char *component, Highest *h)
{
	g_auto(GStrv) files = tg_audit_list_files(engine->policy->audit_dir, NULL);
	g_autoptr(TgAuditReader) reader = NULL;
	const char *line;
	gsize len;

	if (!files || !(reader = tg_audit_reader_open((const char *const *)files, NULL)))
		return;
	while (tg_audit_reader_next(reader, &line, &len, NULL, NULL)) {
		g_autoptr(JsonParser) parser = NULL;

		if (!g_strstr_len(line, len, "\"event\":\"update.committed\""))
			continue;
		parser = json_parser_new_immutable();
		if (json_parser_load_from_data(parser, line, (gssize)len, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
			consider_commit(engine->policy,
					json_node_get_object(json_parser_get_root(parser)), component,
					h);
	}
}

gboolean tg_engine_reseed_check(TgEngine *engine, const char *component, const char *version,
				GError **error)
{
	Highest h = { 0 };
	g_autofree gchar *running = NULL;
	int cmp = 0;
	gboolean ok = TRUE;

	highest_in_log(engine, component, &h);
	if (h.version && tg_version_compare_strings(engine->policy->scheme, version, h.version,
						    &cmp, NULL) && cmp < 0) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
			    "the audit log shows component %s committed at %s (record %" G_GUINT64_FORMAT
			    "); a reseed cannot set its floor lower: give --installed %s or higher",
			    component, h.version, h.seq, h.version);
		ok = FALSE;
	}
	g_free(h.version);
	if (!ok || engine->policy->version_source == TG_VERSION_SOURCE_NONE ||
	    g_strcmp0(component, engine->policy->default_component) != 0 ||
	    !tg_engine_read_running_version(engine->policy, &running, NULL))
		return ok;
	if (tg_version_compare_strings(engine->policy->scheme, version, running, &cmp, NULL) &&
	    cmp < 0) {
		g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
			    "the device runs %s of component %s (%s); a reseed cannot set its "
			    "floor lower: give --installed %s or higher", running, component,
			    engine->policy->version_path, running);
		return FALSE;
	}
	return TRUE;
}
