/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check results, the check table entry and the decision body (internal). */
#pragma once

#include <glib.h>
#include "tollgate/decision.h"
#include "policy-private.h"
#include "candidate-private.h"
#include "state-private.h"
#include "tollgate/version.h"

G_BEGIN_DECLS

/* One check's outcome. */
typedef struct {
	const char *check;	/* static name: "rollback", ... */
	TgOutcome outcome;
	gchar *reason;		/* stable reason code, e.g. "below-floor" */
	gchar *message;		/* one sentence for people */
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
	GDateTime *clock;		/* the same without --now: user postpones are
					 * judged on it */
	TgTimeTrust trust;
	TgUpdateClass cls;		/* filled by classify; later checks read it */
	TgUpdateClass defer_cls;	/* class used for deferral (mixed resolved) */
} TgCheckContext;

struct _TgCheckOps {
	const char *name;
	/* Fills @result (check, outcome, reason, message, provisions). May update
	 * ctx->cls / ctx->defer_cls (classify only). */
	void (*run)(TgCheckContext *ctx, TgCheckResult *result);
};

/* Result helpers used by the checks. */
void tg_check_result_set(TgCheckResult *result, TgOutcome outcome, const char *reason,
				   const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void tg_check_result_clear(TgCheckResult *result);

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
	gchar *phase;		/* "precheck" for SWUpdate's preupdatecmd gate, else NULL */
	gchar *digest;		/* the candidate's digest, or NULL */
};

/* Returns: (transfer full): an empty decision. */
TgDecision *tg_decision_new(void);

/* Combines the results: any refuse -> refuse, else any defer -> defer (until
 * = latest), else allow. Sets reason and message from the deciding check. */
void tg_decision_finish(TgDecision *decision);

G_END_DECLS
