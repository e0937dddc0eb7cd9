/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* TgCandidate: what an adapter knows about the update it is asked to install,
 * including the tollgate metadata shipped inside the signed update.
 *
 * Metadata keys (same names in every adapter: sw-description properties,
 * RAUC [meta.tollgate] / sidecar, candidate files, CLI options):
 *   class        security | feature | mixed
 *   advisories   list of advisory IDs (CVE-..., vendor IDs); ';' or ',' separated
 *   severity     free text (e.g. critical, high, 9.8)
 *   risk         text describing the risks the update mitigates
 *   reboot       true | false
 *   downtime     duration the device is interrupted ("90s", "5m", seconds)
 *   disruptive   true | false (interrupts basic functioning)
 *   services     list of services interrupted
 *   support-end  YYYY-MM-DD, the support end this release carries
 *   component    software component (default from the policy)
 */
#pragma once

#include <glib.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

#define TG_CANDIDATE_ERROR (tg_candidate_error_quark())
TG_EXPORT GQuark tg_candidate_error_quark(void);

typedef enum {
	TG_CANDIDATE_ERROR_IO,
	TG_CANDIDATE_ERROR_SYNTAX,
	TG_CANDIDATE_ERROR_UNKNOWN,
	TG_CANDIDATE_ERROR_VALUE,
} TgCandidateError;

/* Longest metadata value kept; longer values are truncated with a marker. */
#define TG_META_MAX_LEN 4096
#define TG_META_TRUNCATED_MARK "...[truncated]"
#define TG_MAX_ADVISORIES 64

typedef struct _TgCandidate TgCandidate;

/* Returns: (transfer full): an empty candidate. */
TG_EXPORT TgCandidate *tg_candidate_new(void);
TG_EXPORT void tg_candidate_free(TgCandidate *cand);

/* Sets one metadata key from text, with the strict rules of the candidate
 * file. @origin names where the value came from for error messages (e.g.
 * "sw-description property 'class'"). Values are made safe: truncated to
 * TG_META_MAX_LEN with a marker, control characters other than newline and
 * tab replaced, invalid UTF-8 replaced. */
TG_EXPORT gboolean tg_candidate_set_meta(TgCandidate *cand, const char *key, const char *value,
					 const char *origin, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Sets an identity key (name, version, digest, mechanism, updater,
 * updater-version, updater-transaction) or else a metadata key, like one line of a candidate file. */
TG_EXPORT gboolean tg_candidate_set(TgCandidate *cand, const char *key, const char *value,
				    const char *origin, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Loads a candidate file: GKeyFile with group [candidate] holding name,
 * version, digest, mechanism and the metadata keys above. Strict: unknown keys
 * are errors naming file, group, key and value. */
TG_EXPORT gboolean tg_candidate_load_file(TgCandidate *cand, const char *path,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;
TG_EXPORT gboolean tg_candidate_load_data(TgCandidate *cand, const char *name,
					  const char *data, gsize len,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads every metadata key present in @group of @kf (strictly: unknown keys
 * are errors). Used for RAUC's [meta.tollgate] and the bundle sidecar. */
TG_EXPORT gboolean tg_candidate_load_group(TgCandidate *cand, GKeyFile *kf, const char *group,
					   const char *name, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer none): the version text as shipped, or NULL. */
TG_EXPORT const char *tg_candidate_version(const TgCandidate *cand);

/* TRUE when the update would interrupt the device: reboot, downtime,
 * disruptive flag or a slot switch. */
TG_EXPORT gboolean tg_candidate_is_disruptive(const TgCandidate *cand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgCandidate, tg_candidate_free)

G_END_DECLS
