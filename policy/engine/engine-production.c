/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Production mode: on a device, the options that let a caller change what
 * the gate sees (--now, --state-dir, another policy) are refused for every
 * command that opens the state. It is on when the build says so
 * (-Dproduction=true) or the policy sets [device] production = true; only
 * the default policy, not the one a caller names, can forbid naming
 * another. */
#include "engine-private.h"

#include <sys/stat.h>

#include "tg-config.h"

/* Is the default policy one that forbids other policies? A default policy
 * that exists but does not load counts as yes: fail closed. */
static gboolean default_policy_is_production(void)
{
	g_autoptr(TgPolicy) p = NULL;
	struct stat st;

	if (TG_PRODUCTION_DEFAULT)
		return TRUE;
	if (stat(TG_DEFAULT_CONFIG, &st) < 0)
		return FALSE;
	p = tg_policy_load(TG_DEFAULT_CONFIG, NULL);
	return !p || p->production;
}

static gboolean refuse(const char *what, const char *why, GError **error)
{
	g_set_error(error, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT,
		    "this device runs in production mode ([device] production or the build's "
		    "-Dproduction), which refuses %s: %s", what, why);
	return FALSE;
}

gboolean tg_engine_production_check_path(const char *path, GError **error)
{
	if (g_str_equal(path, TG_DEFAULT_CONFIG) || !default_policy_is_production())
		return TRUE;
	return refuse("another policy than " TG_DEFAULT_CONFIG " (--config or TOLLGATE_CONFIG)",
		      "the device's own policy decides; run without them", error);
}

gboolean tg_engine_production_check_options(const TgPolicy *policy, const TgEngineOptions *opts,
					    GError **error)
{
	if (!TG_PRODUCTION_DEFAULT && !policy->production)
		return TRUE;
	if (opts->now)
		return refuse("--now", "decisions and records use the device's clock; run "
			      "without it", error);
	if (opts->state_dir)
		return refuse("--state-dir", "the state lives where the policy says; run "
			      "without it", error);
	return TRUE;
}
