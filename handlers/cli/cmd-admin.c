/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* commit, fell-back, status, config check, state reseed. */
#include "cli.h"

#include <stdio.h>

#include "notify.h"
#include "tollgate/evidence.h"

int tg_cmd_commit(const TgCliGlobal *g, int argc, char **argv)
{
	gboolean booted = FALSE;
	gboolean fell_back = FALSE;
	GOptionEntry entries[] = {
		{ "booted", 0, 0, G_OPTION_ARG_NONE, &booted,
		  "commit only what booted: when [state] version-source still shows the "
		  "installed version, give the pending one up instead (a fallback boot)", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;
	gboolean done;
	guint n = 0;

	if (!tg_cli_parse(&argc, &argv, "commit", NULL,
			  "Run after the new software booted and was marked good: pending "
			  "floors become floors, a carried support end becomes current.", entries))
		return TG_EXIT_USAGE;
	engine = tg_cli_engine(g, "cli", &err);
	done = engine && (booted ? tg_engine_commit_booted(engine, &n, &fell_back, &err)
				 : tg_engine_commit(engine, &n, &err));
	if (!done) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	if (fell_back)
		printf("the pending version did not boot (a fallback boot); gave up %u pending "
		       "component%s\n", n, n == 1 ? "" : "s");
	else
		printf("committed %u component%s\n", n, n == 1 ? "" : "s");
	return TG_EXIT_OK;
}

int tg_cmd_fell_back(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *slot = NULL;
	g_autofree gchar *running = NULL;
	GOptionEntry entries[] = {
		{ "slot", 0, 0, G_OPTION_ARG_STRING, &slot, "the slot that booted", "NAME" },
		{ "running", 0, 0, G_OPTION_ARG_STRING, &running,
		  "the version that slot holds", "VERSION" },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;
	guint n = 0;

	if (!tg_cli_parse(&argc, &argv, "fell-back", NULL,
			  "Run after a fallback boot (the new software did not come up and the "
			  "old one runs again): pending floors are given up, never committed.",
			  entries))
		return TG_EXIT_USAGE;
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine || !tg_engine_fell_back(engine, slot, running, &n, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("gave up %u pending component%s\n", n, n == 1 ? "" : "s");
	return TG_EXIT_OK;
}

static const char *opt_string(JsonObject *obj, const char *member)
{
	if (!obj || !json_object_has_member(obj, member) ||
	    json_object_get_null_member(obj, member))
		return "-";
	return json_object_get_string_member(obj, member);
}

static void print_components(JsonObject *components)
{
	g_autoptr(GList) names = json_object_get_members(components);

	for (GList *l = names; l; l = l->next) {
		JsonObject *c = json_object_get_object_member(components, l->data);

		printf("component %s: installed %s, floor %s, security floor %s, pending %s\n",
		       (const char *)l->data, opt_string(c, "installed"), opt_string(c, "floor"),
		       opt_string(c, "security_floor"), opt_string(c, "pending"));
	}
}

/* "last decision: refused 0.9.0 at TIME: reason sentence" */
static void print_last_decision(JsonObject *status)
{
	JsonNode *node = json_object_get_member(status, "last_decision");
	JsonObject *d;
	const char *verdict;
	const char *word;
	g_autofree gchar *line = NULL;
	g_autofree gchar *safe = NULL;

	if (!node || JSON_NODE_HOLDS_NULL(node)) {
		printf("last decision: none\n");
		return;
	}
	d = json_node_get_object(node);
	verdict = opt_string(d, "verdict");
	word = g_str_equal(verdict, "allow") ? "allowed"
	       : g_str_equal(verdict, "defer") ? "deferred" : "refused";
	line = g_strdup_printf("last decision: %s %s (component %s) at %s: %s", word,
			       opt_string(d, "version"), opt_string(d, "component"),
			       opt_string(d, "time"), opt_string(d, "message"));
	safe = tg_cli_one_line(line);
	printf("%s\n", safe);
}

static void print_status(JsonObject *s)
{
	JsonObject *settings = json_object_get_object_member(s, "settings");
	JsonObject *pp = json_object_get_object_member(s, "postponed_until");

	printf("model: %s\n", opt_string(s, "model"));
	printf("time: %s (%s)\n", opt_string(s, "time"), opt_string(s, "time_trust"));
	print_components(json_object_get_object_member(s, "components"));
	printf("support end: %s (pending from an installed update: %s)\n",
	       opt_string(s, "support_end"), opt_string(s, "pending_support_end"));
	printf("settings: auto-install.security=%s auto-install.feature=%s notifications=%s\n",
	       json_object_get_boolean_member(settings, "auto-install.security") ? "on" : "off",
	       json_object_get_boolean_member(settings, "auto-install.feature") ? "on" : "off",
	       json_object_get_boolean_member(settings, "notifications") ? "on" : "off");
	printf("postponed: security until %s, feature until %s\n", opt_string(pp, "security"),
	       opt_string(pp, "feature"));
	print_last_decision(s);
}

int tg_cmd_status(const TgCliGlobal *g, int argc, char **argv)
{
	gboolean json = FALSE;
	GOptionEntry entries[] = {
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON", NULL },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(JsonObject) status = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "status", NULL,
			  "Shows versions and floors, the support end, user settings and the "
			  "last gate decision.", entries))
		return TG_EXIT_USAGE;
	engine = tg_cli_engine(g, "cli", &err);
	if (engine)
		status = tg_engine_status(engine, &err);
	if (!status) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	if (json) {
		g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

		json_node_set_object(node, status);
		tg_cli_print_json(node);
	} else {
		print_status(status);
	}
	return TG_EXIT_OK;
}

/* The groups other modules read: notifications (parsed by opening the
 * notifier, which sends nothing) and the evidence declarations. */
static gboolean check_extra_groups(const TgPolicy *policy, GError **error)
{
	const TgNotifyOps *ops = tg_notify_ops();
	gpointer notifier = ops->open(policy, NULL, error);

	if (!notifier && error && *error)
		return FALSE;
	if (notifier)
		ops->close(notifier);
	return tg_evidence_check_policy(policy, error);
}

int tg_cmd_config_check(const TgCliGlobal *g, int argc, char **argv)
{
	g_autoptr(TgPolicy) policy = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "config check", NULL,
			  "Loads the policy and its drop-ins strictly and reports the first "
			  "problem.", NULL))
		return TG_EXIT_USAGE;
	policy = tg_policy_load(tg_policy_path(g->config), &err);
	if (!policy || !check_extra_groups(policy, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("policy OK: %s (%u file%s, sha256 %s)\n", policy->path, policy->files->len,
	       policy->files->len == 1 ? "" : "s", policy->hash);
	return TG_EXIT_OK;
}

int tg_cmd_state_reseed(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *installed = NULL, *component = NULL;
	GOptionEntry entries[] = {
		{ "installed", 0, 0, G_OPTION_ARG_STRING, &installed,
		  "the version actually running (checked by you)", "VERSION" },
		{ "component", 0, 0, G_OPTION_ARG_STRING, &component,
		  "component (default from the policy)", "C" },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "state reseed", NULL,
			  "Recovers lost or tampered state: installed version and floor of the "
			  "component are set to VERSION. Recorded as state.recovered.", entries))
		return TG_EXIT_USAGE;
	if (!installed) {
		tg_cli_errorf("state reseed needs --installed VERSION");
		return TG_EXIT_USAGE;
	}
	engine = tg_cli_engine(g, "cli", &err);
	if (!engine || !tg_engine_reseed(engine, component, installed, &err)) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("state re-seeded: %s at %s\n",
	       component ? component : tg_engine_policy(engine)->default_component, installed);
	return TG_EXIT_OK;
}
