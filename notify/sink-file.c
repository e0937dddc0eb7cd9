/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* file sink: a spool directory for web UIs and companion apps.
 *
 * Every notice becomes <YYYYMMDDTHHMMSSZ>-<id>.json (one line of JSON and a
 * newline), and latest.json is replaced by the same bytes. Both are written
 * with tg_io_replace_file(): temp file, fsync, rename, fsync of the
 * directory, so a reader (or a crash) never sees half a notice. Temp files
 * a killed run left behind ("*.tmp.<pid>") are removed by the next run, and
 * the oldest notices beyond max-files are deleted. */
#include "notify-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tg-io.h"

#define LATEST "latest.json"
#define STAMP_LEN 16		/* 20260601T100000Z */
#define ID_LEN 36		/* UUID */
#define NAME_LEN (STAMP_LEN + 1 + ID_LEN + 5)
#define MAX_FILES 100000
#define DEFAULT_MAX_FILES 100

typedef struct {
	gchar *dir;
	mode_t mode;
	guint max_files;	/* 0 = keep all */
} TgFileSink;

static void file_free(gpointer data)
{
	TgFileSink *cfg = data;

	g_free(cfg->dir);
	g_free(cfg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgFileSink, file_free)

static gboolean take_mode(TgKf *k, const char *group, mode_t *ret, GError **error)
{
	g_autofree gchar *raw = NULL;
	guint64 v = 0;
	gsize n;

	if (!tg_kf_take_string(k, group, "mode", &raw, error))
		return FALSE;
	if (!raw)
		return TRUE;
	n = strlen(raw);
	if (n < 3 || n > 4 || strspn(raw, "01234567") != n ||
	    !g_ascii_string_to_unsigned(raw, 8, 0, 0777, &v, NULL))
		return tg_kf_value_error(k, group, "mode", raw,
					 "is not a file mode; write octal digits such as 0644", error);
	if (v & 022)
		return tg_kf_value_error(k, group, "mode", raw,
					 "lets group or others change notices; use 0644 or stricter",
					 error);
	if (!(v & 0400))
		return tg_kf_value_error(k, group, "mode", raw,
					 "does not let the owner read notices; use e.g. 0644", error);
	*ret = (mode_t)v;
	return TRUE;
}

static gpointer file_parse(TgKf *k, const char *group, GError **error)
{
	g_autoptr(TgFileSink) cfg = g_new0(TgFileSink, 1);
	guint64 max = DEFAULT_MAX_FILES;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	cfg->mode = 0644;
	if (!tg_kf_take_path(k, group, "directory", &cfg->dir, error) ||
	    !take_mode(k, group, &cfg->mode, error) ||
	    !tg_kf_take_uint(k, group, "max-files", MAX_FILES, &max, error))
		return NULL;
	if (!cfg->dir)
		return tg_notify_missing_key(k, group, "directory",
					     "set directory = /path/to/spool", error);
	cfg->max_files = (guint)max;
	return g_steal_pointer(&cfg);
}

static gboolean is_notice_name(const char *name)
{
	if (strlen(name) != NAME_LEN || !g_str_has_suffix(name, ".json") || name[STAMP_LEN] != '-')
		return FALSE;
	for (guint i = 0; i < STAMP_LEN; i++)
		if (!g_ascii_isdigit(name[i]) && !(i == 8 && name[i] == 'T') &&
		    !(i == 15 && name[i] == 'Z'))
			return FALSE;
	return TRUE;
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Removes stale temp files and the oldest notices beyond @max. */
static void tidy(const char *dir, guint max)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) notices = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);

		if (tg_io_is_stale_temp(name, NULL) && unlink(path) < 0)
			g_debug("cannot remove %s: %s", path, g_strerror(errno));
		else if (is_notice_name(name))
			g_ptr_array_add(notices, g_steal_pointer(&path));
	}
	if (max == 0 || notices->len <= max)
		return;
	g_ptr_array_sort(notices, compare_paths);
	for (guint i = 0; i + max < notices->len; i++)
		if (unlink(g_ptr_array_index(notices, i)) < 0)
			g_debug("cannot prune %s: %s", (const char *)g_ptr_array_index(notices, i),
				g_strerror(errno));
}

/* Returns: (transfer full): the spool file name for @n, or NULL with @error. */
static gchar *notice_name(const TgNotice *n, GError **error)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(n->time, utc);
	g_autoptr(GDateTime) in_utc = t ? g_date_time_to_utc(t) : NULL;
	g_autofree gchar *stamp = in_utc ? g_date_time_format(in_utc, "%Y%m%dT%H%M%SZ") : NULL;

	if (!stamp || strlen(stamp) != STAMP_LEN || strlen(n->id) != ID_LEN || strspn(n->id, "0123456789abcdef-") != ID_LEN) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "the notice has no usable time or id for a spool file name");
		return NULL;
	}
	return g_strdup_printf("%s-%s.json", stamp, n->id);
}

static gboolean file_deliver(gpointer config, const TgNotice *n, GError **error)
{
	TgFileSink *cfg = config;
	g_autofree gchar *name = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *latest = g_build_filename(cfg->dir, LATEST, NULL);
	g_autofree gchar *data = g_strconcat(n->json, "\n", NULL);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	name = notice_name(n, error);
	if (!name)
		return FALSE;
	if (g_mkdir_with_parents(cfg->dir, 0755) < 0) {
		int e = errno;

		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "cannot create the spool directory %s: %s", cfg->dir, g_strerror(e));
		return FALSE;
	}
	path = g_build_filename(cfg->dir, name, NULL);
	if (!tg_io_replace_file(path, data, n->json_len + 1, cfg->mode, error) ||
	    !tg_io_replace_file(latest, data, n->json_len + 1, cfg->mode, error))
		return FALSE;
	tidy(cfg->dir, cfg->max_files);
	return TRUE;
}

const TgSinkOps tg_sink_file = {
	.name = "file",
	.parse = file_parse,
	.deliver = file_deliver,
	.free = file_free,
};
