/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LD_PRELOAD probe for the benchmarks: when the process exits, appends one
 * line "rss_kib private_dirty_kib anon_kib" from /proc/self/smaps_rollup to
 * the file named by $TG_MEM_PROBE_OUT.
 *
 * ru_maxrss counts every resident page of the shared libraries a process
 * maps (GLib, OpenSSL, libc), pages that every other process using those
 * libraries shares on a device. Private_Dirty is what the process costs on
 * its own: its heap, stack and the library data pages it wrote (relocations,
 * .data, .bss). Private_Clean is left out: it counts unmodified library
 * pages that merely no other process maps at that moment, so it changes
 * with whatever else runs on the machine.
 * Build: cc -shared -fPIC -o mem-probe.so mem-probe.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

__attribute__((destructor)) static void mem_probe_report(void)
{
	const char *out = getenv("TG_MEM_PROBE_OUT");
	char text[4096];
	size_t n;
	FILE *f;

	if (!out || !*out || !(f = fopen("/proc/self/smaps_rollup", "re")))
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	f = fopen(out, "ae");
	if (!f)
		return;
	fprintf(f, "%ld %ld %ld\n", field(text, "\nRss:"),
		field(text, "\nPrivate_Dirty:"),
		field(text, "\nAnonymous:"));
	fclose(f);
}
