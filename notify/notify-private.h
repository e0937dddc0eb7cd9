/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals of notify/: notice types, the sink vtable, shared helpers. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "keyfile.h"
#include "notify.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* Notice types (notice.c) */

typedef enum {
	TG_NOTICE_SECURITY_UPDATE = 0,
	TG_NOTICE_DISRUPTION_WARNING,
	TG_NOTICE_UPDATE_REFUSED,
	TG_NOTICE_UPDATE_DEFERRED,
	TG_NOTICE_SUPPORT_ENDING,
	TG_NOTICE_SUPPORT_ENDED,
	TG_NOTICE_SUPPORT_EXTENDED,
	TG_NOTICE_SETTINGS_CHANGED,
	TG_NOTICE_N_TYPES,
} TgNoticeType;

#define TG_NOTICE_ALL_TYPES ((1u << TG_NOTICE_N_TYPES) - 1)

typedef enum {
	TG_NOTICE_TITLE = 0,
	TG_NOTICE_TEXT,
	TG_NOTICE_N_PARTS,
} TgNoticePart;

/* Returns: (transfer none): "security-update", ... */
const char *tg_notice_type_name(TgNoticeType type);
/* FALSE when @name is not a notice type; @ret_type is then untouched. */
gboolean tg_notice_type_from_name(const char *name, TgNoticeType *ret_type);
/* Returns: (transfer none): the placeholders @type's templates may use. */
const char *const *tg_notice_placeholders(TgNoticeType type);
/* Returns: (transfer none): the built-in English template. */
const char *tg_notice_default_template(TgNoticeType type, TgNoticePart part);

/* Makes every string of @obj (nested objects and arrays included) valid
 * UTF-8 of at most TG_NOTICE_MAX_FIELD bytes and cuts lists to
 * TG_NOTICE_MAX_LIST elements. */
void tg_notice_clean(JsonObject *obj);

/* Renders @tmpl for @notice (already cleaned) of @type: placeholder values
 * come from the notice's members (docs/notices.md lists them). A title is
 * one line of at most TG_NOTICE_MAX_TITLE bytes, a text at most
 * TG_NOTICE_MAX_TEXT bytes. Returns: (transfer full). */
gchar *tg_notice_render(TgNoticeType type, TgNoticePart part, const char *tmpl,
			JsonObject *notice);

/* ------------------------------------------------------------------ */
/* Sinks */

/* What a sink gets: the finished notice. */
typedef struct {
	TgNoticeType type;
	const char *type_name;
	const char *id;
	const char *time;	/* RFC 3339 UTC, as in the JSON */
	const char *title;
	const char *text;
	const char *json;	/* the notice as one line of JSON, no newline */
	gsize json_len;
} TgNotice;

typedef struct {
	const char *name;	/* value of `type =` */
	/* Takes the sink type's own keys from @group. Returns: (transfer full):
	 * the sink's configuration, or NULL with @error (TG_POLICY_ERROR). */
	gpointer (*parse)(TgKf *k, const char *group, GError **error);
	/* Delivers @notice; FALSE with @error saying why it did not arrive. */
	gboolean (*deliver)(gpointer config, const TgNotice *notice, GError **error);
	void (*free)(gpointer config);
} TgSinkOps;

extern const TgSinkOps tg_sink_exec;
extern const TgSinkOps tg_sink_dbus;
extern const TgSinkOps tg_sink_file;
extern const TgSinkOps tg_sink_stderr;

/* Helpers for sink parsers (notify.c). */

/* Sets @error to "<file>: [group] has no KEY; HINT" (TG_POLICY_ERROR_MISSING).
 * Always returns NULL. */
gpointer tg_notify_missing_key(const TgKf *k, const char *group, const char *key,
			       const char *hint, GError **error);
/* A duration from 1 s to 5 min, default @def seconds. */
gboolean tg_notify_take_timeout(TgKf *k, const char *group, gint64 def, gint64 *ret,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Iterates @ctx until *@done is TRUE or @timeout_ms pass.
 * Returns: *@done. */
gboolean tg_notify_iterate(GMainContext *ctx, const gboolean *done, gint64 timeout_ms);

G_END_DECLS
