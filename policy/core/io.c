/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file-I/O seam: every durable write goes through here, so failures and
 * crash points can be injected in one place (see io.h). */
#include "tg-io.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <gio/gio.h>

#include "tg-config.h"

#define TG_MAX_FAULTS 8

typedef struct {
	TgIoOp op;
	guint nth;
	int err;	/* 0 = SIGKILL */
} TgFault;

static struct {
	gboolean loaded;
	guint n_faults;
	TgFault faults[TG_MAX_FAULTS];
	guint calls[TG_IO_N_OPS];
} fault_state;

static const char *const op_names[TG_IO_N_OPS] = { "open", "write", "fsync", "rename" };

static int errno_from_name(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {
		{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EACCES", EACCES },
		{ "EROFS", EROFS }, { "EDQUOT", EDQUOT }, { "kill", 0 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_str_equal(name, names[i].name))
			return names[i].err;
	return -1;
}

static void parse_fault(const char *spec)
{
	g_auto(GStrv) parts = g_strsplit(spec, ":", 3);
	guint64 nth;
	int err;

	if (g_strv_length(parts) != 3 || fault_state.n_faults >= TG_MAX_FAULTS)
		return;
	if (!g_ascii_string_to_unsigned(parts[1], 10, 1, G_MAXUINT, &nth, NULL))
		return;
	err = errno_from_name(parts[2]);
	if (err < 0)
		return;
	for (guint op = 0; op < TG_IO_N_OPS; op++) {
		if (g_str_equal(parts[0], op_names[op])) {
			fault_state.faults[fault_state.n_faults++] =
				(TgFault){ .op = op, .nth = (guint)nth, .err = err };
			return;
		}
	}
}

/* TOLLGATE_FAULT_COUNT=FILE: at exit, one line "open=N write=N fsync=N
 * rename=N" with the calls this process made is appended to FILE, so a test
 * knows how many failure points a command has. */
static gchar *count_path;

static void write_counts(void)
{
	g_autofree gchar *line = NULL;
	int fd;

	if (!count_path)
		return;
	line = g_strdup_printf("open=%u write=%u fsync=%u rename=%u\n",
			       fault_state.calls[TG_IO_OPEN], fault_state.calls[TG_IO_WRITE],
			       fault_state.calls[TG_IO_FSYNC], fault_state.calls[TG_IO_RENAME]);
	fd = open(count_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0)
		g_debug("cannot append the I/O call counts to %s", count_path);
	close(fd);
}

static void setup_counts(void)
{
	const char *env = g_getenv("TOLLGATE_FAULT_COUNT");

	if (count_path || !env || !*env)
		return;
	count_path = g_strdup(env);
	atexit(write_counts);
}

void tg_io_reset_faults(void)
{
	const char *env = g_getenv("TOLLGATE_FAULT");

	memset(&fault_state, 0, sizeof(fault_state));
	fault_state.loaded = TRUE;
	if (TG_FAULT_INJECTION)
		setup_counts();
	if (!TG_FAULT_INJECTION || !env)
		return;
	g_auto(GStrv) specs = g_strsplit(env, ",", -1);
	for (gchar **s = specs; *s; s++)
		parse_fault(*s);
}

guint tg_io_calls(TgIoOp op)
{
	g_return_val_if_fail(op < TG_IO_N_OPS, 0);
	return TG_FAULT_INJECTION ? fault_state.calls[op] : 0;
}

GDateTime *tg_io_clock_now(void)
{
	const char *env = TG_FAULT_INJECTION ? g_getenv("TOLLGATE_CLOCK") : NULL;
	g_autoptr(GTimeZone) utc = NULL;
	GDateTime *t;

	if (!env || !*env)
		return g_date_time_new_now_utc();
	utc = g_time_zone_new_utc();
	t = g_date_time_new_from_iso8601(env, utc);
	if (!t)
		g_error("TOLLGATE_CLOCK='%s' is not an ISO 8601 time; use e.g. "
			"2026-06-01T10:00:00Z", env);
	return t;
}

/* Counts a call of @op; returns TRUE (errno set) when it must fail. */
static gboolean fault_hit(TgIoOp op)
{
	if (!TG_FAULT_INJECTION)
		return FALSE;
	if (!fault_state.loaded)
		tg_io_reset_faults();
	fault_state.calls[op]++;
	for (guint i = 0; i < fault_state.n_faults; i++) {
		const TgFault *f = &fault_state.faults[i];

		if (f->op != op || f->nth != fault_state.calls[op])
			continue;
		if (f->err == 0)
			kill(getpid(), SIGKILL);
		errno = f->err;
		return TRUE;
	}
	return FALSE;
}

int tg_io_open(const char *path, int flags, mode_t mode)
{
	if (fault_hit(TG_IO_OPEN))
		return -1;
	return open(path, flags | O_CLOEXEC, mode);
}

int tg_io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;

		if (fault_hit(TG_IO_WRITE))
			return -1;
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int tg_io_fsync(int fd)
{
	if (fault_hit(TG_IO_FSYNC))
		return -1;
	return fsync(fd);
}

int tg_io_rename(const char *from, const char *to)
{
	if (fault_hit(TG_IO_RENAME))
		return -1;
	return rename(from, to);
}

int tg_io_fsync_dir_of(const char *path)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = tg_io_fsync(fd);
	close(fd);
	return ret;
}

static gboolean io_error(GError **error, const char *what, const char *path)
{
	int saved = errno;

	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot %s %s: %s", what,
		    path, g_strerror(saved));
	return FALSE;
}

/* Refuses when @path exists and is a symlink or not a regular file. */
static gboolean check_target(const char *path, GError **error)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? TRUE : io_error(error, "inspect", path);
	if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
			    "%s is a symlink or not a regular file; tollgate refuses to write "
			    "through it: remove it and let tollgate recreate the file", path);
		return FALSE;
	}
	return TRUE;
}

gboolean tg_io_is_stale_temp(const char *name, const char *base)
{
	const char *tmp = base ? (g_str_has_prefix(name, base) ? name + strlen(base) : NULL)
			       : strstr(name, ".tmp.");
	guint64 pid;

	if (!tmp || !g_str_has_prefix(tmp, ".tmp.") ||
	    !g_ascii_string_to_unsigned(tmp + 5, 10, 1, G_MAXINT, &pid, NULL))
		return FALSE;
	if ((pid_t)pid == getpid())
		return FALSE;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

void tg_io_remove_stale_temps(const char *path)
{
	g_autofree gchar *dir = g_path_get_dirname(path);
	g_autofree gchar *base = g_path_get_basename(path);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *stale = NULL;

		if (!tg_io_is_stale_temp(name, base))
			continue;
		stale = g_build_filename(dir, name, NULL);
		if (unlink(stale) < 0)
			g_debug("cannot remove %s: %s", stale, g_strerror(errno));
	}
}

gchar *tg_io_write_temp(const char *path, const void *data, gsize len, mode_t mode,
			GError **error)
{
	g_autofree gchar *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
	int fd;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!check_target(path, error))
		return NULL;
	(void)unlink(tmp);
	fd = tg_io_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
	if (fd < 0) {
		io_error(error, "create", tmp);
		return NULL;
	}
	if (fchmod(fd, mode) < 0 || tg_io_write_all(fd, data, len) < 0 || tg_io_fsync(fd) < 0) {
		io_error(error, "write and sync", tmp);
		close(fd);
		(void)unlink(tmp);
		return NULL;
	}
	if (close(fd) < 0) {
		io_error(error, "close", tmp);
		(void)unlink(tmp);
		return NULL;
	}
	return g_steal_pointer(&tmp);
}

gboolean tg_io_commit_temp(const char *tmp, const char *path, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (tg_io_rename(tmp, path) < 0) {
		io_error(error, "rename into place", path);
		return FALSE;
	}
	if (tg_io_fsync_dir_of(path) < 0)
		return io_error(error, "sync the directory of", path);
	return TRUE;
}

gboolean tg_io_replace_file(const char *path, const void *data, gsize len, mode_t mode,
			    GError **error)
{
	g_autofree gchar *tmp = tg_io_write_temp(path, data, len, mode, error);

	if (!tmp)
		return FALSE;
	if (tg_io_commit_temp(tmp, path, error))
		return TRUE;
	(void)unlink(tmp);
	return FALSE;
}

static gboolean read_error(GError **error, int err, const char *path, const char *what)
{
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s %s", path, what);
	return FALSE;
}

/* Reads up to @max + 1 bytes of @fd. Returns: (transfer full) or NULL (errno). */
static GString *read_bounded(int fd, gsize max)
{
	GString *buf = g_string_new(NULL);
	char chunk[65536];
	gssize n;

	while (buf->len <= max && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_string_free(buf, TRUE);
			return NULL;
		}
		g_string_append_len(buf, chunk, n);
	}
	return buf;
}

gboolean tg_io_read_regular(const char *path, gsize max, gchar **ret_data, gsize *ret_len,
			    struct stat *ret_st, GError **error)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	g_autofree gchar *what = NULL;
	struct stat st;
	GString *buf;

	if (fd < 0)
		return read_error(error, errno, path,
				  errno == ELOOP ? "is a symlink, which tollgate does not follow"
						 : g_strerror(errno));
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return read_error(error, err, path, g_strerror(err));
	}
	if (!S_ISREG(st.st_mode) || (guint64)st.st_size > max) {
		close(fd);
		if (!S_ISREG(st.st_mode))
			return read_error(error, EINVAL, path, "is not a regular file");
		what = g_strdup_printf("is larger than %" G_GSIZE_FORMAT " bytes", max);
		return read_error(error, EFBIG, path, what);
	}
	buf = read_bounded(fd, max);
	close(fd);
	if (!buf || buf->len > max) {
		what = g_strdup_printf(buf ? "grew past %" G_GSIZE_FORMAT " bytes while read"
					   : "cannot be read", max);
		if (buf)
			g_string_free(buf, TRUE);
		return read_error(error, buf ? EFBIG : EIO, path, what);
	}
	if (ret_st)
		*ret_st = st;
	*ret_len = buf->len;
	*ret_data = g_string_free(buf, FALSE);
	return TRUE;
}
