/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built-in checks (one file each) and their static table. */
#pragma once

#include "decision-private.h"

G_BEGIN_DECLS

extern const TgCheckOps tg_check_classify;
extern const TgCheckOps tg_check_rollback;
extern const TgCheckOps tg_check_support;
extern const TgCheckOps tg_check_disruption;
extern const TgCheckOps tg_check_deferral;


/* Helpers shared by the built-in checks (internal). */

/* The state of @component, or NULL when @state is NULL or has no entry.
 * Returns: (transfer none). */
const TgComponentState *tg_check_component_state(const TgState *state, const char *component);

/* What `tollgate approve` takes for @cand: its digest, else its version.
 * Returns: (transfer none). */
const char *tg_check_approval_id(const TgCandidate *cand);

/* The user's approval of exactly @cand: matched by digest when the candidate
 * has one (an approval of another digest never counts), else by version
 * text. Returns: (transfer none): the approval, or NULL. */
const TgApproval *tg_check_find_approval(const TgState *state, const TgCandidate *cand);

/* Returns: (transfer full): @t as an RFC 3339 UTC string for messages. */
gchar *tg_check_format_time(GDateTime *t);

G_END_DECLS
