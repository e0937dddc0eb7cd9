/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The decision the gate returns: a verdict, the deciding reason and one
 * sentence, and the result of every check, as JSON. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

typedef struct _TgDecision TgDecision;

/* One check of the gate; the engine runs a NULL-terminated table of them
 * (TgEngineOptions.checks). */
typedef struct _TgCheckOps TgCheckOps;

/* The built-in checks in evaluation order: classify, rollback,
 * support-period, disruption, deferral. NULL-terminated.
 * Returns: (transfer none). */
TG_EXPORT const TgCheckOps *const *tg_checks_builtin(void);

TG_EXPORT void tg_decision_free(TgDecision *decision);

/* The verdict: allow, refuse or defer. */
TG_EXPORT TgVerdict tg_decision_verdict(const TgDecision *decision);

/* Returns: (transfer none): the reason code of the deciding check ("ok" on
 * allow), e.g. "below-floor" (docs/checks.md lists them). */
TG_EXPORT const char *tg_decision_reason(const TgDecision *decision);

/* Returns: (transfer none): one sentence that explains the verdict. */
TG_EXPORT const char *tg_decision_message(const TgDecision *decision);

/* Returns: (transfer none): the version the decision is about, or NULL
 * when the update named none. */
TG_EXPORT const char *tg_decision_version(const TgDecision *decision);

/* Returns: (transfer full): JSON for the audit record and `--json`. */
TG_EXPORT JsonNode *tg_decision_to_json(const TgDecision *decision);

/* Exit code for the CLI: 0 allow, 10 refuse, 11 defer. */
TG_EXPORT int tg_decision_exit_code(const TgDecision *decision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgDecision, tg_decision_free)

G_END_DECLS
