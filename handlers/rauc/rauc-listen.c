/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rauc-listen: records RAUC installs that end in error as update.failed.
 *
 * A GDBus client of de.pengutronix.rauc.Installer. On Completed(result) with
 * a non-zero result it reads LastError and decides with
 * tg_rauc_failure_classify() whether the install failed (recorded as
 * update.failed), RAUC's own rule refused it (min-bundle-version, compatible:
 * recorded as update.updater-refused) or tollgate's own pre-install handler
 * refused or deferred it (already recorded as gate.decision, so nothing is
 * added). A decision is
 * blamed for at most one outcome: once RAUC completed its install (success
 * or failure), a later failure (e.g. a bundle whose signature RAUC rejects
 * before any handler runs) is recorded for an unknown bundle. The engine,
 * and with it the state lock, is opened per event, never while idle. */
#include "rauc-listen.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include "checks.h"
#include "notify.h"
#include "rauc-candidate.h"
#include "tg-crypto.h"

#define RAUC_BUS_NAME "de.pengutronix.rauc"
#define RAUC_OBJECT_PATH "/"
#define RAUC_INSTALLER "de.pengutronix.rauc.Installer"
#define CALL_TIMEOUT_MS 5000

typedef struct {
	const TgRaucListenOptions *opts;
	GDBusConnection *bus;
	GMainLoop *loop;
	GError *error;		/* why the loop ended, NULL for a signal */
	gchar *settled_tx;	/* decision whose install RAUC already completed */
} TgRaucListener;

static void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	printf("tollgate rauc-listen: %s\n", msg);
	fflush(stdout);
}

/* LastError as the service holds it now (RAUC sets it before Completed).
 * Returns: (transfer full): the text, or NULL when it cannot be read. */
static gchar *fetch_last_error(GDBusConnection *bus)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autoptr(GError) err = NULL;

	reply = g_dbus_connection_call_sync(bus, RAUC_BUS_NAME, RAUC_OBJECT_PATH,
					    "org.freedesktop.DBus.Properties", "Get",
					    g_variant_new("(ss)", RAUC_INSTALLER, "LastError"),
					    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
					    CALL_TIMEOUT_MS, NULL, &err);
	if (!reply) {
		say("cannot read RAUC's LastError: %s", err->message);
		return NULL;
	}
	g_variant_get(reply, "(v)", &value);
	if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		return NULL;
	return g_variant_dup_string(value, NULL);
}

/* Returns: (transfer full): the engine for one event. */
static TgEngine *open_engine(const TgRaucListener *l, GError **error)
{
	TgEngineOptions opts = {
		.config_path = l->opts->config_path,
		.state_dir = l->opts->state_dir,
		.now = l->opts->now,
		.checks = tg_checks_builtin(),
		.updater = "rauc",
		.updater_version = tg_rauc_updater_version(NULL),
		.notify = tg_notify_ops(),
	};

	return tg_engine_open(&opts, error);
}

/* Returns: (transfer full): "last_decision" of the status, or NULL. */
static JsonObject *last_decision(TgEngine *engine)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonObject) status = tg_engine_status(engine, &err);
	JsonNode *node;

	if (!status) {
		say("no last decision to compare with: %s", err->message);
		return NULL;
	}
	node = json_object_get_member(status, "last_decision");
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return json_object_ref(json_node_get_object(node));
}

/* Returns: (transfer none): string member @name of @obj, or "?". */
static const char *member_text(JsonObject *obj, const char *name)
{
	JsonNode *node = obj ? json_object_get_member(obj, name) : NULL;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
		return "?";
	return json_node_get_string(node);
}

/* Remembers @last as the decision whose install has ended, so that a later
 * failure (a bundle rejected before the pre-install handler ran) is not
 * blamed on it. */
static void settle(TgRaucListener *l, JsonObject *last)
{
	if (!last)
		return;
	g_free(l->settled_tx);
	l->settled_tx = g_strdup(member_text(last, "transaction_id"));
}

/* The last decision, unless its install already ended. (transfer full) */
static JsonObject *open_decision(TgRaucListener *l, TgEngine *engine)
{
	g_autoptr(JsonObject) last = last_decision(engine);

	if (last && g_strcmp0(member_text(last, "transaction_id"), l->settled_tx) == 0)
		return NULL;
	return g_steal_pointer(&last);
}

static void handle_success(TgRaucListener *l)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = open_engine(l, &err);
	g_autoptr(JsonObject) last = NULL;

	if (!engine) {
		say("cannot read the decision of a completed install: %s", err->message);
		return;
	}
	last = open_decision(l, engine);
	settle(l, last);
}

static void record_updater_refusal(TgEngine *engine, TgCandidate *cand, const char *last_error)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *reason = g_strdup_printf("RAUC refused the bundle: %s", last_error);

	if (!tg_engine_updater_refused(engine, cand, reason, &err)) {
		say("cannot record RAUC's refusal: %s", err->message);
		return;
	}
	say("recorded RAUC's own refusal of %s: %s", cand->version ? cand->version : "a bundle",
	    last_error);
}

/* @reason, for a rejected signature with the keyring RAUC checked it against.
 * Returns: (transfer full); takes @reason. */
static gchar *with_signer(const TgRaucListener *l, gchar *reason, const char *last_error)
{
	const char *conf = l->opts->system_config ? l->opts->system_config
						  : "/etc/rauc/system.conf";
	g_autofree gchar *keyring = NULL;
	g_autofree gchar *who = NULL;
	gchar *out;

	if (!last_error || !strstr(last_error, "signature verification failed"))
		return reason;
	keyring = tg_rauc_keyring_file(conf);
	who = keyring ? tg_x509_describe_file(keyring) : NULL;
	if (!who)
		out = g_strdup_printf("%s; the keyring RAUC checks against is unknown (no readable "
				      "[keyring] path in %s)", reason, conf);
	else
		out = g_strdup_printf("%s; RAUC expected a signature under %s (keyring %s in %s)",
				      reason, who, keyring, conf);
	g_free(reason);
	return out;
}

static void handle_failure(TgRaucListener *l, gint result, const char *last_error)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = open_engine(l, &err);
	g_autoptr(JsonObject) last = NULL;
	g_autoptr(TgCandidate) cand = NULL;
	g_autofree gchar *reason = NULL;
	TgRaucFailureKind kind;

	if (!engine) {
		say("cannot record a failed install: %s", err->message);
		return;
	}
	last = open_decision(l, engine);
	settle(l, last);
	kind = tg_rauc_failure_classify(last, tg_engine_now(engine), l->opts->window, last_error, &cand);
	if (kind == TG_RAUC_FAILURE_OWN_DECISION) {
		say("install of %s stopped by tollgate's own %s decision (recorded already); not "
		    "a failure", member_text(last, "version"), member_text(last, "verdict"));
		return;
	}
	tg_rauc_candidate_apply_policy(cand, tg_engine_policy(engine));
	if (kind == TG_RAUC_FAILURE_UPDATER_REFUSED) {
		record_updater_refusal(engine, cand, last_error);
		return;
	}
	reason = with_signer(l, tg_rauc_failure_reason(result, last_error, cand), last_error);
	if (!tg_engine_failed(engine, cand, reason, &err)) {
		say("cannot record a failed install: %s", err->message);
		return;
	}
	say("recorded failed install of %s: %s", cand->version ? cand->version : "an unknown bundle",
	    reason);
}

static void on_completed(GDBusConnection *bus, const char *sender, const char *path,
			 const char *iface, const char *signal, GVariant *params, gpointer data)
{
	gint32 result = 0;
	g_autofree gchar *last_error = NULL;

	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(i)")))
		return;
	g_variant_get(params, "(i)", &result);
	if (result == 0) {
		handle_success(data);
		return;
	}
	last_error = fetch_last_error(bus);
	handle_failure(data, result, last_error);
}

static gboolean on_quit_signal(gpointer data)
{
	TgRaucListener *l = data;

	g_main_loop_quit(l->loop);
	return G_SOURCE_CONTINUE;
}

static void on_closed(GDBusConnection *bus, gboolean remote_peer_vanished, GError *error,
		      gpointer data)
{
	TgRaucListener *l = data;

	g_clear_error(&l->error);
	g_set_error(&l->error, G_IO_ERROR, G_IO_ERROR_CLOSED,
		    "the D-Bus connection closed%s%s; restart rauc-listen",
		    error ? ": " : "", error ? error->message : "");
	g_main_loop_quit(l->loop);
}

/* A round trip to the bus daemon: the match rule for Completed is active
 * once it returns. */
static gboolean sync_with_bus(GDBusConnection *bus, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "GetId", NULL,
					    G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
					    CALL_TIMEOUT_MS, NULL, error);
	return reply != NULL;
}

static void listen_loop(TgRaucListener *l, const char *bus_name)
{
	g_autoptr(GError) err = NULL;
	guint sub, term, intr;
	gulong closed;

	l->loop = g_main_loop_new(NULL, FALSE);
	g_dbus_connection_set_exit_on_close(l->bus, FALSE);
	closed = g_signal_connect(l->bus, "closed", G_CALLBACK(on_closed), l);
	sub = g_dbus_connection_signal_subscribe(l->bus, RAUC_BUS_NAME, RAUC_INSTALLER,
						 "Completed", RAUC_OBJECT_PATH, NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_completed, l, NULL);
	term = g_unix_signal_add(SIGTERM, on_quit_signal, l);
	intr = g_unix_signal_add(SIGINT, on_quit_signal, l);
	if (sync_with_bus(l->bus, &err)) {
		say("listening for failed RAUC installs on the %s bus", bus_name);
		g_main_loop_run(l->loop);
	} else {
		g_set_error(&l->error, G_IO_ERROR, G_IO_ERROR_FAILED, "the %s bus does not answer: %s",
			    bus_name, err->message);
	}
	g_source_remove(term);
	g_source_remove(intr);
	g_dbus_connection_signal_unsubscribe(l->bus, sub);
	g_signal_handler_disconnect(l->bus, closed);
	g_main_loop_unref(l->loop);
}

gboolean tg_rauc_listen(const TgRaucListenOptions *opts, GError **error)
{
	const char *bus_name = opts->bus == G_BUS_TYPE_SESSION ? "session" : "system";
	TgRaucListener l = { .opts = opts };
	g_autoptr(GError) err = NULL;

	l.bus = g_bus_get_sync(opts->bus, NULL, &err);
	if (!l.bus) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
			    "cannot connect to the D-Bus %s bus: %s", bus_name, err->message);
		return FALSE;
	}
	listen_loop(&l, bus_name);
	g_object_unref(l.bus);
	g_free(l.settled_tx);
	if (l.error) {
		g_propagate_error(error, l.error);
		return FALSE;
	}
	return TRUE;
}
