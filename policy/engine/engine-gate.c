/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The gate: run the checks, record the decision durably, fail closed. */
#include "engine-private.h"
#include <string.h>


/* A refusal made by the engine itself (no check ran or a write failed). */
static void refuse(TgDecision *d, const char *reason, const char *message)
{
	TgCheckResult r = { .check = "gate" };

	tg_check_result_set(&r, TG_OUTCOME_REFUSE, reason, "%s", message);
	g_array_append_val(d->results, r);
	tg_decision_finish(d);
}

static void fill_versions(TgEngine *engine, TgDecision *d, const char *component)
{
	TgComponentState *cs = engine->state
				       ? tg_state_component(engine->state, component, FALSE)
				       : NULL;

	d->component = g_strdup(component);
	if (cs) {
		d->installed = g_strdup(cs->installed);
		d->floor = g_strdup(cs->floor);
	}
}

static void run_checks(TgEngine *engine, TgDecision *d, const TgCandidate *cand,
		       const TgVersion *version)
{
	TgCheckContext ctx = {
		.policy = engine->policy,
		.cand = cand,
		.state = engine->state,
		.component = d->component,
		.version = version,
		.now = engine->now,
		.clock = engine->clock_now,
		.trust = engine->trust,
		.cls = TG_CLASS_UNSET,
		.defer_cls = TG_CLASS_FEATURE,
	};

	for (const TgCheckOps *const *op = engine->checks; op && *op; op++) {
		TgCheckResult r = { .check = (*op)->name };

		(*op)->run(&ctx, &r);
		g_array_append_val(d->results, r);
	}
	d->cls = ctx.cls;
	tg_decision_finish(d);
}

/* Decides without recording. */
/* An update may only name a component the policy declares: an unknown one
 * has no floor, and a signed old update naming one would escape the floor
 * of the component it really replaces. */
static gboolean component_known(TgEngine *engine, const TgCandidate *cand, TgDecision *d)
{
	g_autofree gchar *shown = NULL;
	g_autofree gchar *msg = NULL;

	if (!cand->component || tg_policy_component_declared(engine->policy, cand->component))
		return TRUE;
	shown = g_strescape(cand->component, NULL);
	if (strlen(shown) > 80)
		strcpy(shown + 77, "...");
	if (!tg_component_name_valid(cand->component))
		msg = g_strdup_printf("the update names component \"%s\", which is not a component "
				      "name; tollgate refuses it", shown);
	else
		msg = g_strdup_printf("the update names component '%s', which the policy does not "
				      "declare; if the device has it, add [component.%s] to the "
				      "policy", shown, shown);
	refuse(d, "component-unknown", msg);
	return FALSE;
}

static TgDecision *decide(TgEngine *engine, const TgCandidate *cand)
{
	g_autoptr(TgDecision) d = tg_decision_new();
	g_autoptr(GError) local = NULL;
	g_autoptr(TgVersion) version = NULL;
	const char *component = cand->component ? cand->component
						: engine->policy->default_component;

	d->transaction_id = g_uuid_string_random();
	d->phase = cand->precheck ? g_strdup("precheck") : NULL;
	d->digest = g_strdup(cand->digest);
	d->time = g_date_time_ref(engine->now);
	d->trust = engine->trust;
	d->version = g_strdup(cand->version);
	fill_versions(engine, d, component);
	if (!tg_engine_require_state(engine, &local)) {
		refuse(d, "state-unusable", local->message);
		return g_steal_pointer(&d);
	}
	if (!component_known(engine, cand, d))
		return g_steal_pointer(&d);
	if (!cand->version) {
		refuse(d, "no-version", "the update carries no version; tollgate refuses "
					"updates it cannot order");
		return g_steal_pointer(&d);
	}
	version = tg_version_parse(engine->policy->scheme, cand->version, -1, &local);
	if (!version) {
		refuse(d, "version-unparseable", local->message);
		return g_steal_pointer(&d);
	}
	run_checks(engine, d, cand, version);
	return g_steal_pointer(&d);
}

static void turn_into_refusal(TgDecision *d, const char *reason, const GError *cause)
{
	g_autofree gchar *msg = g_strdup_printf("%s; the update is refused until this is fixed",
						cause->message);

	refuse(d, reason, msg);
}

/* The decision without its per-check results. Returns: (transfer full). */
static JsonObject *decision_summary(const TgDecision *d, JsonNode **ret_checks)
{
	g_autoptr(JsonNode) node = tg_decision_to_json(d);
	JsonObject *obj = json_node_dup_object(node);

	if (ret_checks)
		*ret_checks = json_object_dup_member(obj, "checks");
	json_object_remove_member(obj, "checks");
	return obj;
}

/* The required sinks' deliveries the decision rests on: sink, delivered,
 * error. Returns: (transfer full). */
static JsonArray *required_deliveries(JsonArray *outcomes)
{
	JsonArray *out = json_array_new();
	static const char *const members[] = { "sink", "delivered", "error" };

	for (guint i = 0; i < json_array_get_length(outcomes); i++) {
		JsonObject *o = json_array_get_object_element(outcomes, i);
		JsonObject *r = json_object_new();

		for (gsize m = 0; m < G_N_ELEMENTS(members); m++)
			if (json_object_has_member(o, members[m]))
				json_object_set_member(r, members[m],
						       json_object_dup_member(o, members[m]));
		json_array_add_object_element(out, r);
	}
	return out;
}

/* Returns: (transfer full): the gate.decision record of @d. */
static JsonObject *decision_body(TgEngine *engine, const TgCandidate *cand, const TgDecision *d,
				 JsonArray *required)
{
	JsonObject *body = tg_engine_body_new(engine, cand);
	JsonNode *checks = NULL;
	JsonObject *summary = decision_summary(d, &checks);

	json_object_set_string_member(body, "transaction_id", d->transaction_id);
	tg_json_set_string(body, "installed", d->installed);
	tg_json_set_string(body, "floor", d->floor);
	json_object_set_object_member(body, "decision", summary);
	if (checks)
		json_object_set_member(body, "checks", checks);
	if (required)
		json_object_set_array_member(body, "required_notices",
					     required_deliveries(required));
	return body;
}

/* The state could not be saved after the decision was recorded: the update
 * is refused (fail closed), and a gate.error says why the recorded verdict
 * does not hold. */
static void refuse_after_record(TgEngine *engine, const TgCandidate *cand, TgDecision *d,
				const GError *cause)
{
	g_autoptr(JsonObject) body = tg_engine_body_new(engine, cand);
	g_autoptr(GError) err = NULL;

	turn_into_refusal(d, "state-write-failed", cause);
	json_object_set_string_member(body, "transaction_id", d->transaction_id);
	json_object_set_string_member(body, "error", d->message);
	if (!tg_engine_record(engine, "gate.error", body, NULL, &err))
		g_debug("gate.error not recorded: %s", err->message);
}

static void remember_decision(TgEngine *engine, const TgDecision *d)
{
	g_autoptr(JsonObject) summary = decision_summary(d, NULL);
	g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), summary);

	g_free(engine->state->last_decision);
	engine->state->last_decision = json_to_string(node, FALSE);
}

/* The state with this decision goes to a temp file before the record (a
 * failure there is a refusal, recorded), the record carries its binding,
 * the rename follows (a failure there: gate.error). Without state only the
 * record is written. FALSE when nothing could be recorded. */
static gboolean record_decision(TgEngine *engine, const TgCandidate *cand, TgDecision *d,
				JsonArray *required)
{
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GError) local = NULL;
	gboolean staged = FALSE;

	if (engine->state) {
		remember_decision(engine, d);
		body = decision_body(engine, cand, d, required);
		staged = tg_engine_state_prepare(engine, body, &local);
		if (!staged) {
			turn_into_refusal(d, "state-write-failed", local);
			g_clear_error(&local);
			g_clear_pointer(&body, json_object_unref);
		}
	}
	if (!body)
		body = decision_body(engine, cand, d, required);
	if (!tg_engine_record(engine, "gate.decision", body, NULL, &local)) {
		if (staged)
			tg_engine_state_discard(engine, body);
		turn_into_refusal(d, "audit-write-failed", local);
		return FALSE;
	}
	if (staged && !tg_engine_state_commit(engine, &local) && d->verdict != TG_VERDICT_REFUSE)
		refuse_after_record(engine, cand, d, local);
	return TRUE;
}

/* One direction: decide (with the required deliveries of a disruption
 * warning), record the decision durably together with the state, then send
 * the other notices, which can no longer change it. */
TgDecision *tg_engine_gate(TgEngine *engine, TgCandidate *cand, GError **error)
{
	g_autoptr(TgDecision) d = NULL;
	JsonObject *pre;
	TgGateNotices *notices;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	d = decide(engine, cand);
	pre = tg_engine_confirms_precheck(engine, cand, d);
	if (pre)
		return tg_engine_confirm(engine, cand, g_steal_pointer(&d), pre);
	notices = tg_engine_notices_before(engine, cand, d);
	(void)record_decision(engine, cand, d, tg_gate_notices_required(notices));
	tg_engine_notices_after(engine, cand, d, notices);
	return g_steal_pointer(&d);
}
