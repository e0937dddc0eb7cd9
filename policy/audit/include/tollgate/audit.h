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
#include "tollgate/types.h"

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
	TG_AUDIT_ERROR_BODY,		/* body not an object, nested too deep, or reuses a common member */
	TG_AUDIT_ERROR_OPTIONS,		/* bad TgAuditOptions (no dir, checkpoint key missing, ...) */
	TG_AUDIT_ERROR_LOCKED,		/* another process held the log's lock for too long */
} TgAuditError;

#define TG_AUDIT_SCHEMA_VERSION 2
#define TG_AUDIT_FILE "audit.log"
#define TG_AUDIT_MAX_FIELD 4096		/* bytes per string member, truncated with a marker */
#define TG_AUDIT_MAX_RECORD 65536	/* bytes per line */
#define TG_AUDIT_TRUNCATED_MARK "...[truncated]"
#define TG_AUDIT_MAX_DEPTH 32		/* nesting levels of a body */
#define TG_AUDIT_LOCK_TIMEOUT_MS 10000	/* default wait for the log's lock */
/* "prev" of the very first record of a log. */
#define TG_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* One file of the policy the writer runs, for the log.policy record. */
typedef struct {
	const char *name;		/* the path it was read from */
	const char *text;		/* its bytes (UTF-8, no NUL) */
	gsize len;
} TgAuditPolicyFile;

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
	guint lock_timeout_ms;		/* 0 = TG_AUDIT_LOCK_TIMEOUT_MS */
	/* The policy's files (policy_hash is over them): written as a
	 * log.policy record before the next record when the chain head carries
	 * another policy hash and at the start of every audit file, so the logs
	 * alone say which policy each record was made under. NULL: never. */
	const TgAuditPolicyFile *policy_files;
	guint n_policy_files;
	const char *writer_version;	/* tollgate's version, in log.policy */
	/* Tests and benchmarks only: skip the fsync after each append. A record
	 * is then not durable when tg_audit_append() returns. */
	gboolean no_fsync;
} TgAuditOptions;

typedef struct _TgAuditLog TgAuditLog;

/* Opens (creating 0750 dir / 0640 file with O_APPEND|O_CLOEXEC|O_NOFOLLOW),
 * takes the log's lock (waiting at most lock_timeout_ms), recovers a torn
 * last line (moved to "audit.log.torn-<unix time>-<pid>", recorded as
 * log.recovered) and finds the chain head. The lock is held until
 * tg_audit_close(): open, append and close again rather than keeping the log
 * open, or other processes wait for it.
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

/* Seq of the last record in the log (0 when the log is empty). */
TG_EXPORT guint64 tg_audit_last_seq(TgAuditLog *log);

/* The state binding of the last record that carries one (docs/state.md):
 * the state generation it announced and that state file's SHA-256. */
typedef struct {
	gboolean known;
	guint64 generation;
	char digest[65];
} TgAuditBinding;

/* Returns: (transfer none): the log's last state binding (known FALSE when
 * the log carries none). */
TG_EXPORT const TgAuditBinding *tg_audit_binding(TgAuditLog *log);

/* Closes the log and releases its lock. Accepts NULL. */
TG_EXPORT void tg_audit_close(TgAuditLog *log);

/* TRUE when @dir holds at least one non-empty audit file (history exists). */
TG_EXPORT gboolean tg_audit_has_history(const char *dir);

/* Returns: (transfer none): the 32-hex message ID of @event, or NULL when the
 * event is not in the catalogue. */
TG_EXPORT const char *tg_audit_message_id(const char *event);

/* One entry of the event catalogue (docs/audit-events.md). */
typedef struct {
	const char *name;		/* "gate.decision" */
	const char *message_id;		/* 32 lower-case hex, never changes */
	const char *description;	/* one line: when the event is written */
} TgAuditEventInfo;

/* The whole catalogue, in documentation order; @ret_n receives its length.
 * Returns: (transfer none): a static array. */
TG_EXPORT const TgAuditEventInfo *tg_audit_events(guint *ret_n);

/* Outcome of a verification. */
typedef struct {
	gboolean ok;
	guint64 records;	/* records checked */
	guint64 checkpoints;	/* checkpoints checked */
	gchar *bad_file;	/* first bad file, or NULL */
	guint64 bad_seq;	/* seq of the first bad record (or expected seq) */
	gchar *problem;		/* "edited", "missing", "reordered", "truncated",
				 * "bad-checkpoint", "malformed" */
	gchar *message;		/* one sentence */
} TgAuditVerifyResult;

TG_EXPORT void tg_audit_verify_result_clear(TgAuditVerifyResult *res);

/* Verifies the chain across @files (oldest first; NULL = every audit file in
 * @dir, oldest first). With @key (HMAC key file or Ed25519 public key PEM),
 * checkpoints are checked too; @alg ("hmac-sha256" | "ed25519") may be NULL:
 * a key file holding a PEM public key is Ed25519, anything else HMAC.
 * @res must be zero-initialised or cleared; it is reset first. Returns FALSE
 * only for errors that stop the check (unreadable file or key); a broken
 * chain is reported in @res with TRUE. The first problem stops the check.
 * Ordinary lines are not parsed as JSON (see docs/audit-log.md). */
TG_EXPORT gboolean tg_audit_verify(const char *dir, const char *const *files, const char *key,
				   const char *alg, TgAuditVerifyResult *res,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The latest log.checkpoint line of the log in @dir (no newline), to be
 * kept off the device as an anchor (`tollgate audit anchor`).
 * Returns: (transfer full): the line, or NULL with @error (also when the
 * log holds no checkpoint). */
TG_EXPORT gchar *tg_audit_last_checkpoint(const char *dir, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* tg_audit_verify() with @key (required) and @alg (NULL: the anchor's),
 * then the anchor:
 * the checkpoint line in the file @anchor must be signed by @key and must
 * stand in the log at its seq, byte for byte. Otherwise @res says "cut"
 * (the log ends before it), "replaced" (another record stands there),
 * "anchor-rotated" (it is older than the oldest file kept) or "bad-anchor"
 * (its signature does not verify). Errors as for tg_audit_verify(), and
 * TG_AUDIT_ERROR_PARSE for an anchor file that is not a checkpoint line. */
TG_EXPORT gboolean tg_audit_verify_anchor(const char *dir, const char *const *files,
					  const char *anchor, const char *key, const char *alg,
					  TgAuditVerifyResult *res,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Lists the audit files of @dir, oldest first.
 * Returns: (transfer full): NULL-terminated array of paths. */
TG_EXPORT gchar **tg_audit_list_files(const char *dir, GError **error);

/* Streaming reader over audit files (oldest first), one line at a time,
 * without parsing. Memory stays bounded whatever the size of the files. */
typedef struct _TgAuditReader TgAuditReader;

/* Returns: (transfer full): a reader over @files (NULL-terminated paths, as
 * from tg_audit_list_files()); files are opened as they are reached. */
TG_EXPORT TgAuditReader *tg_audit_reader_open(const char *const *files,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads the next line. On TRUE, @ret_line points to @ret_len bytes ending
 * with the line's '\n' (valid until the next call) and @ret_file (transfer
 * none; optional) names its file. Returns FALSE at the end (error unset) or
 * with @error: TG_AUDIT_ERROR_IO, or TG_AUDIT_ERROR_PARSE for a last line
 * without newline (torn) or a line over TG_AUDIT_READ_MAX_LINE bytes. */
TG_EXPORT gboolean tg_audit_reader_next(TgAuditReader *reader, const char **ret_line,
					gsize *ret_len, const char **ret_file,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* 1-based number, inside its file, of the line last returned. */
TG_EXPORT guint64 tg_audit_reader_line_number(TgAuditReader *reader);

TG_EXPORT void tg_audit_reader_free(TgAuditReader *reader);

/* Longest line the reader returns. */
#define TG_AUDIT_READ_MAX_LINE (1024 * 1024)

/* Parses one line (with or without its '\n') into the record object.
 * Returns: (transfer full): the object, or NULL with TG_AUDIT_ERROR_PARSE. */
TG_EXPORT JsonObject *tg_audit_parse_line(const char *line, gsize len,
					  GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgAuditLog, tg_audit_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgAuditReader, tg_audit_reader_free)

G_END_DECLS
