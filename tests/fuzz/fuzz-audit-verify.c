/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: audit verification, the streaming reader and the writer's
 * recovery on arbitrary files.
 *
 * The input is split at each "\n--8<--\n" into up to four files, written as
 * audit.log.3 ... audit.log (the last part is always audit.log). Then:
 *  - tg_audit_verify() with the HMAC key below and without a key: the result
 *    must be consistent (a problem has a kind, a file and a message);
 *  - the reader returns every line, each parsed with tg_audit_parse_line();
 *  - the writer opens the directory (recovering a torn line, finding the
 *    head) and appends one record; when the files verified before, they
 *    must still verify after. Any broken invariant aborts.
 * Seeds in tests/fuzz/corpus/audit-verify/ use the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tollgate/audit.h"

#define SEPARATOR "\n--8<--\n"
#define MAX_FILES 4
#define FUZZ_KEY "fuzz-audit-verify-hmac-key-000001"

static gchar *work_dir;
static gchar *log_dir;
static gchar *key_path;

static void remove_all(void)
{
	g_autoptr(GDir) d = g_dir_open(log_dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(log_dir, name, NULL);

		(void)g_unlink(path);
	}
}

static void cleanup(void)
{
	remove_all();
	(void)g_rmdir(log_dir);
	(void)g_unlink(key_path);
	(void)g_rmdir(work_dir);
}

static void init(void)
{
	work_dir = g_dir_make_tmp("tg-fuzz-audit-XXXXXX", NULL);
	if (!work_dir)
		abort();
	log_dir = g_build_filename(work_dir, "log", NULL);
	key_path = g_build_filename(work_dir, "hmac.key", NULL);
	if (g_mkdir(log_dir, 0750) < 0 ||
	    !g_file_set_contents(key_path, FUZZ_KEY, -1, NULL) || chmod(key_path, 0600) < 0)
		abort();
	atexit(cleanup);
}

static void write_files(const uint8_t *data, size_t size)
{
	const char *parts[MAX_FILES];
	gsize lens[MAX_FILES];
	guint n = 0;
	const char *p = (const char *)data, *end = p + size;

	while (n < MAX_FILES - 1) {
		const char *sep = memmem(p, (gsize)(end - p), SEPARATOR, strlen(SEPARATOR));

		if (!sep)
			break;
		parts[n] = p;
		lens[n++] = (gsize)(sep - p) + 1;	/* keeps the '\n' before the marker */
		p = sep + strlen(SEPARATOR);
	}
	parts[n] = p;
	lens[n++] = (gsize)(end - p);
	for (guint i = 0; i < n; i++) {
		g_autofree gchar *name = i + 1 == n ? g_strdup(TG_AUDIT_FILE) :
				       g_strdup_printf(TG_AUDIT_FILE ".%u", n - 1 - i);
		g_autofree gchar *path = g_build_filename(log_dir, name, NULL);

		if (!g_file_set_contents(path, parts[i], (gssize)lens[i], NULL))
			abort();
	}
}

/* Verifies; aborts on an inconsistent result. Returns whether it passed. */
static gboolean check_verify(const char *key)
{
	TgAuditVerifyResult res = { 0 };
	g_autoptr(GError) err = NULL;
	gboolean ok;

	if (!tg_audit_verify(log_dir, NULL, key, NULL, &res, &err))
		return FALSE;
	if (!res.message || (!res.ok && (!res.problem || !res.bad_file)) ||
	    (res.ok && (res.problem || res.bad_file)))
		abort();
	ok = res.ok;
	tg_audit_verify_result_clear(&res);
	return ok;
}

static void read_all(void)
{
	g_auto(GStrv) files = tg_audit_list_files(log_dir, NULL);
	g_autoptr(TgAuditReader) reader = NULL;
	const char *line;
	gsize len;

	if (!files)
		abort();
	reader = tg_audit_reader_open((const char *const *)files, NULL);
	while (tg_audit_reader_next(reader, &line, &len, NULL, NULL)) {
		g_autoptr(JsonObject) obj = tg_audit_parse_line(line, len, NULL);

		if (len == 0 || line[len - 1] != '\n')
			abort();
	}
}

static void append_one(gboolean verified)
{
	TgAuditOptions opts = { .dir = log_dir, .no_fsync = TRUE, .model = "fuzz" };
	g_autoptr(TgAuditLog) log = tg_audit_open(&opts, NULL);
	g_autoptr(JsonObject) body = json_object_new();
	g_autoptr(GError) err = NULL;

	if (!log) {
		/* Only a log that does not verify may be refused. */
		if (verified)
			abort();
		return;
	}
	json_object_set_string_member(body, "result", "none");
	if (!tg_audit_append(log, "update.check", body, NULL, &err) && verified &&
	    !g_error_matches(err, TG_AUDIT_ERROR, TG_AUDIT_ERROR_CHAIN))
		abort();	/* only an exhausted seq may stop a verified log */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gboolean verified;

	if (!work_dir)
		init();
	remove_all();
	write_files(data, size);
	verified = check_verify(key_path);
	(void)check_verify(NULL);
	read_all();
	append_one(verified);
	if (verified && !check_verify(key_path))
		abort();
	return 0;
}
