/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RAUC's version, for the audit records. No RAUC release sets RAUC_VERSION
 * in a handler's environment (1.8 to 1.15 checked), so the version comes
 * from the rauc binary that runs the handler: the nearest ancestor process
 * named "rauc" (the service), asked once with --version; outside a handler
 * (the listener) the rauc on PATH. "unknown" when neither answers. */
#include "rauc-candidate.h"

#include <string.h>

#include "../proc-ancestor.h"

static gboolean is_rauc(const char *base)
{
	return g_str_equal(base, "rauc");
}

/* "rauc 1.15.2" from `EXE --version`, as "1.15.2"; NULL otherwise. */
static gchar *ask_version(const char *exe)
{
	const char *argv[] = { exe, "--version", NULL };
	g_autofree gchar *out = NULL;
	gint status = 0;
	gchar **words;
	gchar *version = NULL;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
			  NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL))
		return NULL;
	words = g_strsplit_set(g_strstrip(out), " \n", 3);
	if (words[0] && g_str_equal(words[0], "rauc") && words[1] &&
	    g_ascii_isdigit(words[1][0]))
		version = g_strdup(words[1]);
	g_strfreev(words);
	return version;
}

const char *tg_rauc_updater_version(const char *const *envp)
{
	static gchar *detected;
	const char *given = envp ? g_environ_getenv((gchar **)envp, "RAUC_VERSION") : NULL;

	if (given && *given)
		return given;
	if (g_once_init_enter(&detected)) {
		g_autofree gchar *exe = tg_proc_ancestor_exe(getppid(), is_rauc, NULL);
		gchar *v = ask_version(exe ? exe : "rauc");

		g_once_init_leave(&detected, v ? v : g_strdup("unknown"));
	}
	return detected;
}

gchar *tg_rauc_keyring_file(const char *system_conf)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	gchar *keyring;

	if (!system_conf || !g_key_file_load_from_file(kf, system_conf, G_KEY_FILE_NONE, NULL))
		return NULL;
	keyring = g_key_file_get_value(kf, "keyring", "path", NULL);
	if (keyring && !g_path_is_absolute(g_strstrip(keyring))) {	/* relative to system.conf */
		g_autofree gchar *dir = g_path_get_dirname(system_conf);
		gchar *full = g_build_filename(dir, keyring, NULL);

		g_free(keyring);
		keyring = full;
	}
	return keyring;
}
