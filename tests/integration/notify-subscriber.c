/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: subscribes to every signal of interface org.tollgate.Notify1
 * on the bus at ADDRESS and writes one JSON line per signal to OUT:
 *   {"member":..,"path":..,"interface":..,"signature":..,"args":[..]}
 * Once the match rule is in force (a round trip to the bus after AddMatch),
 * it creates READY. It exits 0 after COUNT signals, 1 after TIMEOUT seconds.
 *
 * Usage: notify-subscriber ADDRESS OUT READY COUNT TIMEOUT */
#include <stdio.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct {
	FILE *out;
	guint left;
	GMainLoop *loop;
} Sub;

static void write_line(Sub *sub, const char *member, const char *path, const char *iface,
		       GVariant *params)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "member");
	json_builder_add_string_value(b, member);
	json_builder_set_member_name(b, "path");
	json_builder_add_string_value(b, path);
	json_builder_set_member_name(b, "interface");
	json_builder_add_string_value(b, iface);
	json_builder_set_member_name(b, "signature");
	json_builder_add_string_value(b, g_variant_get_type_string(params));
	json_builder_set_member_name(b, "args");
	json_builder_begin_array(b);
	for (gsize i = 0; i < g_variant_n_children(params); i++) {
		g_autoptr(GVariant) child = g_variant_get_child_value(params, i);

		if (g_variant_is_of_type(child, G_VARIANT_TYPE_STRING))
			json_builder_add_string_value(b, g_variant_get_string(child, NULL));
		else
			json_builder_add_null_value(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	fprintf(sub->out, "%s\n", text);
	fflush(sub->out);
}

static void on_signal(GDBusConnection *conn, const char *sender, const char *path,
		      const char *iface, const char *member, GVariant *params, gpointer data)
{
	Sub *sub = data;

	write_line(sub, member, path, iface, params);
	if (--sub->left == 0)
		g_main_loop_quit(sub->loop);
}

static gboolean on_timeout(gpointer data)
{
	Sub *sub = data;

	fprintf(stderr, "notify-subscriber: timed out with %u signals missing\n", sub->left);
	exit(1);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDBusConnection) conn = NULL;
	g_autoptr(GVariant) reply = NULL;
	Sub sub = { 0 };

	if (argc != 6) {
		fprintf(stderr, "usage: notify-subscriber ADDRESS OUT READY COUNT TIMEOUT\n");
		return 2;
	}
	conn = g_dbus_connection_new_for_address_sync(
		argv[1], G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	if (!conn) {
		fprintf(stderr, "notify-subscriber: %s\n", err->message);
		return 1;
	}
	sub.out = fopen(argv[2], "w");
	sub.left = (guint)atoi(argv[4]);
	sub.loop = g_main_loop_new(NULL, FALSE);
	if (!sub.out || sub.left == 0)
		return 2;
	g_dbus_connection_signal_subscribe(conn, NULL, "org.tollgate.Notify1", NULL, NULL, NULL,
					   G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &sub, NULL);
	reply = g_dbus_connection_call_sync(conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "GetId", NULL, NULL,
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
	if (!reply || !g_file_set_contents(argv[3], "ready\n", -1, &err)) {
		fprintf(stderr, "notify-subscriber: %s\n", err->message);
		return 1;
	}
	g_timeout_add_seconds((guint)atoi(argv[5]), on_timeout, &sub);
	g_main_loop_run(sub.loop);
	fclose(sub.out);
	g_main_loop_unref(sub.loop);
	return 0;
}
