/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's own configuration (swupdate.cfg) as the precheck route needs
 * it. From SWUpdate 2025.12, preupdatecmd (like -N, -R, no-downgrading and
 * max-version) belongs to an update type: the one in "globals" to type
 * "default" only, each entry of "update-types" has its own. An update whose
 * sw-description names a type without tollgate's precheck installs without
 * the gate. So before it gates anything the precheck reads the file SWUpdate
 * runs with and refuses when any update type lacks it. */
#include "tg-swupdate.h"
#include "decision-private.h"
#include "tg-swupdate-config.h"

#include <string.h>

#if TG_HAVE_LIBCONFIG
#include <libconfig.h>
#endif

#define CONFIG_MAX (1024 * 1024)	/* larger swupdate.cfg files are not read */
#define PRECHECK_WORD "swupdate-precheck"

/* The value of -f / --file in a NUL-separated command line. */
static gchar *file_option(const gchar *cmdline, gsize len)
{
	const gchar *end = cmdline + len;

	for (const gchar *arg = cmdline; arg < end; arg += strlen(arg) + 1) {
		const gchar *next = arg + strlen(arg) + 1;

		if ((g_str_equal(arg, "-f") || g_str_equal(arg, "--file")) && next < end)
			return g_strdup(next);
		if (g_str_has_prefix(arg, "--file="))
			return g_strdup(arg + strlen("--file="));
		if (g_str_has_prefix(arg, "-f") && arg[2] != '\0')
			return g_strdup(arg + 2);
	}
	return NULL;
}

gchar *tg_swu_config_path(void)
{
	pid_t pid = 0;
	g_autofree gchar *exe = tg_swu_daemon_exe(&pid);
	g_autofree gchar *proc = NULL;
	g_autofree gchar *cmdline = NULL;
	gsize len = 0;
	gchar *path;

	if (!exe)
		return NULL;
	proc = g_strdup_printf("/proc/%d/cmdline", (int)pid);
	if (g_file_get_contents(proc, &cmdline, &len, NULL) &&
	    (path = file_option(cmdline, len)))
		return path;
	/* Without -f, SWUpdate reads its built-in default when it exists. */
	return g_file_test(TG_SWU_DEFAULT_CONFIG, G_FILE_TEST_EXISTS)
		       ? g_strdup(TG_SWU_DEFAULT_CONFIG) : NULL;
}

#if TG_HAVE_LIBCONFIG
/* Does @cmd run the precheck: it names it, or it is the command of "globals"
 * (the one that runs this precheck for type "default")? */
static gboolean runs_precheck(const char *cmd, const char *global_cmd)
{
	return cmd && (strstr(cmd, PRECHECK_WORD) || g_strcmp0(cmd, global_cmd) == 0);
}

static gboolean check_types(config_t *cfg, const char *origin, GError **error)
{
	config_setting_t *types = config_lookup(cfg, "update-types");
	const char *global_cmd = NULL;

	if (!types)
		return TRUE;
	(void)config_lookup_string(cfg, "globals.preupdatecmd", &global_cmd);
	if (!config_setting_is_list(types) && !config_setting_is_array(types)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "%s: update-types is not a list; write it as update-types: ( { name = "
			    "\"app\"; preupdatecmd = \"...\"; } )", origin);
		return FALSE;
	}
	for (int i = 0; i < config_setting_length(types); i++) {
		config_setting_t *t = config_setting_get_elem(types, (unsigned int)i);
		const char *name = NULL, *cmd = NULL;
		g_autofree gchar *valid = NULL;

		if (!config_setting_lookup_string(t, "name", &name))
			continue;	/* SWUpdate skips entries without a name */
		(void)config_setting_lookup_string(t, "preupdatecmd", &cmd);
		if (g_str_equal(name, "default") || runs_precheck(cmd, global_cmd))
			continue;	/* "default" entries are ignored: globals apply */
		valid = g_utf8_make_valid(name, -1);
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "%s: update type '%s' has no preupdatecmd that runs tollgate "
			    "swupdate-precheck, so SWUpdate 2025.12+ installs updates of that type "
			    "without the gate; add preupdatecmd = \"%s\" to that entry of "
			    "update-types", origin, valid,
			    global_cmd ? global_cmd : "/usr/bin/tollgate swupdate-precheck");
		return FALSE;
	}
	return TRUE;
}

gboolean tg_swu_config_check_data(const char *data, const char *origin, const char *include_dir,
				  GError **error)
{
	config_t cfg;
	gboolean ok;

	g_return_val_if_fail(data != NULL && origin != NULL, FALSE);
	config_init(&cfg);
	if (include_dir)
		config_set_include_dir(&cfg, include_dir);
	else if (strstr(data, "@include")) {
		config_destroy(&cfg);
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_VALUE,
			    "%s uses @include, which is read only from a file", origin);
		return FALSE;
	}
	if (config_read_string(&cfg, data) != CONFIG_TRUE) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX,
			    "%s: line %d: %s; SWUpdate cannot read it either, fix the file", origin,
			    config_error_line(&cfg),
			    config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
		config_destroy(&cfg);
		return FALSE;
	}
	ok = check_types(&cfg, origin, error);
	config_destroy(&cfg);
	return ok;
}
#else
gboolean tg_swu_config_check_data(const char *data, const char *origin, const char *include_dir,
				  GError **error)
{
	g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_SYNTAX,
		    "%s cannot be checked for update types without the gate: this tollgate was "
		    "built without libconfig (Debian libconfig-dev); rebuild with it", origin);
	return FALSE;
}
#endif

gboolean tg_swu_config_check_file(const char *path, GError **error)
{
	g_autofree gchar *data = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *origin = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	g_return_val_if_fail(path != NULL, FALSE);
	origin = g_strdup_printf("SWUpdate configuration %s", path);
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_IO,
			    "cannot read %s (%s), so its update types cannot be checked; make it "
			    "readable or pass --swupdate-config", origin, local->message);
		return FALSE;
	}
	if (len > CONFIG_MAX || strlen(data) != len) {
		g_set_error(error, TG_SWU_ERROR, TG_SWU_ERROR_LIMIT,
			    "%s is larger than 1 MiB or holds NUL bytes; tollgate does not read it",
			    origin);
		return FALSE;
	}
	dir = g_path_get_dirname(path);
	return tg_swu_config_check_data(data, origin, dir, error);
}

#define PUBLIC_KEY_FILE "^\\s*public-key-file\\s*=\\s*\"([^\"]+)\""

gchar *tg_swu_config_public_key_in(const char *text)
{
	g_autoptr(GRegex) re = g_regex_new(PUBLIC_KEY_FILE, G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;

	return g_regex_match(re, text, 0, &match) ? g_match_info_fetch(match, 1) : NULL;
}

gchar *tg_swu_config_public_key(const char *path)
{
	g_autofree gchar *text = NULL;

	if (!path || !g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return tg_swu_config_public_key_in(text);
}
