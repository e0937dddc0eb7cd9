/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine internals shared by engine*.c (not installed). */
#pragma once

#include "tollgate/engine.h"
#include "decision-private.h"

G_BEGIN_DECLS

struct _TgEngine {
	TgPolicy *policy;
	TgStateStore *store;
	TgState *state;		/* NULL when lost or tampered */
	GError *state_error;	/* why state is NULL */
	TgAuditLog *audit;
	GDateTime *now;		/* trusted time, UTC */
	TgTimeTrust trust;
	GDateTime *system_now;	/* what the clock (or --now) said */
	GDateTime *clock_now;	/* the trusted time without --now: max(system clock,
				 * state's last trusted time); what is persisted and
				 * what user postpones are judged on */
	const TgCheckOps *const *checks;
	gchar *updater;
	gchar *updater_version;
	const TgNotifyOps *notify_ops;
	gpointer notifier;	/* from notify_ops->open, may be NULL */
	gboolean first_boot;	/* no state and no history: initialize it */
	gboolean needs_setup;	/* new device without version source: wait for a reseed */
	struct _TgAnchor *anchor;	/* [state] anchor = tpm2, opened when first needed */
	gboolean anchor_new;	/* a state from before the anchor: bind it */
};

/* engine.c */
/* Saves the state together with the record @event (@body) that causes the
 * change, bound to each other (docs/state.md): the new state file is
 * written to a temp file, the record announces its generation and digest,
 * then the file is renamed into place. FALSE with @error when any step
 * failed; before the record, the state on disk is unchanged. */
gboolean tg_engine_save_state(TgEngine *engine, const char *event, JsonObject *body,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The three steps of tg_engine_save_state() for callers that must tell
 * them apart (the gate): prepare adds the binding to @body. */
gboolean tg_engine_state_prepare(TgEngine *engine, JsonObject *body,
				 GError **error) G_GNUC_WARN_UNUSED_RESULT;
void tg_engine_state_discard(TgEngine *engine, JsonObject *body);
gboolean tg_engine_state_commit(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_engine_record(TgEngine *engine, const char *event, JsonObject *body,
			  guint64 *ret_seq, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* FALSE with a sentence naming the recovery command when state is lost. */
gboolean tg_engine_require_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Effective support end: state's if set, else the policy's. (transfer none) */
GDateTime *tg_engine_support_end(TgEngine *engine);

/* engine-init.c: first boot and recovery */
/* Reads the state: loaded, or missing on a first boot, or unusable (kept
 * in engine->state_error); FALSE only for an I/O error. Records nothing. */
gboolean tg_engine_load_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* engine-reseed.c: FALSE with a sentence when a reseed to @version would
 * set @component's floor below the highest floor the audit log shows
 * committed, or below the running version (version source configured). */
gboolean tg_engine_reseed_check(TgEngine *engine, const char *component, const char *version,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The marker that this state directory was set up: next to the key file,
 * outside the state directory ("<key>.provisioned-<16 hex of SHA-256 of the
 * state directory's path>"), written by the first boot and by a reseed.
 * Returns: (transfer full). */
gchar *tg_engine_marker_path(const TgPolicy *policy);
gboolean tg_engine_mark_provisioned(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Once the trusted time is established: initializes the state on a first
 * boot (state.initialized) or records why it is unusable
 * (state.tamper-detected), so these records carry the trusted time. */
gboolean tg_engine_settle_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_engine_read_running_version(const TgPolicy *policy, gchar **ret_version,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* engine-notice.c: notices for a decision and for lifecycle events
 * (support-extended, settings-changed). Deliveries are recorded as
 * notice.delivered / notice.failed (or notice.suppressed).
 *
 * A gate's notices come in two steps around its decision record:
 * tg_engine_notices_before() delivers a disruptive update's warning to the
 * required sinks (an allow that one of them missed becomes a defer: the
 * delivery is part of the decision) and marks a due support milestone in
 * the state; tg_engine_notices_after(), once the decision is recorded and
 * the state saved, records those deliveries and sends every other notice,
 * whose failures never change the decision. */
typedef struct _TgGateNotices TgGateNotices;
TgGateNotices *tg_engine_notices_before(TgEngine *engine, const TgCandidate *cand,
					 TgDecision *d);
/* The required sinks' outcomes of the warning (transfer none), or NULL. */
JsonArray *tg_gate_notices_required(const TgGateNotices *gn);
/* Takes @gn. */
void tg_engine_notices_after(TgEngine *engine, const TgCandidate *cand, const TgDecision *d,
			     TgGateNotices *gn);
void tg_engine_notify_event(TgEngine *engine, const char *type, JsonObject *fields);
/* Support milestones: a [support] notice-days threshold reached or the end
 * passed, each recorded once (support.ending / support.ended) and announced
 * once (support-ending / support-ended) when sinks are configured;
 * remembered in state->support_notices_sent. Due: the milestone now due,
 * already marked in the state, which the caller saves first (Returns:
 * (transfer full) (nullable)); announce then records and sends it (takes
 * @n). Used by the gate and record-check. */
JsonObject *tg_engine_support_due(TgEngine *engine, const char **ret_event);
void tg_engine_support_announce(TgEngine *engine, const char *event, JsonObject *n);

/* engine-json.c */
JsonObject *tg_engine_candidate_json(const TgCandidate *cand, const char *component);
JsonObject *tg_engine_body_new(TgEngine *engine, const TgCandidate *cand);
gchar *tg_date_to_string(GDateTime *dt);
void tg_json_set_date(JsonObject *obj, const char *member, GDateTime *dt);
void tg_json_set_string(JsonObject *obj, const char *member, const char *value);

/* engine-production.c: production mode. Before the policy is loaded:
 * refuses @path when it is not the default policy and the default policy
 * (or the build) is in production mode. After: refuses --now and
 * --state-dir when @policy (or the build) is. */
gboolean tg_engine_production_check_path(const char *path, GError **error);
gboolean tg_engine_production_check_options(const TgPolicy *policy, const TgEngineOptions *opts,
					    GError **error);

/* engine-lifecycle.c: calls @fn for every component with a pending version
 * and appends the object it returns to @out. Returns: the length of @out. */
typedef JsonObject *(*TgPendingFunc)(TgEngine *engine, const char *name, TgComponentState *cs);
guint tg_engine_each_pending(TgEngine *engine, TgPendingFunc fn, JsonArray *out);

/* engine-places.c: refuses a state directory, audit log directory or key
 * on one of the @n @slots (block devices only), naming the path and the
 * policy key to change. */
gboolean tg_engine_check_places(const TgPolicy *p, const TgSlotDevice *slots, guint n,
				GError **error);

/* engine-anchor.c: the hardware anchor. anchor_raises: does @event count
 * the counter up? prepare (before the state write): the state carries the
 * count the TPM is about to reach; advance (after it): count up. check (on
 * open): a state behind the counter becomes engine->state_error (a state
 * from before the anchor was turned on sets engine->anchor_new). */
gboolean tg_engine_anchor_raises(const char *event);
gboolean tg_engine_anchor_prepare(TgEngine *engine, GError **error);
void tg_engine_anchor_advance(TgEngine *engine);
gboolean tg_engine_anchor_check(TgEngine *engine, GError **error);

/* engine-confirm.c: is the gate of @cand the SWUpdate handler's second gate
 * of an install its precheck allowed? Returns: (transfer full) the state's
 * record of that precheck, or NULL. Then confirm records gate.confirmed
 * under its transaction (taking @d and @pre) instead of a decision. */
JsonObject *tg_engine_confirms_precheck(TgEngine *engine, const TgCandidate *cand,
					const TgDecision *d);
TgDecision *tg_engine_confirm(TgEngine *engine, TgCandidate *cand, TgDecision *d,
			      JsonObject *pre);

/* engine-notice.c: the decision's notices for the updater's own channel
 * only (TG_NOTIFY_CALLER), for a confirmed gate. */
void tg_engine_notices_caller(TgEngine *engine, const TgCandidate *cand, const TgDecision *d);

G_END_DECLS
