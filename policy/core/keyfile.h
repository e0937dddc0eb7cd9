/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict GKeyFile helpers (internal). Each tg_kf_take_*() reads one key,
 * removes it from the key file, and leaves *ret untouched when the key is
 * absent. Errors name file, group, key and the offending value:
 *   "<file>: [group] key = 'value' is not a duration; use e.g. 30s, 15m, 12h, 7d"
 * After a group is parsed, tg_kf_check_remaining_keys() rejects unknown keys;
 * tg_kf_check_remaining_groups() rejects unknown groups.
 *
 * When several files were merged into one key file, @origin maps
 * "group\x1fkey" (and "group\x1f" for the group itself) to the file that
 * last set it, so a message names the file the bad line is really in. */
#pragma once

#include <glib.h>


G_BEGIN_DECLS

/* Separator between group and key in TgKf.origin keys. */
#define TG_KF_ORIGIN_SEP "\x1f"

/* @domain/@code_value/@code_unknown: the error domain and codes the caller's
 * module uses for a bad value and an unknown key/group.
 * @origin: optional, see above; NULL means every key comes from @file. */
typedef struct {
	GKeyFile *kf;
	const char *file;	/* name used in messages */
	GQuark domain;
	gint code_value;
	gint code_unknown;
	GHashTable *origin;	/* "group\x1fkey" -> file name, or NULL */
} TgKf;

gboolean tg_kf_take_string(TgKf *k, const char *group, const char *key, gchar **ret,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_string_list(TgKf *k, const char *group, const char *key, GPtrArray **ret,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_boolean(TgKf *k, const char *group, const char *key, gboolean *ret,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_uint(TgKf *k, const char *group, const char *key, guint64 max,
			 guint64 *ret, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A list of whole numbers ("90;30;7", ';' or ',' separated), each <= @max
 * (at most G_MAXUINT). *ret becomes a new GArray of guint in the order
 * written; an empty value gives an empty array. */
gboolean tg_kf_take_uint_list(TgKf *k, const char *group, const char *key, guint64 max,
			      GArray **ret, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A byte count: digits with an optional K, M or G suffix (powers of 1024),
 * from @min to @max bytes. */
gboolean tg_kf_take_size(TgKf *k, const char *group, const char *key, guint64 min,
			 guint64 max, guint64 *ret, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* An absolute path without control characters. */
gboolean tg_kf_take_path(TgKf *k, const char *group, const char *key, gchar **ret,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_duration(TgKf *k, const char *group, const char *key, gint64 *ret,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_date(TgKf *k, const char *group, const char *key, GDateTime **ret,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* @names: NULL-terminated; *ret receives the index of the matching name. */
gboolean tg_kf_take_enum(TgKf *k, const char *group, const char *key,
			 const char *const *names, gint *ret,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_check_remaining_keys(TgKf *k, const char *group,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_check_remaining_groups(TgKf *k, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The file that set @key in @group (or the group itself when @key is NULL),
 * falling back to k->file. Returns: (transfer none). */
const char *tg_kf_file(const TgKf *k, const char *group, const char *key);

/* Sets @error to "<file>: [group] key = 'raw' <what>" with k->code_value,
 * for checks a caller makes after taking a key. Always returns FALSE. */
gboolean tg_kf_value_error(const TgKf *k, const char *group, const char *key, const char *raw,
			   const char *what, GError **error);

/* Copies the groups of @from (may be NULL) for which @want is TRUE, keys and
 * raw values included, empty groups kept. Modules that parse their groups of
 * TgPolicy.extra work on such a copy, because tg_kf_take_*() consumes keys.
 * Returns: (transfer full). */
GKeyFile *tg_kf_copy_groups(GKeyFile *from, gboolean (*want)(const char *group));


/* Escapes @value for an error message (control characters, quotes,
 * backslashes and bytes of invalid UTF-8 as \xNN, long values shortened
 * on a character boundary). Returns: (transfer full). */
gchar *tg_kf_quote(const char *value);

G_END_DECLS
