/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs tg_audit_verify() over an audit directory and prints the outcome
 * and the throughput. Stands in for `tollgate audit verify` in
 * tests/bench/audit-verify.sh.
 *
 * Usage: verify-bench DIR [KEY]
 * Exit status: 0 verified, 1 problem found, 2 error. */
#include <stdio.h>
#include <sys/stat.h>

#include "tollgate/audit.h"

static guint64 total_bytes(gchar **files)
{
	guint64 total = 0;

	for (gchar **f = files; *f; f++) {
		struct stat st;

		if (stat(*f, &st) == 0)
			total += (guint64)st.st_size;
	}
	return total;
}

int main(int argc, char **argv)
{
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) files = NULL;
	gint64 start, elapsed;
	guint64 bytes;
	int status;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DIR [KEY]\n", argv[0]);
		return 2;
	}
	files = tg_audit_list_files(argv[1], &err);
	if (!files) {
		fprintf(stderr, "%s\n", err->message);
		return 2;
	}
	bytes = total_bytes(files);
	start = g_get_monotonic_time();
	if (!tg_audit_verify(argv[1], (const char *const *)files, argc == 3 ? argv[2] : NULL,
			     NULL, &res, &err)) {
		fprintf(stderr, "%s\n", err->message);
		return 2;
	}
	elapsed = MAX(g_get_monotonic_time() - start, 1);
	printf("%s: %s\n", res.ok ? "OK" : res.problem, res.message);
	printf("%" G_GUINT64_FORMAT " bytes in %.3f s: %.1f MB/s\n", bytes,
	       (double)elapsed / G_USEC_PER_SEC, (double)bytes / (double)elapsed);
	status = res.ok ? 0 : 1;
	tg_audit_verify_result_clear(&res);
	return status;
}
