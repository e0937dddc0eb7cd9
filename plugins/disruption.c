/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* disruption: warn before an update that interrupts the device.
 *
 * Disruptive means a reboot, announced downtime, the disruptive flag, or a
 * slot switch the adapter knows about. With require-approval the update is
 * deferred until the user approves exactly this update (by digest, or by
 * version when the adapter knows no digest). See docs/checks.md. */
#include "checks.h"


static void append_downtime(GString *out, gint64 seconds)
{
	if (seconds < 120)
		g_string_append_printf(out, "%" G_GINT64_FORMAT " s", seconds);
	else if (seconds < 7200)
		g_string_append_printf(out, "%" G_GINT64_FORMAT " min", (seconds + 59) / 60);
	else
		g_string_append_printf(out, "%" G_GINT64_FORMAT " h", (seconds + 3599) / 3600);
}

static void append_item(GString *out, guint *n, const char *text)
{
	g_string_append(out, (*n)++ ? ", " : "");
	g_string_append(out, text);
}

/* Returns: (transfer full): what the update does to the device, e.g.
 * "reboots, is down for about 5 min, interrupts ssh, web". */
static gchar *describe(const TgCandidate *cand)
{
	GString *out = g_string_new(NULL);
	guint n = 0;

	if (cand->reboot)
		append_item(out, &n, "reboots the device");
	if (cand->slot_switch)
		append_item(out, &n, "switches the boot slot");
	if (cand->downtime > 0) {
		append_item(out, &n, "interrupts the device for about ");
		append_downtime(out, cand->downtime);
	}
	if (cand->services && cand->services->len > 0) {
		append_item(out, &n, "interrupts the services ");
		for (guint i = 0; i < cand->services->len; i++)
			g_string_append_printf(out, "%s%s", i ? ", " : "",
					       (const char *)g_ptr_array_index(cand->services, i));
	}
	if (cand->disruptive || n == 0)
		append_item(out, &n, "interrupts its basic functions");
	return g_string_free(out, FALSE);
}

/* Returns: (transfer full): "; the user approved it at <time>", or "". */
static gchar *approval_note(const TgApproval *approval)
{
	g_autofree gchar *when = NULL;

	if (!approval)
		return g_strdup("");
	if (!approval->when)
		return g_strdup("; the user approved it");
	when = tg_check_format_time(approval->when);
	return g_strdup_printf("; the user approved it at %s", when);
}

static void disruption_run(TgCheckContext *ctx, TgCheckResult *result)
{
	const TgCandidate *cand = ctx->cand;
	const char *v = tg_version_to_string(ctx->version);
	const TgApproval *approval;
	g_autofree gchar *what = NULL;
	g_autofree gchar *note = NULL;

	result->check = "disruption";
	if (!tg_candidate_is_disruptive(cand)) {
		tg_check_result_set(result, TG_OUTCOME_PASS, "not-disruptive",
				    "Version %s announces no reboot, downtime or interrupted "
				    "service.", v);
		return;
	}
	what = describe(cand);
	approval = tg_check_find_approval(ctx->state, cand);
	if (ctx->policy->require_approval && !approval) {
		tg_check_result_set(result, TG_OUTCOME_DEFER, "approval-required",
				    "Version %s %s and the policy requires approval first; run "
				    "`tollgate approve %s` to allow exactly this update.", v, what,
				    tg_check_approval_id(cand));
		return;
	}
	note = approval_note(approval);
	tg_check_result_set(result, TG_OUTCOME_WARN, "disruptive", "Version %s %s%s.", v, what,
			    note);
}

const TgCheckOps tg_check_disruption = {
	.name = "disruption",
	.run = disruption_run,
};
