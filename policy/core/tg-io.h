/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file-I/O seam. Every durable write in tollgate (state, audit log,
 * notice spool, key files) goes through these wrappers, so tests can inject
 * failures (ENOSPC, EIO, ...) and crash points in one place.
 *
 * Fault injection is driven by the environment (read once):
 *   TOLLGATE_FAULT=<op>:<n>:<errno>   the n-th call (1-based) of <op> fails
 *                                     with <errno> (ENOSPC, EIO, EACCES, EROFS)
 *   TOLLGATE_FAULT=<op>:<n>:kill      the process SIGKILLs itself instead
 * <op> is one of open, write, fsync, rename. Several specs may be given,
 * separated by ','. Only honoured when the build has -Dfault_injection=true
 * (the default for test builds).
 *   TOLLGATE_FAULT_COUNT=<file>       at exit, the process appends one line
 *                                     "open=N write=N fsync=N rename=N" (its
 *                                     calls of each op) to <file>; tests use
 *                                     it to enumerate every failure point */
#pragma once

#include <glib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include "tollgate/types.h"

G_BEGIN_DECLS

/* The system clock, UTC. In a fault-injection build $TOLLGATE_CLOCK (ISO
 * 8601, e.g. 2026-06-01T10:00:00Z) stands in for it, so tests can move
 * the device's clock as a real clock would move (unlike --now, it is
 * trusted and persisted); other builds ignore the variable.
 * Returns: (transfer full). */
GDateTime *tg_io_clock_now(void);

typedef enum {
	TG_IO_OPEN = 0,
	TG_IO_WRITE,
	TG_IO_FSYNC,
	TG_IO_RENAME,
	TG_IO_N_OPS,
} TgIoOp;

int tg_io_open(const char *path, int flags, mode_t mode);
/* Writes all of @len bytes with one write(2) call when possible; a short
 * write is completed by further calls. Returns 0 or -1 with errno. */
int tg_io_write_all(int fd, const void *buf, size_t len);
int tg_io_fsync(int fd);
int tg_io_rename(const char *from, const char *to);

/* Writes @data to @path atomically: temp file in the same directory (mode
 * @mode), write, fsync, rename, fsync of the directory. Refuses to follow a
 * symlink at @path. */
gboolean tg_io_replace_file(const char *path, const void *data, gsize len,
				      mode_t mode, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The two halves of tg_io_replace_file(): the complete, synced temp file
 * "<path>.tmp.<pid>" (Returns: (transfer full): its path, or NULL with
 * @error), then its rename over @path and the directory sync. Between
 * them a caller can record what it is about to make true. */
gchar *tg_io_write_temp(const char *path, const void *data, gsize len, mode_t mode,
				  GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_io_commit_temp(const char *tmp, const char *path,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when @name is "<@base>.tmp.<pid>" (any base when @base is NULL) and
 * process <pid> is gone: a temp file that a killed writer left behind. */
gboolean tg_io_is_stale_temp(const char *name, const char *base);

/* Removes the stale temp files of @path ("<path>.tmp.<pid>") from its
 * directory. */
void tg_io_remove_stale_temps(const char *path);

/* Reads the regular file at @path (at most @max bytes) without following a
 * symlink and without blocking on a FIFO or device; @ret_st (optional)
 * receives its fstat. FALSE with a G_FILE_ERROR whose message names @path
 * and the problem: "is a symlink" (G_FILE_ERROR_LOOP), "is not a regular
 * file" (_INVAL), "is larger than N bytes" (_FAILED), or the system's
 * error. The data is NUL-terminated. */
gboolean tg_io_read_regular(const char *path, gsize max, gchar **ret_data,
				      gsize *ret_len, struct stat *ret_st,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* fsync of the directory holding @path. */
int tg_io_fsync_dir_of(const char *path);

/* Re-reads TOLLGATE_FAULT (tests that change it in-process). */
void tg_io_reset_faults(void);

/* Calls of @op since the last tg_io_reset_faults() (fault-injection builds;
 * always 0 otherwise): lets a test count, e.g., the state writes of a gate. */
guint tg_io_calls(TgIoOp op);

G_END_DECLS
