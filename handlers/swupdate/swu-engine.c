/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine as SWUpdate adapters open it: every notice the engine sends
 * also becomes an INFO message for SWUpdate's progress clients, through
 * the progress sink (notify/sink-progress.c) and the adapter's emit
 * function. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <stdio.h>

#include "checks.h"
#include "notify.h"

#define PROGRESS_SINK "swupdate-progress"

/* A notice as one INFO payload to the adapter's emit function. */
static gboolean forward_notice(const TgProgressSink *sink, JsonObject *notice, GError **error)
{
	TgSwuEmitFunc emit = (TgSwuEmitFunc)sink->callback;
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *info = NULL;

	json_node_set_object(node, notice);
	info = tg_swu_info_new("notice", "notice", node, TG_SWU_INFO_MAX);
	if (!info) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "the notice does not fit in a progress message");
		return FALSE;
	}
	emit(info, sink->data);
	return TRUE;
}

const TgNotifyOps *tg_swu_notify_ops(void)
{
	return tg_notify_progress_ops();
}

TgEngine *tg_swu_engine_open(const TgSwuEngineOptions *opts, GError **error)
{
	TgEngineOptions eo = {
		.config_path = opts->config_path,
		.state_dir = opts->state_dir,
		.now = opts->now,
		.checks = tg_checks_builtin(),
		.updater = "swupdate",
		.updater_version = tg_swu_updater_version(opts->updater_version),
		.notify = tg_notify_progress_ops(),
	};
	TgProgressSink sink = { .name = PROGRESS_SINK, .forward = forward_notice,
				.callback = (GCallback)opts->emit, .data = opts->emit_data };

	if (opts->emit)
		eo.notify_data = &sink;
	return tg_engine_open(&eo, error);
}

struct _TgSwuTiming {
	const char *phase;
	gint64 start;
};

TgSwuTiming *tg_swu_timing_new(const char *phase)
{
	TgSwuTiming *t;

	if (g_strcmp0(g_getenv("TOLLGATE_TIMING"), "1") != 0)
		return NULL;
	t = g_new(TgSwuTiming, 1);
	t->phase = phase;
	t->start = g_get_monotonic_time();
	return t;
}

void tg_swu_timing_free(TgSwuTiming *timing)
{
	if (!timing)
		return;
	fprintf(stderr, "tollgate-timing: %s %" G_GINT64_FORMAT "\n", timing->phase,
		g_get_monotonic_time() - timing->start);
	g_free(timing);
}
