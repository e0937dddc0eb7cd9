/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Engine internals shared by engine*.c (not installed). */
#pragma once

#include "tollgate/engine.h"

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
	const TgCheckOps *const *checks;
	gchar *updater;
	gchar *updater_version;
	const TgNotifyOps *notify_ops;
	gpointer notifier;	/* from notify_ops->open, may be NULL */
};

/* engine.c */
gboolean tg_engine_save_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_engine_record(TgEngine *engine, const char *event, JsonObject *body,
			  guint64 *ret_seq, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* FALSE with a sentence naming the recovery command when state is lost. */
gboolean tg_engine_require_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Effective support end: state's if set, else the policy's. (transfer none) */
GDateTime *tg_engine_support_end(TgEngine *engine);

/* engine-init.c: first boot and recovery */
gboolean tg_engine_load_state(TgEngine *engine, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_engine_read_running_version(const TgPolicy *policy, gchar **ret_version,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* engine-notice.c: notices for a decision (may turn an allow of a disruptive
 * update into a defer when a required notice was not delivered), and for
 * lifecycle events (support-extended, settings-changed). Deliveries are
 * recorded as notice.delivered / notice.failed. */
void tg_engine_notify_decision(TgEngine *engine, const TgCandidate *cand, TgDecision *d);
/* update-refused for a decision that a failed state or audit write turned
 * into a refusal after its notices went out (the user may have been warned
 * of an install that now does not happen). */
void tg_engine_notify_late_refusal(TgEngine *engine, const TgDecision *d);
void tg_engine_notify_event(TgEngine *engine, const char *type, JsonObject *fields);
/* Support milestones: a [support] notice-days threshold reached or the end
 * passed, each recorded once (support.ending / support.ended) and announced
 * once (support-ending / support-ended) when sinks are configured;
 * remembered in state->support_notices_sent. Called by the gate and
 * record-check. Returns TRUE when the state changed and must be saved. */
gboolean tg_engine_notify_support(TgEngine *engine);

/* engine-json.c */
JsonObject *tg_engine_candidate_json(const TgCandidate *cand, const char *component);
JsonObject *tg_engine_body_new(TgEngine *engine, const TgCandidate *cand);
gchar *tg_date_to_string(GDateTime *dt);
void tg_json_set_date(JsonObject *obj, const char *member, GDateTime *dt);
void tg_json_set_string(JsonObject *obj, const char *member, const char *value);

G_END_DECLS
