/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notification sinks for the engine (docs/notices.md).
 *
 * The engine decides which notices go out and records every delivery; this
 * module reads the [notify], [sink.NAME] and [template.LANG] groups of the
 * policy, renders each notice's title and text from its templates and hands
 * the notice to every sink that takes its type. Adapters pass tg_notify_ops()
 * in TgEngineOptions.notify. */
#pragma once

#include <glib.h>
#include "tollgate/engine.h"
#include "decision-private.h"

G_BEGIN_DECLS

#define TG_NOTIFY_ERROR (tg_notify_error_quark())
GQuark tg_notify_error_quark(void);

typedef enum {
	TG_NOTIFY_ERROR_FAILED,		/* the sink could not deliver */
	TG_NOTIFY_ERROR_TIMEOUT,	/* the sink did not finish in time */
	TG_NOTIFY_ERROR_TYPE,		/* the notice type is unknown */
} TgNotifyError;

/* Longest string member of a notice; longer ones end in
 * TG_META_TRUNCATED_MARK. Titles and texts have their own limits. */
#define TG_NOTICE_MAX_FIELD 4096
#define TG_NOTICE_MAX_LIST 64		/* elements of a list member */
#define TG_NOTICE_MAX_TITLE 256		/* bytes of a rendered title */
#define TG_NOTICE_MAX_TEXT 8192		/* bytes of a rendered text */
#define TG_NOTIFY_MAX_SINKS 32

/* The notifier table:
 * - open() parses the policy strictly (errors are TG_POLICY_ERROR naming
 *   file, group, key and value) and returns NULL without an error when the
 *   policy configures no sink: then there is nothing to send or record.
 * - send() cleans every string member of the notice (valid UTF-8, bounded
 *   length), adds "language", "title" and "text", then delivers it to every
 *   sink whose `notices` list takes its type, one outcome per such sink.
 * Returns: (transfer none): the static table. */
const TgNotifyOps *tg_notify_ops(void);

/* A sink in the updater's process: @forward hands one notice on through
 * the caller's @callback and @data (FALSE with @error when it could not);
 * @name is the sink's name and type in the delivery outcomes (e.g.
 * "swupdate-progress"). The notifier keeps a copy of the struct; @callback
 * and @data must stay valid while the engine is open. */
typedef struct _TgProgressSink TgProgressSink;
typedef gboolean (*TgProgressForward)(const TgProgressSink *sink, JsonObject *notice,
				      GError **error);
struct _TgProgressSink {
	const char *name;		/* static */
	TgProgressForward forward;
	GCallback callback;
	gpointer data;
};

/* The policy's sinks plus the progress sink given as notify_data (a
 * TgProgressSink *, copied at open; NULL: the policy's sinks only). It
 * takes every notice except the required deliveries before a decision.
 * Returns: (transfer none). */
const TgNotifyOps *tg_notify_progress_ops(void);

G_END_DECLS
