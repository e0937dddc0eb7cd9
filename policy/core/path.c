/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ownership checks along a path (tg-path.h). */
#include "tg-path.h"

#include <errno.h>
#include <stdlib.h>
#include <gio/gio.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean owner_ok(const char *dir, const struct stat *st, const char *what,
			 const char *path, GError **error)
{
	uid_t euid = geteuid();

	if (st->st_uid == 0 || st->st_uid == euid)
		return TRUE;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
		    "%s %s is refused: %s is owned by uid %u, neither root nor uid %u running "
		    "tollgate, so that user could replace it; run chown root %s", what, path, dir,
		    (guint)st->st_uid, (guint)euid, dir);
	return FALSE;
}

static gboolean mode_ok(const char *dir, const struct stat *st, const char *what,
			const char *path, GError **error)
{
	if (!(st->st_mode & (S_IWGRP | S_IWOTH)))
		return TRUE;
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && g_strcmp0(dir, path) != 0)
		return TRUE;	/* sticky: others cannot rename or remove our entry */
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
		    "%s %s is refused: %s has mode %04o, so its group or others could replace "
		    "it; run chmod go-w %s", what, path, dir, (unsigned)(st->st_mode & 07777), dir);
	return FALSE;
}

gboolean tg_path_check_owner(const char *path, const char *what, GError **error)
{
	g_autofree gchar *abs = NULL;
	g_autofree gchar *cur = NULL;
	char *real;
	struct stat st;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	real = realpath(path, NULL);	/* every link resolved: their targets are judged */
	if (!real) {
		int err = errno;

		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err),
			    "%s %s cannot be checked: %s", what, path, g_strerror(err));
		return FALSE;
	}
	abs = g_strdup(real);
	free(real);
	cur = g_strdup(abs);
	for (;;) {
		g_autofree gchar *parent = NULL;

		if (stat(cur, &st) < 0) {
			int err = errno;

			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err),
				    "%s %s cannot be checked: %s: %s", what, path, cur,
				    g_strerror(err));
			return FALSE;
		}
		if (!owner_ok(cur, &st, what, abs, error) || !mode_ok(cur, &st, what, abs, error))
			return FALSE;
		if (g_str_equal(cur, "/"))
			return TRUE;
		parent = g_path_get_dirname(cur);
		g_free(cur);
		cur = g_steal_pointer(&parent);
	}
}
