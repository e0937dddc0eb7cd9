/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes a fleet of audit logs for the evidence-export benchmark: DEVICES
 * directories dev-NNNNN, each with one audit.log of RECORDS hash-chained
 * records shaped like the engine's (gate decisions with five checks and
 * their notices, update checks, installs and commits, postpones, settings
 * changes, failed installs, refused downgrades). Lines are formatted
 * directly and chained with SHA-256, so a million records take seconds
 * instead of going through json-glib and the writer.
 *
 * Usage: gen-fleet DIR DEVICES RECORDS */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tollgate/audit.h"
#include "tg-crypto.h"

#define LINE_MAX_BYTES 4096

typedef struct {
	FILE *f;
	char prev[TG_SHA256_HEX_LEN + 1];
	guint64 seq;
	guint dev;
	guint version;		/* patch level of the installed version */
	char line[LINE_MAX_BYTES];
} Gen;

static const char head[] =
	"{\"prev\":\"%s\",\"schema\":1,\"seq\":%" G_GUINT64_FORMAT ",\"time\":\"2026-%02u-%02uT%02u:"
	"%02u:00Z\",\"time_trust\":\"system\",\"monotonic_us\":%" G_GUINT64_FORMAT ",\"boot_id\":"
	"\"3c71b313-9bc6-427a-87f1-056bbafd6e2d\",\"event\":\"%s\",\"message_id\":\"%s\","
	"\"device\":{\"model\":\"TG-Router 3000\",\"device_id\":\"SN-%05u\",\"hardware_revision\":"
	"\"rev-B\"},\"policy_hash\":\"5d41402abc4b2a76b9719d911017c592ae8e7c6a2c3e4d5f60718293a4b5c6d7\"";

static const char checks[] =
	",\"checks\":[{\"check\":\"classify\",\"outcome\":\"pass\",\"reason\":\"class-declared\","
	"\"message\":\"Version 1.4.%u is a %s update as declared.\",\"provisions\":[\"5.3-8\","
	"\"5.3-11\"],\"test_cases\":[\"5.3-8-1\",\"5.3-11-1\"]},{\"check\":\"rollback\",\"outcome\":"
	"\"%s\",\"reason\":\"%s\",\"message\":\"Version 1.4.%u compared with the installed 1.4.%u.\","
	"\"provisions\":[\"5.3-2\"],\"test_cases\":[\"5.3-2-1\",\"5.3-2-2\"]},{\"check\":\"support\","
	"\"outcome\":\"pass\",\"reason\":\"in-support\",\"message\":\"Support for this device lasts "
	"until 2031-12-31.\",\"provisions\":[\"5.3-13\"],\"test_cases\":[\"5.3-13-1\",\"5.3-13-2\"]},"
	"{\"check\":\"disruption\",\"outcome\":\"warn\",\"reason\":\"disruptive\",\"message\":"
	"\"Version 1.4.%u reboots the device.\",\"provisions\":[\"5.3-12\"],\"test_cases\":"
	"[\"5.3-12-1\"]},{\"check\":\"deferral\",\"outcome\":\"%s\",\"reason\":\"%s\",\"message\":"
	"\"Automatic installation is on.\",\"provisions\":[\"5.3-4\",\"5.3-6\"],\"test_cases\":"
	"[\"5.3-4-1\",\"5.3-6-1\",\"5.3-6-2\"]}]}";

static void emit(Gen *g, int len)
{
	if (len <= 0 || len >= LINE_MAX_BYTES - 1) {
		fprintf(stderr, "gen-fleet: record too long\n");
		exit(1);
	}
	g->line[len] = '\n';
	fwrite(g->line, 1, (size_t)len + 1, g->f);
	tg_sha256_hex(g->line, (gsize)len + 1, g->prev);
}

/* The common members; returns the length written. */
static int common(Gen *g, const char *event)
{
	guint64 s = g->seq;

	return snprintf(g->line, LINE_MAX_BYTES, head, g->prev, s, (guint)(s / 100000 % 12) + 1,
			(guint)(s / 4000 % 28) + 1, (guint)(s / 60 % 24), (guint)(s % 60),
			s * 1000003, event, tg_audit_message_id(event), g->dev);
}

static void decision(Gen *g, const char *verdict, guint candidate, const char *rollback,
		     const char *deferral)
{
	gboolean security = candidate % 3 == 0;
	int n = common(g, "gate.decision");

	n += snprintf(g->line + n, LINE_MAX_BYTES - (size_t)n,
		      ",\"transaction_id\":\"%08x-9d4e-4b7a-8c1f-%012x\",\"mechanism\":\"swu-net\","
		      "\"updater\":{\"name\":\"swupdate\",\"version\":\"2022.12\"},\"candidate\":"
		      "{\"name\":\"rootfs\",\"version\":\"1.4.%u\",\"component\":\"system\",\"digest\":"
		      "\"3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea\","
		      "\"declared_class\":\"%s\",\"advisories\":[%s],\"risk\":%s,\"reboot\":true},"
		      "\"installed\":\"1.4.%u\",\"floor\":\"1.4.%u\",\"decision\":{\"verdict\":\"%s\","
		      "\"reason\":\"%s\",\"class\":\"%s\",\"component\":\"system\"}",
		      (guint)g->seq, g->dev, candidate, security ? "security" : "feature",
		      security ? "\"CVE-2026-10001\"" : "",
		      security ? "\"a crafted packet crashes the daemon\"" : "null", g->version,
		      g->version, verdict, g_str_equal(verdict, "refuse") ? rollback : deferral,
		      security ? "security" : "feature");
	n += snprintf(g->line + n, LINE_MAX_BYTES - (size_t)n, checks, candidate,
		      security ? "security" : "feature",
		      g_str_equal(rollback, "upgrade") ? "pass" : "refuse", rollback, candidate,
		      g->version, candidate, g_str_equal(verdict, "defer") ? "defer" : "pass",
		      deferral);
	emit(g, n);
}

static void simple(Gen *g, const char *event, const char *body)
{
	int n = common(g, event);

	n += snprintf(g->line + n, LINE_MAX_BYTES - (size_t)n, "%s}", body);
	emit(g, n);
}

static void one_record(Gen *g)
{
	char body[512];

	switch (g->seq % 20) {
	case 0:
		simple(g, "update.check", ",\"result\":\"none\",\"component\":\"system\","
		       "\"mechanism\":\"swu-net\",\"client\":\"suricatta\",\"provisions\":[\"5.3-5\"]");
		break;
	case 5:
		decision(g, "refuse", g->version ? g->version - 1 : 0, "downgrade", "no-window");
		break;
	case 9:
		decision(g, "defer", g->version + 1, "upgrade", "postponed");
		break;
	case 10:
		simple(g, "user.postponed", ",\"class\":\"feature\",\"old_until\":null,"
		       "\"new_until\":\"2026-07-01T00:00:00Z\",\"max_postpone_s\":2592000");
		break;
	case 13:
		snprintf(body, sizeof(body), ",\"notice_id\":\"%08x-0000-4000-8000-000000000000\","
			 "\"notice_type\":\"security-update\",\"sink\":\"ui\",\"sink_type\":\"dbus\","
			 "\"delivered\":true,\"title\":\"Security update 1.4.%u\"", (guint)g->seq,
			 g->version + 1);
		simple(g, "notice.delivered", body);
		break;
	case 17:
		g->version++;
		snprintf(body, sizeof(body), ",\"components\":[{\"component\":\"system\","
			 "\"version\":\"1.4.%u\"}]", g->version);
		simple(g, "update.committed", body);
		break;
	default:
		decision(g, "allow", g->version + 1, "upgrade", "no-window");
	}
}

static int write_device(const char *dir, guint dev, guint64 records)
{
	g_autofree gchar *ddir = g_strdup_printf("%s/dev-%05u", dir, dev);
	g_autofree gchar *path = g_build_filename(ddir, "audit.log", NULL);
	g_autofree char *buf = g_malloc(1 << 20);
	Gen g = { .dev = dev, .version = dev % 7 };

	if (g_mkdir_with_parents(ddir, 0750) != 0 || !(g.f = fopen(path, "w"))) {
		fprintf(stderr, "gen-fleet: cannot write %s: %s\n", path, g_strerror(errno));
		return 1;
	}
	setvbuf(g.f, buf, _IOFBF, 1 << 20);
	strcpy(g.prev, TG_AUDIT_GENESIS);
	for (g.seq = 1; g.seq <= records; g.seq++)
		one_record(&g);
	return fclose(g.f) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	guint64 devices, records;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DIR DEVICES RECORDS\n", argv[0]);
		return 2;
	}
	devices = g_ascii_strtoull(argv[2], NULL, 10);
	records = g_ascii_strtoull(argv[3], NULL, 10);
	for (guint d = 0; d < devices; d++)
		if (write_device(argv[1], d, records) != 0)
			return 1;
	return 0;
}
