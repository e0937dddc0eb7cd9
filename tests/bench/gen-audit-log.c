/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes a large, realistic audit log for benchmarks: gate decisions with
 * five checks, now and then a user action, an install and a commit, through
 * the real writer (rotation every 256 MiB, HMAC checkpoints every 1000
 * records), without the per-record fsync (TgAuditOptions.no_fsync).
 *
 * Usage: gen-audit-log DIR MEGABYTES HMAC-KEY-FILE [RECORDS]
 *
 * Stops when the log holds MEGABYTES MiB or, with RECORDS, after that many
 * records (MEGABYTES 0: no size limit). An existing log is continued. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tollgate/audit.h"

#define ROTATE_BYTES (256ULL * 1024 * 1024)
#define CHECKPOINT_EVERY 1000

static const char *const checks[][4] = {
	{ "classify", "pass", "declared-security", "5.3-11" },
	{ "rollback", "pass", "above-floor", "5.3-2" },
	{ "support", "pass", "inside-support", "5.3-13" },
	{ "deferral", "pass", "auto-install-on", "5.3-6" },
	{ "disruption", "warn", "reboot-announced", "5.3-12" },
};

static JsonObject *candidate(guint64 n)
{
	JsonObject *c = json_object_new();
	JsonArray *adv = json_array_new();
	g_autofree gchar *version = g_strdup_printf("%u.%u.%u", (guint)(n / 10000 % 100),
						    (guint)(n / 100 % 100), (guint)(n % 100));
	g_autofree gchar *cve = g_strdup_printf("CVE-2024-%05u", (guint)(n % 99991));

	json_array_add_string_element(adv, cve);
	json_object_set_string_member(c, "name", "rootfs-bundle");
	json_object_set_string_member(c, "version", version);
	json_object_set_string_member(c, "component", "rootfs");
	json_object_set_string_member(c, "digest",
		"3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea");
	json_object_set_string_member(c, "class", "security");
	json_object_set_array_member(c, "advisories", adv);
	json_object_set_string_member(c, "severity", "high");
	json_object_set_string_member(c, "risk", "a crafted packet can crash the routing daemon");
	json_object_set_boolean_member(c, "reboot", TRUE);
	json_object_set_int_member(c, "downtime_s", 90);
	return c;
}

static JsonObject *check(guint i)
{
	JsonObject *r = json_object_new();
	JsonArray *prov = json_array_new();
	JsonArray *tc = json_array_new();
	g_autofree gchar *test_case = g_strdup_printf("%s-1", checks[i][3]);
	g_autofree gchar *msg = g_strdup_printf("check %s: %s (%s)", checks[i][0], checks[i][1],
						checks[i][2]);

	json_array_add_string_element(prov, checks[i][3]);
	json_array_add_string_element(tc, test_case);
	json_object_set_string_member(r, "check", checks[i][0]);
	json_object_set_string_member(r, "outcome", checks[i][1]);
	json_object_set_string_member(r, "reason", checks[i][2]);
	json_object_set_string_member(r, "message", msg);
	json_object_set_array_member(r, "provisions", prov);
	json_object_set_array_member(r, "test_cases", tc);
	return r;
}

static JsonObject *decision_body(guint64 n)
{
	JsonObject *b = json_object_new();
	JsonObject *d = json_object_new();
	JsonObject *u = json_object_new();
	JsonArray *list = json_array_new();
	g_autofree gchar *tx = g_strdup_printf("%08x-9d4e-4b7a-8c1f-%012" G_GINT64_MODIFIER "x",
					       (guint)n, (gint64)n * 7919);

	json_object_set_string_member(u, "name", "rauc");
	json_object_set_string_member(u, "version", "1.11.3");
	json_object_set_string_member(d, "verdict", "allow");
	json_object_set_string_member(d, "reason", "ok");
	json_object_set_string_member(d, "message", "every check passed; the update may install");
	for (guint i = 0; i < G_N_ELEMENTS(checks); i++)
		json_array_add_object_element(list, check(i));
	json_object_set_string_member(b, "transaction_id", tx);
	json_object_set_string_member(b, "mechanism", "UM-1");
	json_object_set_object_member(b, "updater", u);
	json_object_set_object_member(b, "candidate", candidate(n));
	json_object_set_string_member(b, "installed", "1.9.9");
	json_object_set_string_member(b, "floor", "1.9.0");
	json_object_set_object_member(b, "decision", d);
	json_object_set_array_member(b, "checks", list);
	return b;
}

static guint64 dir_bytes(const char *dir)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, NULL);
	guint64 total = 0;

	for (gchar **f = files; f && *f; f++) {
		struct stat st;

		if (stat(*f, &st) == 0)
			total += (guint64)st.st_size;
	}
	return total;
}

int main(int argc, char **argv)
{
	TgAuditOptions opts = {
		.max_size = ROTATE_BYTES, .checkpoint_every = CHECKPOINT_EVERY,
		.model = "TG-Router 3000", .device_id = "SN-0042", .hardware_revision = "rev-B",
		.policy_hash = "5d41402abc4b2a76b9719d911017c592ae8e7c6a2c3e4d5f60718293a4b5c6d7",
		.no_fsync = TRUE,
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = NULL;
	guint64 target, written, records = G_MAXUINT64;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s DIR MEGABYTES HMAC-KEY-FILE [RECORDS]\n", argv[0]);
		return 2;
	}
	opts.dir = argv[1];
	opts.checkpoint_key = argv[3];
	target = g_ascii_strtoull(argv[2], NULL, 10) * 1024 * 1024;
	if (target == 0)
		target = G_MAXUINT64;
	if (argc == 5)
		records = g_ascii_strtoull(argv[4], NULL, 10);
	log = tg_audit_open(&opts, &err);
	if (!log) {
		fprintf(stderr, "%s\n", err->message);
		return 1;
	}
	written = dir_bytes(argv[1]);
	for (guint64 n = 1; written < target && n <= records; n++) {
		g_autoptr(JsonObject) body = decision_body(n);

		if (!tg_audit_append(log, "gate.decision", body, NULL, &err)) {
			fprintf(stderr, "%s\n", err->message);
			return 1;
		}
		if (n % 4096 == 0)
			written = dir_bytes(argv[1]);
	}
	return 0;
}
