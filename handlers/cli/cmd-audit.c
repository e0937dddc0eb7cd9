/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* audit verify, audit show. Neither takes the state lock nor writes. */
#include "cli.h"

#include <stdio.h>

gchar *tg_cli_audit_dir(const TgCliGlobal *g, const char *dir, GError **error)
{
	g_autoptr(TgPolicy) policy = NULL;

	if (dir)
		return g_strdup(dir);
	if (g->state_dir)
		return g_build_filename(g->state_dir, "log", NULL);
	policy = tg_policy_load(tg_policy_path(g->config), error);
	return policy ? g_strdup(policy->audit_dir) : NULL;
}

int tg_cmd_audit_verify(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *dir = NULL, *key = NULL, *alg = NULL, *adir = NULL, *anchor = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "audit directory", "DIR" },
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key,
		  "HMAC key or Ed25519 public key to check checkpoints", "FILE" },
		{ "alg", 0, 0, G_OPTION_ARG_STRING, &alg, "hmac-sha256 or ed25519 (default: ed25519 for a PEM public key, else hmac-sha256)", "ALG" },
		{ "anchor", 0, 0, G_OPTION_ARG_FILENAME, &anchor,
		  "a checkpoint kept off the device (`tollgate audit anchor`): the log must "
		  "still hold it (needs --key)", "FILE" },
		G_OPTION_ENTRY_NULL,
	};
	const char *const *files;
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;
	gboolean ok;

	if (!tg_cli_parse(&argc, &argv, "audit verify", "[FILE...]",
			  "Verifies the hash chain across the rotated audit files (oldest "
			  "first) and, with --key, the signed checkpoints.\nExit: 0 intact, 1 "
			  "broken or unreadable.", entries))
		return TG_EXIT_USAGE;
	if (argc < 2 && !(adir = tg_cli_audit_dir(g, dir, &err))) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	files = argc >= 2 ? (const char *const *)argv + 1 : NULL;
	if (anchor ? !tg_audit_verify_anchor(adir, files, anchor, key, alg, &res, &err)
		   : !tg_audit_verify(adir, files, key, alg, &res, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	ok = res.ok;
	if (ok)
		printf("audit log intact: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT
		       " checkpoints\n", res.records, res.checkpoints);
	else
		printf("audit log BROKEN: %s\n", res.message);
	tg_audit_verify_result_clear(&res);
	return ok ? TG_EXIT_OK : TG_EXIT_ERROR;
}

typedef struct {
	GDateTime *since;
	const char *event;
	gboolean json;
} ShowFilter;

/* One-line summary of a record for the table. Returns: (transfer full). */
static gchar *summary(JsonObject *rec)
{
	JsonObject *d = json_object_has_member(rec, "decision")
				? json_object_get_object_member(rec, "decision")
				: NULL;
	JsonObject *c = json_object_has_member(rec, "candidate")
				? json_object_get_object_member(rec, "candidate")
				: NULL;

	if (d)
		return g_strdup_printf("%s %s: %s", json_object_get_string_member(d, "verdict"),
				       c ? json_object_get_string_member_with_default(c, "version", "-")
					 : "-",
				       json_object_get_string_member_with_default(d, "message", ""));
	if (c)
		return g_strdup_printf("%s", json_object_get_string_member_with_default(c, "version",
											"-"));
	if (json_object_has_member(rec, "setting"))
		return g_strdup_printf("%s -> %s",
				       json_object_get_string_member(rec, "setting"),
				       json_object_get_boolean_member(rec, "new") ? "on" : "off");
	return g_strdup("");
}

static void show_line(const char *line, const ShowFilter *f)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) when = NULL;
	g_autofree gchar *text = NULL;
	JsonObject *rec;
	const char *event;

	if (!json_parser_load_from_data(parser, line, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return;
	rec = json_node_get_object(json_parser_get_root(parser));
	event = json_object_get_string_member_with_default(rec, "event", "?");
	when = g_date_time_new_from_iso8601(
		json_object_get_string_member_with_default(rec, "time", ""), utc);
	if (f->event && !g_str_equal(f->event, event))
		return;
	if (f->since && (!when || g_date_time_compare(when, f->since) < 0))
		return;
	if (f->json) {
		printf("%s\n", line);
		return;
	}
	text = summary(rec);
	printf("%6" G_GINT64_FORMAT "  %s  %-24s %s\n",
	       json_object_get_int_member_with_default(rec, "seq", 0),
	       json_object_get_string_member_with_default(rec, "time", "?"), event, text);
}

static gboolean show_file(const char *path, const ShowFilter *f, GError **error)
{
	g_autoptr(GFile) file = g_file_new_for_path(path);
	g_autoptr(GFileInputStream) in = g_file_read(file, NULL, error);
	g_autoptr(GDataInputStream) data = NULL;
	gchar *line;

	if (!in)
		return FALSE;
	data = g_data_input_stream_new(G_INPUT_STREAM(in));
	while ((line = g_data_input_stream_read_line_utf8(data, NULL, NULL, error))) {
		show_line(line, f);
		g_free(line);
	}
	return error == NULL || *error == NULL;
}

int tg_cmd_audit_show(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *dir = NULL, *since = NULL, *event = NULL, *adir = NULL;
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "audit directory", "DIR" },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &since, "only records at or after", "TIME" },
		{ "event", 0, 0, G_OPTION_ARG_STRING, &event, "only this event", "EVENT" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "print the raw records", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GDateTime) since_dt = NULL;
	g_auto(GStrv) files = NULL;
	g_autoptr(GError) err = NULL;
	ShowFilter f;

	if (!tg_cli_parse(&argc, &argv, "audit show", NULL,
			  "Shows audit records as a table (seq, time, event, summary) or raw "
			  "JSON lines.", entries))
		return TG_EXIT_USAGE;
	if (since && !(since_dt = tg_cli_parse_time(since))) {
		tg_cli_errorf("--since '%s' is not an RFC 3339 time", since);
		return TG_EXIT_USAGE;
	}
	f = (ShowFilter){ .since = since_dt, .event = event, .json = json };
	adir = tg_cli_audit_dir(g, dir, &err);
	if (adir)
		files = tg_audit_list_files(adir, &err);
	for (gchar **p = files; p && *p && !err; p++)
		show_file(*p, &f, &err);
	if (err) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	return TG_EXIT_OK;
}
