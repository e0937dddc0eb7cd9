/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log writer: lock, crash recovery, chain head, append, rotation
 * and checkpoints (see docs/audit-log.md).
 *
 * One append is one write(2) of every line it produces (the caller's record
 * plus any log.rotated / log.checkpoint records it triggers) followed by one
 * fsync. When either fails, the file is cut back to its size before the
 * write, so a failed append leaves no line behind; when even that fails, the
 * head is re-read from the file before the next append and whatever was left
 * is moved aside like a torn line after a crash. */
#include "audit-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "tg-io.h"
#include "tg-path.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define BOOT_ID_MAX 64
#define LOCK_POLL_US 5000
#define COPY_BLOCK (64 * 1024)

struct _TgAuditLog {
	gchar *dir;
	gchar *path;			/* <dir>/audit.log */
	int fd;				/* audit.log, -1 when it must be opened again */
	int lock_fd;
	guint64 size;			/* bytes in audit.log */
	gboolean head_valid;		/* head_* reflect the files */
	guint64 head_seq;		/* 0: empty log */
	char head_hash[TG_SHA256_HEX_LEN + 1];
	gboolean rotated_pending;	/* audit.log is new: log.rotated comes first */
	gchar *prev_file;		/* basename of the file holding the head */
	TgAuditBinding binding;		/* last state binding (audit-binding.c) */

	guint64 max_size;
	guint max_files;
	guint checkpoint_every;
	gchar *checkpoint_alg;
	gchar *checkpoint_key;
	GBytes *hmac_key;
	gboolean no_fsync;

	gchar *boot_id;
	gchar *model;
	gchar *device_id;
	gchar *hardware_revision;
	gchar *policy_hash;
	GPtrArray *policy_names;	/* gchar*, or NULL: no log.policy records */
	GPtrArray *policy_texts;	/* GBytes* */
	gchar *writer_version;
	gboolean policy_pending;	/* log.policy comes before the next record */
	GDateTime *now;			/* NULL: system clock */
	TgTimeTrust trust;
};

/* Where the chain stands while a batch of lines is being built. */
typedef struct {
	guint64 seq;
	char hash[TG_SHA256_HEX_LEN + 1];
} TgAuditCursor;

/* ---- errors ---- */

/* Returns: (transfer none): what to do about @err, for error messages. */
static const char *errno_hint(int err)
{
	switch (err) {
	case ENOSPC:
	case EDQUOT:
		return "free space on that file system";
	case EROFS:
		return "remount that file system read-write";
	case EACCES:
	case EPERM:
		return "give the tollgate user write access to it";
	case EIO:
		return "check the storage device";
	default:
		return "check the file system";
	}
}

static gboolean io_fail(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
		    "cannot %s %s: %s; %s -- tollgate refuses updates until the audit record "
		    "can be written", what, path, g_strerror(err), errno_hint(err));
	return FALSE;
}

/* ---- options, directory, lock ---- */

static gboolean check_options(const TgAuditOptions *opts, GError **error)
{
	const char *alg = opts->checkpoint_alg ? opts->checkpoint_alg : TG_AUDIT_ALG_HMAC;

	if (!opts->dir || !*opts->dir) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "no audit directory given; set the policy's audit directory");
		return FALSE;
	}
	if (opts->checkpoint_every == 0)
		return TRUE;
	if (!g_str_equal(alg, TG_AUDIT_ALG_HMAC) && !g_str_equal(alg, TG_AUDIT_ALG_ED25519)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "audit checkpoint algorithm '%s' is not supported; use '"
			    TG_AUDIT_ALG_HMAC "' or '" TG_AUDIT_ALG_ED25519 "'", alg);
		return FALSE;
	}
	if (!opts->checkpoint_key) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "audit checkpoints every %u records need a checkpoint key; "
			    "name the key file or set checkpoints to 0", opts->checkpoint_every);
		return FALSE;
	}
	return TRUE;
}

/* tollgate creates the log 0640 in a 0750 directory; a log that group or
 * others may write could be cut or rewritten by them, so it is refused. */
static gboolean check_not_writable_by_others(const char *path, const struct stat *st,
					     const char *fix, GError **error)
{
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return TRUE;
	g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
		    "%s has mode %04o, so group or others could change the audit log; find out "
		    "who changed it, then run %s %s", path, (unsigned)(st->st_mode & 07777), fix,
		    path);
	return FALSE;
}

/* Missing parents (usually the state directory) are created 0700, the log
 * directory itself 0750. */
static int make_dir(const char *dir)
{
	g_autofree gchar *parent = g_path_get_dirname(dir);

	if (g_mkdir_with_parents(parent, 0700) < 0)
		return -1;
	return mkdir(dir, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

static gboolean ensure_dir(const char *dir, GError **error)
{
	g_autoptr(GError) local = NULL;
	struct stat st;

	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		if (make_dir(dir) < 0)
			return io_fail(error, errno, "create the audit directory", dir);
		if (tg_io_fsync_dir_of(dir) < 0)
			return io_fail(error, errno, "sync the directory of", dir);
	}
	if (lstat(dir, &st) < 0)
		return io_fail(error, errno, "inspect the audit directory", dir);
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "the audit directory %s is a symlink or not a directory; tollgate "
			    "refuses to write the log through it: make it a real directory", dir);
		return FALSE;
	}
	if (!check_not_writable_by_others(dir, &st, "chmod 750", error))
		return FALSE;
	if (!tg_path_check_owner(dir, "the audit directory", &local)) {
		g_set_error_literal(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO, local->message);
		return FALSE;
	}
	return TRUE;
}

static gboolean take_lock(TgAuditLog *log, guint timeout_ms, GError **error)
{
	g_autofree gchar *path = g_build_filename(log->dir, TG_AUDIT_LOCK_FILE, NULL);
	gint64 deadline;

	log->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (log->lock_fd < 0)
		return io_fail(error, errno, "open the audit lock", path);
	deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (flock(log->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return io_fail(error, errno, "lock", path);
		if (g_get_monotonic_time() >= deadline) {
			g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_LOCKED,
				    "another process has held the audit lock %s for more than "
				    "%u ms; find it with 'fuser %s' and let it finish", path,
				    timeout_ms, path);
			return FALSE;
		}
		g_usleep(LOCK_POLL_US);
	}
	return TRUE;
}

/* Whoever can write the log must not find the key that signs it there. */
static gboolean checkpoint_key_outside(TgAuditLog *log, GError **error)
{
	g_autofree gchar *key_dir = g_path_get_dirname(log->checkpoint_key);
	g_autofree gchar *key_abs = g_canonicalize_filename(key_dir, NULL);
	g_autofree gchar *log_abs = g_canonicalize_filename(log->dir, NULL);
	g_autofree gchar *prefix = g_strconcat(log_abs, "/", NULL);

	if (!g_str_equal(key_abs, log_abs) && !g_str_has_prefix(key_abs, prefix))
		return TRUE;
	g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
		    "the checkpoint key %s lies inside the audit directory %s, where whoever can "
		    "change the log could also sign it; move it outside ([audit] checkpoint-key)",
		    log->checkpoint_key, log->dir);
	return FALSE;
}

/* The device's own Ed25519 key is made on first provisioning: when it is
 * missing and the log has no history yet. Missing later, it is an error:
 * a new key would sign over a log it never saw. */
static gboolean provision_device_key(TgAuditLog *log, GError **error)
{
	g_autofree gchar *pub = g_strconcat(log->checkpoint_key, ".pub", NULL);
	g_autofree gchar *dir = g_path_get_dirname(log->checkpoint_key);

	if (g_file_test(log->checkpoint_key, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
		return TRUE;
	if (tg_audit_has_history(log->dir)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_OPTIONS,
			    "the checkpoint key %s is missing although the audit log in %s has "
			    "history; restore the device's key (a new one would not match the "
			    "enrolled public key)", log->checkpoint_key, log->dir);
		return FALSE;
	}
	if (g_mkdir_with_parents(dir, 0700) < 0 && errno != EEXIST) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "cannot create the directory of the checkpoint key %s: %s",
			    log->checkpoint_key, g_strerror(errno));
		return FALSE;
	}
	(void)unlink(pub);	/* a public key without its private half is stale */
	return tg_ed25519_generate(log->checkpoint_key, pub, error);
}

static gboolean load_checkpoint_key(TgAuditLog *log, GError **error)
{
	static const char probe[] = "tollgate-checkpoint key check";
	g_autofree gchar *sig = NULL;

	if (log->checkpoint_every == 0)
		return TRUE;
	if (g_str_equal(log->checkpoint_alg, TG_AUDIT_ALG_HMAC)) {
		log->hmac_key = tg_read_key_file(log->checkpoint_key, error);
		return log->hmac_key != NULL;
	}
	if (!checkpoint_key_outside(log, error) || !provision_device_key(log, error))
		return FALSE;
	/* Sign once now so a bad key fails the open, not a later append. */
	sig = tg_ed25519_sign_hex(log->checkpoint_key, probe, strlen(probe), error);
	return sig != NULL;
}

/* Returns: (transfer full): the kernel's boot ID, or "unknown". */
static gchar *read_boot_id(void)
{
	g_autofree gchar *text = NULL;

	if (!g_file_get_contents(BOOT_ID_PATH, &text, NULL, NULL))
		return g_strdup("unknown");
	g_strstrip(text);
	if (!*text || strlen(text) > BOOT_ID_MAX || strspn(text, "0123456789abcdef-") != strlen(text))
		return g_strdup("unknown");
	return g_steal_pointer(&text);
}

/* Returns: (transfer full): a log with copies of @opts, nothing opened. */
static TgAuditLog *log_new(const TgAuditOptions *opts)
{
	TgAuditLog *log = g_new0(TgAuditLog, 1);

	log->dir = g_strdup(opts->dir);
	log->path = g_build_filename(opts->dir, TG_AUDIT_FILE, NULL);
	log->fd = -1;
	log->lock_fd = -1;
	log->max_size = opts->max_size;
	log->max_files = opts->max_files;
	log->checkpoint_every = opts->checkpoint_every;
	log->checkpoint_alg = g_strdup(opts->checkpoint_alg ? opts->checkpoint_alg :
							      TG_AUDIT_ALG_HMAC);
	log->checkpoint_key = g_strdup(opts->checkpoint_key);
	log->no_fsync = opts->no_fsync;
	log->boot_id = read_boot_id();
	log->model = g_strdup(opts->model);
	log->device_id = g_strdup(opts->device_id);
	log->hardware_revision = g_strdup(opts->hardware_revision);
	log->policy_hash = g_strdup(opts->policy_hash);
	log->writer_version = g_strdup(opts->writer_version);
	if (opts->n_policy_files > 0) {
		log->policy_names = g_ptr_array_new_with_free_func(g_free);
		log->policy_texts = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	}
	for (guint i = 0; i < opts->n_policy_files; i++) {
		const TgAuditPolicyFile *f = &opts->policy_files[i];

		g_ptr_array_add(log->policy_names, g_strdup(f->name));
		g_ptr_array_add(log->policy_texts, g_bytes_new(f->text, f->len));
	}
	log->trust = TG_TIME_SYSTEM;
	return log;
}

void tg_audit_close(TgAuditLog *log)
{
	if (!log)
		return;
	if (log->fd >= 0)
		close(log->fd);
	if (log->lock_fd >= 0)
		close(log->lock_fd);	/* releases the flock */
	g_free(log->dir);
	g_free(log->path);
	g_free(log->prev_file);
	g_free(log->checkpoint_alg);
	g_free(log->checkpoint_key);
	g_clear_pointer(&log->hmac_key, g_bytes_unref);
	g_free(log->boot_id);
	g_free(log->model);
	g_free(log->device_id);
	g_free(log->hardware_revision);
	g_free(log->policy_hash);
	g_clear_pointer(&log->policy_names, g_ptr_array_unref);
	g_clear_pointer(&log->policy_texts, g_ptr_array_unref);
	g_free(log->writer_version);
	g_clear_pointer(&log->now, g_date_time_unref);
	g_free(log);
}

void tg_audit_set_time(TgAuditLog *log, GDateTime *now, TgTimeTrust trust)
{
	g_return_if_fail(log != NULL);
	g_clear_pointer(&log->now, g_date_time_unref);
	if (now)
		log->now = g_date_time_ref(now);
	log->trust = trust;
}

guint64 tg_audit_last_seq(TgAuditLog *log)
{
	g_return_val_if_fail(log != NULL, 0);
	return log->head_seq;
}

/* ---- opening the current file ---- */

/* Opens audit.log for appending; a new file's directory entry is synced. */
static gboolean open_current(TgAuditLog *log, GError **error)
{
	struct stat st;

	if (lstat(log->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "%s is a symlink or not a regular file; tollgate refuses to write "
			    "the audit log through it: move it away", log->path);
		return FALSE;
	}
	log->fd = tg_io_open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     0640);
	if (log->fd < 0)
		return io_fail(error, errno, "open", log->path);
	if (fstat(log->fd, &st) < 0)
		return io_fail(error, errno, "inspect", log->path);
	if (!check_not_writable_by_others(log->path, &st, "chmod 640", error))
		return FALSE;
	log->size = (guint64)st.st_size;
	if (log->size == 0 && tg_io_fsync_dir_of(log->path) < 0)
		return io_fail(error, errno, "sync the directory of", log->path);
	return TRUE;
}

static void close_current(TgAuditLog *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

/* ---- torn-line recovery ---- */

/* Creates a new side file for torn bytes; @ret_name (transfer full) receives
 * its basename. Returns the descriptor, or -1 with errno. */
static int create_side_file(const char *dir, gchar **ret_name)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	for (guint n = 0; n < 100; n++) {
		g_autofree gchar *name = n == 0 ?
			g_strdup_printf(TG_AUDIT_TORN_PREFIX "%" G_GINT64_FORMAT "-%d", now,
					(int)getpid()) :
			g_strdup_printf(TG_AUDIT_TORN_PREFIX "%" G_GINT64_FORMAT "-%d-%u", now,
					(int)getpid(), n);
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		int fd = tg_io_open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				    0640);

		if (fd >= 0 || errno != EEXIST) {
			*ret_name = g_steal_pointer(&name);
			return fd;
		}
	}
	errno = EEXIST;
	*ret_name = g_strdup(TG_AUDIT_TORN_PREFIX "*");
	return -1;
}

static gboolean copy_range(int from, guint64 offset, guint64 end, int to)
{
	g_autofree gchar *buf = g_malloc(COPY_BLOCK);

	while (offset < end) {
		ssize_t n = pread(from, buf, (gsize)MIN((guint64)COPY_BLOCK, end - offset),
				  (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || tg_io_write_all(to, buf, (gsize)n) < 0) {
			if (n == 0)
				errno = EIO;
			return FALSE;
		}
		offset += (guint64)n;
	}
	return TRUE;
}

/* Copies bytes [@end, size) of audit.log into a side file, then cuts the log
 * back to @end. @ret_name receives the side file's basename. */
static gboolean move_torn(TgAuditLog *log, int rfd, guint64 end, gchar **ret_name,
			  GError **error)
{
	g_autofree gchar *name = NULL;
	g_autofree gchar *side = NULL;
	int fd = create_side_file(log->dir, &name);
	int err;

	side = g_build_filename(log->dir, name, NULL);
	if (fd < 0)
		return io_fail(error, errno, "create", side);
	if (!copy_range(rfd, end, log->size, fd) || tg_io_fsync(fd) < 0) {
		err = errno;
		close(fd);
		return io_fail(error, err, "save the torn end of the audit log to", side);
	}
	close(fd);
	if (tg_io_fsync_dir_of(side) < 0)
		return io_fail(error, errno, "sync the directory of", side);
	if (ftruncate(log->fd, (off_t)end) < 0 || tg_io_fsync(log->fd) < 0)
		return io_fail(error, errno, "cut the torn line from", log->path);
	log->size = end;
	*ret_name = g_steal_pointer(&name);
	return TRUE;
}

/* ---- chain head ---- */

static gboolean set_head(TgAuditLog *log, const char *path, const char *line, gsize len,
			 GError **error)
{
	TgAuditLineScan scan;

	if (tg_audit_scan_line(line, len - 1, &scan) != TG_AUDIT_LINE_RECORD) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "the last line of %s is not an audit record, so the chain cannot be "
			    "continued; run 'tollgate audit verify', keep a copy of the file, "
			    "then move it aside to start a new chain", path);
		return FALSE;
	}
	log->head_seq = scan.seq;
	tg_sha256_hex(line, len, log->head_hash);
	return TRUE;
}

/* Reads the last complete line of @path into the head. @ret_found: whether
 * the file held one. */
static gboolean head_from_file(TgAuditLog *log, const char *path, gboolean *ret_found,
			       GError **error)
{
	g_autofree gchar *line = NULL;
	struct stat st;
	guint64 end;
	gsize len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	gboolean ok;

	if (fd < 0)
		return io_fail(error, errno, "open", path);
	ok = fstat(fd, &st) == 0 &&
	     tg_audit_read_last_line(fd, path, (guint64)st.st_size, &line, &len, &end, error);
	close(fd);
	if (!ok)
		return FALSE;
	*ret_found = line != NULL;
	return !line || set_head(log, path, line, len, error);
}

/* The current file holds no record: the head is in the newest non-empty
 * rotated file, or the log is new. */
static gboolean head_from_rotated(TgAuditLog *log, GError **error)
{
	g_autoptr(GArray) numbers = tg_audit_rotated_numbers(log->dir, error);

	if (!numbers)
		return FALSE;
	log->head_seq = 0;
	g_strlcpy(log->head_hash, TG_AUDIT_GENESIS, sizeof(log->head_hash));
	log->rotated_pending = FALSE;
	for (guint i = numbers->len; i-- > 0;) {
		g_autofree gchar *name = g_strdup_printf(TG_AUDIT_FILE ".%u",
							 g_array_index(numbers, guint, i));
		g_autofree gchar *path = g_build_filename(log->dir, name, NULL);
		gboolean found = FALSE;

		if (!head_from_file(log, path, &found, error))
			return FALSE;
		if (found) {
			log->rotated_pending = TRUE;
			g_free(log->prev_file);
			log->prev_file = g_steal_pointer(&name);
			return TRUE;
		}
	}
	return TRUE;
}

static gboolean append_batch(TgAuditLog *log, const char *event, JsonObject *body,
			     guint64 *ret_seq, GError **error);

/* (Re)opens audit.log, moves a torn last line aside, finds the chain head and
 * records the recovery. */
static gboolean sync_head(TgAuditLog *log, GError **error)
{
	g_autofree gchar *line = NULL;
	g_autofree gchar *moved = NULL;
	guint64 end, torn;
	gsize len;
	int rfd;
	gboolean ok;

	log->head_valid = FALSE;
	close_current(log);
	if (!open_current(log, error))
		return FALSE;
	rfd = open(log->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd < 0)
		return io_fail(error, errno, "open", log->path);
	ok = tg_audit_read_last_line(rfd, log->path, log->size, &line, &len, &end, error);
	torn = ok ? log->size - end : 0;
	if (ok && torn > 0)
		ok = move_torn(log, rfd, end, &moved, error);
	close(rfd);
	if (!ok)
		return FALSE;
	log->rotated_pending = FALSE;
	if (line ? !set_head(log, log->path, line, len, error) : !head_from_rotated(log, error))
		return FALSE;
	log->head_valid = TRUE;
	log->policy_pending = log->policy_names &&
			      (!line || !tg_audit_line_has_policy(line, len, log->policy_hash));
	if (torn > 0) {
		g_autoptr(JsonObject) body = json_object_new();

		json_object_set_int_member(body, "torn_bytes", (gint64)torn);
		json_object_set_string_member(body, "moved_to", moved);
		return append_batch(log, "log.recovered", body, NULL, error);
	}
	return TRUE;
}

/* The last state binding: in audit.log, else (a log.rotated record not yet
 * written) in the rotated file holding the head. */
static gboolean load_binding(TgAuditLog *log, GError **error)
{
	g_autofree gchar *prev = NULL;

	if (!tg_audit_find_binding(log->path, &log->binding, error))
		return FALSE;
	if (log->binding.known || !log->prev_file)
		return TRUE;
	prev = g_build_filename(log->dir, log->prev_file, NULL);
	return tg_audit_find_binding(prev, &log->binding, error);
}

/* Remembers the binding @body announces, if any. */
static void note_binding(TgAuditLog *log, JsonObject *body)
{
	const char *digest = body ? json_object_get_string_member_with_default(body, "state_digest",
										  NULL)
				  : NULL;

	if (!digest || !json_object_has_member(body, "state_generation") ||
	    strlen(digest) != TG_SHA256_HEX_LEN)
		return;
	log->binding.known = TRUE;
	log->binding.generation = (guint64)json_object_get_int_member(body, "state_generation");
	g_strlcpy(log->binding.digest, digest, sizeof(log->binding.digest));
}

TgAuditLog *tg_audit_open(const TgAuditOptions *opts, GError **error)
{
	g_autoptr(TgAuditLog) log = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_return_val_if_fail(opts != NULL, NULL);
	if (!check_options(opts, error))
		return NULL;
	log = log_new(opts);
	if (!ensure_dir(log->dir, error) ||
	    !take_lock(log, opts->lock_timeout_ms ? opts->lock_timeout_ms :
						     TG_AUDIT_LOCK_TIMEOUT_MS, error) ||
	    !load_checkpoint_key(log, error) || !sync_head(log, error) ||
	    !load_binding(log, error))
		return NULL;
	return g_steal_pointer(&log);
}

const TgAuditBinding *tg_audit_binding(TgAuditLog *log)
{
	return &log->binding;
}

/* ---- building a batch ---- */

static gboolean add_line(TgAuditLog *log, GString *batch, TgAuditCursor *cur,
			 const char *event, JsonObject *body, GError **error)
{
	TgAuditHeader hdr = {
		.prev = cur->hash, .seq = cur->seq + 1, .time = log->now, .trust = log->trust,
		.boot_id = log->boot_id, .model = log->model, .device_id = log->device_id,
		.hardware_revision = log->hardware_revision, .policy_hash = log->policy_hash,
	};
	g_autofree gchar *line = NULL;
	gsize len = 0;

	if (cur->seq >= (guint64)G_MAXINT64) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_CHAIN,
			    "the audit log in %s has used up every sequence number; move its "
			    "files aside to start a new chain", log->dir);
		return FALSE;
	}
	line = tg_audit_build_line(&hdr, event, body, &len, error);
	if (!line)
		return FALSE;
	g_string_append_len(batch, line, (gssize)len);
	cur->seq++;
	tg_sha256_hex(line, len, cur->hash);
	return TRUE;
}

static gboolean add_checkpoint(TgAuditLog *log, GString *batch, TgAuditCursor *cur,
			       GError **error)
{
	g_autofree gchar *msg = tg_audit_checkpoint_message(cur->seq, cur->hash);
	g_autoptr(JsonObject) body = json_object_new();
	g_autofree gchar *sig = NULL;

	if (log->hmac_key) {
		gsize key_len;
		const guint8 *key = g_bytes_get_data(log->hmac_key, &key_len);
		char mac[TG_SHA256_HEX_LEN + 1];

		if (!tg_hmac_sha256_hex(key, key_len, msg, strlen(msg), mac, error))
			return FALSE;
		sig = g_strdup(mac);
	} else {
		sig = tg_ed25519_sign_hex(log->checkpoint_key, msg, strlen(msg), error);
		if (!sig)
			return FALSE;
	}
	json_object_set_int_member(body, "head_seq", (gint64)cur->seq);
	json_object_set_string_member(body, "head_hash", cur->hash);
	json_object_set_string_member(body, "alg", log->checkpoint_alg);
	json_object_set_string_member(body, "sig", sig);
	return add_line(log, batch, cur, "log.checkpoint", body, error);
}

/* Adds a record and, when due, the checkpoint after it. @ret_seq (optional)
 * receives the record's seq. */
static gboolean add_record(TgAuditLog *log, GString *batch, TgAuditCursor *cur,
			   const char *event, JsonObject *body, gboolean after_rotation,
			   guint64 *ret_seq, GError **error)
{
	if (!add_line(log, batch, cur, event, body, error))
		return FALSE;
	if (ret_seq)
		*ret_seq = cur->seq;
	if (log->checkpoint_every == 0)
		return TRUE;
	if (after_rotation || cur->seq % log->checkpoint_every == 0)
		return add_checkpoint(log, batch, cur, error);
	return TRUE;
}

/* The log.policy record: the policy's files as text chunks, or only their
 * names and sizes when the text would not fit one record. */
static gboolean add_policy(TgAuditLog *log, GString *batch, TgAuditCursor *cur, GError **error)
{
	g_autoptr(JsonObject) body = tg_audit_policy_body(log->policy_names, log->policy_texts,
							  log->writer_version, TRUE);
	g_autoptr(GError) local = NULL;
	TgAuditCursor saved = *cur;
	gsize len = batch->len;

	if (add_record(log, batch, cur, "log.policy", body, FALSE, NULL, &local))
		return TRUE;
	if (!g_error_matches(local, TG_AUDIT_ERROR, TG_AUDIT_ERROR_TOO_LARGE)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_string_truncate(batch, len);
	*cur = saved;
	g_clear_pointer(&body, json_object_unref);
	body = tg_audit_policy_body(log->policy_names, log->policy_texts, log->writer_version,
				    FALSE);
	return add_record(log, batch, cur, "log.policy", body, FALSE, NULL, error);
}

/* Builds every line one append writes. @ret_seq: the caller's record's seq.
 * Returns: (transfer full): the lines, or NULL with @error. */
static GString *build_batch(TgAuditLog *log, const char *event, JsonObject *body,
			    TgAuditCursor *cur, guint64 *ret_seq, GError **error)
{
	g_autoptr(GString) batch = g_string_sized_new(2048);

	cur->seq = log->head_seq;
	g_strlcpy(cur->hash, log->head_hash, sizeof(cur->hash));
	if (log->rotated_pending) {
		g_autoptr(JsonObject) rot = json_object_new();

		json_object_set_string_member(rot, "previous_file", log->prev_file);
		json_object_set_int_member(rot, "previous_last_seq", (gint64)log->head_seq);
		if (log->binding.known) {	/* every file names the state it ends with */
			json_object_set_int_member(rot, "state_generation",
						   (gint64)log->binding.generation);
			json_object_set_string_member(rot, "state_digest", log->binding.digest);
		}
		if (!add_record(log, batch, cur, "log.rotated", rot, TRUE, NULL, error))
			return NULL;
	}
	if (log->policy_pending && !add_policy(log, batch, cur, error))
		return NULL;
	if (!add_record(log, batch, cur, event, body, FALSE, ret_seq, error))
		return NULL;
	return g_steal_pointer(&batch);
}

/* ---- rotation ---- */

static gboolean shift_rotated(TgAuditLog *log, GError **error)
{
	g_autoptr(GArray) numbers = tg_audit_rotated_numbers(log->dir, error);

	if (!numbers)
		return FALSE;
	/* Highest first, so no rename lands on a file still to be moved. */
	for (guint i = 0; i < numbers->len; i++) {
		guint n = g_array_index(numbers, guint, i);
		g_autofree gchar *name = g_strdup_printf(TG_AUDIT_FILE ".%u", n);
		g_autofree gchar *next = g_strdup_printf(TG_AUDIT_FILE ".%u", n + 1);
		g_autofree gchar *from = g_build_filename(log->dir, name, NULL);
		g_autofree gchar *to = g_build_filename(log->dir, next, NULL);

		if (log->max_files > 0 && n >= log->max_files) {
			if (unlink(from) < 0 && errno != ENOENT)
				return io_fail(error, errno, "remove the oldest audit file", from);
		} else if (tg_io_rename(from, to) < 0) {
			return io_fail(error, errno, "rotate the audit file", from);
		}
	}
	return TRUE;
}

/* audit.log -> audit.log.1 (older files shifted up), then a new audit.log.
 * The head stays where it is: in audit.log.1. */
static gboolean rotate(TgAuditLog *log, GError **error)
{
	g_autofree gchar *first = g_build_filename(log->dir, TG_AUDIT_FILE ".1", NULL);

	if (!shift_rotated(log, error))
		return FALSE;
	close_current(log);
	if (tg_io_rename(log->path, first) < 0)
		return io_fail(error, errno, "rotate the audit file", log->path);
	if (tg_io_fsync_dir_of(log->path) < 0)
		return io_fail(error, errno, "sync the directory of", log->path);
	log->rotated_pending = TRUE;
	log->policy_pending = log->policy_names != NULL;
	g_free(log->prev_file);
	log->prev_file = g_strdup(TG_AUDIT_FILE ".1");
	return open_current(log, error);
}

/* ---- writing ---- */

/* Cuts audit.log back to @size after a failed write; when that fails too,
 * the next append re-reads the head (and moves any leftover aside). */
static void undo_write(TgAuditLog *log, guint64 size)
{
	if (ftruncate(log->fd, (off_t)size) < 0 || tg_io_fsync(log->fd) < 0)
		log->head_valid = FALSE;
}

static gboolean write_batch(TgAuditLog *log, const GString *batch, GError **error)
{
	struct stat st;
	int err;

	if (fstat(log->fd, &st) < 0) {
		log->head_valid = FALSE;
		return io_fail(error, errno, "inspect", log->path);
	}
	if (tg_io_write_all(log->fd, batch->str, batch->len) < 0 ||
	    (!log->no_fsync && tg_io_fsync(log->fd) < 0)) {
		err = errno;
		undo_write(log, (guint64)st.st_size);
		return io_fail(error, err, "write the audit record to", log->path);
	}
	log->size = (guint64)st.st_size + batch->len;
	return TRUE;
}

static gboolean needs_rotation(const TgAuditLog *log, gsize len)
{
	return log->max_size > 0 && !log->rotated_pending && log->size > 0 &&
	       log->size + len > log->max_size;
}

/* Builds, rotates when needed, writes, and moves the head. */
static gboolean append_batch(TgAuditLog *log, const char *event, JsonObject *body,
			     guint64 *ret_seq, GError **error)
{
	g_autoptr(GString) batch = NULL;
	TgAuditCursor cur;
	guint64 seq = 0;

	batch = build_batch(log, event, body, &cur, &seq, error);
	if (!batch)
		return FALSE;
	if (needs_rotation(log, batch->len)) {
		if (!rotate(log, error)) {
			log->head_valid = FALSE;
			return FALSE;
		}
		g_string_free(g_steal_pointer(&batch), TRUE);
		batch = build_batch(log, event, body, &cur, &seq, error);
		if (!batch)
			return FALSE;
	}
	if (!write_batch(log, batch, error))
		return FALSE;
	note_binding(log, body);
	log->policy_pending = FALSE;
	log->head_seq = cur.seq;
	g_strlcpy(log->head_hash, cur.hash, sizeof(log->head_hash));
	log->rotated_pending = FALSE;
	if (ret_seq)
		*ret_seq = seq;
	return TRUE;
}

gboolean tg_audit_append(TgAuditLog *log, const char *event, JsonObject *body,
			 guint64 *ret_seq, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(log != NULL, FALSE);
	if (!tg_audit_message_id(event) || g_str_has_prefix(event, "log.")) {
		g_autofree gchar *clean = tg_audit_sanitize_string(event);

		if (tg_audit_message_id(event))
			g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_EVENT,
				    "audit event '%s' is written by the audit log itself, not by "
				    "callers", clean);
		else
			g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_EVENT,
				    "'%s' is not an audit event of the catalogue "
				    "(docs/audit-events.md); add it there before writing it", clean);
		return FALSE;
	}
	if ((log->fd < 0 || !log->head_valid) && !sync_head(log, error))
		return FALSE;
	return append_batch(log, event, body, ret_seq, error);
}
