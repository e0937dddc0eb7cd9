/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One decision per install attempt. SWUpdate gates an update twice: its
 * preupdatecmd (`tollgate swupdate-precheck`) before anything is written,
 * then tollgate's handler for each image. The second gate of the same
 * update, soon after an allowing precheck, is recorded as gate.confirmed of
 * the precheck's transaction, not as a second decision; its notices go only
 * to the updater's own channel (the policy's sinks had them already). */
#include "engine-private.h"

#include <string.h>

#define CONFIRM_WINDOW_S (60 * 60)	/* a precheck older than this is another attempt */

static const char *member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n) : NULL;
}

/* The state's last decision, when it is an unconfirmed allowing precheck.
 * Returns: (transfer full) or NULL. */
static JsonObject *open_precheck(TgEngine *engine)
{
	g_autoptr(JsonParser) p = json_parser_new();
	const char *text = engine->state ? engine->state->last_decision : NULL;
	JsonNode *root;
	JsonObject *o;

	if (!text || !json_parser_load_from_data(p, text, -1, NULL) ||
	    !(root = json_parser_get_root(p)) || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	if (g_strcmp0(member(o, "phase"), "precheck") != 0 ||
	    g_strcmp0(member(o, "verdict"), "allow") != 0 || json_object_has_member(o, "confirmed"))
		return NULL;
	return json_object_ref(o);
}

static gboolean recent(TgEngine *engine, const char *time)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) t = time ? g_date_time_new_from_iso8601(time, utc) : NULL;
	GTimeSpan age;

	if (!t)
		return FALSE;
	age = g_date_time_difference(engine->now, t);
	return age >= 0 && age <= (GTimeSpan)CONFIRM_WINDOW_S * G_TIME_SPAN_SECOND;
}

JsonObject *tg_engine_confirms_precheck(TgEngine *engine, const TgCandidate *cand,
					const TgDecision *d)
{
	g_autoptr(JsonObject) pre = NULL;

	if (cand->precheck || d->verdict != TG_VERDICT_ALLOW ||
	    g_strcmp0(engine->updater, "swupdate") != 0 || !(pre = open_precheck(engine)))
		return NULL;
	if (g_strcmp0(member(pre, "version"), d->version) == 0 &&
	    g_strcmp0(member(pre, "component"), d->component) == 0 &&
	    g_strcmp0(member(pre, "digest"), d->digest) == 0 && member(pre, "transaction_id") &&
	    recent(engine, member(pre, "time")))
		return g_steal_pointer(&pre);
	return NULL;
}

/* Marks the precheck @pre confirmed in the state and takes its transaction. */
static gchar *take_precheck(TgEngine *engine, JsonObject *pre)
{
	g_autoptr(JsonNode) node = json_node_alloc();
	gchar *tx = g_strdup(member(pre, "transaction_id"));

	json_object_set_boolean_member(pre, "confirmed", TRUE);
	json_node_init_object(node, pre);
	g_free(engine->state->last_decision);
	engine->state->last_decision = json_to_string(node, FALSE);
	return tx;
}

TgDecision *tg_engine_confirm(TgEngine *engine, TgCandidate *cand, TgDecision *d,
			      JsonObject *pre)
{
	g_autoptr(JsonObject) owned_pre = pre;
	g_autoptr(TgDecision) owned = d;
	g_autoptr(JsonObject) body = tg_engine_body_new(engine, cand);
	g_autoptr(GError) err = NULL;

	g_free(d->transaction_id);
	d->transaction_id = take_precheck(engine, pre);
	json_object_set_string_member(body, "transaction_id", d->transaction_id);
	json_object_set_string_member(body, "confirms", "precheck");
	json_object_set_string_member(body, "verdict", tg_verdict_to_string(d->verdict));
	if (!tg_engine_save_state(engine, "gate.confirmed", body, &err)) {
		g_autofree gchar *msg = g_strdup_printf("%s; the update is refused until this is "
							"fixed", err->message);

		/* Not recorded: fail closed, as any gate that cannot record. */
		g_free(d->reason);
		d->reason = g_strdup("audit-write-failed");
		g_free(d->message);
		d->message = g_steal_pointer(&msg);
		d->verdict = TG_VERDICT_REFUSE;
		return g_steal_pointer(&owned);
	}
	tg_engine_notices_caller(engine, cand, d);
	return g_steal_pointer(&owned);
}
