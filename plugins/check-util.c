/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the built-in checks share (checks.h). */
#include "checks.h"

const TgComponentState *tg_check_component_state(const TgState *state, const char *component)
{
	if (!state || !state->components || !component)
		return NULL;
	return g_hash_table_lookup(state->components, component);
}

const char *tg_check_approval_id(const TgCandidate *cand)
{
	return cand->digest ? cand->digest : cand->version;
}

static gboolean approval_matches(const TgApproval *a, const TgCandidate *cand)
{
	if (cand->digest)
		return a->digest && g_ascii_strcasecmp(a->digest, cand->digest) == 0;
	return !a->digest && a->version && cand->version && g_str_equal(a->version, cand->version);
}

const TgApproval *tg_check_find_approval(const TgState *state, const TgCandidate *cand)
{
	if (!state || !state->approvals || !cand)
		return NULL;
	for (guint i = 0; i < state->approvals->len; i++) {
		const TgApproval *a = g_ptr_array_index(state->approvals, i);

		if (a && approval_matches(a, cand))
			return a;
	}
	return NULL;
}

gchar *tg_check_format_time(GDateTime *t)
{
	g_autoptr(GDateTime) utc = g_date_time_to_utc(t);

	return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ");
}
