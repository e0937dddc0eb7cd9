/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* support: the defined support period (how long security updates come).
 *
 * The end in force is the committed one from the state, else the policy's.
 * A support end carried by the update only takes effect when the update is
 * committed, so it is reported but never used for this decision. Time is the
 * engine's trusted time; a clamped clock is reported. See docs/checks.md. */
#include "checks.h"


typedef struct {
	TgOutcome outcome;
	const char *reason;
	GString *msg;
} Finding;

static void finding_clear(Finding *f)
{
	if (f->msg)
		g_string_free(f->msg, TRUE);
	f->msg = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Finding, finding_clear)

/* Returns: (transfer full): the day of @t in UTC, e.g. 2027-12-31. */
static gchar *format_day(GDateTime *t)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(t);

	return g_date_time_format(utc, "%Y-%m-%d");
}

static void after_end(const TgCheckContext *ctx, const char *end, Finding *f)
{
	gboolean security = ctx->cls == TG_CLASS_SECURITY;

	f->reason = "support-ended";
	g_string_printf(f->msg, "Support for this device ended on %s", end);
	switch (ctx->policy->after_end) {
	case TG_AFTER_END_ALLOW:
		f->outcome = TG_OUTCOME_WARN;
		g_string_append(f->msg, "; the policy still allows updates "
				"([support] after-end = allow)");
		break;
	case TG_AFTER_END_REFUSE_FEATURE:
		f->outcome = security ? TG_OUTCOME_WARN : TG_OUTCOME_REFUSE;
		g_string_append_printf(f->msg, "; the policy allows only security updates after it "
				       "([support] after-end = refuse-feature) and this one is %s",
				       tg_update_class_to_string(ctx->cls));
		break;
	case TG_AFTER_END_REFUSE:
	default:
		f->outcome = TG_OUTCOME_REFUSE;
		g_string_append(f->msg, "; the policy refuses every update after it "
				"([support] after-end = refuse)");
		break;
	}
}

static void before_end(const TgCheckContext *ctx, GDateTime *end_time, const char *end,
		       Finding *f)
{
	GTimeSpan left = g_date_time_difference(end_time, ctx->now);
	gint64 days = left / G_TIME_SPAN_DAY;
	g_autofree gchar *left_text = days > 0 ?
		g_strdup_printf("%" G_GINT64_FORMAT " day%s left", days, days == 1 ? "" : "s") :
		g_strdup("less than a day left");

	if (left <= (GTimeSpan)ctx->policy->warn_days * G_TIME_SPAN_DAY) {
		f->outcome = TG_OUTCOME_WARN;
		f->reason = "support-ending";
		g_string_printf(f->msg, "Support for this device ends on %s, %s", end, left_text);
		return;
	}
	f->outcome = TG_OUTCOME_PASS;
	f->reason = "in-support";
	g_string_printf(f->msg, "Support for this device lasts until %s, %s", end, left_text);
}

/* A support end carried by the update: noted, applied at commit. */
static void carried_end(const TgCheckContext *ctx, GDateTime *end_time, Finding *f)
{
	GDateTime *carried = ctx->cand->support_end;
	g_autofree gchar *text = NULL;
	int cmp;

	if (!carried)
		return;
	text = format_day(carried);
	cmp = end_time ? g_date_time_compare(carried, end_time) : 1;
	if (cmp > 0) {
		g_string_append_printf(f->msg, "; the update extends support to %s once it is "
				       "committed", text);
		if (end_time && f->outcome == TG_OUTCOME_PASS)
			f->reason = "support-extension-pending";
	} else if (cmp < 0 && !ctx->policy->allow_shortening) {
		g_string_append_printf(f->msg, "; the earlier support end %s the update carries is "
				       "ignored (allow-shortening is off)", text);
		if (f->outcome == TG_OUTCOME_PASS) {
			f->outcome = TG_OUTCOME_WARN;
			f->reason = "support-shortening-ignored";
		}
	} else if (cmp < 0) {
		g_string_append_printf(f->msg, "; the update lowers support end to %s once it is "
				       "committed (allow-shortening is on)", text);
		if (f->outcome == TG_OUTCOME_PASS)
			f->reason = "support-shortening-pending";
	}
}

static void clock_note(const TgCheckContext *ctx, Finding *f)
{
	g_autofree gchar *now = NULL;

	if (ctx->trust != TG_TIME_CLAMPED)
		return;
	now = tg_check_format_time(ctx->now);
	g_string_append_printf(f->msg, "; the system clock was behind the last trusted time, so "
			       "%s was used", now);
	if (f->outcome == TG_OUTCOME_PASS) {
		f->outcome = TG_OUTCOME_WARN;
		f->reason = "clock-rollback";
	}
}

static void support_run(TgCheckContext *ctx, TgCheckResult *result)
{
	GDateTime *end_time = ctx->state && ctx->state->support_end ? ctx->state->support_end :
			      ctx->policy->support_end;
	g_autofree gchar *end = end_time ? format_day(end_time) : NULL;
	g_auto(Finding) f = { .msg = g_string_new(NULL) };

	result->check = "support";
	if (!end_time) {
		f.outcome = TG_OUTCOME_WARN;
		f.reason = "no-support-end-declared";
		g_string_assign(f.msg, "No support end is declared for this device, so users "
				"cannot be told until when it gets security updates; set end in "
				"the policy's [support] group");
	} else if (g_date_time_compare(ctx->now, end_time) > 0) {
		after_end(ctx, end, &f);
	} else {
		before_end(ctx, end_time, end, &f);
	}
	clock_note(ctx, &f);
	carried_end(ctx, end_time, &f);
	tg_check_result_set(result, f.outcome, f.reason, "%s.", f.msg->str);
}

const TgCheckOps tg_check_support = {
	.name = "support",
	.run = support_run,
};
