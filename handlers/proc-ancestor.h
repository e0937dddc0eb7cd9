/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The updater process an adapter runs in or under, found through /proc:
 * shared by the RAUC and SWUpdate adapters to ask their updater for its
 * version (rauc-version.c, swu-version.c) and by the SWUpdate precheck to
 * find the configuration SWUpdate runs with (swu-config.c). */
#pragma once

#include <glib.h>
#include <string.h>
#include <unistd.h>

/* Returns: (transfer full) (nullable): the executable of the nearest process
 * from @pid upwards (at most 4 levels) whose file name @match accepts;
 * @ret_pid (optional) receives that process's ID. */
static inline gchar *tg_proc_ancestor_exe(pid_t pid, gboolean (*match)(const char *base),
					  pid_t *ret_pid)
{
	for (int depth = 0; depth < 4 && pid > 1; depth++) {
		g_autofree gchar *link = g_strdup_printf("/proc/%d/exe", (int)pid);
		g_autofree gchar *stat_path = g_strdup_printf("/proc/%d/stat", (int)pid);
		g_autofree gchar *exe = g_file_read_link(link, NULL);
		g_autofree gchar *stat = NULL;
		const char *paren;

		if (exe) {
			g_autofree gchar *base = g_path_get_basename(exe);

			if (match(base)) {
				if (ret_pid)
					*ret_pid = pid;
				return g_steal_pointer(&exe);
			}
		}
		if (!g_file_get_contents(stat_path, &stat, NULL, NULL) ||
		    !(paren = strrchr(stat, ')')))
			return NULL;
		pid = (pid_t)g_ascii_strtoll(paren + 4, NULL, 10);	/* ") S PPID" */
	}
	return NULL;
}
