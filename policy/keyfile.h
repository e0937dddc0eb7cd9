/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict GKeyFile helpers (internal). Each tg_kf_take_*() reads one key,
 * removes it from the key file, and leaves *ret untouched when the key is
 * absent. Errors name file, group, key and the offending value:
 *   "<file>: [group] key = 'value' is not a duration; use e.g. 30s, 15m, 12h, 7d"
 * After a group is parsed, tg_kf_check_remaining_keys() rejects unknown keys;
 * tg_kf_check_remaining_groups() rejects unknown groups. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @domain/@code_value/@code_unknown: the error domain and codes the caller's
 * module uses for a bad value and an unknown key/group. */
typedef struct {
	GKeyFile *kf;
	const char *file;	/* name used in messages */
	GQuark domain;
	gint code_value;
	gint code_unknown;
} TgKf;

gboolean tg_kf_take_string(TgKf *k, const char *group, const char *key, gchar **ret,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_string_list(TgKf *k, const char *group, const char *key, GPtrArray **ret,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_boolean(TgKf *k, const char *group, const char *key, gboolean *ret,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tg_kf_take_uint(TgKf *k, const char *group, const char *key, guint64 max,
			 guint64 *ret, GError **error) G_GNUC_WARN_UNUSED_RESULT;
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

/* Escapes @value for an error message (control characters as \xNN, long
 * values shortened). Returns: (transfer full). */
gchar *tg_kf_quote(const char *value);

G_END_DECLS
