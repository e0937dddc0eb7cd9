/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RAUC adapter: the candidate RAUC is about to install, built from the
 * handler environment and the mounted bundle; shared by the pre-install and
 * post-install handlers, `tollgate rauc-listen` and the fuzzer.
 *
 * Sources (docs/rauc.md has the user's view):
 *   manifest.raucm  [update] compatible, version, build, description, and
 *                   tollgate metadata in [meta.tollgate]
 *   tollgate.conf   sidecar in the bundle, group [tollgate] only
 *   environment     RAUC_META_TOLLGATE_* (RAUC 1.13+), RAUC_TARGET_SLOTS,
 *                   RAUC_SLOT_{CLASS,BOOTNAME,PARENT}_<N>, RAUC_IMAGE_DIGEST_<N>
 * A metadata key given by more than one source must have the same value in
 * each; a disagreement is an error (the update is not installed). */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tollgate/tollgate.h"
#include "decision-private.h"

G_BEGIN_DECLS

#define TG_RAUC_ERROR (tg_rauc_error_quark())
GQuark tg_rauc_error_quark(void);

typedef enum {
	TG_RAUC_ERROR_ENVIRONMENT,	/* not run by RAUC, or a variable is malformed */
	TG_RAUC_ERROR_IO,		/* a bundle file cannot be read or is too large */
	TG_RAUC_ERROR_MANIFEST,		/* manifest.raucm is not a usable manifest */
	TG_RAUC_ERROR_SIDECAR,		/* tollgate.conf is not a valid sidecar */
	TG_RAUC_ERROR_CONFLICT,		/* two metadata sources disagree */
} TgRaucError;

#define TG_RAUC_MANIFEST "manifest.raucm"
#define TG_RAUC_SIDECAR "tollgate.conf"
#define TG_RAUC_META_GROUP "meta.tollgate"
#define TG_RAUC_SIDECAR_GROUP "tollgate"
#define TG_RAUC_META_ENV_PREFIX "RAUC_META_TOLLGATE_"
/* Largest manifest or sidecar read from a bundle. */
#define TG_RAUC_MAX_FILE_SIZE (1024 * 1024)
/* Mechanism ID of RAUC updates unless the metadata or the policy names one. */
#define TG_RAUC_MECHANISM "rauc"

/* Builds the candidate from manifest text, optional sidecar text (NULL when
 * the bundle has none) and the handler environment @envp (as from
 * g_get_environ(); may be NULL). This is the whole parser: the handlers and
 * the fuzzer call it with the same inputs.
 * Returns: (transfer full): the candidate, or NULL with @error
 * (TG_RAUC_ERROR or TG_CANDIDATE_ERROR). */
TgCandidate *tg_rauc_candidate_parse(const char *manifest, gsize manifest_len,
				     const char *sidecar, gsize sidecar_len,
				     const char *const *envp, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads manifest.raucm and tollgate.conf from $RAUC_BUNDLE_MOUNT_POINT (or
 * the older $RAUC_UPDATE_SOURCE) of @envp and parses them with the rest of
 * @envp. Returns: (transfer full): the candidate, or NULL with @error. */
TgCandidate *tg_rauc_candidate_load(const char *const *envp, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Fills what depends on the policy: the mechanism ID is the metadata's, else
 * the policy's [mechanism] default when the policy sets one, else "rauc". */
void tg_rauc_candidate_apply_policy(TgCandidate *cand, const TgPolicy *policy);

/* Returns: (transfer none): RAUC's version: $RAUC_VERSION of @envp when
 * set (no RAUC release sets it), else `rauc --version` of the rauc process
 * that runs this handler (or the rauc on PATH), else "unknown". Never NULL;
 * asked once per process (rauc-version.c). */
const char *tg_rauc_updater_version(const char *const *envp);

/* The keyring file RAUC checks bundle signatures against: [keyring] path of
 * @system_conf, relative to its directory (a keyring directory is not
 * followed). Returns: (transfer full): the path, or NULL. */
gchar *tg_rauc_keyring_file(const char *system_conf);

/* Opens the engine for a RAUC handler: policy from $TOLLGATE_CONFIG or the
 * default path (RAUC passes handlers no options), built-in checks, the
 * notification sinks of the policy, updater "rauc" with
 * tg_rauc_updater_version() of @envp.
 * Returns: (transfer full): the engine, or NULL with @error. */
TgEngine *tg_rauc_engine_open(const char *const *envp, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What both RAUC handlers do first: initialize, read the bundle RAUC has
 * mounted (from this process's environment), open the engine and apply the
 * policy's mechanism default. Returns: (transfer full): the engine, with
 * the candidate in @ret_cand; NULL with @error. */
TgEngine *tg_rauc_handler_start(TgCandidate **ret_cand, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The line a handler prints for RAUC's log, e.g.
 * "tollgate: refused 0.9.0: Version 0.9.0 is below ...".
 * Returns: (transfer full). */
gchar *tg_rauc_decision_line(const TgDecision *decision);

/* Exit status a handler gives RAUC for an error before any decision
 * (RAUC then aborts before writing a slot). Decisions use
 * tg_decision_exit_code(): 0 allowed, 10 refused, 11 deferred. */
#define TG_RAUC_EXIT_ERROR 1

/* ---- failed installs (tollgate rauc-listen) ---------------------------- */

/* Time after a refusal or deferral within which RAUC's report of a failed
 * pre-install handler is taken as that decision (seconds). */
#define TG_RAUC_DEFAULT_WINDOW (5 * 60)

typedef enum {
	TG_RAUC_FAILURE_INSTALL,	/* the install failed: record update.failed */
	TG_RAUC_FAILURE_OWN_DECISION,	/* tollgate refused or deferred it: already recorded */
	TG_RAUC_FAILURE_UPDATER_REFUSED,	/* RAUC's own rule refused it: record
					 * update.updater-refused */
} TgRaucFailureKind;

/* Tells an install that RAUC reports as failed (Completed with @result != 0,
 * LastError @last_error) apart from tollgate's own refusal or deferral.
 * It is tollgate's own decision when all of these hold:
 *   - @last_error starts with "Pre-install handler error";
 *   - @last_decision (the "last_decision" of tg_engine_status()) is a refusal
 *     or deferral made at most @window seconds before or after @now;
 *   - when @last_error names the handler's exit code, it is the one the
 *     decision maps to (10 refused, 11 deferred).
 * RAUC refused the bundle by its own rule when @last_error starts with one of
 * RAUC's refusal messages (min-bundle-version: "Version mismatch:",
 * compatible: "Compatible mismatch:", an install-check hook: "Bundle
 * rejected:", require-manifest-hash and crypt bundles: "Refusing to
 * install"; RAUC up to 1.11 puts "Installation error: " before the
 * compatible message); nothing was written then.
 * Anything else is a failed install. For a failure or an updater's refusal,
 * @ret_cand (optional)
 * receives the candidate to record: version and component of @last_decision
 * when that is an allow within the window (the install that then failed),
 * else an empty candidate (the bundle failed before tollgate saw it).
 * @last_decision and @last_error may be NULL. */
TgRaucFailureKind tg_rauc_failure_classify(JsonObject *last_decision, GDateTime *now,
					   gint64 window, const char *last_error,
					   TgCandidate **ret_cand);

/* One sentence for update.failed: RAUC's result code and LastError.
 * Returns: (transfer full). */
gchar *tg_rauc_failure_reason(gint result, const char *last_error,
			      const TgCandidate *cand);

G_END_DECLS
