/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* evidence-index.json and evidence-index.md: the pack's index of the
 * records that back each test case (written from the spools the scan
 * filled, evidence-scan.c). */
#include "evidence-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "tg-crypto.h"

/* ------------------------------------------------------------------ */
/* evidence-index.json and evidence-index.md */

#define INDEX_LABEL \
	"External evidence: records from the devices' own audit logs, supplied by the " \
	"manufacturer as supporting functional indications (TS 103 701 clause 4.7). Each " \
	"record is named by file, seq and the SHA-256 of its line; the test laboratory " \
	"decides whether to accept them."
#define HASH_NOTE \
	"SHA-256 (hex) of the record's line including its newline: the value the next " \
	"record's prev member carries"

/* Returns: (transfer full). */
static JsonObject *index_head(const TgEvPack *pack)
{
	JsonObject *o = json_object_new();
	JsonObject *w = json_object_new();
	g_autoptr(JsonNode) fleet = tg_ev_fleet_to_json(pack->logs, pack->fleet, pack->policy);
	JsonObject *f = json_node_get_object(fleet);

	json_object_set_int_member(o, "evidence_index_version", 1);
	json_object_set_string_member(o, "variant", pack->variant->id);
	json_object_set_string_member(o, "model", pack->policy->model);
	json_object_set_string_member(o, "hardware_revision", pack->variant->hardware_revision);
	json_object_set_string_member(o, "release", pack->release);
	json_object_set_string_member(o, "policy_hash", pack->policy->hash);
	json_object_set_string_member(o, "policy_source", pack->variant->policy_source);
	json_object_set_string_member(o, "generated", pack->generated);
	json_object_set_string_member(o, "evidence_type", "external evidence from device logs");
	json_object_set_string_member(o, "label", INDEX_LABEL);
	json_object_set_string_member(o, "notice", tg_ev_verdict_notice(pack->opts->self_assessment));
	json_object_set_string_member(o, "record_hash", HASH_NOTE);
	json_object_set_string_member(w, "since", pack->since);
	json_object_set_string_member(w, "until", pack->until);
	json_object_set_object_member(o, "window", w);
	json_object_set_int_member(o, "limit_per_device", pack->logs->limit);
	json_object_set_member(o, "devices", json_node_copy(json_object_get_member(f, "devices")));
	json_object_set_member(o, "fleet", json_node_copy(json_object_get_member(f, "fleet")));
	return o;
}

/* Generated JSON of @o without its closing brace. Returns: (transfer full). */
static gchar *open_object_text(JsonObject *o)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
	gchar *text;
	gsize n;

	json_node_set_object(node, o);
	text = json_to_string(node, FALSE);
	n = strlen(text);
	if (n > 0 && text[n - 1] == '}')
		text[n - 1] = '\0';
	return text;
}

/* Returns: (transfer full). */
static JsonObject *test_case_head(const TgEvLogs *logs, TgEvTc t)
{
	const TgEvTestCase *tc = &tg_ev_test_cases()[t];
	JsonObject *o = json_object_new();
	guint64 listed = 0;

	for (guint i = 0; i < logs->devices->len; i++)
		listed += ((const TgEvDevice *)g_ptr_array_index(logs->devices, i))->tc_listed[t];
	json_object_set_string_member(o, "id", tc->id);
	json_object_set_string_member(o, "provision", tc->provision);
	json_object_set_string_member(o, "kind", tc->kind);
	json_object_set_string_member(o, "examines", tc->examines);
	json_object_set_string_member(o, "ixit", tc->inputs);
	json_object_set_int_member(o, "records_total", (gint64)logs->tc_count[t]);
	json_object_set_int_member(o, "records_listed", (gint64)listed);
	json_object_set_string_member(o, "status", tg_ev_test_case_status(tc, logs->tc_count[t]));
	if (tc->lab_step && !logs->tc_count[t])
		json_object_set_string_member(o, "lab_step", tc->lab_step);
	return o;
}

/* Copies the spool of @t into @out, entries separated by ",\n". */
static void copy_spool(FILE *spool, FILE *out)
{
	g_autofree char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	gboolean first = TRUE;

	fflush(spool);
	rewind(spool);
	while ((n = getline(&line, &cap, spool)) > 0) {
		if (line[n - 1] == '\n')
			n--;
		if (!first)
			fputs(",\n", out);
		fwrite(line, 1, (size_t)n, out);
		first = FALSE;
	}
}

static gboolean write_index_json(const TgEvPack *pack, GError **error)
{
	g_auto(TgEvStream) s = { 0 };
	g_autoptr(JsonObject) head = index_head(pack);
	g_autofree gchar *text = open_object_text(head);

	if (!tg_ev_stream_open(&s, pack->dir, "evidence-index.json", error))
		return FALSE;
	fprintf(s.f, "%s,\"test_cases\":[\n", text);
	for (guint t = 0; t < TG_TC_N; t++) {
		g_autoptr(JsonObject) tc = test_case_head(pack->logs, t);
		g_autofree gchar *tc_text = open_object_text(tc);

		fprintf(s.f, "%s%s,\"records\":[\n", t ? ",\n" : "", tc_text);
		if (pack->logs->spool[t])
			copy_spool(pack->logs->spool[t], s.f);
		fputs("]}", s.f);
	}
	fputs("\n]}\n", s.f);
	return tg_ev_stream_commit(&s, error);
}

static void md_chain_lines(GString *md, const TgEvLogs *logs)
{
	guint broken = 0;

	for (guint i = 0; i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		if (dev->chain_checked && dev->chain.ok)
			continue;
		broken++;
		if (dev->chain_checked)
			g_string_append_printf(md, "- **Chain verification failed** for device `%s`: "
					       "%s at file `%s`, seq %" G_GUINT64_FORMAT ": %s\n",
					       dev->label, dev->chain.problem, dev->chain.bad_file,
					       dev->chain.bad_seq, dev->chain.message);
		else
			g_string_append_printf(md, "- **Chain not verified** for device `%s`: %s\n",
					       dev->label, dev->read_error ? dev->read_error
									   : "no audit files");
	}
	if (!broken)
		g_string_append_printf(md, "- Hash chain intact on every device (%u), checked with "
				       "`tg_audit_verify`. Its limits (records after the last "
				       "verified checkpoint are covered by the chain only; whoever "
				       "can rewrite a whole log can rebuild its chain) are in "
				       "docs/audit-log.md.\n", logs->devices->len);
	for (guint i = 0; i < logs->devices->len && logs->devices->len <= 20; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);

		if (dev->chain_checked && dev->chain.ok)
			g_string_append_printf(md, "- `%s`: %s\n", dev->label, dev->chain.message);
	}
}

static void md_index_head(GString *md, const TgEvPack *pack)
{
	g_string_append_printf(md, "# Evidence index: %s, variant %s\n\n", pack->policy->model,
			       pack->variant->id);
	g_string_append_printf(md, "%s\n\n%s\n\n", INDEX_LABEL,
			       tg_ev_verdict_notice(pack->opts->self_assessment));
	g_string_append_printf(md, "- Generated: %s by tollgate\n- Release (what the devices "
			       "ran): %s\n- Hardware revision: %s\n- Policy hash: `%s` (text: %s)\n"
			       "- Window: %s to %s\n"
			       "- Record hash: %s\n- At most %u records are listed per test case "
			       "and device; the totals count all of them.\n\n",
			       pack->generated, pack->release,
			       tg_ev_or_dash(pack->variant->hardware_revision), pack->policy->hash,
			       pack->variant->policy_source, pack->since ? pack->since : "first record",
			       pack->until ? pack->until : "last record", HASH_NOTE,
			       pack->logs->limit);
	g_string_append(md, "## Chain verification\n\n");
	md_chain_lines(md, pack->logs);
	g_string_append(md, "\n## Test cases\n\nA functional test case is *demonstrated* when "
			    "records of this variant show it on the devices, else *not "
			    "demonstrated*, with the step a laboratory would take; a conceptual "
			    "one is judged on the documents, and records only support it.\n\n"
			    "| Test case | Kind | Status | Records | Listed | What the laboratory "
			    "examines |\n|---|---|---|---|---|---|\n");
	for (guint t = 0; t < TG_TC_N; t++) {
		g_autoptr(JsonObject) o = test_case_head(pack->logs, t);
		const TgEvTestCase *tc = &tg_ev_test_cases()[t];

		g_string_append_printf(md, "| [%s](#tc-%s) | %s | %s | %" G_GINT64_FORMAT " | %"
				       G_GINT64_FORMAT " | ", tc->id, tc->id, tc->kind,
				       json_object_get_string_member(o, "status"),
				       json_object_get_int_member(o, "records_total"),
				       json_object_get_int_member(o, "records_listed"));
		tg_ev_md_cell(md, tc->examines);
		g_string_append(md, " |\n");
	}
}

static void md_entry(GString *md, const char *line, JsonParser *parser)
{
	JsonObject *o;
	JsonNode *root;

	if (!json_parser_load_from_data(parser, line, -1, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	o = json_node_get_object(root);
	g_string_append(md, "| ");
	tg_ev_md_cell(md, tg_ev_str_member(o, "device"));
	g_string_append(md, " | ");
	tg_ev_md_cell(md, tg_ev_str_member(o, "file"));
	g_string_append_printf(md, " | %" G_GINT64_FORMAT " | %s | %s | ",
			       json_object_get_int_member(o, "seq"), tg_ev_or_dash(tg_ev_str_member(o, "time")),
			       tg_ev_or_dash(tg_ev_str_member(o, "event")));
	tg_ev_md_cell(md, tg_ev_str_member(o, "summary"));
	g_string_append_printf(md, " | %s | `%s` |\n", tg_ev_or_dash(tg_ev_str_member(o, "chain")),
			       tg_ev_or_dash(tg_ev_str_member(o, "hash")));
}

static void md_test_case(FILE *out, const TgEvLogs *logs, TgEvTc t, JsonParser *parser)
{
	const TgEvTestCase *tc = &tg_ev_test_cases()[t];
	g_autoptr(GString) md = g_string_new(NULL);
	g_autofree char *line = NULL;
	size_t cap = 0;
	gboolean any = FALSE;

	g_string_append_printf(md, "\n<a id=\"tc-%s\"></a>\n### %s (%s)\n\n%s IXIT: %s.\n\n",
			       tc->id, tc->id, tc->kind, tc->examines, tc->inputs);
	fputs(md->str, out);
	g_string_truncate(md, 0);
	if (logs->spool[t]) {
		fflush(logs->spool[t]);
		rewind(logs->spool[t]);
	}
	while (logs->spool[t] && getline(&line, &cap, logs->spool[t]) > 0) {
		if (!any)
			fputs("| Device | File | Seq | Time | Event | Summary | Chain | Record hash |\n"
			      "|---|---|---|---|---|---|---|---|\n", out);
		any = TRUE;
		md_entry(md, line, parser);
		fputs(md->str, out);
		g_string_truncate(md, 0);
	}
	if (!any && tc->lab_step)
		fprintf(out, "**Not demonstrated**: no record of this variant shows it. A "
			"laboratory would: %s\n", tc->lab_step);
	else if (!any)
		fputs("No record in the logs supports this test case; its evidence is the "
		      "declarations (IXIT) and documents outside the device.\n", out);
	else if (logs->tc_count[t] > 0)
		fprintf(out, "\n%" G_GUINT64_FORMAT " records in total.\n", logs->tc_count[t]);
}

static gboolean write_index_md(const TgEvPack *pack, GError **error)
{
	g_auto(TgEvStream) s = { 0 };
	g_autoptr(GString) md = g_string_new(NULL);
	g_autoptr(JsonParser) parser = json_parser_new_immutable();

	if (!tg_ev_stream_open(&s, pack->dir, "evidence-index.md", error))
		return FALSE;
	md_index_head(md, pack);
	g_string_append(md, "\n");
	tg_ev_fleet_to_md(md, pack->logs, pack->fleet, pack->policy);
	g_string_append(md, "\n## Records by test case\n");
	fputs(md->str, s.f);
	for (guint t = 0; t < TG_TC_N; t++)
		md_test_case(s.f, pack->logs, t, parser);
	return tg_ev_stream_commit(&s, error);
}

gboolean tg_ev_index_write(const TgEvPack *pack, GError **error)
{
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return write_index_json(pack, error) && write_index_md(pack, error);
}
