/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The persistent state store: one small file on a partition that survives
 * slot switches.
 *
 * File format: a first line "tollgate-state 1 <hmac-sha256 hex>\n" followed by
 * a JSON object (the body); the HMAC (key from the policy's key-file, which
 * lives outside the state directory) covers exactly the body bytes.
 * Writes are atomic: temp file in the same directory, write, fsync, rename,
 * fsync directory. A lock file (flock, exclusive) serializes tollgate runs:
 * tg_state_store_open() takes it and holds it until tg_state_store_close().
 * docs/state.md describes the format, every member and recovery. */
#pragma once

#include <glib.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

#define TG_STATE_ERROR (tg_state_error_quark())
TG_EXPORT GQuark tg_state_error_quark(void);

typedef enum {
	TG_STATE_ERROR_IO,		/* cannot read / write / lock */
	TG_STATE_ERROR_MISSING,		/* no state file */
	TG_STATE_ERROR_TAMPERED,	/* bad HMAC, bad header */
	TG_STATE_ERROR_CORRUPT,		/* HMAC fine but body unusable */
	TG_STATE_ERROR_KEY,		/* key file missing or unusable */
	TG_STATE_ERROR_ANCHOR,		/* the hardware anchor cannot be used */
} TgStateError;

#define TG_STATE_FILE "state"
#define TG_STATE_LOCK "state.lock"
#define TG_STATE_LOCK_TIMEOUT_MS 30000	/* longest wait for the state lock */

/* Limits enforced by tg_state_from_json() and therefore by
 * tg_state_store_write(), which refuses to write what it could not read. */
#define TG_STATE_MAX_COMPONENTS 64
#define TG_STATE_MAX_APPROVALS 64
#define TG_STATE_MAX_NOTICES 64
#define TG_STATE_MAX_VERSION_LEN 256	/* bytes, also for names and digests */
#define TG_STATE_MAX_SIZE (1024 * 1024)	/* bytes of a whole state file */

typedef struct _TgState TgState;

typedef struct _TgStateStore TgStateStore;

/* Opens the store in @dir (created 0700 if missing) with HMAC key @key_file
 * and takes the lock. Does not read the state.
 * Returns: (transfer full): the store or NULL with @error. */
TG_EXPORT TgStateStore *tg_state_store_open(const char *dir, const char *key_file,
					    GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Reads and verifies the state.
 * Returns: (transfer full): the state, or NULL with TG_STATE_ERROR_MISSING,
 * _TAMPERED, _CORRUPT, _KEY or _IO. */
TG_EXPORT TgState *tg_state_store_read(TgStateStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Writes @state atomically (old or new, never a mix), file mode 0600. */
TG_EXPORT gboolean tg_state_store_write(TgStateStore *store, const TgState *state,
					GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* A write in two steps around the audit record that makes it known:
 * prepare writes the complete, synced temp file and gives its SHA-256
 * (@ret_digest, hex), commit renames it into place; discard drops a
 * prepared write. A crash between record and rename leaves a temp file
 * that tg_state_store_finish_open() completes. */
TG_EXPORT gboolean tg_state_store_prepare(TgStateStore *store, const TgState *state,
					  char ret_digest[65], GError **error) G_GNUC_WARN_UNUSED_RESULT;
TG_EXPORT gboolean tg_state_store_commit(TgStateStore *store, GError **error) G_GNUC_WARN_UNUSED_RESULT;
TG_EXPORT void tg_state_store_discard(TgStateStore *store);

/* SHA-256 (hex) of the state file as tg_state_store_read() last read it
 * ("" before). (transfer none) */
TG_EXPORT const char *tg_state_store_read_digest(const TgStateStore *store);

/* After the state was read and compared with the audit log: when @digest
 * is the one the log's last state record names and a dead writer's temp
 * file holds exactly it, renames that file into place (*@ret_rolled =
 * TRUE: read the state again); then removes stale temp files. */
TG_EXPORT gboolean tg_state_store_finish_open(TgStateStore *store, const char *digest,
					      gboolean *ret_rolled, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Creates the key file (0600, 32 random bytes) if it does not exist. */
TG_EXPORT gboolean tg_state_ensure_key(const char *key_file, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Releases the lock and frees the store. */
TG_EXPORT void tg_state_store_close(TgStateStore *store);

/* Returns: (transfer full): an empty state. */
TG_EXPORT TgState *tg_state_new(void);
TG_EXPORT void tg_state_free(TgState *state);

/* Serializes / parses the body (no header, no HMAC). Exposed for tests and
 * fuzzing. Parsing is strict: unknown members, wrong types, bad dates and
 * values over the limits fail with TG_STATE_ERROR_CORRUPT.
 * tg_state_to_json() returns: (transfer full): the JSON text ending in a
 * newline, or NULL when @state->last_decision is not a JSON object. */
TG_EXPORT gchar *tg_state_to_json(const TgState *state);
/* Returns: (transfer full): the parsed state, or NULL with @error. */
TG_EXPORT TgState *tg_state_from_json(const char *data, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgState, tg_state_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgStateStore, tg_state_store_close)

G_END_DECLS
