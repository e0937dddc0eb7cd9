/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check results, the check vtable, and the decision the engine returns. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "types.h"
#include "policy.h"
#include "candidate.h"
#include "state.h"
#include "version.h"

G_BEGIN_DECLS

/* One check's outcome. */
typedef struct {
	const char *check;	/* static name: "rollback", ... */
	TgOutcome outcome;
	gchar *reason;		/* stable reason code, e.g. "below-floor" */
	gchar *message;		/* one sentence for people */
	const char *const *provisions;	/* static, NULL-terminated: "5.3-2" */
	const char *const *test_cases;	/* static, NULL-terminated: "5.3-2-2" */
	GDateTime *until;	/* for DEFER: earliest time to try again, may be NULL */
} TgCheckResult;

/* What every check sees. Everything is owned by the engine. */
typedef struct {
	const TgPolicy *policy;
	const TgCandidate *cand;
	const TgState *state;
	const char *component;		/* resolved component */
	const TgVersion *version;	/* parsed candidate version (never NULL) */
	GDateTime *now;			/* trusted time (UTC) */
	TgTimeTrust trust;
	TgUpdateClass cls;		/* filled by classify; later checks read it */
	TgUpdateClass defer_cls;	/* class used for deferral (mixed resolved) */
} TgCheckContext;

/* ABI version of TgCheckOps for external checks loaded with GModule. */
#define TG_CHECK_ABI_VERSION 1

typedef struct {
	guint abi;		/* TG_CHECK_ABI_VERSION */
	const char *name;
	/* Fills @result (check, outcome, reason, message, provisions). May update
	 * ctx->cls / ctx->defer_cls (classify only). */
	void (*run)(TgCheckContext *ctx, TgCheckResult *result);
} TgCheckOps;

/* Result helpers used by the checks. */
TG_EXPORT void tg_check_result_set(TgCheckResult *result, TgOutcome outcome, const char *reason,
				   const char *fmt, ...) G_GNUC_PRINTF(4, 5);
TG_EXPORT void tg_check_result_clear(TgCheckResult *result);

typedef struct _TgDecision TgDecision;
struct _TgDecision {
	TgVerdict verdict;
	gchar *reason;		/* reason code of the deciding check ("ok" on allow) */
	gchar *message;		/* one sentence explaining the verdict */
	GDateTime *until;	/* for defer: earliest retry, may be NULL */
	GArray *results;	/* TgCheckResult, in order */
	TgUpdateClass cls;
	gchar *component;
	gchar *version;
	gchar *installed;	/* installed version of the component, may be NULL */
	gchar *floor;
	GDateTime *time;
	TgTimeTrust trust;
	gchar *transaction_id;
};

/* Returns: (transfer full): an empty decision. */
TG_EXPORT TgDecision *tg_decision_new(void);
TG_EXPORT void tg_decision_free(TgDecision *decision);

/* Combines the results: any refuse -> refuse, else any defer -> defer (until
 * = latest), else allow. Sets reason and message from the deciding check. */
TG_EXPORT void tg_decision_finish(TgDecision *decision);

/* Returns: (transfer full): JSON for the audit record and `--json`. */
TG_EXPORT JsonNode *tg_decision_to_json(const TgDecision *decision);

/* Exit code for the CLI: 0 allow, 10 refuse, 11 defer. */
TG_EXPORT int tg_decision_exit_code(const TgDecision *decision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgDecision, tg_decision_free)

G_END_DECLS
