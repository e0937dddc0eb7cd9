/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine as SWUpdate adapters open it, and the progress sink: every
 * notice the engine sends also becomes an INFO message for SWUpdate's
 * progress clients (through the adapter's emit function). */
#include "tg-swupdate.h"

#include <stdio.h>

#include "checks.h"
#include "notify.h"

#define PROGRESS_SINK "swupdate-progress"

typedef struct {
	const TgNotifyOps *inner;
	gpointer inner_state;	/* NULL when the policy configures no sink */
	TgSwuEmitFunc emit;
	gpointer emit_data;
} SwuNotifier;

/* TgNotifyOps.open() only sees the policy: the emit function of the engine
 * being opened is handed over here, under the lock. */
G_LOCK_DEFINE_STATIC(handover);
static TgSwuEmitFunc handover_emit;
static gpointer handover_data;

static gpointer swu_notify_open(const TgPolicy *policy, GError **error)
{
	g_autofree SwuNotifier *n = g_new0(SwuNotifier, 1);
	g_autoptr(GError) local = NULL;

	n->emit = handover_emit;
	n->emit_data = handover_data;
	n->inner = tg_notify_ops();
	n->inner_state = n->inner->open(policy, &local);
	if (local) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	if (!n->inner_state && !n->emit)
		return NULL;
	return g_steal_pointer(&n);
}

static void add_outcome(JsonArray *outcomes, gboolean delivered, const char *err)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "sink", PROGRESS_SINK);
	json_object_set_string_member(o, "type", PROGRESS_SINK);
	json_object_set_boolean_member(o, "delivered", delivered);
	json_object_set_boolean_member(o, "required", FALSE);
	if (err)
		json_object_set_string_member(o, "error", err);
	else
		json_object_set_null_member(o, "error");
	json_array_add_object_element(outcomes, o);
}

/* The progress sink is never a required one. */
static void swu_notify_send(gpointer notifier, JsonObject *notice, TgNotifyScope scope,
			    JsonArray *outcomes)
{
	SwuNotifier *n = notifier;
	g_autoptr(JsonNode) node = NULL;
	g_autofree gchar *info = NULL;

	if (n->inner_state)
		n->inner->send(n->inner_state, notice, scope, outcomes);
	if (!n->emit || scope == TG_NOTIFY_REQUIRED)
		return;
	node = json_node_new(JSON_NODE_OBJECT);
	json_node_set_object(node, notice);
	info = tg_swu_info_new("notice", "notice", node, TG_SWU_INFO_MAX);
	if (!info) {
		add_outcome(outcomes, FALSE, "the notice does not fit in a progress message");
		return;
	}
	n->emit(info, n->emit_data);
	add_outcome(outcomes, TRUE, NULL);
}

static void swu_notify_close(gpointer notifier)
{
	SwuNotifier *n = notifier;

	if (!n)
		return;
	if (n->inner_state)
		n->inner->close(n->inner_state);
	g_free(n);
}

static const TgNotifyOps swu_ops = {
	.open = swu_notify_open,
	.send = swu_notify_send,
	.close = swu_notify_close,
};

const TgNotifyOps *tg_swu_notify_ops(void)
{
	return &swu_ops;
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
		.notify = &swu_ops,
	};
	TgEngine *engine;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	G_LOCK(handover);
	handover_emit = opts->emit;
	handover_data = opts->emit_data;
	engine = tg_engine_open(&eo, error);
	handover_emit = NULL;
	handover_data = NULL;
	G_UNLOCK(handover);
	return engine;
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
