/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* deferral: automatic installation, user postpones and maintenance windows,
 * per class (ctx->defer_cls, set by classify).
 *
 * An approval of exactly this update overrides all three. Postpone maxima are
 * enforced by the engine when the user postpones; this check only honours the
 * state. See docs/checks.md. */
#include "checks.h"


static gboolean auto_install_on(const TgCheckContext *ctx, guint i)
{
	if (ctx->state && ctx->state->auto_install[i] >= 0)
		return ctx->state->auto_install[i] != 0;
	return ctx->policy->classes[i].auto_install;
}

/* Returns: (transfer full): "HH:MM-HH:MM <tz>" for messages. */
static gchar *describe_window(const TgWindow *w)
{
	return g_strdup_printf("%02u:%02u-%02u:%02u %s", w->start_minute / 60, w->start_minute % 60,
			       w->end_minute / 60, w->end_minute % 60,
			       w->tz_name ? w->tz_name : "UTC");
}

/* Defers until @until (or the window's next opening after it). */
static void postponed(const TgCheckContext *ctx, const TgWindow *w, GDateTime *until,
		      TgCheckResult *result)
{
	g_autofree gchar *text = tg_check_format_time(until);
	g_autofree gchar *next = NULL;

	result->until = w->enabled ? tg_window_next_open(w, until) : NULL;
	if (!result->until)
		result->until = g_date_time_ref(until);
	if (g_date_time_compare(result->until, until) != 0)
		next = tg_check_format_time(result->until);
	tg_check_result_set(result, TG_OUTCOME_DEFER, "postponed",
			    "The user postponed %s updates until %s%s%s.",
			    tg_update_class_to_string(ctx->defer_cls), text,
			    next ? "; the maintenance window then next opens at " : "",
			    next ? next : "");
}

static void outside_window(const TgCheckContext *ctx, const TgWindow *w, TgCheckResult *result)
{
	g_autofree gchar *span = describe_window(w);
	g_autofree gchar *next = NULL;

	result->until = tg_window_next_open(w, ctx->now);
	if (!result->until) {
		tg_check_result_set(result, TG_OUTCOME_DEFER, "outside-window",
				    "The maintenance window %s for %s updates has no enabled "
				    "day, so it never opens; fix the policy or approve the update.",
				    span,
				    tg_update_class_to_string(ctx->defer_cls));
		return;
	}
	next = tg_check_format_time(result->until);
	tg_check_result_set(result, TG_OUTCOME_DEFER, "outside-window",
			    "The time is outside the maintenance window %s for %s updates; it "
			    "next opens at %s.", span, tg_update_class_to_string(ctx->defer_cls),
			    next);
}

static void approved(const TgApproval *approval, TgCheckResult *result)
{
	g_autofree gchar *when = approval->when ? tg_check_format_time(approval->when) : NULL;

	tg_check_result_set(result, TG_OUTCOME_PASS, "approved",
			    "The user approved this update%s%s, which overrides postpones, the "
			    "automatic-install setting and the maintenance window.",
			    when ? " at " : "", when ? when : "");
}

static void deferral_run(TgCheckContext *ctx, TgCheckResult *result)
{
	guint i = tg_policy_class_index(ctx->defer_cls);
	const TgWindow *w = &ctx->policy->classes[i].window;
	GDateTime *until = ctx->state ? ctx->state->postpone[i].until : NULL;
	const char *cls = tg_update_class_to_string(ctx->defer_cls);
	const TgApproval *approval = tg_check_find_approval(ctx->state, ctx->cand);

	result->check = "deferral";
	if (approval)
		approved(approval, result);
	else if (!auto_install_on(ctx, i))
		tg_check_result_set(result, TG_OUTCOME_DEFER, "auto-install-off",
				    "Automatic installation of %s updates is off; run `tollgate "
				    "approve %s` to install this update.", cls,
				    tg_check_approval_id(ctx->cand));
	else if (until && g_date_time_compare(until, ctx->clock ? ctx->clock : ctx->now) > 0)
		postponed(ctx, w, until, result);
	else if (w->enabled && !tg_window_contains(w, ctx->now))
		outside_window(ctx, w, result);
	else if (w->enabled)
		tg_check_result_set(result, TG_OUTCOME_PASS, "in-window",
				    "The time is inside the maintenance window for %s updates.",
				    cls);
	else
		tg_check_result_set(result, TG_OUTCOME_PASS, "no-window",
				    "Automatic installation of %s updates is on and no maintenance "
				    "window applies.", cls);
}

const TgCheckOps tg_check_deferral = {
	.name = "deferral",
	.run = deferral_run,
};
