/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* postpone, approve, settings: the user's doors into the policy. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static gboolean parse_class(const char *text, TgUpdateClass *ret_cls)
{
	if (!text) {
		*ret_cls = TG_CLASS_FEATURE;
		return TRUE;
	}
	if (!tg_update_class_from_string(text, ret_cls) || *ret_cls == TG_CLASS_MIXED) {
		tg_cli_errorf("--class '%s' is not allowed; use security or feature", text);
		return FALSE;
	}
	return TRUE;
}

/* --until TIME or --for DURATION, relative to the engine's trusted time. */
static GDateTime *postpone_until(TgEngine *engine, const char *until, const char *dur)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	gint64 seconds = 0;
	GDateTime *dt;

	if (!!until == !!dur) {
		tg_cli_errorf("give exactly one of --until TIME or --for DURATION");
		return NULL;
	}
	if (until) {
		dt = g_date_time_new_from_iso8601(until, utc);
		if (!dt)
			tg_cli_errorf("--until '%s' is not an RFC 3339 time; use e.g. "
				      "2027-01-31T12:00:00Z", until);
		return dt;
	}
	if (!tg_parse_duration(dur, &seconds) || seconds <= 0) {
		tg_cli_errorf("--for '%s' is not a duration; use e.g. 3d or 12h", dur);
		return NULL;
	}
	dt = g_date_time_add_seconds(tg_engine_now(engine), (gdouble)seconds);
	if (!dt)
		tg_cli_errorf("--for '%s' reaches past the year 9999; give a shorter duration",
			      dur);
	return dt;
}

int tg_cmd_postpone(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *until = NULL, *dur = NULL, *cls_text = NULL;
	GOptionEntry entries[] = {
		{ "until", 0, 0, G_OPTION_ARG_STRING, &until, "postpone until this time", "TIME" },
		{ "for", 0, 0, G_OPTION_ARG_STRING, &dur, "postpone for this long", "DURATION" },
		{ "class", 0, 0, G_OPTION_ARG_STRING, &cls_text,
		  "security or feature (default feature)", "CLASS" },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GDateTime) when = NULL;
	g_autofree gchar *until_text = NULL;
	g_autoptr(GError) err = NULL;
	TgUpdateClass cls;

	if (!tg_cli_parse(&argc, &argv, "postpone", NULL,
			  "Postpones updates of one class, at most by the class's max-postpone.",
			  entries) || !parse_class(cls_text, &cls))
		return TG_EXIT_USAGE;
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	when = postpone_until(engine, until, dur);
	if (!when)
		return TG_EXIT_USAGE;
	if (!tg_engine_postpone(engine, cls, when, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("%s updates postponed until %s\n", tg_update_class_to_string(cls),
	       until_text = g_date_time_format_iso8601(when));
	return TG_EXIT_OK;
}

int tg_cmd_approve(const TgCliGlobal *g, int argc, char **argv)
{
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "approve", "DIGEST|VERSION",
			  "Approves one update (by its SHA-256 digest, or its version when the "
			  "updater gives no digest).", NULL))
		return TG_EXIT_USAGE;
	if (argc != 2) {
		tg_cli_errorf("approve takes exactly one DIGEST or VERSION");
		return TG_EXIT_USAGE;
	}
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine || !tg_engine_approve(engine, argv[1], &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("approved %s\n", argv[1]);
	return TG_EXIT_OK;
}

static void print_settings(TgEngine *engine)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonObject) status = tg_engine_status(engine, &err);
	JsonObject *s;
	g_autoptr(GList) names = NULL;

	if (!status) {
		tg_cli_error(err);
		return;
	}
	s = json_object_get_object_member(status, "settings");
	names = json_object_get_members(s);
	for (GList *l = names; l; l = l->next)
		printf("%s=%s\n", (const char *)l->data,
		       json_object_get_boolean_member(s, l->data) ? "on" : "off");
}

static gboolean parse_setting(const char *arg, gchar **ret_key, gboolean *ret_value)
{
	const char *eq = strchr(arg, '=');

	if (!eq || (!g_str_equal(eq + 1, "on") && !g_str_equal(eq + 1, "off"))) {
		tg_cli_errorf("'%s' is not KEY=on or KEY=off", arg);
		return FALSE;
	}
	*ret_key = g_strndup(arg, eq - arg);
	*ret_value = g_str_equal(eq + 1, "on");
	return TRUE;
}

int tg_cmd_settings(const TgCliGlobal *g, int argc, char **argv)
{
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "settings", "[KEY=on|off]...",
			  "Shows or changes user settings: auto-install.security, "
			  "auto-install.feature, notifications.", NULL))
		return TG_EXIT_USAGE;
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	for (int i = 1; i < argc; i++) {
		g_autofree gchar *key = NULL;
		gboolean value = FALSE;

		if (!parse_setting(argv[i], &key, &value))
			return TG_EXIT_USAGE;
		if (!tg_engine_set_setting(engine, key, value, &err)) {
			tg_cli_error(err);
			return TG_EXIT_ERROR;
		}
	}
	print_settings(engine);
	return TG_EXIT_OK;
}
