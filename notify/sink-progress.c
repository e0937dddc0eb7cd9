/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The progress sink: the policy's sinks, plus every notice handed to the
 * updater's own progress channel through the caller's forward function
 * (SWUpdate's INFO messages, handlers/swupdate/swu-engine.c). It is never a
 * required sink: a required delivery must reach a sink the policy names. */
#include "notify-private.h"

typedef struct {
	gpointer inner;		/* the policy's notifier, NULL when it has no sink */
	TgProgressSink sink;	/* copied at open: the caller's may be gone */
} ProgressNotifier;

static gpointer progress_open(const TgPolicy *policy, gpointer user_data, GError **error)
{
	const TgProgressSink *sink = user_data;
	g_autofree ProgressNotifier *n = g_new0(ProgressNotifier, 1);
	g_autoptr(GError) local = NULL;

	if (sink)
		n->sink = *sink;
	n->inner = tg_notify_ops()->open(policy, NULL, &local);
	if (local) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	if (!n->inner && !n->sink.forward)
		return NULL;
	return g_steal_pointer(&n);
}

static void add_outcome(JsonArray *outcomes, const char *name, const GError *err)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "sink", name);
	json_object_set_string_member(o, "type", name);
	json_object_set_boolean_member(o, "delivered", err == NULL);
	json_object_set_boolean_member(o, "required", FALSE);
	if (err)
		json_object_set_string_member(o, "error", err->message);
	else
		json_object_set_null_member(o, "error");
	json_array_add_object_element(outcomes, o);
}

static void progress_send(gpointer notifier, JsonObject *notice, TgNotifyScope scope,
			  JsonArray *outcomes)
{
	ProgressNotifier *n = notifier;
	g_autoptr(GError) err = NULL;

	if (n->inner && scope != TG_NOTIFY_CALLER)
		tg_notify_ops()->send(n->inner, notice, scope, outcomes);
	if (!n->sink.forward || scope == TG_NOTIFY_REQUIRED)
		return;
	n->sink.forward(&n->sink, notice, &err);
	add_outcome(outcomes, n->sink.name, err);
}

static void progress_close(gpointer notifier)
{
	ProgressNotifier *n = notifier;

	if (!n)
		return;
	if (n->inner)
		tg_notify_ops()->close(n->inner);
	g_free(n);
}

static const TgNotifyOps progress_ops = {
	.open = progress_open,
	.send = progress_send,
	.close = progress_close,
};

const TgNotifyOps *tg_notify_progress_ops(void)
{
	return &progress_ops;
}
