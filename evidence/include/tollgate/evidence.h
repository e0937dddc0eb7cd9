/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The evidence export: turns the policy, the manufacturer's declarations
 * (policy groups [product], [mechanism.ID], [component.ID], [procedure],
 * [replacement], [ics.PROVISION], [owner.AREA], [evidence]) and one or more
 * devices' audit logs into the assessment pack for ETSI EN 303 645 clause
 * 5.3 / TS 103 701: ICS, IXIT, functional evidence index, gaps, OSCAL
 * assessment results, a crosswalk to other regimes, an HTML report and a
 * SHA-256 manifest (optionally signed with Ed25519).
 *
 * The export only reads the logs: it takes no lock and writes no record.
 * It reports observations and declarations; it never assigns a TS 103 701
 * verdict unless TgEvidenceOptions.self_assessment is set, and then every
 * output labels the result as the supplier's self-assessment.
 * docs/evidence.md describes every group, key and output. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"
#include "tollgate/policy.h"

G_BEGIN_DECLS

#define TG_EVIDENCE_ERROR (tg_evidence_error_quark())
TG_EXPORT GQuark tg_evidence_error_quark(void);

typedef enum {
	TG_EVIDENCE_ERROR_IO,		/* output or log directory cannot be used */
	TG_EVIDENCE_ERROR_INPUT,	/* bad option (window, log directory) */
	TG_EVIDENCE_ERROR_SIGN,		/* the manifest could not be signed */
	TG_EVIDENCE_ERROR_VERIFY,	/* evidence verify: the pack does not check out */
} TgEvidenceError;

/* How an updater checks what it installs, read from its configuration
 * file for the IXIT ([mechanism.ID] updater-config). The adapters provide
 * them: tg_rauc_evidence_updater (handlers/rauc), tg_swu_evidence_updater
 * (handlers/swupdate). */
typedef struct {
	const char *updater;	/* as in [mechanism.ID] updater: "rauc", "swupdate" */
	/* Returns: (transfer full): one sentence on the updater's signature
	 * check, or NULL with *@ret_problem (transfer full) saying what is
	 * missing. */
	gchar *(*signature_text)(const char *config_path, gchar **ret_problem);
	/* Returns: (transfer full): the file of X.509 certificates (PEM) the
	 * updater checks signatures against, or NULL (then no certificate is
	 * described). May be NULL. */
	gchar *(*certificates)(const char *config_path);
	/* Returns: (transfer full): the lines of the configuration the two
	 * above are read from (nothing else: a configuration may hold
	 * credentials), for the pack's updater-config/; or NULL. May be NULL. */
	gchar *(*config_excerpt)(const char *config_path);
} TgEvidenceUpdater;

typedef struct {
	const char *out_dir;		/* created if missing */
	/* Log directories, one per device (NULL-terminated); NULL: the
	 * policy's audit directory. See tg_evidence_expand_log_dirs(). */
	const char *const *log_dirs;
	GDateTime *since;		/* records before it are left out; NULL: all */
	GDateTime *until;		/* records after it are left out; NULL: all */
	GDateTime *now;			/* time of the export; NULL: system clock */
	gboolean self_assessment;	/* add the supplier's own findings, labelled */
	const char *sign_key;		/* Ed25519 private key PEM (mode 0600) or NULL */
	/* Readers of the updaters' configuration, NULL-terminated; NULL or an
	 * updater without one: the IXIT field is left to the declaration. */
	const TgEvidenceUpdater *const *updaters;
	/* Devices per variant whose audit files go whole into logs/ (the others
	 * bring the records the pack cites); 0: [evidence] include-logs, else
	 * 100; G_MAXUINT: every device. */
	guint include_logs;
} TgEvidenceOptions;

/* What an export found, for the caller's one-line report. */
typedef struct {
	guint devices;
	guint64 records;		/* records inside the window, all devices */
	guint gaps;			/* lines in gaps.md */
	guint broken_chains;		/* devices whose hash chain did not verify */
	guint findings;			/* lines in findings.md */
	guint contradictions;		/* of them, records against what is promised */
	guint variants;			/* model, hardware revision and policy combinations */
} TgEvidenceSummary;

/* Parses the declaration groups of @policy (a copy of policy->extra)
 * strictly, as `tollgate config check` does. Errors are TG_POLICY_ERROR
 * naming file, group, key and value. */
TG_EXPORT gboolean tg_evidence_check_policy(const TgPolicy *policy,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Expands @paths into device log directories: a directory holding audit
 * files (audit.log, audit.log.N) is one device; a directory holding none
 * but subdirectories stands for a fleet and is replaced by those
 * subdirectories (byte order of their names).
 * Returns: (transfer full): NULL-terminated paths, or NULL with @error. */
TG_EXPORT gchar **tg_evidence_expand_log_dirs(const char *const *paths,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Writes the assessment pack into opts->out_dir. Reads every log once for
 * its records (streaming, memory independent of their number) and once
 * more to verify its hash chain; a broken chain is reported in the pack,
 * not as an error. @ret_summary (optional) is written on success only.
 * Returns FALSE with @error for bad declarations (TG_POLICY_ERROR), an
 * unreadable log directory, an unusable output directory or a failed
 * signature. */
TG_EXPORT gboolean tg_evidence_export(const TgPolicy *policy, const TgEvidenceOptions *opts,
				      TgEvidenceSummary *ret_summary,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What `tollgate evidence verify` checked. */
typedef struct {
	guint files;			/* files of the manifest, each matching */
	gboolean signed_pack;		/* the signature verified */
	gboolean key_given;		/* with the caller's key (else the pack's own) */
	gchar *signer;			/* the key file that verified it */
	guint logs;			/* device logs whose hash chain verified */
	guint64 cited;			/* cited records found with their hash */
} TgEvidenceVerifySummary;

TG_EXPORT void tg_evidence_verify_summary_clear(TgEvidenceVerifySummary *sum);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgEvidenceVerifySummary, tg_evidence_verify_summary_clear)

/* Checks the pack in @pack: every file against MANIFEST.sha256 and nothing
 * unlisted; the signature with @key (an Ed25519 public key PEM), else with
 * the pack's own signing-key.pub (an unsigned pack passes without @key);
 * every audit log in logs/ as a hash chain; every record the evidence
 * indexes and findings.json cite against the included logs. FALSE with
 * TG_EVIDENCE_ERROR_VERIFY naming the file and record at the first
 * mismatch. @ret (optional) is written on success. */
TG_EXPORT gboolean tg_evidence_verify(const char *pack, const char *key,
				      TgEvidenceVerifySummary *ret,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
