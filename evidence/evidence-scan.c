/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The streaming pass over the devices' audit logs. Each device's chain is
 * verified first (tg_audit_verify, no JSON), then its records are read once
 * with tg_audit_reader_* and parsed once with json-glib. A record updates
 * the device's counters and, for every test case it supports, is written
 * as one entry to that test case's spool file while the device has fewer
 * than the limit listed there. Nothing per record stays in memory, so the
 * memory of an export does not grow with the number of records. */
#include "evidence-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "tg-crypto.h"

#define EVENT_KEY ",\"event\":\""
#define MAX_SUMMARY 240
#define MAX_HITS 8

/* One record while it is being looked at. */
typedef struct {
	JsonObject *obj;
	const char *event;
	const char *time;
	guint64 seq;
	const char *line;
	gsize len;
	const char *file;
	TgEvTc hits[MAX_HITS];
	guint n_hits;
} TgEvRec;

/* ------------------------------------------------------------------ */
/* Logs and devices */

TgEvLogs *tg_ev_logs_new(guint limit)
{
	TgEvLogs *logs = g_new0(TgEvLogs, 1);

	logs->devices = g_ptr_array_new_with_free_func((GDestroyNotify)tg_ev_device_free);
	logs->limit = limit ? limit : TG_EV_DEFAULT_LIMIT;
	logs->findings = tg_ev_findings_new();
	return logs;
}

void tg_ev_logs_close_spool(TgEvLogs *logs)
{
	for (guint t = 0; t < TG_TC_N; t++) {
		if (logs->spool[t])
			fclose(logs->spool[t]);
		logs->spool[t] = NULL;
	}
}

void tg_ev_logs_free(TgEvLogs *logs)
{
	if (!logs)
		return;
	tg_ev_logs_close_spool(logs);
	g_ptr_array_unref(logs->devices);
	g_ptr_array_unref(logs->findings);
	g_free(logs->since);
	g_free(logs->until);
	g_free(logs);
}

/* An unnamed file in the directory open at @dfd: O_TMPFILE, else a file
 * created exclusively (never through a link) and unlinked at once. */
static FILE *spool_file(int dfd, const char *name)
{
	int fd = openat(dfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	FILE *f;

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			(void)unlinkat(dfd, name, 0);
	}
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w+");
	if (!f)
		close(fd);
	return f;
}

/* The work directory, opened without following a link, must be the one just
 * made: ours and closed to others (else someone swapped it). */
static int open_work_dir(const char *path)
{
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (dfd < 0)
		return -1;
	if (fstat(dfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		close(dfd);
		errno = EPERM;
		return -1;
	}
	return dfd;
}

gboolean tg_ev_logs_open_spool(TgEvLogs *logs, const char *dir, GError **error)
{
	g_autofree gchar *tmpl = g_build_filename(dir, ".tollgate-spool-XXXXXX", NULL);
	int dfd;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!g_mkdtemp(tmpl)) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot create a work directory in %s: %s; check that it is "
			    "writable", dir, g_strerror(errno));
		return FALSE;
	}
	dfd = open_work_dir(tmpl);
	if (dfd < 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "the work directory %s was replaced or changed while tollgate used it "
			    "(%s); write the pack to a directory only root can change", tmpl,
			    g_strerror(errno));
		return FALSE;
	}
	for (guint t = 0; t < TG_TC_N; t++) {
		g_autofree gchar *name = g_strdup_printf("%s.jsonl", tg_ev_test_cases()[t].id);

		logs->spool[t] = spool_file(dfd, name);
		if (!logs->spool[t]) {
			g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
				    "cannot create %s/%s: %s", tmpl, name, g_strerror(errno));
			break;
		}
	}
	close(dfd);
	(void)g_rmdir(tmpl);	/* empty: the spool files have no names */
	return logs->spool[TG_TC_N - 1] != NULL;
}

static void point_free(TgEvPoint *p)
{
	g_free(p->time);
	g_free(p->version);
	g_free(p);
}

TgEvDevice *tg_ev_device_new(const char *dir)
{
	TgEvDevice *dev = g_new0(TgEvDevice, 1);
	g_autofree gchar *canon = g_canonicalize_filename(dir, NULL);

	dev->dir = g_strdup(dir);
	dev->label = g_path_get_basename(canon);
	dev->installed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	dev->mechanisms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dev->floors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	dev->updaters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dev->policies_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dev->cited = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	return dev;
}

void tg_ev_device_free(TgEvDevice *dev)
{
	if (!dev)
		return;
	g_free(dev->label);
	g_free(dev->dir);
	g_free(dev->device_id);
	g_free(dev->model);
	tg_audit_verify_result_clear(&dev->chain);
	g_free(dev->read_error);
	g_free(dev->first_time);
	g_free(dev->last_time);
	g_hash_table_unref(dev->installed);
	g_hash_table_unref(dev->mechanisms);
	g_hash_table_unref(dev->floors);
	g_hash_table_unref(dev->updaters);
	g_hash_table_unref(dev->policies_seen);
	g_free(dev->writer);
	g_hash_table_unref(dev->cited);
	g_free(dev->support_end);
	if (dev->points)
		g_ptr_array_unref(dev->points);
	g_free(dev);
}

void tg_ev_device_cite(TgEvDevice *dev, guint64 seq)
{
	if (!g_hash_table_contains(dev->cited, &seq))
		g_hash_table_add(dev->cited, g_memdup2(&seq, sizeof(seq)));
}

guint64 tg_ev_logs_total(const TgEvLogs *logs, glong offset)
{
	guint64 total = 0;

	for (guint i = 0; i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		total += G_STRUCT_MEMBER(guint64, &dev->n, offset);
	}
	return total;
}

guint64 tg_ev_logs_mechanism_count(const TgEvLogs *logs, const char *mechanism)
{
	guint64 total = 0;

	for (guint i = 0; i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		total += GPOINTER_TO_UINT(g_hash_table_lookup(dev->mechanisms, mechanism));
	}
	return total;
}

guint tg_ev_logs_broken_chains(const TgEvLogs *logs)
{
	guint n = 0;

	for (guint i = 0; i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		if (!dev->chain_checked || !dev->chain.ok)
			n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Entries */

/* Returns: (transfer none). */
static const char *chain_state(const TgEvDevice *dev, guint64 seq)
{
	if (!dev->chain_checked)
		return "not-verified";
	if (dev->chain.ok || seq < dev->chain.bad_seq)
		return "intact";
	return "after-break";
}

/* Returns: (transfer full). */
static gchar *summarize(const TgEvRec *r);

static void write_entry(TgEvLogs *logs, TgEvDevice *dev, const TgEvRec *r, TgEvTc tc,
			const char *summary, const char *hash)
{
	g_autoptr(GString) s = g_string_sized_new(512);

	tg_ev_device_cite(dev, r->seq);
	g_string_append(s, "{\"device\":");
	tg_ev_json_string(s, dev->label);
	g_string_append(s, ",\"file\":");
	tg_ev_json_string(s, r->file);
	g_string_append_printf(s, ",\"seq\":%" G_GUINT64_FORMAT ",\"hash\":\"%s\",\"time\":",
			       r->seq, hash);
	tg_ev_json_string(s, r->time);
	g_string_append(s, ",\"event\":");
	tg_ev_json_string(s, r->event);
	g_string_append(s, ",\"summary\":");
	tg_ev_json_string(s, summary);
	g_string_append_printf(s, ",\"chain\":\"%s\"}\n", chain_state(dev, r->seq));
	if (logs->spool[tc])
		fwrite(s->str, 1, s->len, logs->spool[tc]);
}

/* Counts the record under its test cases and lists it where the device
 * has room; the summary and hash are made only when needed. */
static void emit(TgEvLogs *logs, TgEvDevice *dev, const TgEvRec *r)
{
	g_autofree gchar *summary = NULL;
	char hash[TG_SHA256_HEX_LEN + 1] = "";

	for (guint i = 0; i < r->n_hits; i++) {
		TgEvTc tc = r->hits[i];

		dev->tc_count[tc]++;
		logs->tc_count[tc]++;
		if (dev->tc_listed[tc] >= logs->limit)
			continue;
		dev->tc_listed[tc]++;
		if (!summary) {
			summary = summarize(r);
			tg_sha256_hex(r->line, r->len, hash);
		}
		write_entry(logs, dev, r, tc, summary, hash);
	}
}

static void hit(TgEvRec *r, TgEvTc tc)
{
	for (guint i = 0; i < r->n_hits; i++)
		if (r->hits[i] == tc)
			return;
	if (r->n_hits < MAX_HITS)
		r->hits[r->n_hits++] = tc;
}

/* ------------------------------------------------------------------ */
/* Summaries: one line per record, no verdict language */

/* Returns: (transfer full). */
static gchar *summary_decision(JsonObject *o)
{
	JsonObject *d = tg_ev_obj_member(o, "decision");
	JsonObject *c = tg_ev_obj_member(o, "candidate");
	const char *verdict = tg_ev_str_member(d, "verdict");
	const char *word = !verdict ? "decided" : g_str_equal(verdict, "allow") ? "allowed" :
		g_str_equal(verdict, "defer") ? "deferred" : "refused";

	return g_strdup_printf("%s %s (class %s, installed %s, floor %s, mechanism %s): %s: %s",
			       word, tg_ev_or_dash(tg_ev_str_member(c, "version")),
			       tg_ev_or_dash(tg_ev_str_member(d, "class")), tg_ev_or_dash(tg_ev_str_member(o, "installed")),
			       tg_ev_or_dash(tg_ev_str_member(o, "floor")), tg_ev_or_dash(tg_ev_str_member(o, "mechanism")),
			       tg_ev_or_dash(tg_ev_str_member(d, "reason")), tg_ev_or_dash(tg_ev_str_member(d, "message")));
}

/* Returns: (transfer full). */
static gchar *summary_notice(const TgEvRec *r)
{
	JsonObject *o = r->obj;
	const char *state = g_str_equal(r->event, "notice.delivered") ? "delivered to" :
			    g_str_equal(r->event, "notice.failed") ? "not delivered to" :
			    "held back for";

	return g_strdup_printf("%s notice %s %s (%s): %s", tg_ev_or_dash(tg_ev_str_member(o, "notice_type")),
			       state, tg_ev_or_dash(tg_ev_str_member(o, "sink") ? tg_ev_str_member(o, "sink")
							      : tg_ev_str_member(o, "setting")),
			       tg_ev_or_dash(tg_ev_str_member(o, "sink_type") ? tg_ev_str_member(o, "sink_type")
								  : tg_ev_str_member(o, "reason")),
			       tg_ev_or_dash(tg_ev_str_member(o, "title")));
}

/* Returns: (transfer full). */
static gchar *summary_candidate(const TgEvRec *r, const char *what)
{
	JsonObject *c = tg_ev_obj_member(r->obj, "candidate");
	const char *why = tg_ev_str_member(r->obj, "failure");

	if (!why)
		why = tg_ev_str_member(r->obj, "refusal");
	return g_strdup_printf("%s %s of %s via mechanism %s (updater %s)%s%s", what,
			       tg_ev_or_dash(tg_ev_str_member(c, "version")), tg_ev_or_dash(tg_ev_str_member(c, "component")),
			       tg_ev_or_dash(tg_ev_str_member(r->obj, "mechanism")),
			       tg_ev_or_dash(tg_ev_str_member(tg_ev_obj_member(r->obj, "updater"), "name")),
			       why ? ": " : "", why ? why : "");
}

/* Returns: (transfer full). */
static gchar *summary_setting(JsonObject *o)
{
	gboolean old = FALSE, new = FALSE, def = FALSE;
	gboolean has_old = tg_ev_bool_member(o, "old", &old);
	gboolean has_def = tg_ev_bool_member(o, "initialized_default", &def);

	tg_ev_bool_member(o, "new", &new);
	return g_strdup_printf("%s switched from %s to %s by %s (initialized state: %s)",
			       tg_ev_or_dash(tg_ev_str_member(o, "setting")), has_old ? (old ? "on" : "off") : "-",
			       new ? "on" : "off", tg_ev_or_dash(tg_ev_str_member(o, "changed_by")),
			       has_def ? (def ? "on" : "off") : "-");
}

/* Returns: (transfer full). */
static gchar *summary_user(const TgEvRec *r)
{
	JsonObject *o = r->obj;
	gint64 max = 0;

	if (g_str_equal(r->event, "user.postponed")) {
		g_autofree gchar *limit = tg_ev_int_member(o, "max_postpone_s", &max)
			? g_strdup_printf("%" G_GINT64_FORMAT " s", max) : g_strdup("-");

		return g_strdup_printf("user postponed %s updates until %s (policy maximum %s)",
				       tg_ev_or_dash(tg_ev_str_member(o, "class")),
				       tg_ev_or_dash(tg_ev_str_member(o, "new_until")), limit);
	}
	if (g_str_equal(r->event, "user.approved"))
		return g_strdup_printf("user approved update %s%s",
				       tg_ev_str_member(o, "digest") ? "with digest " : "version ",
				       tg_ev_or_dash(tg_ev_str_member(o, "digest") ? tg_ev_str_member(o, "digest")
								       : tg_ev_str_member(o, "version")));
	return summary_setting(o);
}

/* Returns: (transfer full). */
static gchar *summary_misc(const TgEvRec *r)
{
	JsonObject *o = r->obj;

	if (g_str_equal(r->event, "update.check"))
		return g_strdup_printf("update check: %s (offered %s, installed %s) by client %s "
				       "via mechanism %s", tg_ev_or_dash(tg_ev_str_member(o, "result")),
				       tg_ev_or_dash(tg_ev_str_member(o, "version")),
				       tg_ev_or_dash(tg_ev_str_member(o, "installed")),
				       tg_ev_or_dash(tg_ev_str_member(o, "client")),
				       tg_ev_or_dash(tg_ev_str_member(o, "mechanism")));
	if (g_str_equal(r->event, "state.initialized"))
		return g_strdup_printf("state initialized from the policy's initial settings "
				       "(policy %.12s), %s at %s",
				       tg_ev_or_dash(tg_ev_str_member(o, "policy_hash")),
				       tg_ev_or_dash(tg_ev_str_member(o, "component")),
				       tg_ev_or_dash(tg_ev_str_member(o, "installed")));
	if (g_str_has_prefix(r->event, "support."))
		return g_strdup_printf("%s: support end %s%s%s", r->event,
				       tg_ev_or_dash(tg_ev_str_member(o, "support_end") ? tg_ev_str_member(o, "support_end")
									    : tg_ev_str_member(o, "new_end")),
				       tg_ev_str_member(o, "old_end") ? ", before " : "",
				       tg_ev_str_member(o, "old_end") ? tg_ev_str_member(o, "old_end") : "");
	if (g_str_equal(r->event, "update.committed"))
		return g_strdup("installed software booted and was marked good; floors raised");
	if (g_str_equal(r->event, "update.fell-back"))
		return g_strdup_printf("the new software did not boot: back on slot %s (%s), "
				       "pending floors given up",
				       tg_ev_or_dash(tg_ev_str_member(o, "booted_slot")),
				       tg_ev_or_dash(tg_ev_str_member(o, "running_version")));
	return g_strdup_printf("%s: %s", r->event,
			       tg_ev_or_dash(tg_ev_str_member(o, "problem") ? tg_ev_str_member(o, "problem")
								: tg_ev_str_member(o, "error")));
}

/* One-line summary of a record, by its event.
 * Returns: (transfer full). */
static gchar *summarize_raw(const TgEvRec *r)
{
	const char *e = r->event;

	if (g_str_equal(e, "gate.decision"))
		return summary_decision(r->obj);
	if (g_str_has_prefix(e, "notice."))
		return summary_notice(r);
	if (g_str_equal(e, "update.installed"))
		return summary_candidate(r, "installed");
	if (g_str_equal(e, "update.failed"))
		return summary_candidate(r, "install failed for");
	if (g_str_equal(e, "update.updater-refused"))
		return summary_candidate(r, "the updater itself refused");
	if (g_str_has_prefix(e, "user."))
		return summary_user(r);
	return summary_misc(r);
}

/* Returns: (transfer full). */
static gchar *summarize(const TgEvRec *r)
{
	g_autofree gchar *raw = summarize_raw(r);

	return tg_ev_one_line(raw, MAX_SUMMARY);
}

/* ------------------------------------------------------------------ */
/* What each event is evidence for */

static const char *const misuse_reasons[] = {
	"below-floor", "downgrade", "below-security-floor", "reinstall-refused",
	"version-unparseable", NULL,
};

static void emit_one(TgEvLogs *logs, TgEvDevice *dev, const TgEvRec *r, TgEvTc tc,
		     const char *summary)
{
	char hash[TG_SHA256_HEX_LEN + 1];
	g_autofree gchar *line = tg_ev_one_line(summary, MAX_SUMMARY);

	dev->tc_count[tc]++;
	logs->tc_count[tc]++;
	if (dev->tc_listed[tc] >= logs->limit)
		return;
	dev->tc_listed[tc]++;
	tg_sha256_hex(r->line, r->len, hash);
	write_entry(logs, dev, r, tc, line, hash);
}

static void add_point(TgEvDevice *dev, const TgEvRec *r, const char *version,
		      TgEvPointKind kind)
{
	TgEvPoint *p;

	if (!dev->points || !version || !r->time)
		return;
	if (dev->points->len >= TG_EV_MAX_POINTS) {
		dev->points_dropped++;
		return;
	}
	p = g_new0(TgEvPoint, 1);
	p->time = g_strdup(r->time);
	p->version = g_strdup(version);
	p->kind = kind;
	p->seq = r->seq;
	g_ptr_array_add(dev->points, p);
}

static void set_installed(TgEvDevice *dev, const char *component, const char *version)
{
	if (!component || !version)
		return;
	if (!g_hash_table_contains(dev->installed, component) &&
	    g_hash_table_size(dev->installed) >= TG_EV_MAX_TRACKED)
		return;
	g_hash_table_insert(dev->installed, g_strdup(component), g_strdup(version));
}

static gboolean is_reason(const char *reason, const char *a, const char *b)
{
	return g_str_equal(reason, a) || (b && g_str_equal(reason, b));
}

/* One check result of a gate decision. Returns TRUE for a refusal of an
 * attempted misuse (downgrade, floor, reinstall, unparseable version). */
static gboolean on_check(TgEvRec *r, JsonObject *c, const char *verdict)
{
	const char *name = tg_ev_str_member(c, "check");
	const char *outcome = tg_ev_str_member(c, "outcome");
	const char *reason = tg_ev_str_member(c, "reason");

	if (!name || !outcome || !reason)
		return FALSE;
	if (g_str_equal(outcome, "refuse") && g_strv_contains(misuse_reasons, reason)) {
		hit(r, TG_TC_2_2);
		hit(r, TG_TC_1_2);
		return TRUE;
	}
	if (g_str_equal(name, "deferral") && g_str_equal(outcome, "defer") &&
	    is_reason(reason, "postponed", "auto-install-off"))
		hit(r, TG_TC_6_2);
	else if (g_str_equal(name, "deferral") && g_str_equal(outcome, "pass") && verdict &&
		 g_str_equal(verdict, "allow") && is_reason(reason, "no-window", "in-window"))
		hit(r, TG_TC_4_1);
	else if (g_str_equal(name, "disruption") && !g_str_equal(outcome, "pass"))
		hit(r, TG_TC_12_1);
	return FALSE;
}

static void count_verdict(TgEvDevice *dev, const TgEvRec *r, const char *verdict,
			  const char *version)
{
	if (!verdict)
		return;
	if (g_str_equal(verdict, "allow")) {
		dev->n.allowed++;
	} else if (g_str_equal(verdict, "refuse")) {
		dev->n.refused++;
		add_point(dev, r, version, TG_POINT_REFUSED);
	} else if (g_str_equal(verdict, "defer")) {
		dev->n.deferred++;
		add_point(dev, r, version, TG_POINT_DEFERRED);
	}
}

static void on_decision(TgEvDevice *dev, TgEvRec *r)
{
	JsonObject *d = tg_ev_obj_member(r->obj, "decision");
	JsonObject *c = tg_ev_obj_member(r->obj, "candidate");
	JsonArray *checks = tg_ev_arr_member(r->obj, "checks");
	const char *verdict = tg_ev_str_member(d, "verdict");
	const char *cls = tg_ev_str_member(d, "class");
	const char *component = tg_ev_str_member(d, "component");
	gboolean misuse = FALSE;

	count_verdict(dev, r, verdict, tg_ev_str_member(c, "version"));
	if (cls && is_reason(cls, "security", "mixed")) {
		dev->n.security_decisions++;
		hit(r, TG_TC_8_1);
	}
	dev->n.security_allowed += g_strcmp0(cls, "security") == 0 &&
				   g_strcmp0(verdict, "allow") == 0;
	if (!checks)
		checks = tg_ev_arr_member(d, "checks");
	for (guint i = 0; checks && i < json_array_get_length(checks); i++) {
		JsonNode *n = json_array_get_element(checks, i);

		if (JSON_NODE_HOLDS_OBJECT(n) && on_check(r, json_node_get_object(n), verdict))
			misuse = TRUE;
	}
	if (misuse)
		dev->n.misuse_refusals++;
	set_installed(dev, component ? component : tg_ev_str_member(c, "component"),
		      tg_ev_str_member(r->obj, "installed"));
}

static void on_notice(TgEvDevice *dev, TgEvRec *r)
{
	const char *type = tg_ev_str_member(r->obj, "notice_type");
	gboolean delivered = g_str_equal(r->event, "notice.delivered");

	if (delivered)
		dev->n.notices_delivered++;
	else if (g_str_equal(r->event, "notice.failed"))
		dev->n.notices_failed++;
	else if (g_str_equal(r->event, "notice.suppressed"))
		dev->n.notices_suppressed++;
	if (g_str_equal(r->event, "notice.suppressed"))
		hit(r, TG_TC_6_2);
	if (!type)
		return;
	if (g_str_equal(type, "security-update")) {
		dev->n.security_notices += delivered;
		hit(r, TG_TC_11_1);
	} else if (g_str_equal(type, "disruption-warning")) {
		dev->n.disruption_notices += delivered;
		hit(r, TG_TC_12_1);
	} else if (g_str_has_prefix(type, "support-")) {
		dev->n.support_notices += delivered;	/* not 5.3-13-2: that is the publication */
	} else if (g_str_equal(type, "settings-changed")) {
		hit(r, TG_TC_6_2);
	}
}

/* A point of @kind for each entry of a record's "components" list; with
 * @installed, each also becomes the component's installed version. */
static void component_points(TgEvDevice *dev, TgEvRec *r, JsonArray *list, TgEvPointKind kind,
			     gboolean installed)
{
	for (guint i = 0; list && i < json_array_get_length(list); i++) {
		JsonNode *n = json_array_get_element(list, i);
		JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

		if (installed)
			set_installed(dev, tg_ev_str_member(o, "component"), tg_ev_str_member(o, "version"));
		add_point(dev, r, tg_ev_str_member(o, "version"), kind);
	}
}

static void on_update(TgEvDevice *dev, TgEvRec *r)
{
	JsonObject *c = tg_ev_obj_member(r->obj, "candidate");
	JsonArray *list = tg_ev_arr_member(r->obj, "components");

	if (g_str_equal(r->event, "update.check")) {
		dev->n.checks++;
		hit(r, TG_TC_5_1);
		set_installed(dev, tg_ev_str_member(r->obj, "component"), tg_ev_str_member(r->obj, "installed"));
	} else if (g_str_equal(r->event, "update.installed")) {
		dev->n.installs++;
		hit(r, TG_TC_3_1);
		add_point(dev, r, tg_ev_str_member(c, "version"), TG_POINT_INSTALLED);
	} else if (g_str_equal(r->event, "update.failed")) {
		dev->n.failed++;
		hit(r, TG_TC_2_2);
		hit(r, TG_TC_9_1);
		add_point(dev, r, tg_ev_str_member(c, "version"), TG_POINT_FAILED);
	} else if (g_str_equal(r->event, "update.updater-refused")) {
		dev->n.updater_refused++;
	} else if (g_str_equal(r->event, "update.fell-back")) {
		dev->n.failed++;
		hit(r, TG_TC_2_2);
		component_points(dev, r, list, TG_POINT_FAILED, FALSE);
	} else if (g_str_equal(r->event, "update.committed")) {
		dev->n.commits++;
		component_points(dev, r, list, TG_POINT_COMMITTED, TRUE);
	}
}

static void on_user(TgEvDevice *dev, TgEvRec *r)
{
	gboolean def;

	if (g_str_equal(r->event, "user.postponed")) {
		dev->n.postpones++;
		hit(r, TG_TC_6_2);
	} else if (g_str_equal(r->event, "user.settings-changed")) {
		dev->n.settings_changes++;
		hit(r, TG_TC_6_2);
		if (tg_ev_bool_member(r->obj, "initialized_default", &def))
			hit(r, TG_TC_6_1);
	} else if (g_str_equal(r->event, "user.approved")) {
		dev->n.approvals++;
		hit(r, TG_TC_12_1);
	}
}

static void on_state(TgEvDevice *dev, TgEvRec *r)
{
	const char *e = r->event;

	if (g_str_equal(e, "state.initialized")) {
		dev->n.initialized++;
		hit(r, TG_TC_6_1);
		hit(r, TG_TC_4_1);
		set_installed(dev, tg_ev_str_member(r->obj, "component"), tg_ev_str_member(r->obj, "installed"));
	} else if (g_str_equal(e, "state.recovered")) {
		set_installed(dev, tg_ev_str_member(r->obj, "component"), tg_ev_str_member(r->obj, "version"));
	} else if (g_str_equal(e, "state.tamper-detected") || g_str_equal(e, "gate.error")) {
		hit(r, TG_TC_2_2);
	} else if (g_str_has_prefix(e, "support.")) {
		dev->n.support_records++;
		if (g_str_equal(e, "support.extended") && tg_ev_str_member(r->obj, "new_end")) {
			g_free(dev->support_end);
			dev->support_end = g_strdup(tg_ev_str_member(r->obj, "new_end"));
			dev->support_ended = FALSE;
		}
		if (g_str_equal(e, "support.ended"))
			dev->support_ended = TRUE;
	}
}

static void dispatch(TgEvDevice *dev, TgEvRec *r)
{
	const char *e = r->event;

	if (g_str_equal(e, "gate.decision"))
		on_decision(dev, r);
	else if (g_str_has_prefix(e, "notice."))
		on_notice(dev, r);
	else if (g_str_has_prefix(e, "update."))
		on_update(dev, r);
	else if (g_str_has_prefix(e, "user."))
		on_user(dev, r);
	else
		on_state(dev, r);
}

/* 5.3-10-1: the mechanism every record names; the first record of each
 * mechanism per device is listed, an undeclared one flagged. */
/* The updaters the records name, with their real versions: "rauc 1.8". */
static void track_updater(TgEvDevice *dev, const TgEvRec *r)
{
	JsonObject *u = tg_ev_obj_member(r->obj, "updater");
	const char *name = tg_ev_str_member(u, "name");
	g_autofree gchar *key = NULL;
	gpointer count = NULL;

	if (!name)
		return;
	key = g_strdup_printf("%s %s", name, tg_ev_str_member(u, "version") ? tg_ev_str_member(u, "version")
									   : "(version unknown)");
	if (!g_hash_table_lookup_extended(dev->updaters, key, NULL, &count) &&
	    g_hash_table_size(dev->updaters) >= TG_EV_MAX_TRACKED)
		return;
	g_hash_table_insert(dev->updaters, g_steal_pointer(&key),
			    GUINT_TO_POINTER(GPOINTER_TO_UINT(count) + 1));
}

static void track_mechanism(TgEvLogs *logs, TgEvDevice *dev, const TgEvDecl *decl,
			    const TgEvRec *r)
{
	const char *m = tg_ev_str_member(r->obj, "mechanism");
	gboolean known = m && tg_ev_decl_mechanism(decl, m) != NULL;
	g_autofree gchar *summary = NULL;
	gpointer count;

	if (!m)
		return;
	if (!known)
		dev->n.unknown_mechanism++;
	if (g_hash_table_lookup_extended(dev->mechanisms, m, NULL, &count)) {
		g_hash_table_insert(dev->mechanisms, g_strdup(m),
				    GUINT_TO_POINTER(GPOINTER_TO_UINT(count) + 1));
		return;
	}
	if (g_hash_table_size(dev->mechanisms) >= TG_EV_MAX_TRACKED)
		return;
	g_hash_table_insert(dev->mechanisms, g_strdup(m), GUINT_TO_POINTER(1));
	summary = g_strdup_printf("first record (%s) naming update mechanism '%s': %s", r->event,
				  m, known ? "declared in IXIT 7-UpdMech"
					   : "NOT declared in IXIT 7-UpdMech ([mechanism.<ID>])");
	emit_one(logs, dev, r, TG_TC_10_1, summary);
}

/* 5.3-16-2: the model designation in the records, and any other one. */
static void track_model(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			const TgEvRec *r)
{
	JsonObject *d = tg_ev_obj_member(r->obj, "device");
	const char *model = tg_ev_str_member(d, "model");
	g_autofree gchar *summary = NULL;

	if (!dev->device_id && tg_ev_str_member(d, "device_id"))
		dev->device_id = g_strdup(tg_ev_str_member(d, "device_id"));
	if (!model)
		return;
	if (!dev->model) {
		dev->model = g_strdup(model);
		summary = g_strdup_printf("model designation '%s' in plain text in the record "
					  "(policy [device] model '%s')", model, policy->model);
		emit_one(logs, dev, r, TG_TC_16_2, summary);
	} else if (!dev->model_mismatch && !g_str_equal(model, policy->model)) {
		dev->model_mismatch = TRUE;
		summary = g_strdup_printf("record names model '%s', not the policy's '%s'", model,
					  policy->model);
		emit_one(logs, dev, r, TG_TC_16_2, summary);
	}
}

/* ------------------------------------------------------------------ */
/* The pass */

/* Is the record's own event @name? Found without parsing: a '"' inside a
 * JSON string is escaped, so the first ',"event":"' is the record's. */
static gboolean line_event_is(const char *line, gsize len, const char *name)
{
	const char *p = memmem(line, len, EVENT_KEY, strlen(EVENT_KEY));
	gsize n = strlen(name);

	if (!p)
		return FALSE;
	p += strlen(EVENT_KEY);
	return (gsize)(line + len - p) > n && memcmp(p, name, n) == 0 && p[n] == '"';
}

static void note_time(TgEvDevice *dev, const char *time)
{
	if (!time)
		return;
	if (!dev->first_time || strcmp(time, dev->first_time) < 0) {
		g_free(dev->first_time);
		dev->first_time = g_strdup(time);
	}
	if (!dev->last_time || strcmp(time, dev->last_time) > 0) {
		g_free(dev->last_time);
		dev->last_time = g_strdup(time);
	}
}

void tg_ev_scan_line(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
		     const TgEvDecl *decl, JsonParser *parser, const char *line, gsize len,
		     const char *file)
{
	TgEvRec r = { .line = line, .len = len, .file = file };
	gsize body = len > 0 && line[len - 1] == '\n' ? len - 1 : len;
	JsonNode *root;
	gint64 seq = 0;

	dev->records++;
	if (line_event_is(line, body, "log.checkpoint"))
		return;
	if (!json_parser_load_from_data(parser, line, (gssize)body, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
		dev->unparseable++;
		return;
	}
	r.obj = json_node_get_object(root);
	r.event = tg_ev_str_member(r.obj, "event");
	r.time = tg_ev_str_member(r.obj, "time");
	if (!r.event || !tg_ev_int_member(r.obj, "seq", &seq) || seq < 1) {
		dev->unparseable++;
		return;
	}
	r.seq = (guint64)seq;
	if (!tg_ev_time_in(r.time, logs->since, logs->until) ||
	    (logs->variant && !tg_ev_variant_matches(logs->variant, r.obj)))
		return;
	dev->in_window++;
	note_time(dev, r.time);
	track_model(logs, dev, policy, &r);
	track_mechanism(logs, dev, decl, &r);
	track_updater(dev, &r);
	if (g_str_equal(r.event, "log.policy") && tg_ev_str_member(r.obj, "writer")) {
		g_free(dev->writer);
		dev->writer = g_strdup(tg_ev_str_member(r.obj, "writer"));
	}
	dispatch(dev, &r);
	tg_ev_findings_record(logs, dev, policy, &(TgEvRecRef){ .obj = r.obj, .event = r.event,
								.file = r.file, .seq = r.seq,
								.line = r.line, .len = r.len });
	emit(logs, dev, &r);
}

static void verify_chain(TgEvDevice *dev, const TgEvDecl *decl, gchar **files)
{
	g_autoptr(GError) err = NULL;

	if (!files[0]) {
		dev->chain_checked = TRUE;
		dev->chain.ok = TRUE;
		dev->chain.message = g_strdup("no audit file yet: nothing to verify");
		return;
	}
	dev->chain_checked = tg_audit_verify(dev->dir, (const char *const *)files, decl->verify_key,
					     decl->verify_alg, &dev->chain, &err);
	if (!dev->chain_checked)
		dev->read_error = g_strdup_printf("the hash chain could not be checked: %s",
						  err->message);
	if (dev->chain.bad_file) {	/* named like the records: by base name */
		gchar *base = g_path_get_basename(dev->chain.bad_file);

		g_free(dev->chain.bad_file);
		dev->chain.bad_file = base;
	}
}

static void read_records(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *policy,
			 const TgEvDecl *decl, gchar **files)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(TgAuditReader) reader = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *base = NULL;
	const char *cur = NULL;
	const char *line, *file;
	gsize len;

	reader = tg_audit_reader_open((const char *const *)files, &err);
	while (reader && tg_audit_reader_next(reader, &line, &len, &file, &err)) {
		if (file != cur) {
			g_free(base);
			base = g_path_get_basename(file);
			cur = file;
		}
		tg_ev_scan_line(logs, dev, policy, decl, parser, line, len, base);
	}
	if (err && !dev->read_error)
		dev->read_error = g_strdup_printf("reading stopped early: %s", err->message);
}

gboolean tg_ev_scan_device(TgEvLogs *logs, const TgPolicy *policy, const TgEvDecl *decl,
			   const char *dir, gboolean keep_history, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) files = tg_audit_list_files(dir, &local);
	TgEvDevice *dev;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (!files) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT,
			    "%s; give --logs a directory that holds a device's audit files",
			    local->message);
		return FALSE;
	}
	dev = tg_ev_device_new(dir);
	if (logs->labels && g_hash_table_contains(logs->labels, dir)) {
		g_free(dev->label);
		dev->label = g_strdup(g_hash_table_lookup(logs->labels, dir));
	}
	dev->n_files = g_strv_length(files);
	if (keep_history)
		dev->points = g_ptr_array_new_with_free_func((GDestroyNotify)point_free);
	g_ptr_array_add(logs->devices, dev);
	verify_chain(dev, decl, files);
	read_records(logs, dev, policy, decl, files);
	return TRUE;
}
