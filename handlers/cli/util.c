/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Option parsing, messages and candidate options shared by the commands. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

gboolean tg_cli_parse(int *argc, char ***argv, const char *command, const char *params,
		      const char *summary, const GOptionEntry *entries)
{
	g_autofree gchar *title = g_strdup_printf("%s%s%s", command, params ? " " : "",
						  params ? params : "");
	g_autoptr(GOptionContext) ctx = g_option_context_new(title);
	g_autoptr(GError) err = NULL;
	g_autofree gchar *prgname = g_strdup_printf("tollgate %s", command);

	g_set_prgname(prgname);
	g_option_context_set_summary(ctx, summary);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		tg_cli_errorf("%s; run `tollgate %s --help`", err->message, command);
		return FALSE;
	}
	return TRUE;
}

void tg_cli_error(const GError *error)
{
	fprintf(stderr, "tollgate: %s\n", error->message);
}

void tg_cli_errorf(const char *fmt, ...)
{
	g_autofree gchar *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "tollgate: %s\n", msg);
}

GDateTime *tg_cli_parse_time(const char *text)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();

	return text ? g_date_time_new_from_iso8601(text, utc) : NULL;
}

void tg_cli_print_json(JsonNode *node)
{
	g_autofree gchar *text = json_to_string(node, FALSE);

	printf("%s\n", text);
}

const GOptionEntry *tg_cli_candidate_entries(TgCliCandidate *o)
{
	static GOptionEntry entries[18];
	const GOptionEntry src[] = {
		{ "version", 0, 0, G_OPTION_ARG_STRING, &o->version, "update version", "V" },
		{ "component", 0, 0, G_OPTION_ARG_STRING, &o->component, "software component", "C" },
		{ "class", 0, 0, G_OPTION_ARG_STRING, &o->cls, "security, feature or mixed", "CLASS" },
		{ "advisory", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->advisories,
		  "advisory ID fixed by the update (repeatable)", "ID" },
		{ "severity", 0, 0, G_OPTION_ARG_STRING, &o->severity, "severity", "S" },
		{ "risk", 0, 0, G_OPTION_ARG_STRING, &o->risk, "risks the update mitigates", "TEXT" },
		{ "reboot", 0, 0, G_OPTION_ARG_NONE, &o->reboot, "the update reboots the device", NULL },
		{ "downtime", 0, 0, G_OPTION_ARG_STRING, &o->downtime,
		  "expected downtime (seconds or 30s, 5m, 1h)", "DURATION" },
		{ "disruptive", 0, 0, G_OPTION_ARG_NONE, &o->disruptive,
		  "the update interrupts basic functioning", NULL },
		{ "service", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->services,
		  "service interrupted (repeatable)", "NAME" },
		{ "support-end", 0, 0, G_OPTION_ARG_STRING, &o->support_end,
		  "support end this release carries", "DATE" },
		{ "digest", 0, 0, G_OPTION_ARG_STRING, &o->digest, "SHA-256 of the artifact", "HEX" },
		{ "mechanism", 0, 0, G_OPTION_ARG_STRING, &o->mechanism, "update mechanism ID", "ID" },
		{ "name", 0, 0, G_OPTION_ARG_STRING, &o->name, "update name", "NAME" },
		{ "candidate", 0, 0, G_OPTION_ARG_FILENAME, &o->file,
		  "candidate file ([candidate] group)", "FILE" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &o->json, "print JSON", NULL },
		G_OPTION_ENTRY_NULL,
	};

	G_STATIC_ASSERT(G_N_ELEMENTS(src) <= G_N_ELEMENTS(entries));
	memcpy(entries, src, sizeof(src));
	return entries;
}

void tg_cli_candidate_clear(TgCliCandidate *o)
{
	g_free(o->version);
	g_free(o->component);
	g_free(o->cls);
	g_strfreev(o->advisories);
	g_free(o->severity);
	g_free(o->risk);
	g_free(o->downtime);
	g_strfreev(o->services);
	g_free(o->support_end);
	g_free(o->digest);
	g_free(o->mechanism);
	g_free(o->name);
	g_free(o->file);
}

static gboolean set_meta(TgCandidate *cand, const char *key, const char *value, GError **error)
{
	g_autofree gchar *origin = NULL;

	if (!value)
		return TRUE;
	origin = g_strdup_printf("option --%s", key);
	return tg_candidate_set_meta(cand, key, value, origin, error);
}

static gboolean set_list(TgCandidate *cand, const char *key, gchar **values, GError **error)
{
	g_autofree gchar *joined = NULL;

	if (!values)
		return TRUE;
	joined = g_strjoinv(";", values);
	return set_meta(cand, key, joined, error);
}

static gboolean set_identity(TgCandidate *cand, const TgCliCandidate *o, GError **error)
{
	const struct {
		const char *key;
		const char *value;
	} ids[] = {
		{ "version", o->version }, { "digest", o->digest },
		{ "mechanism", o->mechanism }, { "name", o->name },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(ids); i++) {
		g_autofree gchar *origin = g_strdup_printf("option --%s", ids[i].key);

		if (ids[i].value && !tg_candidate_set(cand, ids[i].key, ids[i].value, origin, error))
			return FALSE;
	}
	return TRUE;
}

TgCandidate *tg_cli_candidate_build(const TgCliCandidate *o, GError **error)
{
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	gboolean had_meta;

	if (o->file && !tg_candidate_load_file(cand, o->file, error))
		return NULL;
	had_meta = cand->has_metadata;
	if (!set_identity(cand, o, error) || !set_meta(cand, "component", o->component, error) ||
	    !set_meta(cand, "class", o->cls, error) ||
	    !set_list(cand, "advisories", o->advisories, error) ||
	    !set_meta(cand, "severity", o->severity, error) ||
	    !set_meta(cand, "risk", o->risk, error) ||
	    !set_meta(cand, "downtime", o->downtime, error) ||
	    !set_list(cand, "services", o->services, error) ||
	    !set_meta(cand, "support-end", o->support_end, error) ||
	    !set_meta(cand, "reboot", o->reboot ? "true" : NULL, error) ||
	    !set_meta(cand, "disruptive", o->disruptive ? "true" : NULL, error))
		return NULL;
	cand->has_metadata = had_meta || o->component || o->cls || o->advisories || o->severity ||
			     o->risk || o->downtime || o->services || o->support_end ||
			     o->reboot || o->disruptive;
	return g_steal_pointer(&cand);
}

gchar *tg_cli_one_line(const char *text)
{
	GString *out = g_string_sized_new(text ? strlen(text) : 0);

	for (const char *p = text; p && *p; p++) {
		if (*p == '\n')
			g_string_append(out, "\\n");
		else if (*p == '\r')
			g_string_append(out, "\\r");
		else if ((guchar)*p < 0x20 || *p == 0x7f)
			g_string_append_printf(out, "\\x%02x", (guchar)*p);
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

gchar *tg_cli_decision_line(const TgDecision *d)
{
	static const char *const verb[] = { "allowed", "deferred", "refused" };
	g_autofree gchar *until = NULL;
	g_autofree gchar *line = NULL;

	if (d->until) {
		g_autoptr(GDateTime) utc = g_date_time_to_utc(d->until);

		until = g_date_time_format(utc, " until %Y-%m-%dT%H:%M:%SZ");
	}
	line = g_strdup_printf("%s %s%s: %s", verb[d->verdict],
			       d->version ? d->version : "(no version)", until ? until : "",
			       d->message);
	return tg_cli_one_line(line);
}

int tg_cli_finish_gate(const TgDecision *d, const GError *error, gboolean json,
		       gboolean log_style)
{
	g_autofree gchar *line = NULL;

	if (!d) {
		tg_cli_errorf("%s; the update must not be installed", error->message);
		return TG_EXIT_ERROR;
	}
	if (json) {
		g_autoptr(JsonNode) node = tg_decision_to_json(d);

		tg_cli_print_json(node);
	}
	line = tg_cli_decision_line(d);
	if (log_style)
		fprintf(d->verdict == TG_VERDICT_ALLOW ? stdout : stderr, "tollgate: %s\n", line);
	else if (!json)
		printf("%s\n", line);
	return tg_decision_exit_code(d);
}
