/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tamper-evident audit log: hash-chained JSON Lines.
 *
 * Files in the audit directory: "audit.log" (current), "audit.log.1" (newest
 * rotated) ... "audit.log.N". The first member of every line is "prev", the
 * SHA-256 hex of the previous line's exact bytes (newline included); the first
 * line of a new file chains to the last line of the file before it. See
 * docs/audit-log.md for every member and docs/audit-events.md for events. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "types.h"

G_BEGIN_DECLS

#define TG_AUDIT_ERROR (tg_audit_error_quark())
TG_EXPORT GQuark tg_audit_error_quark(void);

typedef enum {
	TG_AUDIT_ERROR_IO,		/* cannot open / write / fsync: fail closed */
	TG_AUDIT_ERROR_EVENT,		/* unknown event name */
	TG_AUDIT_ERROR_TOO_LARGE,	/* record over the limit even after truncation */
	TG_AUDIT_ERROR_CHAIN,		/* verify: chain broken */
	TG_AUDIT_ERROR_PARSE,		/* verify / read: not a record */
	TG_AUDIT_ERROR_CHECKPOINT,	/* verify: bad checkpoint */
} TgAuditError;

#define TG_AUDIT_SCHEMA_VERSION 1
#define TG_AUDIT_FILE "audit.log"
#define TG_AUDIT_MAX_FIELD 4096		/* bytes per string member, truncated with a marker */
#define TG_AUDIT_MAX_RECORD 65536	/* bytes per line */
/* "prev" of the very first record of a log. */
#define TG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct {
	const char *dir;
	guint64 max_size;		/* rotate when the current file would exceed it; 0 = never */
	guint max_files;		/* rotated files kept (oldest removed); 0 = unlimited */
	guint checkpoint_every;		/* 0 = off */
	const char *checkpoint_key;	/* HMAC key file or Ed25519 private key PEM */
	const char *checkpoint_alg;	/* "hmac-sha256" | "ed25519" */
	/* Members added to every record. */
	const char *model;
	const char *device_id;
	const char *hardware_revision;
	const char *policy_hash;
} TgAuditOptions;

typedef struct _TgAuditLog TgAuditLog;

/* Opens (creating 0750 dir / 0640 file with O_APPEND|O_CLOEXEC|O_NOFOLLOW),
 * takes the log's lock, recovers a torn last line (moved to
 * "audit.log.torn-<seq>", recorded as log.recovered) and finds the chain head.
 * Returns: (transfer full): the log or NULL with @error. */
TG_EXPORT TgAuditLog *tg_audit_open(const TgAuditOptions *opts, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Time written into following records (default: system clock, trust system). */
TG_EXPORT void tg_audit_set_time(TgAuditLog *log, GDateTime *now, TgTimeTrust trust);

/* Appends one record for @event with the members of @body (transfer none;
 * may be NULL) after the common members. Durable (write + fsync) when it
 * returns TRUE. Rotates first when needed (log.rotated record), writes a
 * checkpoint after it when due. @ret_seq (optional) receives the record's seq. */
TG_EXPORT gboolean tg_audit_append(TgAuditLog *log, const char *event, JsonObject *body,
				   guint64 *ret_seq, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Closes the log and releases its lock. */
TG_EXPORT void tg_audit_close(TgAuditLog *log);

/* TRUE when @dir holds at least one non-empty audit file (history exists). */
TG_EXPORT gboolean tg_audit_has_history(const char *dir);

/* Returns: (transfer none): the 32-hex message ID of @event, or NULL when the
 * event is not in the catalogue. */
TG_EXPORT const char *tg_audit_message_id(const char *event);

/* Outcome of a verification. */
typedef struct {
	gboolean ok;
	guint64 records;	/* records checked */
	guint64 checkpoints;	/* checkpoints checked */
	gchar *bad_file;	/* first bad file, or NULL */
	guint64 bad_seq;	/* seq of the first bad record (or expected seq) */
	gchar *problem;		/* "edited", "missing", "reordered", "truncated", "bad-checkpoint", ... */
	gchar *message;		/* one sentence */
} TgAuditVerifyResult;

TG_EXPORT void tg_audit_verify_result_clear(TgAuditVerifyResult *res);

/* Verifies the chain across @files (oldest first; NULL = every audit file in
 * @dir, oldest first). With @key (HMAC key file or Ed25519 public key PEM),
 * checkpoints are checked too. Returns FALSE only for errors that stop the
 * check; a broken chain is reported in @res with TRUE. */
TG_EXPORT gboolean tg_audit_verify(const char *dir, const char *const *files, const char *key,
				   const char *alg, TgAuditVerifyResult *res,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Lists the audit files of @dir, oldest first.
 * Returns: (transfer full): NULL-terminated array of paths. */
TG_EXPORT gchar **tg_audit_list_files(const char *dir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgAuditLog, tg_audit_close)

G_END_DECLS
