/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by the audit writer (audit.c, audit-record.c), the reader
 * (audit-read.c) and the verifier (audit-verify.c). Not installed. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tollgate/audit.h"
#include "tg-crypto.h"

#define TG_AUDIT_LOCK_FILE "audit.lock"
#define TG_AUDIT_TORN_PREFIX "audit.log.torn-"
#define TG_AUDIT_ALG_HMAC "hmac-sha256"
#define TG_AUDIT_ALG_ED25519 "ed25519"

/* The members every record starts with, before the caller's body. */
typedef struct {
	const char *prev;		/* 64 hex */
	guint64 seq;
	GDateTime *time;		/* NULL: now */
	TgTimeTrust trust;
	const char *boot_id;
	const char *model;
	const char *device_id;
	const char *hardware_revision;
	const char *policy_hash;
} TgAuditHeader;

/* Builds one record line (ending with '\n') for @event with the members of
 * @body after the common ones; strings are made valid UTF-8 and truncated.
 * Returns: (transfer full): the line, or NULL with TG_AUDIT_ERROR_EVENT,
 * _BODY or _TOO_LARGE. */
G_GNUC_INTERNAL gchar *tg_audit_build_line(const TgAuditHeader *hdr, const char *event,
					   JsonObject *body, gsize *ret_len,
					   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Valid UTF-8 (U+FFFD for bad bytes), at most TG_AUDIT_MAX_FIELD bytes
 * (cut at a character boundary, TG_AUDIT_TRUNCATED_MARK appended).
 * Returns: (transfer full). */
G_GNUC_INTERNAL gchar *tg_audit_sanitize_string(const char *text);

/* Does @sig sign @msg? Ed25519 with the public key PEM at @key_path, or
 * HMAC-SHA256 with @hmac_key. FALSE with TG_CRYPTO_ERROR. */
G_GNUC_INTERNAL gboolean tg_audit_signature_ok(const char *alg, const char *key_path,
					       GBytes *hmac_key, const char *msg, const char *sig,
					       GError **error);

/* Parses an anchor file's content (audit-anchor.c); for the fuzz target. */
G_GNUC_INTERNAL gboolean tg_audit_anchor_parse_data(const char *data, gsize len, GError **error);

/* The text a checkpoint signs. Returns: (transfer full). */
G_GNUC_INTERNAL gchar *tg_audit_checkpoint_message(guint64 head_seq, const char *head_hash);

/* audit-policy.c: the body of a log.policy record for the files @names
 * (gchar*) with contents @texts (GBytes*); @with_text FALSE: names and sizes
 * only. Returns: (transfer full). */
G_GNUC_INTERNAL JsonObject *tg_audit_policy_body(GPtrArray *names, GPtrArray *texts,
						 const char *writer, gboolean with_text);
/* Was the record @line (@len bytes) made under the policy @hash? Read by
 * hand: the first ',"policy_hash":"' is the record's own member. */
G_GNUC_INTERNAL gboolean tg_audit_line_has_policy(const char *line, gsize len, const char *hash);

/* How a line looks to the fast scanner. */
typedef enum {
	TG_AUDIT_LINE_RECORD = 0,	/* {"prev":"<64>",..."seq":N...} */
	TG_AUDIT_LINE_INCOMPLETE,	/* starts with '{' but does not end with '}' */
	TG_AUDIT_LINE_NOT_RECORD,	/* anything else */
} TgAuditLineKind;

typedef struct {
	guint8 prev[TG_SHA256_LEN];
	gboolean prev_ok;	/* "prev" held 64 lower-case hex digits */
	guint64 seq;
	gboolean checkpoint;	/* the record's event is log.checkpoint */
} TgAuditLineScan;

/* Scans @line (@len bytes, without the '\n') by hand: no JSON parser. */
G_GNUC_INTERNAL TgAuditLineKind tg_audit_scan_line(const char *line, gsize len,
						   TgAuditLineScan *ret_scan);

/* Finds the last complete line of the file open at @fd (@size bytes) by
 * reading backwards from the end. @ret_end receives the offset just after
 * that line's '\n' (0 when the file holds no complete line; bytes after it
 * are torn); @ret_line (transfer full) the line with its '\n', or NULL. */
G_GNUC_INTERNAL gboolean tg_audit_read_last_line(int fd, const char *path, guint64 size,
						 gchar **ret_line, gsize *ret_len,
						 guint64 *ret_end, GError **error);

/* Finds in the log file @path the last record that carries a state binding
 * (audit-binding.c); @ret->known is FALSE when there is none (or no file). */
G_GNUC_INTERNAL gboolean tg_audit_find_binding(const char *path, TgAuditBinding *ret,
					       GError **error);

/* Rotated file numbers present in @dir ("audit.log.N"), highest first.
 * Returns: (transfer full): GArray of guint, or NULL with @error. */
G_GNUC_INTERNAL GArray *tg_audit_rotated_numbers(const char *dir, GError **error);

/* Like tg_audit_reader_next(), but returns a torn last line of a file too
 * (@ret_complete FALSE) instead of failing. */
G_GNUC_INTERNAL gboolean tg_audit_reader_next_raw(TgAuditReader *reader, const char **ret_line,
						  gsize *ret_len, gboolean *ret_complete,
						  const char **ret_file, GError **error);

/* Returns: (transfer none): the file being read, or NULL past the end. */
G_GNUC_INTERNAL const char *tg_audit_reader_file(TgAuditReader *reader);
