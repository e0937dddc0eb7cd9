/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which notices go out, and the audit record of every delivery.
 *
 * The engine builds each notice (docs/notices.md) and hands it to the
 * notifier from TgEngineOptions.notify; the notifier renders title and text
 * and reports one outcome per sink, recorded here as notice.delivered or
 * notice.failed. When the user switched notifications off, user-facing
 * notices are not sent and notice.suppressed is recorded instead; the
 * administrator's update-refused and the confirmation settings-changed are
 * always sent. A required sink that misses the disruption warning of an
 * update that would otherwise be installed turns the decision into a
 * deferral (check "notify", reason notice-undelivered).
 *
 * Support milestones (a [support] notice-days threshold reached, the end
 * passed) are recorded once each as support.ending / support.ended, with or
 * without sinks, and announced once as support-ending / support-ended. */
#include "engine-private.h"

#define TG_NOTICE_VERSION 1
/* support_notices_sent entry meaning "support-ended was sent" (a 0 in
 * [support] notice-days is the end itself, announced by support-ended). */
#define ENDED_MARK 0u


static const char *const extended_members[] = { "old_end", "new_end", NULL };
static const char *const settings_members[] = { "setting", "old", "new", NULL };

typedef struct {
	const char *type;
	gboolean user_facing;		/* suppressed when notifications are off */
	const char *const *members;	/* copied by tg_engine_notify_event (NULL: all) */
} TgNoticeKind;

static const TgNoticeKind kinds[] = {
	{ "security-update", TRUE, NULL },
	{ "disruption-warning", TRUE, NULL },
	{ "update-refused", FALSE, NULL },
	{ "update-deferred", TRUE, NULL },
	{ "support-ending", TRUE, NULL },
	{ "support-ended", TRUE, NULL },
	{ "support-extended", TRUE, extended_members },
	{ "settings-changed", FALSE, settings_members },
};

/* Returns: (transfer none): the kind of notice @type, or NULL. */
static const TgNoticeKind *kind_of(const char *type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (g_str_equal(kinds[i].type, type))
			return &kinds[i];
	return NULL;
}

static gboolean notifier_ready(const TgEngine *engine)
{
	return engine->notify_ops && engine->notifier;
}

static gboolean notifications_on(const TgEngine *engine)
{
	return !engine->state || engine->state->notifications != 0;
}

/* Returns: (transfer full). */
static JsonArray *ptr_array_json(GPtrArray *list)
{
	JsonArray *arr = json_array_new();

	for (guint i = 0; list && i < list->len; i++)
		json_array_add_string_element(arr, g_ptr_array_index(list, i));
	return arr;
}

/* Returns: (transfer full): a notice with the members every type has. */
static JsonObject *notice_new(TgEngine *engine, const char *type)
{
	JsonObject *n = json_object_new();
	JsonObject *device = json_object_new();
	g_autofree gchar *id = g_uuid_string_random();
	g_autofree gchar *device_id = tg_policy_device_id(engine->policy);

	json_object_set_int_member(n, "notice_version", TG_NOTICE_VERSION);
	json_object_set_string_member(n, "id", id);
	json_object_set_string_member(n, "type", type);
	tg_json_set_date(n, "time", engine->now);
	tg_json_set_string(device, "model", engine->policy->model);
	json_object_set_string_member(device, "device_id", device_id);
	json_object_set_object_member(n, "device", device);
	return n;
}

/* ------------------------------------------------------------------ */
/* Sending and recording */

static void copy_member(JsonObject *to, const char *to_name, JsonObject *from, const char *name)
{
	JsonNode *node = json_object_get_member(from, name);

	if (node)
		json_object_set_member(to, to_name, json_node_copy(node));
	else
		json_object_set_null_member(to, to_name);
}

static void record(TgEngine *engine, const char *event, JsonObject *body)
{
	g_autoptr(GError) err = NULL;

	if (!tg_engine_record(engine, event, body, NULL, &err))
		g_debug("%s not recorded: %s", event, err->message);
}

/* Returns: (transfer full): the members every notice record has. */
static JsonObject *record_base(JsonObject *notice, const TgNoticeKind *kind)
{
	JsonObject *body = json_object_new();

	copy_member(body, "notice_id", notice, "id");
	copy_member(body, "notice_type", notice, "type");
	copy_member(body, "transaction_id", notice, "transaction_id");
	return body;
}

static void record_outcome(TgEngine *engine, JsonObject *notice, const TgNoticeKind *kind,
			   JsonObject *outcome)
{
	g_autoptr(JsonObject) body = record_base(notice, kind);
	gboolean delivered = json_object_get_boolean_member_with_default(outcome, "delivered",
									 FALSE);

	copy_member(body, "sink", outcome, "sink");
	copy_member(body, "sink_type", outcome, "type");
	copy_member(body, "required", outcome, "required");
	json_object_set_boolean_member(body, "delivered", delivered);
	copy_member(body, "error", outcome, "error");
	copy_member(body, "title", notice, "title");
	copy_member(body, "text", notice, "text");
	record(engine, delivered ? "notice.delivered" : "notice.failed", body);
}

static void record_suppressed(TgEngine *engine, JsonObject *notice, const TgNoticeKind *kind)
{
	g_autoptr(JsonObject) body = record_base(notice, kind);

	json_object_set_string_member(body, "reason", "notifications-off");
	json_object_set_string_member(body, "setting", "notifications");
	record(engine, "notice.suppressed", body);
}

static void record_outcomes(TgEngine *engine, JsonObject *notice, JsonArray *outcomes)
{
	const TgNoticeKind *kind = kind_of(json_object_get_string_member(notice, "type"));

	for (guint i = 0; kind && i < json_array_get_length(outcomes); i++)
		record_outcome(engine, notice, kind, json_array_get_object_element(outcomes, i));
}

/* Returns: (transfer full) (nullable): why a required sink in @outcomes did
 * not get the notice. */
static gchar *required_failure(JsonArray *outcomes)
{
	for (guint i = 0; i < json_array_get_length(outcomes); i++) {
		JsonObject *o = json_array_get_object_element(outcomes, i);

		if (json_object_get_boolean_member_with_default(o, "required", FALSE) &&
		    !json_object_get_boolean_member_with_default(o, "delivered", FALSE))
			return g_strdup_printf(
				"sink '%s': %s", json_object_get_string_member_with_default(o, "sink", "?"),
				json_object_get_string_member_with_default(o, "error", "?"));
	}
	return NULL;
}

/* Sends @notice (transfer none) to the sinks of @scope and records what
 * happened (a user-facing notice while notifications are off: that it was
 * suppressed). */
static void send_notice(TgEngine *engine, JsonObject *notice, TgNotifyScope scope)
{
	const TgNoticeKind *kind = kind_of(json_object_get_string_member(notice, "type"));
	g_autoptr(JsonArray) outcomes = json_array_new();

	g_return_if_fail(kind != NULL);
	if (kind->user_facing && !notifications_on(engine)) {
		record_suppressed(engine, notice, kind);
		return;
	}
	engine->notify_ops->send(engine->notifier, notice, scope, outcomes);
	record_outcomes(engine, notice, outcomes);
}

/* Like send_notice() to every sink, taking @notice (transfer full). */
static void send_and_free(TgEngine *engine, JsonObject *notice)
{
	g_autoptr(JsonObject) n = notice;

	send_notice(engine, n, TG_NOTIFY_ALL);
}

/* ------------------------------------------------------------------ */
/* Notices for a decision */

/* Returns: (transfer full): a notice about decision @d. */
static JsonObject *decision_notice(TgEngine *engine, const char *type, const TgDecision *d)
{
	JsonObject *n = notice_new(engine, type);

	tg_json_set_string(n, "transaction_id", d->transaction_id);
	tg_json_set_string(n, "version", d->version);
	tg_json_set_string(n, "component", d->component);
	json_object_set_string_member(n, "verdict", tg_verdict_to_string(d->verdict));
	return n;
}

/* Returns: (transfer full). */
static JsonObject *security_notice(TgEngine *engine, const TgCandidate *cand,
				   const TgDecision *d)
{
	JsonObject *n = decision_notice(engine, "security-update", d);

	json_object_set_string_member(n, "class", tg_update_class_to_string(d->cls));
	json_object_set_array_member(n, "advisories", ptr_array_json(cand->advisories));
	tg_json_set_string(n, "severity", cand->severity);
	tg_json_set_string(n, "risk", cand->risk);
	return n;
}

static gboolean waits_for_approval(const TgDecision *d)
{
	for (guint i = 0; i < d->results->len; i++) {
		const TgCheckResult *r = &g_array_index(d->results, TgCheckResult, i);

		if (r->outcome == TG_OUTCOME_DEFER && r->reason &&
		    g_str_equal(r->reason, "approval-required"))
			return TRUE;
	}
	return FALSE;
}

/* Returns: (transfer full). */
static JsonObject *disruption_notice(TgEngine *engine, const TgCandidate *cand,
				     const TgDecision *d)
{
	JsonObject *n = decision_notice(engine, "disruption-warning", d);
	gboolean approval = waits_for_approval(d);
	const char *id = cand->digest ? cand->digest : cand->version;
	g_autofree gchar *command = approval && id ? g_strdup_printf("tollgate approve %s", id)
						   : NULL;

	json_object_set_boolean_member(n, "reboot", cand->reboot || cand->slot_switch);
	json_object_set_int_member(n, "downtime_s", cand->downtime);
	json_object_set_array_member(n, "services", ptr_array_json(cand->services));
	json_object_set_boolean_member(n, "approval_required", approval);
	tg_json_set_string(n, "approve_command", command);
	return n;
}

/* update-refused or update-deferred. Returns: (transfer full). */
static JsonObject *outcome_notice(TgEngine *engine, const char *type, const TgDecision *d)
{
	JsonObject *n = decision_notice(engine, type, d);

	if (d->verdict == TG_VERDICT_DEFER)
		tg_json_set_date(n, "until", d->until);
	tg_json_set_string(n, "reason", d->reason);
	tg_json_set_string(n, "message", d->message);
	if (d->verdict == TG_VERDICT_REFUSE) {
		tg_json_set_string(n, "installed", d->installed);
		tg_json_set_string(n, "floor", d->floor);
	}
	return n;
}

static void defer_undelivered(TgDecision *d, const char *failure)
{
	TgCheckResult r = { .check = "notify" };

	tg_check_result_set(&r, TG_OUTCOME_DEFER, "notice-undelivered",
			    "The disruption warning for version %s did not reach a required "
			    "notification sink (%s); the update waits until the user can be "
			    "warned.", d->version ? d->version : "(none)", failure);
	g_array_append_val(d->results, r);
	tg_decision_finish(d);
}

struct _TgGateNotices {
	JsonObject *warning;	/* disruption warning sent to the required sinks */
	JsonArray *required;	/* their outcomes */
	JsonObject *support;	/* a support milestone that is due */
	const char *support_event;
};

static void gate_notices_free(TgGateNotices *gn)
{
	g_clear_pointer(&gn->warning, json_object_unref);
	g_clear_pointer(&gn->required, json_array_unref);
	g_clear_pointer(&gn->support, json_object_unref);
	g_free(gn);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgGateNotices, gate_notices_free)


/* The disruption warning's delivery to required sinks is part of the
 * decision: an allow that a required sink did not hear becomes a defer. */
static void warn_required(TgEngine *engine, const TgCandidate *cand, TgDecision *d,
			  TgGateNotices *gn)
{
	g_autofree gchar *failure = NULL;

	if (!notifier_ready(engine) || d->verdict == TG_VERDICT_REFUSE ||
	    !tg_candidate_is_disruptive(cand) || !notifications_on(engine))
		return;
	gn->warning = disruption_notice(engine, cand, d);
	gn->required = json_array_new();
	engine->notify_ops->send(engine->notifier, gn->warning, TG_NOTIFY_REQUIRED, gn->required);
	failure = required_failure(gn->required);
	if (failure && d->verdict == TG_VERDICT_ALLOW)
		defer_undelivered(d, failure);
}

TgGateNotices *tg_engine_notices_before(TgEngine *engine, const TgCandidate *cand,
					 TgDecision *d)
{
	TgGateNotices *gn = g_new0(TgGateNotices, 1);

	warn_required(engine, cand, d, gn);
	if (engine->state)
		gn->support = tg_engine_support_due(engine, &gn->support_event);
	return gn;
}

JsonArray *tg_gate_notices_required(const TgGateNotices *gn)
{
	if (!gn->required || json_array_get_length(gn->required) == 0)
		return NULL;
	return gn->required;
}

static void decision_notices(TgEngine *engine, const TgCandidate *cand, const TgDecision *d,
			     const TgGateNotices *gn)
{
	if (gn->warning)
		record_outcomes(engine, gn->warning, gn->required);
	if (d->verdict == TG_VERDICT_REFUSE) {
		send_and_free(engine, outcome_notice(engine, "update-refused", d));
		return;
	}
	if (d->cls == TG_CLASS_SECURITY || d->cls == TG_CLASS_MIXED)
		send_and_free(engine, security_notice(engine, cand, d));
	if (gn->warning)
		send_notice(engine, gn->warning, TG_NOTIFY_OPTIONAL);
	else if (tg_candidate_is_disruptive(cand))
		send_and_free(engine, disruption_notice(engine, cand, d));
	if (d->verdict == TG_VERDICT_DEFER)
		send_and_free(engine, outcome_notice(engine, "update-deferred", d));
}


void tg_engine_notices_caller(TgEngine *engine, const TgCandidate *cand, const TgDecision *d)
{
	if (!notifier_ready(engine))
		return;
	if (d->cls == TG_CLASS_SECURITY || d->cls == TG_CLASS_MIXED) {
		g_autoptr(JsonObject) n = security_notice(engine, cand, d);

		send_notice(engine, n, TG_NOTIFY_CALLER);
	}
}

void tg_engine_notices_after(TgEngine *engine, const TgCandidate *cand, const TgDecision *d,
			     TgGateNotices *notices)
{
	g_autoptr(TgGateNotices) gn = notices;

	if (notifier_ready(engine))
		decision_notices(engine, cand, d, gn);
	if (gn->support)
		tg_engine_support_announce(engine, gn->support_event, g_steal_pointer(&gn->support));
}

/* ------------------------------------------------------------------ */
/* Support period */

static gboolean threshold_sent(const TgState *st, guint days)
{
	for (guint i = 0; i < st->support_notices_sent->len; i++)
		if (g_array_index(st->support_notices_sent, guint, i) == days)
			return TRUE;
	return FALSE;
}

static void mark_sent(TgState *st, guint days)
{
	if (threshold_sent(st, days) || st->support_notices_sent->len >= TG_STATE_MAX_NOTICES)
		return;
	g_array_append_val(st->support_notices_sent, days);
}

/* The smallest threshold (>= 1 day) that @days_left has reached; all
 * reached ones are marked. Returns 0 when none is new. */
static guint reached_threshold(TgEngine *engine, gint64 days_left)
{
	GArray *thresholds = engine->policy->notice_days;
	guint smallest = 0;
	gboolean fresh = FALSE;

	for (guint i = 0; thresholds && i < thresholds->len; i++) {
		guint t = g_array_index(thresholds, guint, i);

		if (t == 0 || days_left > (gint64)t)
			continue;
		fresh = fresh || !threshold_sent(engine->state, t);
		if (smallest == 0 || t < smallest)
			smallest = t;
		mark_sent(engine->state, t);
	}
	return fresh ? smallest : 0;
}

/* Returns: (transfer none): the [support] after-end value of @rule. */
static const char *after_end_name(TgAfterEnd rule)
{
	static const char *const names[] = { "allow", "refuse-feature", "refuse" };

	return rule < G_N_ELEMENTS(names) ? names[rule] : "refuse";
}

void tg_engine_support_announce(TgEngine *engine, const char *event, JsonObject *n)
{
	static const char *const members[] = { "support_end", "days_left", "threshold", NULL };
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(JsonObject) notice = n;

	for (const char *const *m = members; *m; m++)
		if (json_object_has_member(notice, *m))
			copy_member(body, *m, notice, *m);
	if (g_str_equal(event, "support.ended"))
		json_object_set_string_member(body, "after_support_end",
					      after_end_name(engine->policy->after_end));
	record(engine, event, body);
	if (notifier_ready(engine))
		send_notice(engine, notice, TG_NOTIFY_ALL);
}

JsonObject *tg_engine_support_due(TgEngine *engine, const char **ret_event)
{
	GDateTime *end = tg_engine_support_end(engine);
	JsonObject *n;
	gint64 days_left;
	guint threshold;

	if (!engine->state || !end)
		return NULL;
	if (g_date_time_compare(engine->now, end) > 0) {
		if (threshold_sent(engine->state, ENDED_MARK))
			return NULL;
		mark_sent(engine->state, ENDED_MARK);
		n = notice_new(engine, "support-ended");
		tg_json_set_date(n, "support_end", end);
		*ret_event = "support.ended";
		return n;
	}
	days_left = g_date_time_difference(end, engine->now) / G_TIME_SPAN_DAY;
	threshold = reached_threshold(engine, days_left);
	if (threshold == 0)
		return NULL;
	n = notice_new(engine, "support-ending");
	tg_json_set_date(n, "support_end", end);
	json_object_set_int_member(n, "days_left", days_left);
	json_object_set_int_member(n, "threshold", threshold);
	*ret_event = "support.ending";
	return n;
}


/* ------------------------------------------------------------------ */
/* Lifecycle events */

static gboolean unchanged_setting(const char *type, JsonObject *fields)
{
	JsonNode *old_v, *new_v;

	if (!g_str_equal(type, "settings-changed"))
		return FALSE;
	old_v = json_object_get_member(fields, "old");
	new_v = json_object_get_member(fields, "new");
	return old_v && new_v && json_node_equal(old_v, new_v);
}

void tg_engine_notify_event(TgEngine *engine, const char *type, JsonObject *fields)
{
	const TgNoticeKind *kind = kind_of(type);
	g_autoptr(JsonObject) n = NULL;
	g_autoptr(GList) names = NULL;

	if (!notifier_ready(engine))
		return;
	g_return_if_fail(kind != NULL);
	if (fields && unchanged_setting(type, fields))
		return;
	n = notice_new(engine, type);
	if (kind->members) {
		for (const char *const *m = kind->members; *m; m++)
			if (fields)
				copy_member(n, *m, fields, *m);
	} else if (fields) {
		names = json_object_get_members(fields);
		for (GList *l = names; l; l = l->next)
			if (!json_object_has_member(n, l->data))
				copy_member(n, l->data, fields, l->data);
	}
	send_notice(engine, n, TG_NOTIFY_ALL);
}
