/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dbus sink: emits the signal
 *   org.tollgate.Notify1.Notice (s type, s notice_json)
 * from the object /org/tollgate/Notify1 as a broadcast on the system bus, or
 * on the bus at `address` (a D-Bus address such as unix:path=/run/ui/bus).
 *
 * Each delivery opens its own connection (never the process-wide shared
 * one, which would exit the process if the bus went away), emits the
 * signal, flushes it to the bus and closes. Connecting and flushing together
 * are bounded by `timeout` (default 5s). Interface: data/dbus/
 * org.tollgate.Notify1.xml; bus policy: data/dbus/org.tollgate.Notify1.conf. */
#include "notify-private.h"

#include <gio/gio.h>

#define TG_DBUS_PATH "/org/tollgate/Notify1"
#define TG_DBUS_INTERFACE "org.tollgate.Notify1"
#define TG_DBUS_SIGNAL "Notice"
#define DEFAULT_TIMEOUT_S 5

typedef struct {
	gchar *address;		/* NULL: the system bus */
	gint64 timeout_s;
} TgDbusSink;

static void dbus_free(gpointer data)
{
	TgDbusSink *cfg = data;

	g_free(cfg->address);
	g_free(cfg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgDbusSink, dbus_free)

static gpointer dbus_parse(TgKf *k, const char *group, GError **error)
{
	g_autoptr(TgDbusSink) cfg = g_new0(TgDbusSink, 1);
	g_autoptr(GError) local = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!tg_kf_take_string(k, group, "address", &cfg->address, error) ||
	    !tg_notify_take_timeout(k, group, DEFAULT_TIMEOUT_S, &cfg->timeout_s, error))
		return NULL;
	if (cfg->address && !g_dbus_is_supported_address(cfg->address, &local)) {
		g_autofree gchar *what = g_strdup_printf("is not a usable D-Bus address (%s); "
							 "write e.g. unix:path=/run/ui/bus",
							 local->message);

		tg_kf_value_error(k, group, "address", cfg->address, what, error);
		return NULL;
	}
	return g_steal_pointer(&cfg);
}

typedef struct {
	GDBusConnection *conn;
	GError *error;
	gboolean done;
} TgDbusStep;

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	TgDbusStep *step = data;

	step->conn = g_dbus_connection_new_for_address_finish(res, &step->error);
	step->done = TRUE;
}

static void on_flushed(GObject *src, GAsyncResult *res, gpointer data)
{
	TgDbusStep *step = data;

	if (!g_dbus_connection_flush_finish(G_DBUS_CONNECTION(src), res, &step->error))
		g_debug("flushing the D-Bus connection failed");
	step->done = TRUE;
}

/* Waits for @step until @deadline (monotonic µs); on timeout cancels and
 * still waits for the callback, so @step is never used after return. */
static gboolean wait_step(TgDbusStep *step, GCancellable *cancel, gint64 deadline)
{
	GMainContext *ctx = g_main_context_get_thread_default();
	gint64 left_ms = MAX(0, (deadline - g_get_monotonic_time()) / 1000);
	gboolean in_time = tg_notify_iterate(ctx, &step->done, MAX(left_ms, 1));

	if (!in_time)
		g_cancellable_cancel(cancel);
	while (!step->done)
		g_main_context_iteration(ctx, TRUE);
	return in_time;
}

/* Returns: (transfer full): the connection, or NULL with @error. */
static GDBusConnection *connect_bus(const char *address, GCancellable *cancel, gint64 deadline,
				    GError **error)
{
	TgDbusStep step = { 0 };
	gboolean in_time;

	g_dbus_connection_new_for_address(address,
					  G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
					  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
					  NULL, cancel, on_connected, &step);
	in_time = wait_step(&step, cancel, deadline);
	if (step.conn)
		return step.conn;
	if (!in_time)
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_TIMEOUT,
			    "could not connect to the D-Bus bus at %s in time", address);
	else
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "cannot connect to the D-Bus bus at %s: %s", address,
			    step.error->message);
	g_clear_error(&step.error);
	return NULL;
}

static gboolean emit(GDBusConnection *conn, const TgNotice *n, GCancellable *cancel,
		     gint64 deadline, GError **error)
{
	TgDbusStep step = { 0 };
	g_autoptr(GError) local = NULL;
	gboolean in_time;

	if (!g_dbus_connection_emit_signal(conn, NULL, TG_DBUS_PATH, TG_DBUS_INTERFACE,
					   TG_DBUS_SIGNAL,
					   g_variant_new("(ss)", n->type_name, n->json), &local)) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "cannot emit the D-Bus signal: %s", local->message);
		return FALSE;
	}
	g_dbus_connection_flush(conn, cancel, on_flushed, &step);
	in_time = wait_step(&step, cancel, deadline);
	if (in_time && !step.error)
		return TRUE;
	g_set_error(error, TG_NOTIFY_ERROR, in_time ? TG_NOTIFY_ERROR_FAILED
						    : TG_NOTIFY_ERROR_TIMEOUT,
		    "the D-Bus signal was not sent%s%s", in_time ? ": " : " in time",
		    in_time ? step.error->message : "");
	g_clear_error(&step.error);
	return FALSE;
}

static gboolean dbus_deliver(gpointer config, const TgNotice *n, GError **error)
{
	TgDbusSink *cfg = config;
	g_autoptr(GMainContext) ctx = g_main_context_new();
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	g_autoptr(GDBusConnection) conn = NULL;
	g_autofree gchar *address = NULL;
	gint64 deadline = g_get_monotonic_time() + cfg->timeout_s * G_USEC_PER_SEC;
	gboolean ok;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_utf8_validate(n->json, (gssize)n->json_len, NULL)) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "the notice is not valid UTF-8");
		return FALSE;
	}
	address = cfg->address ? g_strdup(cfg->address)
			       : g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (!address)
		return FALSE;
	g_main_context_push_thread_default(ctx);
	conn = connect_bus(address, cancel, deadline, error);
	ok = conn && emit(conn, n, cancel, deadline, error);
	if (conn)
		g_dbus_connection_close(conn, NULL, NULL, NULL);
	g_clear_object(&conn);
	while (g_main_context_iteration(ctx, FALSE))
		;
	g_main_context_pop_thread_default(ctx);
	return ok;
}

const TgSinkOps tg_sink_dbus = {
	.name = "dbus",
	.parse = dbus_parse,
	.deliver = dbus_deliver,
	.free = dbus_free,
};
