/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollback: version anti-rollback against the floors kept in the state.
 *
 * Order: security floor (never crossed, not even with allow-downgrade), floor,
 * installed version (downgrade / reinstall / upgrade). A stored version that
 * no longer parses with the policy's scheme refuses: the check cannot prove
 * the update is not a rollback, so it fails closed. See docs/checks.md. */
#include "checks.h"


#define REHIGHER "a vendor who needs the old code re-releases it with a higher version"

typedef struct {
	TgVersion *security_floor;
	TgVersion *floor;
	TgVersion *installed;
} Stored;

static void stored_clear(Stored *s)
{
	g_clear_pointer(&s->security_floor, tg_version_free);
	g_clear_pointer(&s->floor, tg_version_free);
	g_clear_pointer(&s->installed, tg_version_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Stored, stored_clear)

/* Parses one stored version into @ret (left NULL when none is stored). */
static gboolean parse_stored(const TgCheckContext *ctx, const char *what, const char *text,
			     TgVersion **ret, TgCheckResult *result)
{
	g_autoptr(GError) err = NULL;

	if (!text)
		return TRUE;
	*ret = tg_version_parse(ctx->policy->scheme, text, -1, &err);
	if (*ret)
		return TRUE;
	tg_check_result_set(result, TG_OUTCOME_REFUSE, "state-version-unparseable",
			    "The %s of component %s stored in the state no longer parses: %s; "
			    "no update can be shown not to be a rollback, so run `tollgate state "
			    "reseed` with the version actually installed.", what, ctx->component,
			    err->message);
	return FALSE;
}

static gboolean below(const TgCheckContext *ctx, const TgVersion *limit)
{
	return limit && tg_version_compare(ctx->version, limit) < 0;
}

/* Compares with the installed version once both floors are satisfied. */
static void against_installed(const TgCheckContext *ctx, const Stored *s, TgCheckResult *result)
{
	const char *v = tg_version_to_string(ctx->version);
	const char *inst = tg_version_to_string(s->installed);
	int cmp = tg_version_compare(ctx->version, s->installed);

	if (cmp > 0)
		tg_check_result_set(result, TG_OUTCOME_PASS, "upgrade",
				    "Version %s is newer than the installed %s of component %s.", v,
				    inst, ctx->component);
	else if (cmp == 0 && ctx->policy->reinstall == TG_REINSTALL_ALLOW)
		tg_check_result_set(result, TG_OUTCOME_PASS, "reinstall",
				    "Version %s equals the installed %s of component %s and the "
				    "policy allows reinstalling it.", v, inst, ctx->component);
	else if (cmp == 0)
		tg_check_result_set(result, TG_OUTCOME_REFUSE, "reinstall-refused",
				    "Version %s equals the installed %s of component %s and the "
				    "policy refuses reinstalling it (reinstall = refuse).", v, inst,
				    ctx->component);
	else if (ctx->policy->allow_downgrade)
		tg_check_result_set(result, TG_OUTCOME_WARN, "downgrade-allowed",
				    "Version %s is older than the installed %s of component %s; "
				    "the policy allows downgrades above the floor.", v, inst,
				    ctx->component);
	else
		tg_check_result_set(result, TG_OUTCOME_REFUSE, "downgrade",
				    "Version %s is older than the installed %s of component %s and "
				    "the policy refuses downgrades; " REHIGHER ".", v, inst,
				    ctx->component);
}

static void rollback_run(TgCheckContext *ctx, TgCheckResult *result)
{
	const TgComponentState *cs = tg_check_component_state(ctx->state, ctx->component);
	const char *v = tg_version_to_string(ctx->version);
	g_auto(Stored) s = { 0 };

	result->check = "rollback";
	if (!cs || (!cs->security_floor && !cs->floor && !cs->installed)) {
		tg_check_result_set(result, TG_OUTCOME_PASS, "no-floor",
				    "Component %s has no floor or installed version yet, so "
				    "version %s is its first recorded install.", ctx->component, v);
		return;
	}
	if (!parse_stored(ctx, "security floor", cs->security_floor, &s.security_floor, result) ||
	    !parse_stored(ctx, "floor", cs->floor, &s.floor, result) ||
	    !parse_stored(ctx, "installed version", cs->installed, &s.installed, result))
		return;
	if (ctx->policy->security_floor && below(ctx, s.security_floor))
		tg_check_result_set(result, TG_OUTCOME_REFUSE, "below-security-floor",
				    "Version %s is below the security floor %s of component %s, "
				    "which is never crossed; " REHIGHER ".", v, cs->security_floor,
				    ctx->component);
	else if (below(ctx, s.floor))
		tg_check_result_set(result, TG_OUTCOME_REFUSE, "below-floor",
				    "Version %s is below the floor %s of component %s; "
				    REHIGHER ".", v, cs->floor, ctx->component);
	else if (s.installed)
		against_installed(ctx, &s, result);
	else
		tg_check_result_set(result, TG_OUTCOME_PASS, "above-floor",
				    "Version %s is not below the floor of component %s and no "
				    "installed version is recorded.", v, ctx->component);
}

const TgCheckOps tg_check_rollback = {
	.name = "rollback",
	.run = rollback_run,
};
