/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tollgate/types.h"

const char *tg_update_class_to_string(TgUpdateClass cls)
{
	switch (cls) {
	case TG_CLASS_SECURITY:
		return "security";
	case TG_CLASS_FEATURE:
		return "feature";
	case TG_CLASS_MIXED:
		return "mixed";
	case TG_CLASS_UNSET:
	default:
		return "unset";
	}
}

gboolean tg_update_class_from_string(const char *text, TgUpdateClass *ret_cls)
{
	static const struct {
		const char *name;
		TgUpdateClass cls;
	} names[] = {
		{ "security", TG_CLASS_SECURITY },
		{ "feature", TG_CLASS_FEATURE },
		{ "mixed", TG_CLASS_MIXED },
	};

	if (!text)
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		if (g_str_equal(text, names[i].name)) {
			*ret_cls = names[i].cls;
			return TRUE;
		}
	}
	return FALSE;
}

const char *tg_outcome_to_string(TgOutcome outcome)
{
	static const char *const names[] = { "pass", "warn", "defer", "refuse" };

	return (guint)outcome < G_N_ELEMENTS(names) ? names[outcome] : "refuse";
}

const char *tg_verdict_to_string(TgVerdict verdict)
{
	static const char *const names[] = { "allow", "defer", "refuse" };

	return (guint)verdict < G_N_ELEMENTS(names) ? names[verdict] : "refuse";
}

const char *tg_time_trust_to_string(TgTimeTrust trust)
{
	static const char *const names[] = { "system", "clamped", "override" };

	return (guint)trust < G_N_ELEMENTS(names) ? names[trust] : "clamped";
}

const char *tg_version_scheme_to_string(TgVersionScheme scheme)
{
	return scheme == TG_SCHEME_SWUPDATE ? "swupdate" : "semver";
}
