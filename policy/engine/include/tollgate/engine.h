/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine: loads policy, state and audit log, establishes trusted time,
 * runs the checks and records every decision and user action. Adapters
 * (CLI, SWUpdate, RAUC) only build candidates and map results back. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"
#include "tollgate/policy.h"
#include "tollgate/candidate.h"
#include "tollgate/state.h"
#include "tollgate/decision.h"
#include "tollgate/audit.h"

G_BEGIN_DECLS

#define TG_ENGINE_ERROR (tg_engine_error_quark())
TG_EXPORT GQuark tg_engine_error_quark(void);

typedef enum {
	TG_ENGINE_ERROR_FAILED,
	TG_ENGINE_ERROR_STATE,		/* state lost or tampered: needs reseed */
	TG_ENGINE_ERROR_INPUT,		/* bad user input */
	TG_ENGINE_ERROR_LIMIT,		/* over a policy limit (postpone) */
} TgEngineError;

/* Which sinks a send reaches: the gate delivers a disruption warning to the
 * required sinks before it records its decision (their delivery is part of
 * it) and everything else after. */
typedef enum {
	TG_NOTIFY_ALL,
	TG_NOTIFY_REQUIRED,	/* sinks with required = true only */
	TG_NOTIFY_OPTIONAL,	/* all other sinks */
	TG_NOTIFY_CALLER,	/* only the caller's own sinks (TgEngineOptions.notify_data) */
} TgNotifyScope;

/* Notification sinks live in notify/ (which depends on this library, not
 * the other way round); adapters hand them to the engine through this table.
 * The engine decides which notices go out and records every delivery. */
typedef struct {
	/* Parses the sink and template groups of @policy (policy->extra);
	 * @user_data is TgEngineOptions.notify_data, for sinks that live in the
	 * caller (an updater's progress channel).
	 * Returns: (transfer full): the notifier state, or NULL with @error;
	 * NULL without an error when the policy configures no sink. */
	gpointer (*open)(const TgPolicy *policy, gpointer user_data, GError **error);
	/* Delivers @notice (a complete notice object, see docs/notices.md;
	 * send cleans its strings and adds "language", "title" and "text") to
	 * every sink of @scope; appends one object per sink to @outcomes:
	 * {"sink": name, "type": sink type, "delivered": bool, "required": bool,
	 *  "error": text or null}. */
	void (*send)(gpointer notifier, JsonObject *notice, TgNotifyScope scope,
		     JsonArray *outcomes);
	void (*close)(gpointer notifier);
} TgNotifyOps;

/* A slot of the updater: its name (RAUC: rootfs.0) and device (/dev/vda2). */
typedef struct {
	const char *name;
	const char *device;
} TgSlotDevice;

typedef struct {
	const char *config_path;	/* NULL: $TOLLGATE_CONFIG, else TG_DEFAULT_CONFIG */
	const char *state_dir;		/* NULL: from the policy */
	GDateTime *now;			/* NULL: system clock */
	const TgCheckOps *const *checks;	/* NULL-terminated, in order */
	const char *updater;		/* "cli", "swupdate", "rauc" */
	const char *updater_version;
	const TgNotifyOps *notify;	/* NULL: no notices */
	gpointer notify_data;		/* handed to notify->open() */
	/* The updater's slots: the state, audit log and keys must not be on
	 * any of them (checked before anything is opened; docs/state.md). */
	const TgSlotDevice *slots;
	guint n_slots;
} TgEngineOptions;

typedef struct _TgEngine TgEngine;

/* Loads the policy, takes the state lock and opens the audit log.
 * Returns: (transfer full): the engine, or NULL with @error (policy errors
 * are TG_POLICY_ERROR, audit failures TG_AUDIT_ERROR). */
TG_EXPORT TgEngine *tg_engine_open(const TgEngineOptions *opts, GError **error) G_GNUC_WARN_UNUSED_RESULT;
TG_EXPORT void tg_engine_close(TgEngine *engine);

/* Returns: (transfer none). */
TG_EXPORT const TgPolicy *tg_engine_policy(TgEngine *engine);

/* Returns: (transfer none): the trusted time of this run (UTC). */
TG_EXPORT GDateTime *tg_engine_now(TgEngine *engine);

/* Decides on @cand and records the decision durably. Never returns an allow
 * it could not record: a failed audit write turns into a refusal.
 * Returns: (transfer full): the decision, or NULL with @error only for
 * failures before a decision could be formed (then callers must refuse). */
TG_EXPORT TgDecision *tg_engine_gate(TgEngine *engine, TgCandidate *cand,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The updater installed @cand: stage pending floors, record update.installed. */
TG_EXPORT gboolean tg_engine_installed(TgEngine *engine, TgCandidate *cand,
				       GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The updater reported a failed install (never a refusal): update.failed. */
TG_EXPORT gboolean tg_engine_failed(TgEngine *engine, TgCandidate *cand, const char *reason,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The updater itself refused @cand by its own rule (a version limit,
 * compatibility), so nothing was installed and nothing failed:
 * update.updater-refused with @reason, the updater's message. */
TG_EXPORT gboolean tg_engine_updater_refused(TgEngine *engine, TgCandidate *cand,
					     const char *reason,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The new software booted and was marked good: pending floors become floors.
 * @ret_committed (optional) receives the number of components committed. */
TG_EXPORT gboolean tg_engine_commit(TgEngine *engine, guint *ret_committed,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The device booted the old software again although an update was pending
 * (the new slot did not come up and the bootloader fell back to @slot, which
 * runs @running; both may be NULL when unknown). The pending floors are given
 * up, never committed: the floor stays with software that boots. Records
 * update.fell-back when something was pending; @ret_dropped (optional)
 * receives the number of components given up (0: nothing was pending). */
TG_EXPORT gboolean tg_engine_fell_back(TgEngine *engine, const char *slot, const char *running,
				       guint *ret_dropped, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Commit what booted: when [state] version-source says the running version
 * is the pending one, tg_engine_commit(); when it is still the installed
 * one, the new software did not come up (a fallback boot, or an update
 * that never took effect): tg_engine_fell_back() and @ret_fell_back TRUE.
 * Any other running version is an error and changes nothing. Without a
 * version source, or with nothing pending, a plain commit. */
TG_EXPORT gboolean tg_engine_commit_booted(TgEngine *engine, guint *ret_n,
					   gboolean *ret_fell_back,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* User postpones updates of @cls until @until (bounded by max-postpone). */
TG_EXPORT gboolean tg_engine_postpone(TgEngine *engine, TgUpdateClass cls, GDateTime *until,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* User approves an update by digest (64 hex) or version. */
TG_EXPORT gboolean tg_engine_approve(TgEngine *engine, const char *digest_or_version,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* User changes a setting: "auto-install.security", "auto-install.feature",
 * "notifications". */
TG_EXPORT gboolean tg_engine_set_setting(TgEngine *engine, const char *key, gboolean value,
					 GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* One look for updates by an update client (hawkBit, suricatta, ...). */
typedef struct {
	gboolean available;		/* an update was offered */
	const char *version;		/* its version; only with @available, may be NULL */
	const char *component;		/* NULL: the policy's default component */
	const char *mechanism;		/* 7-UpdMech ID, NULL: the policy's default */
	const char *client;		/* the update client that looked, may be NULL */
} TgUpdateCheck;

/* Records an update.check event (evidence that the device checks for
 * updates after initialization and periodically, 5.3-5). An offered version
 * must parse in the policy's scheme. Also sends a due support-ending or
 * support-ended notice, since a device that never gates an update still
 * checks for one. */
TG_EXPORT gboolean tg_engine_record_check(TgEngine *engine, const TgUpdateCheck *check,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Explicit recovery: re-seeds installed and floor of @component from
 * @version after lost or tampered state; recorded as state.recovered. */
TG_EXPORT gboolean tg_engine_reseed(TgEngine *engine, const char *component, const char *version,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full): a status object (state, settings, last decision),
 * or NULL with @error when the state cannot be read. */
TG_EXPORT JsonObject *tg_engine_status(TgEngine *engine, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEngine, tg_engine_close)

G_END_DECLS
