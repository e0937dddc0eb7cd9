/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SWUpdate's own version, for the audit records. What SWUpdate reports is
 * often empty: its build takes the version from `git describe`, so a build
 * from a release tarball (Debian's, many Yocto and Buildroot builds) says
 * "SWUpdate v" and the Lua interface's getversion() gives 0.0 (and never the
 * sublevel). In order: the version the adapter was given when it is a real
 * one; the banner compiled into the SWUpdate binary (this process, or for
 * the precheck the swupdate process above it); the version of the Debian
 * package that installed that binary; else "unknown" (never NULL). */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <string.h>

#include "../proc-ancestor.h"

#define BANNER "SWUpdate v"

static gboolean is_real_version(const char *v)
{
	return v && g_ascii_isdigit(v[0]) && !g_str_has_prefix(v, "0.") && strcmp(v, "0") != 0;
}

/* The version after "SWUpdate v" in the binary at @exe, or NULL. */
static gchar *banner_version(const char *exe)
{
	g_autoptr(GMappedFile) map = g_mapped_file_new(exe, FALSE, NULL);
	const char *data, *end, *p;
	gsize len;

	if (!map)
		return NULL;
	data = g_mapped_file_get_contents(map);
	len = g_mapped_file_get_length(map);
	end = data + len;
	for (p = memmem(data, len, BANNER, strlen(BANNER)); p;
	     p = memmem(p + 1, (gsize)(end - p - 1), BANNER, strlen(BANNER))) {
		const char *v = p + strlen(BANNER), *q = v;

		while (q < end && (g_ascii_isalnum(*q) || strchr(".+~-_", *q)))
			q++;
		if (q > v && g_ascii_isdigit(*v))
			return g_strndup(v, (gsize)(q - v));
	}
	return NULL;
}

/* Version of the Debian package "swupdate" when its file list has @exe. */
static gchar *dpkg_version(const char *exe)
{
	g_autofree gchar *list = NULL, *status = NULL, *line = NULL;
	const char *stanza;

	if (!g_file_get_contents("/var/lib/dpkg/info/swupdate.list", &list, NULL, NULL))
		return NULL;
	line = g_strconcat("\n", exe, "\n", NULL);
	if (!strstr(list, line) && !g_str_has_prefix(list, line + 1))
		return NULL;
	if (!g_file_get_contents("/var/lib/dpkg/status", &status, NULL, NULL))
		return NULL;
	for (stanza = strstr(status, "Package: swupdate\n"); stanza;
	     stanza = strstr(stanza + 1, "Package: swupdate\n")) {
		const char *v, *stop = strstr(stanza, "\n\n");

		if (stanza != status && stanza[-1] != '\n')
			continue;
		v = strstr(stanza, "\nVersion: ");
		if (v && (!stop || v < stop))
			return g_strndup(v + 10, strcspn(v + 10, "\n"));
	}
	return NULL;
}

/* The SWUpdate binary this process belongs to: itself, or an ancestor
 * (the precheck runs as SWUpdate's preupdatecmd, possibly under a shell). */
static gboolean is_swupdate(const char *base)
{
	return g_str_has_prefix(base, "swupdate");
}

gchar *tg_swu_daemon_exe(pid_t *ret_pid)
{
	return tg_proc_ancestor_exe(getpid(), is_swupdate, ret_pid);
}

static gboolean detected_in_ancestor;	/* the running SWUpdate, not PATH's */

/* The SWUpdate this process runs under, else (the precheck run by hand,
 * swupdate-listen next to the daemon) the swupdate on PATH. */
static gchar *detect(void)
{
	g_autofree gchar *exe = tg_swu_daemon_exe(NULL);
	gchar *v = NULL;

	detected_in_ancestor = exe != NULL;
	if (!exe)
		exe = g_find_program_in_path("swupdate");
	if (exe && !(v = banner_version(exe)))
		v = dpkg_version(exe);
	return v ? v : g_strdup("unknown");
}

/* Is @full @part with more after it (2024.12 -> 2024.12.1, 2022.12+dfsg-4)? */
static gboolean refines(const char *full, const char *part)
{
	gsize n = strlen(part);

	return strncmp(full, part, n) == 0 && full[n] && strchr(".+~-", full[n]);
}

const char *tg_swu_updater_version(const char *reported)
{
	static gchar *detected;
	gboolean real = is_real_version(reported);

	/* VERSION.PATCHLEVEL.SUBLEVEL (the compiled-in handler's release) is
	 * whole; Lua's getversion() never has the sublevel. */
	if (real && strchr(reported, '.') != strrchr(reported, '.'))
		return reported;
	if (g_once_init_enter(&detected))
		g_once_init_leave(&detected, detect());
	if (real && !(detected_in_ancestor && refines(detected, reported)))
		return reported;
	return detected;
}
