/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check results and the decision combined from them.
 *
 * Combination fails closed: any refusing check (or an outcome out of range,
 * e.g. from a check with a bug) refuses; else any deferring check
 * defers; else the update is allowed. A decision without a single check
 * result is refused, since nothing vouched for the update. */
#include <stdarg.h>

#include "decision-private.h"

#define TG_EXIT_ALLOW 0
#define TG_EXIT_REFUSE 10
#define TG_EXIT_DEFER 11

void tg_check_result_set(TgCheckResult *result, TgOutcome outcome, const char *reason,
			 const char *fmt, ...)
{
	va_list ap;

	g_return_if_fail(result != NULL);
	g_return_if_fail(reason != NULL);
	g_return_if_fail(fmt != NULL);
	result->outcome = outcome;
	g_free(result->reason);
	result->reason = g_strdup(reason);
	g_free(result->message);
	va_start(ap, fmt);
	result->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void tg_check_result_clear(TgCheckResult *result)
{
	if (!result)
		return;
	g_free(result->reason);
	g_free(result->message);
	if (result->until)
		g_date_time_unref(result->until);
	*result = (TgCheckResult){ 0 };
}

TgDecision *tg_decision_new(void)
{
	TgDecision *decision = g_new0(TgDecision, 1);

	decision->verdict = TG_VERDICT_REFUSE;
	decision->results = g_array_new(FALSE, TRUE, sizeof(TgCheckResult));
	g_array_set_clear_func(decision->results, (GDestroyNotify)tg_check_result_clear);
	return decision;
}

void tg_decision_free(TgDecision *decision)
{
	if (!decision)
		return;
	g_free(decision->reason);
	g_free(decision->message);
	g_clear_pointer(&decision->until, g_date_time_unref);
	g_clear_pointer(&decision->results, g_array_unref);
	g_free(decision->component);
	g_free(decision->version);
	g_free(decision->installed);
	g_free(decision->floor);
	g_clear_pointer(&decision->time, g_date_time_unref);
	g_free(decision->transaction_id);
	g_free(decision->phase);
	g_free(decision->digest);
	g_free(decision);
}

/* Returns: (transfer none): the @i-th result. */
static const TgCheckResult *result_at(const TgDecision *decision, guint i)
{
	return &g_array_index(decision->results, TgCheckResult, i);
}

/* Returns: (transfer none): the first refusing result, or NULL. */
static const TgCheckResult *first_refusal(const TgDecision *decision)
{
	for (guint i = 0; i < decision->results->len; i++) {
		const TgCheckResult *r = result_at(decision, i);

		if (r->outcome >= TG_OUTCOME_REFUSE)
			return r;
	}
	return NULL;
}

/* A defer without a retry time waits for the user (approval, settings) and
 * counts as later than any dated defer.
 * Returns: (transfer none): the deferring result with the latest until. */
static const TgCheckResult *latest_defer(const TgDecision *decision)
{
	const TgCheckResult *best = NULL;

	for (guint i = 0; i < decision->results->len; i++) {
		const TgCheckResult *r = result_at(decision, i);

		if (r->outcome != TG_OUTCOME_DEFER)
			continue;
		if (!best || (best->until && !r->until) ||
		    (best->until && r->until && g_date_time_compare(r->until, best->until) > 0))
			best = r;
	}
	return best;
}

/* Returns: (transfer full): the sentence for an allowed update. */
static gchar *allow_message(const TgDecision *decision)
{
	g_autoptr(GString) warnings = g_string_new(NULL);
	guint n_warnings = 0;

	for (guint i = 0; i < decision->results->len; i++) {
		const TgCheckResult *r = result_at(decision, i);

		if (r->outcome != TG_OUTCOME_WARN)
			continue;
		g_string_append_printf(warnings, "%s%s (%s)", n_warnings ? ", " : "",
				       r->check ? r->check : "unknown", r->reason ? r->reason : "");
		n_warnings++;
	}
	if (n_warnings == 0)
		return g_strdup_printf("All %u checks let the update through.", decision->results->len);
	return g_strdup_printf("The update is allowed with %u warning%s: %s.", n_warnings,
			       n_warnings == 1 ? "" : "s", warnings->str);
}

static void decide_from(TgDecision *decision, TgVerdict verdict, const TgCheckResult *r)
{
	decision->verdict = verdict;
	decision->reason = g_strdup(r->reason ? r->reason : "unknown");
	decision->message = g_strdup(r->message ? r->message :
				     "A check decided without saying why.");
	if (verdict == TG_VERDICT_DEFER && r->until)
		decision->until = g_date_time_ref(r->until);
}

void tg_decision_finish(TgDecision *decision)
{
	const TgCheckResult *decider;

	g_return_if_fail(decision != NULL && decision->results != NULL);
	g_clear_pointer(&decision->reason, g_free);
	g_clear_pointer(&decision->message, g_free);
	g_clear_pointer(&decision->until, g_date_time_unref);
	if (decision->results->len == 0) {
		decision->verdict = TG_VERDICT_REFUSE;
		decision->reason = g_strdup("no-checks");
		decision->message = g_strdup("No check ran, so nothing vouches for this update; "
					     "it is refused.");
		return;
	}
	decider = first_refusal(decision);
	if (decider) {
		decide_from(decision, TG_VERDICT_REFUSE, decider);
		return;
	}
	decider = latest_defer(decision);
	if (decider) {
		decide_from(decision, TG_VERDICT_DEFER, decider);
		return;
	}
	decision->verdict = TG_VERDICT_ALLOW;
	decision->reason = g_strdup("ok");
	decision->message = allow_message(decision);
}

/* Returns: (transfer full): @t as RFC 3339 in UTC, e.g. 2026-03-29T01:00:00Z. */
static gchar *format_utc(GDateTime *t)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(t);

	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void add_optional_string(JsonBuilder *b, const char *name, const char *value)
{
	if (!value)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

static void add_optional_time(JsonBuilder *b, const char *name, GDateTime *value)
{
	g_autofree gchar *text = NULL;

	if (!value)
		return;
	text = format_utc(value);
	add_optional_string(b, name, text);
}

static void add_result(JsonBuilder *b, const TgCheckResult *r)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "check");
	json_builder_add_string_value(b, r->check ? r->check : "unknown");
	json_builder_set_member_name(b, "outcome");
	json_builder_add_string_value(b, tg_outcome_to_string(r->outcome));
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, r->reason ? r->reason : "");
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, r->message ? r->message : "");
	add_optional_time(b, "until", r->until);
	json_builder_end_object(b);
}

JsonNode *tg_decision_to_json(const TgDecision *decision)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	g_return_val_if_fail(decision != NULL, NULL);
	json_builder_begin_object(b);
	add_optional_string(b, "verdict", tg_verdict_to_string(decision->verdict));
	add_optional_string(b, "reason", decision->reason ? decision->reason : "");
	add_optional_string(b, "message", decision->message ? decision->message : "");
	add_optional_time(b, "until", decision->until);
	add_optional_string(b, "class", tg_update_class_to_string(decision->cls));
	add_optional_string(b, "component", decision->component);
	add_optional_string(b, "version", decision->version);
	add_optional_string(b, "installed", decision->installed);
	add_optional_string(b, "floor", decision->floor);
	add_optional_time(b, "time", decision->time);
	add_optional_string(b, "time_trust", tg_time_trust_to_string(decision->trust));
	add_optional_string(b, "transaction_id", decision->transaction_id);
	add_optional_string(b, "phase", decision->phase);
	add_optional_string(b, "digest", decision->digest);
	json_builder_set_member_name(b, "checks");
	json_builder_begin_array(b);
	for (guint i = 0; decision->results && i < decision->results->len; i++)
		add_result(b, result_at(decision, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

int tg_decision_exit_code(const TgDecision *decision)
{
	if (!decision)
		return TG_EXIT_REFUSE;
	switch (decision->verdict) {
	case TG_VERDICT_ALLOW:
		return TG_EXIT_ALLOW;
	case TG_VERDICT_DEFER:
		return TG_EXIT_DEFER;
	case TG_VERDICT_REFUSE:
	default:
		return TG_EXIT_REFUSE;
	}
}

TgVerdict tg_decision_verdict(const TgDecision *decision)
{
	return decision->verdict;
}

const char *tg_decision_reason(const TgDecision *decision)
{
	return decision->reason;
}

const char *tg_decision_message(const TgDecision *decision)
{
	return decision->message;
}

const char *tg_decision_version(const TgDecision *decision)
{
	return decision->version;
}
