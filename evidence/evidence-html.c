/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* report.html: the one page a product manager or an assessor reads first.
 * Self-contained (inline CSS and SVG, no script, nothing fetched) and
 * printable: device and policy summary, the support period on a timeline,
 * the version history as a chart (devices per version for a fleet), the
 * ICS coloured by support with its gaps, the gaps per workflow area and
 * the evidence index with links to the records. */
#include "evidence-private.h"

#include <string.h>

#include "tg-config.h"
#include "policy-private.h"
#include "tollgate/version.h"

#define HTML_RECORDS 20		/* records shown per test case */
#define HTML_DEVICES 500	/* device rows shown */
#define CHART_W 960
#define CHART_H 280

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d232a;"
	"margin:24px auto;max-width:1100px;padding:0 16px}"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;"
	"border-bottom:2px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}"
	"table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d0d7de;"
	"padding:4px 6px;vertical-align:top;text-align:left}th{background:#f3f5f7}"
	"td.Y{background:#d8f0dc}td.N{background:#f8d7da}td.NA{background:#e4e6e9}"
	".s-demonstrated{background:#b7e1c1}.s-configured{background:#dbe9f7}"
	".s-declared{background:#fbeec7}.s-contradicted{background:#f3b8b8;font-weight:600}"
	".s-gap{background:#f8d7da}"
	".legend span{display:inline-block;padding:1px 8px;margin-right:6px}"
	".notice{border-left:4px solid #3b6ea5;background:#eef4fb;padding:8px 12px}"
	".self{border-left-color:#b45f06;background:#fdf1e3}"
	".gap{color:#9b1c1c;font-weight:600}.muted{color:#5b6570}"
	"code{font-size:12px;word-break:break-all}svg{max-width:100%;height:auto}"
	"dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}dt{font-weight:600}"
	"dd{margin:0}"
	"@media print{body{margin:0;max-width:none;font-size:11px}a{color:inherit;"
	"text-decoration:none}h2{break-after:avoid}tr,svg{break-inside:avoid}}"
	"@page{size:A4;margin:14mm}";

static void esc(GString *out, const char *text)
{
	tg_ev_html_text(out, text);
}

static gint64 unix_of(const char *text)
{
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = text ? g_date_time_new_from_iso8601(text, utc) : NULL;

	return dt ? g_date_time_to_unix(dt) : -1;
}

/* Returns: (transfer full). */
static gchar *day_of(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

	return dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("?");
}

/* ------------------------------------------------------------------ */
/* Summary */

static void dl_row(GString *h, const char *term, const char *value)
{
	g_string_append(h, "<dt>");
	esc(h, term);
	g_string_append(h, "</dt><dd>");
	esc(h, value ? value : "-");
	g_string_append(h, "</dd>");
}

static void summary(GString *h, const TgEvPack *pack)
{
	const TgPolicy *p = pack->policy;
	g_autofree gchar *end = p->support_end ? g_date_time_format(p->support_end, "%Y-%m-%d")
					       : g_strdup("not declared");
	g_autofree gchar *records = NULL;
	g_autofree gchar *devs = NULL;
	g_autofree gchar *gaps = g_strdup_printf("%u (gaps.md)", pack->gaps->len);
	guint64 in_window = 0;
	guint broken = tg_ev_logs_broken_chains(pack->logs);

	for (guint i = 0; i < pack->logs->devices->len; i++)
		in_window += ((const TgEvDevice *)g_ptr_array_index(pack->logs->devices, i))->in_window;
	records = g_strdup_printf("%" G_GUINT64_FORMAT " in the window", in_window);
	devs = g_strdup_printf("%u (%u with a hash chain that did not verify)",
			       pack->logs->devices->len, broken);
	g_string_append_printf(h, "<h2 id=\"%ssummary\">Variant %s: device and policy</h2><dl>",
			       pack->anchor, pack->variant->id);
	dl_row(h, "Model designation", p->model);
	dl_row(h, "Hardware revision", p->hardware_revision);
	dl_row(h, "Release (what the devices ran)", pack->release);
	dl_row(h, "Declared release", pack->decl->release);
	dl_row(h, "Updateable", pack->ics->updateable ? "yes" : "no ([replacement])");
	dl_row(h, "Constrained", pack->decl->constrained ? "yes" : "no");
	dl_row(h, "Version scheme", tg_version_scheme_to_string(p->scheme));
	dl_row(h, "Default component", p->default_component);
	dl_row(h, "Support end", end);
	dl_row(h, "Policy hash", p->hash);
	dl_row(h, "Policy text", pack->variant->policy_source);
	dl_row(h, "Devices", devs);
	dl_row(h, "Records", records);
	dl_row(h, "Gaps", gaps);
	g_string_append(h, "</dl>");
}

/* ------------------------------------------------------------------ */
/* Support period on a timeline */

static void timeline(GString *h, const TgEvPack *pack)
{
	const TgPolicy *p = pack->policy;
	gint64 now = g_date_time_to_unix(pack->fleet->at);
	gint64 end = p->support_end ? g_date_time_to_unix(p->support_end) : -1;
	gint64 start = now;
	g_autofree gchar *d0 = NULL, *d1 = NULL, *dn = NULL;
	double span, xn, xw, xe;

	for (guint i = 0; i < pack->logs->devices->len; i++) {
		gint64 t = unix_of(((const TgEvDevice *)g_ptr_array_index(pack->logs->devices,
									     i))->first_time);

		if (t >= 0 && t < start)
			start = t;
	}
	g_string_append_printf(h, "<h2 id=\"%ssupport\">Support period</h2>", pack->anchor);
	if (end < 0) {
		g_string_append(h, "<p class=\"gap\">No support end is declared ([support] end): "
				   "the support period cannot be shown.</p>");
		return;
	}
	start = MIN(start, end);
	span = (double)(MAX(end, now) - start) + 1.0;
	xn = 40 + 880.0 * (double)(now - start) / span;
	xe = 40 + 880.0 * (double)(end - start) / span;
	xw = MAX(40.0, xe - 880.0 * (double)p->warn_days * 86400.0 / span);
	d0 = day_of(start);
	d1 = day_of(end);
	dn = day_of(now);
	g_string_append_printf(h, "<svg id=\"%ssupport-timeline\" viewBox=\"0 0 %d 90\" "
			       "role=\"img\" aria-label=\"support period\" "
			       "xmlns=\"http://www.w3.org/2000/svg\">"
			       "<rect x=\"40\" y=\"30\" width=\"%.1f\" height=\"22\" fill=\"#7cc48a\"/>"
			       "<rect x=\"%.1f\" y=\"30\" width=\"%.1f\" height=\"22\" fill=\"#f0b44c\"/>"
			       "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"64\" stroke=\"#1d232a\" "
			       "stroke-width=\"2\"/>"
			       "<text x=\"40\" y=\"80\" font-size=\"12\">%s</text>"
			       "<text x=\"%.1f\" y=\"80\" font-size=\"12\" text-anchor=\"end\">end %s"
			       "</text><text x=\"%.1f\" y=\"13\" font-size=\"12\" "
			       "text-anchor=\"middle\">%s</text></svg>", pack->anchor, CHART_W, xe - 40.0, xw,
			       xe - xw, xn, xn, d0, xe, d1, xn, dn);
	g_string_append_printf(h, "<p class=\"muted\">Green: supported; amber: the last %u days "
			       "([support] warn-days); the line marks %s.</p>", p->warn_days, dn);
}

/* ------------------------------------------------------------------ */
/* Version history (one device) or devices per version (fleet) */

static gint compare_version_text(gconstpointer a, gconstpointer b, gpointer data)
{
	int cmp = 0;

	if (tg_version_compare_strings(GPOINTER_TO_INT(data), *(const char *const *)a,
				       *(const char *const *)b, &cmp, NULL) && cmp)
		return cmp;
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns: (transfer full). */
static GPtrArray *distinct_versions(const GPtrArray *points, TgVersionScheme scheme)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *v = g_ptr_array_new();

	for (guint i = 0; i < points->len; i++) {
		const TgEvPoint *pt = g_ptr_array_index(points, i);

		if (g_hash_table_add(seen, pt->version))
			g_ptr_array_add(v, pt->version);
	}
	g_ptr_array_sort_with_data(v, compare_version_text, GINT_TO_POINTER(scheme));
	return v;
}

static guint version_rank(const GPtrArray *versions, const char *v)
{
	for (guint i = 0; i < versions->len; i++)
		if (g_str_equal(g_ptr_array_index(versions, i), v))
			return i;
	return 0;
}

static void chart_point(GString *h, const TgEvPoint *pt, double x, double y)
{
	static const char *const colors[] = { "#3b6ea5", "#2e8b57", "#c0392b", "#e69b00", "#6c3483" };
	static const char *const names[] = { "installed", "committed", "refused", "deferred",
					     "failed" };

	if (pt->kind == TG_POINT_REFUSED || pt->kind == TG_POINT_FAILED)
		g_string_append_printf(h, "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"%s\" "
				       "stroke-width=\"2.5\"><title>", x - 4, y - 4,
				       colors[pt->kind]);
	else
		g_string_append_printf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\">"
				       "<title>", x, y, colors[pt->kind]);
	g_string_append_printf(h, "seq %" G_GUINT64_FORMAT ": %s ", pt->seq, names[pt->kind]);
	esc(h, pt->version);
	g_string_append_printf(h, " at %s</title></%s>", pt->time,
			       pt->kind == TG_POINT_REFUSED || pt->kind == TG_POINT_FAILED ? "path"
											   : "circle");
}

static void chart_axes(GString *h, const GPtrArray *versions, gint64 t0, gint64 t1)
{
	g_autofree gchar *d0 = day_of(t0);
	g_autofree gchar *d1 = day_of(t1);
	double step = versions->len > 1 ? 220.0 / (versions->len - 1) : 0;
	guint every = versions->len / 12 + 1;

	g_string_append_printf(h, "<line x1=\"110\" y1=\"250\" x2=\"940\" y2=\"250\" "
			       "stroke=\"#8c959f\"/><line x1=\"110\" y1=\"20\" x2=\"110\" y2=\"250\" "
			       "stroke=\"#8c959f\"/><text x=\"110\" y=\"270\" font-size=\"12\">%s"
			       "</text><text x=\"940\" y=\"270\" font-size=\"12\" "
			       "text-anchor=\"end\">%s</text>", d0, d1);
	for (guint i = 0; i < versions->len; i += every) {
		g_string_append_printf(h, "<text x=\"104\" y=\"%.1f\" font-size=\"11\" "
				       "text-anchor=\"end\">", 244.0 - step * i);
		esc(h, g_ptr_array_index(versions, i));
		g_string_append(h, "</text>");
	}
}

static void version_chart(GString *h, const TgEvPack *pack, const TgEvDevice *dev)
{
	g_autoptr(GPtrArray) versions = NULL;
	gint64 t0 = G_MAXINT64, t1 = G_MININT64;

	g_string_append_printf(h, "<h2 id=\"%shistory\">Version history</h2>", pack->anchor);
	if (!dev->points || dev->points->len == 0) {
		g_string_append_printf(h, "<svg id=\"%sversion-chart\" viewBox=\"0 0 960 40\" "
				   "xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"24\" "
				   "font-size=\"13\">No install, commit, refusal or deferral in "
				   "the window.</text></svg>", pack->anchor);
		return;
	}
	versions = distinct_versions(dev->points, pack->policy->scheme);
	for (guint i = 0; i < dev->points->len; i++) {
		gint64 t = unix_of(((const TgEvPoint *)g_ptr_array_index(dev->points, i))->time);

		t0 = MIN(t0, t);
		t1 = MAX(t1, t);
	}
	g_string_append_printf(h, "<svg id=\"%sversion-chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
			       "aria-label=\"version history\" "
			       "xmlns=\"http://www.w3.org/2000/svg\">", pack->anchor, CHART_W, CHART_H);
	chart_axes(h, versions, t0, t1);
	for (guint i = 0; i < dev->points->len; i++) {
		const TgEvPoint *pt = g_ptr_array_index(dev->points, i);
		double x = 120 + 810.0 * (t1 > t0 ? (double)(unix_of(pt->time) - t0) / (t1 - t0)
						  : (double)i / MAX(1u, dev->points->len - 1));
		double y = 240 - (versions->len > 1 ? 220.0 * version_rank(versions, pt->version) /
						      (versions->len - 1) : 110.0);

		chart_point(h, pt, x, y);
	}
	g_string_append(h, "</svg><p class=\"muted\">Blue: installed; green: committed (booted "
			   "and marked good); red cross: refused; amber: deferred; purple cross: "
			   "failed install. Hover a point for its record.");
	if (dev->points_dropped)
		g_string_append_printf(h, " %" G_GUINT64_FORMAT " later events are not drawn.",
				       dev->points_dropped);
	g_string_append(h, "</p>");
}

static void fleet_chart(GString *h, const TgEvPack *pack)
{
	const TgEvFleet *f = pack->fleet;
	guint n = MIN(f->versions->len, 30u);
	guint max = 1;

	for (guint i = 0; i < n; i++)
		max = MAX(max, g_array_index(f->version_devices, guint, i));
	g_string_append_printf(h, "<h2 id=\"%shistory\">Installed versions in the variant</h2>"
			       "<svg id=\"%sversion-chart\" viewBox=\"0 0 %d %u\" role=\"img\" "
			       "aria-label=\"devices per installed version\" "
			       "xmlns=\"http://www.w3.org/2000/svg\">", pack->anchor, pack->anchor,
			       CHART_W, 20 + 24 * MAX(n, 1u));
	if (n == 0) {
		g_string_append(h, "<text x=\"10\" y=\"30\" font-size=\"13\">No record names the "
				   "installed version of ");
		esc(h, pack->policy->default_component);
		g_string_append(h, " ([versions] default-component).</text>");
	}
	for (guint i = 0; i < n; i++) {
		guint c = g_array_index(f->version_devices, guint, i);

		g_string_append_printf(h, "<text x=\"150\" y=\"%u\" font-size=\"12\" "
				       "text-anchor=\"end\">", 26 + 24 * i);
		esc(h, g_ptr_array_index(f->versions, i));
		g_string_append_printf(h, "</text><rect x=\"160\" y=\"%u\" width=\"%.1f\" "
				       "height=\"16\" fill=\"#3b6ea5\"/><text x=\"%.1f\" y=\"%u\" "
				       "font-size=\"12\">%u</text>", 14 + 24 * i,
				       700.0 * c / max, 166 + 700.0 * c / max, 26 + 24 * i, c);
	}
	g_string_append_printf(h, "</svg><p class=\"muted\">%u devices; %u with no known "
			       "installed version; %u outside the support period.</p>",
			       pack->logs->devices->len, f->unknown_version, f->outside_support);
}

/* ------------------------------------------------------------------ */
/* ICS and gaps */

/* Returns: (transfer none). */
static const char *support_class(TgEvSupport s)
{
	return s == TG_SUPPORT_Y ? "Y" : s == TG_SUPPORT_N ? "N" : "NA";
}

/* Gaps whose reference starts with the provision ID. */
static guint provision_gaps(const TgEvPack *pack, const char *id)
{
	guint n = 0;
	gsize len = strlen(id);

	for (guint i = 0; i < pack->gaps->len; i++) {
		const TgEvGap *g = g_ptr_array_index(pack->gaps, i);

		n += strncmp(g->ref, id, len) == 0 && (g->ref[len] == ' ' || !g->ref[len]);
	}
	return n;
}

static void ics_row(GString *h, const TgEvPack *pack, const TgEvIcsRow *row)
{
	const char *text = row->support == TG_SUPPORT_Y ? row->detail : row->justification;
	guint gaps = provision_gaps(pack, row->prov->id);

	g_string_append_printf(h, "<tr id=\"%sics-%s\"><td>%s<br><span class=\"muted\">%s</span>"
			       "</td><td>%s</td><td class=\"%s\"><b>%s</b></td><td class=\"s-%s\">"
			       "%s</td><td>%s</td><td>", pack->anchor, row->prov->id, row->prov->id,
			       row->prov->v3_ids, row->prov->status, support_class(row->support),
			       tg_ev_support_name(row->support), tg_ev_strength_name(row->strength),
			       tg_ev_strength_name(row->strength),
			       row->declared ? "declared" : "derived");
	esc(h, row->prov->title);
	g_string_append(h, ": ");
	if (text)
		esc(h, text);
	else
		g_string_append(h, "<span class=\"gap\">no justification (4-1-1)</span>");
	g_string_append(h, "</td><td>");
	if (gaps)
		g_string_append_printf(h, "<a class=\"gap\" href=\"#%sgaps\">%u gap%s</a>",
				       pack->anchor, gaps, gaps == 1 ? "" : "s");
	else
		g_string_append(h, "-");
	if (pack->opts->self_assessment)
		g_string_append_printf(h, "</td><td>%s", tg_ev_ics_self_state(row)
						       ? tg_ev_ics_self_state(row) : "-");
	g_string_append(h, "</td></tr>");
}

static void ics_table(GString *h, const TgEvPack *pack)
{
	g_string_append_printf(h, "<h2 id=\"%sics-table\">Implementation Conformance Statement"
			       "</h2><p>EN 303 645 V2.1.1 clause 5.3 (V3.1.3 IDs below each "
			       "reference). Details: <a href=\"%sics.md\">ics.md</a>, <a "
			       "href=\"%sics.json\">ics.json</a>.</p><table id=\"%sics\" "
			       "class=\"ics\"><thead><tr><th>Reference</th><th>Status</th>"
			       "<th>Support</th><th>Strength</th><th>Origin</th><th>Detail or "
			       "justification</th><th>Gaps</th>", pack->anchor, pack->rel, pack->rel,
			       pack->anchor);
	if (pack->opts->self_assessment)
		g_string_append(h, "<th>Self-assessment</th>");
	g_string_append(h, "</tr></thead><tbody>");
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		ics_row(h, pack, &pack->ics->rows[i]);
	g_string_append(h, "</tbody></table><p class=\"legend muted\">Strength: <span "
			   "class=\"s-demonstrated\">demonstrated</span>device records show it "
			   "<span class=\"s-configured\">configured</span>the policy enforces it, "
			   "no record shows it yet <span class=\"s-declared\">declared</span>the "
			   "manufacturer's text only <span class=\"s-contradicted\">contradicted"
			   "</span>records show otherwise (see Findings) <span class=\"s-gap\">gap"
			   "</span>nothing to rest on</p>");
}

static void gaps_section(GString *h, const TgEvPack *pack)
{
	g_string_append_printf(h, "<h2 id=\"%sgaps\">Gaps (%u)</h2><p>Per area of the "
			       "assessment-preparation workflow; owners and artifacts in <a "
			       "href=\"%sgaps.md\">gaps.md</a>.</p>", pack->anchor, pack->gaps->len,
			       pack->rel);
	for (guint a = 0; a < TG_AREA_N; a++) {
		guint n = tg_ev_gaps_in_area(pack->gaps, a);

		g_string_append_printf(h, "<h3>%u. %s (%u)</h3>", a + 1, tg_ev_areas()[a].title, n);
		if (!n)
			continue;
		g_string_append(h, "<ul>");
		for (guint i = 0; i < pack->gaps->len; i++) {
			const TgEvGap *g = g_ptr_array_index(pack->gaps, i);

			if (g->area != a)
				continue;
			g_string_append(h, "<li><b>");
			esc(h, g->ref);
			g_string_append(h, "</b>: ");
			esc(h, g->text);
			g_string_append(h, "</li>");
		}
		g_string_append(h, "</ul>");
	}
}

/* ------------------------------------------------------------------ */
/* Evidence index */

/* Returns: (transfer none). */
static const char *member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n) : "-";
}

static void index_record(GString *h, const char *anchor, const char *tc, guint n,
			 const char *line, JsonParser *parser)
{
	JsonNode *root;
	JsonObject *o;

	if (!json_parser_load_from_data(parser, line, -1, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	o = json_node_get_object(root);
	g_string_append_printf(h, "<tr id=\"%srec-%s-%u\"><td>", anchor, tc, n);
	esc(h, member(o, "device"));
	g_string_append(h, "</td><td>");
	esc(h, member(o, "file"));
	g_string_append_printf(h, "</td><td>%" G_GINT64_FORMAT "</td><td>",
			       json_object_get_int_member(o, "seq"));
	esc(h, member(o, "time"));
	g_string_append(h, "</td><td>");
	esc(h, member(o, "event"));
	g_string_append(h, "</td><td>");
	esc(h, member(o, "summary"));
	g_string_append(h, "</td><td>");
	esc(h, member(o, "chain"));
	g_string_append(h, "</td><td><code>");
	esc(h, member(o, "hash"));
	g_string_append(h, "</code></td></tr>");
}

static void index_test_case(GString *h, const TgEvPack *pack, TgEvTc t, JsonParser *parser)
{
	const TgEvTestCase *tc = &tg_ev_test_cases()[t];
	FILE *spool = pack->logs->spool[t];
	g_autofree char *line = NULL;
	size_t cap = 0;
	guint n = 0;

	gboolean row = tg_ev_provision_index(tc->provision) >= 0;	/* 4-1 has none */

	g_string_append_printf(h, "<h3 id=\"%stc-%s\">%s (%s) &middot; <a href=\"#%sics-%s\">"
			       "ICS %s</a></h3><p>", pack->anchor, tc->id, tc->id, tc->kind,
			       pack->anchor, row ? tc->provision : "table", tc->provision);
	esc(h, tc->examines);
	g_string_append_printf(h, "</p><p class=\"muted\">%s; %" G_GUINT64_FORMAT " records in "
			       "total.</p>", tg_ev_test_case_status(tc, pack->logs->tc_count[t]),
			       pack->logs->tc_count[t]);
	if (tc->lab_step && !pack->logs->tc_count[t]) {
		g_string_append(h, "<p class=\"gap\">Not demonstrated by the records. A laboratory "
				   "would: ");
		esc(h, tc->lab_step);
		g_string_append(h, "</p>");
	}
	if (!spool || pack->logs->tc_count[t] == 0)
		return;
	fflush(spool);
	rewind(spool);
	g_string_append(h, "<table><thead><tr><th>Device</th><th>File</th><th>Seq</th>"
			   "<th>Time</th><th>Event</th><th>Summary</th><th>Chain</th>"
			   "<th>Record SHA-256</th></tr></thead><tbody>");
	while (n < HTML_RECORDS && getline(&line, &cap, spool) > 0)
		index_record(h, pack->anchor, tc->id, n++, line, parser);
	g_string_append(h, "</tbody></table>");
}

static void index_section(GString *h, const TgEvPack *pack)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();

	g_string_append_printf(h, "<h2 id=\"%sindex\">Evidence index</h2><p>External evidence "
			       "from the devices' own audit logs, offered as supporting "
			       "functional indications; the test laboratory decides whether to "
			       "accept it. Up to %d records per test case are shown here; <a "
			       "href=\"%sevidence-index.md\">evidence-index.md</a> and <a "
			       "href=\"%sevidence-index.json\">evidence-index.json</a> list more.</p>"
			       "<table><thead><tr><th>Test case</th><th>Kind</th><th>Status</th>"
			       "<th>Records</th></tr></thead><tbody>", pack->anchor, HTML_RECORDS,
			       pack->rel,
			       pack->rel);
	for (guint t = 0; t < TG_TC_N; t++) {
		const TgEvTestCase *tc = &tg_ev_test_cases()[t];

		g_string_append_printf(h, "<tr><td><a href=\"#%s%s%s%s\">%s</a></td><td>%s</td>"
				       "<td>%s</td><td>%" G_GUINT64_FORMAT "</td></tr>", pack->anchor,
				       pack->logs->tc_count[t] ? "rec-" : "tc-", tc->id,
				       pack->logs->tc_count[t] ? "-0" : "", tc->id, tc->kind,
				       tg_ev_test_case_status(tc, pack->logs->tc_count[t]),
				       pack->logs->tc_count[t]);
	}
	g_string_append(h, "</tbody></table>");
	for (guint t = 0; t < TG_TC_N; t++)
		index_test_case(h, pack, t, parser);
}

/* ------------------------------------------------------------------ */
/* Devices and chain */

static void device_row(GString *h, const TgEvPack *pack, const TgEvDevice *dev)
{
	const char *version = tg_ev_device_version(dev, pack->policy);

	g_string_append(h, "<tr><td>");
	esc(h, dev->label);
	g_string_append(h, "</td><td>");
	esc(h, dev->device_id ? dev->device_id : "-");
	g_string_append_printf(h, "</td><td>%" G_GUINT64_FORMAT "</td><td class=\"%s\">",
			       dev->in_window, dev->chain_checked && dev->chain.ok ? "Y" : "N");
	if (dev->chain_checked && dev->chain.ok)
		g_string_append(h, "intact");
	else if (dev->chain_checked)
		g_string_append_printf(h, "broken: %s at %s seq %" G_GUINT64_FORMAT,
				       dev->chain.problem, dev->chain.bad_file, dev->chain.bad_seq);
	else
		g_string_append(h, "not verified");
	g_string_append(h, "</td><td>");
	esc(h, version ? version : "unknown");
	g_string_append_printf(h, "</td><td>%s</td><td>%" G_GUINT64_FORMAT "</td><td>%"
			       G_GUINT64_FORMAT "</td><td>%" G_GUINT64_FORMAT "</td></tr>",
			       tg_ev_device_outside_support(dev, pack->policy, pack->fleet->at)
			       ? "outside" : "inside", dev->n.refused, dev->n.deferred,
			       dev->n.checks);
}

static void devices_section(GString *h, const TgEvPack *pack)
{
	const GPtrArray *devs = pack->logs->devices;

	g_string_append_printf(h, "<h2 id=\"%sdevices\">Devices (%u)</h2><table><thead><tr>"
			       "<th>Device</th><th>Device ID</th><th>Records</th><th>Hash chain"
			       "</th><th>Version</th><th>Support</th><th>Refused</th><th>Deferred"
			       "</th><th>Update checks</th></tr></thead><tbody>", pack->anchor,
			       devs->len);
	for (guint i = 0; i < devs->len && i < HTML_DEVICES; i++)
		device_row(h, pack, g_ptr_array_index(devs, i));
	g_string_append(h, "</tbody></table>");
	if (devs->len > HTML_DEVICES)
		g_string_append_printf(h, "<p class=\"muted\">%u more devices in "
				       "%sevidence-index.md.</p>", devs->len - HTML_DEVICES, pack->rel);
	if (devs->len > 1)
		g_string_append_printf(h, "<p>Fleet: %" G_GUINT64_FORMAT " refused updates on %u "
				       "devices (%" G_GUINT64_FORMAT " attempted misuse), %"
				       G_GUINT64_FORMAT " deferred on %u devices, %u devices outside "
				       "the support period.</p>", pack->fleet->refused,
				       pack->fleet->devices_refused, pack->fleet->misuse_refusals,
				       pack->fleet->deferred, pack->fleet->devices_deferred,
				       pack->fleet->outside_support);
}

/* ------------------------------------------------------------------ */
/* The page */

gchar *tg_ev_html_variant(const TgEvPack *pack)
{
	GString *h = g_string_sized_new(32 * 1024);
	const GPtrArray *devs = pack->logs->devices;

	g_string_append_printf(h, "<section id=\"v%s\">", pack->variant->id);
	summary(h, pack);
	timeline(h, pack);
	if (devs->len == 1)
		version_chart(h, pack, g_ptr_array_index(devs, 0));
	else
		fleet_chart(h, pack);
	ics_table(h, pack);
	gaps_section(h, pack);
	index_section(h, pack);
	devices_section(h, pack);
	g_string_append(h, "</section>");
	return g_string_free(h, FALSE);
}

static void page_head(GString *h, const TgEvExport *x)
{
	const TgEvPack *top = &x->top;

	g_string_append(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
			   "<title>Update evidence: ");
	esc(h, top->decl->title ? top->decl->title : top->policy->model);
	g_string_append_printf(h, "</title><style>%s</style></head><body><header><h1>"
			       "Software update evidence: ", css);
	esc(h, top->decl->title ? top->decl->title : top->policy->model);
	g_string_append_printf(h, "</h1><p class=\"muted\">ETSI EN 303 645 clause 5.3 / TS 103 "
			       "701 assessment pack: %u variant%s, generated %s by tollgate %s."
			       "</p><p class=\"notice%s\">", x->packs->len,
			       x->packs->len == 1 ? "" : "s", top->generated, TG_VERSION,
			       top->opts->self_assessment ? " self" : "");
	esc(h, tg_ev_verdict_notice(top->opts->self_assessment));
	g_string_append(h, "</p><nav><a href=\"#dut\">Devices under test</a> &middot; "
			   "<a href=\"#findings\">Findings</a>");
	for (guint i = 0; i < x->packs->len; i++) {
		const TgEvPack *p = g_ptr_array_index(x->packs, i);

		g_string_append_printf(h, " &middot; <a href=\"#v%s\">Variant %s</a>", p->variant->id,
				       p->variant->id);
	}
	g_string_append(h, " &middot; <a href=\"#verify\">How to verify</a></nav></header>");
}

static void findings_section(GString *h, const TgEvExport *x)
{
	guint n = 0;

	g_string_append(h, "<h2 id=\"findings\">Findings</h2><p>Records that contradict what "
			   "is configured or declared, and claims resting on weak evidence; "
			   "resolve the contradictions before the assessment. Also in <a "
			   "href=\"findings.md\">findings.md</a>.</p><table><thead><tr><th>Class"
			   "</th><th>Kind</th><th>Variant</th><th>Device</th><th>Record</th>"
			   "<th>What</th></tr></thead><tbody>");
	for (guint p = 0; p < x->packs->len; p++) {
		const GPtrArray *fs = ((const TgEvPack *)g_ptr_array_index(x->packs, p))->logs->findings;

		for (guint i = 0; i < fs->len; i++, n++) {
			const TgEvFinding *f = g_ptr_array_index(fs, i);
			g_autofree gchar *rec = f->file ? g_strdup_printf("%s seq %" G_GUINT64_FORMAT,
									  f->file, f->seq)
							: g_strdup("-");

			g_string_append_printf(h, "<tr><td class=\"%s\">%s</td><td>%s</td><td>"
					       "<a href=\"#v%s\">%s</a></td><td>", f->contradiction
					       ? "N" : "NA", f->contradiction ? "contradiction"
					       : "weak evidence", f->kind, f->variant, f->variant);
			esc(h, tg_ev_or_dash(f->device));
			g_string_append(h, "</td><td>");
			esc(h, rec);
			g_string_append(h, "</td><td>");
			esc(h, f->text);
			g_string_append(h, "</td></tr>");
		}
	}
	if (!n)
		g_string_append(h, "<tr><td colspan=\"6\">No findings.</td></tr>");
	g_string_append(h, "</tbody></table>");
}

static void verify_box(GString *h)
{
	g_string_append(h, "<h2 id=\"verify\">How to verify this pack</h2><div class=\"notice\">"
			   "<p>Every file of the pack is listed with its SHA-256 in MANIFEST.sha256: "
			   "<code>sha256sum -c MANIFEST.sha256</code> in the pack's folder. When the "
			   "pack is signed, MANIFEST.sha256.sig is the raw Ed25519 signature of "
			   "the manifest: <code>openssl pkeyutl -verify -pubin -inkey KEY.pub "
			   "-rawin -in MANIFEST.sha256 -sigfile MANIFEST.sha256.sig</code>. Each "
			   "record the index cites is named by file, seq and the SHA-256 of its "
			   "line; <code>tollgate audit verify --dir LOGDIR</code> checks the chain "
			   "those hashes belong to.</p></div>");
}

gchar *tg_ev_html_build(const TgEvExport *x)
{
	GString *h = g_string_sized_new(64 * 1024);

	page_head(h, x);
	tg_ev_dut_html(h, x);
	findings_section(h, x);
	for (guint i = 0; i < x->packs->len; i++)
		g_string_append(h, ((const TgEvPack *)g_ptr_array_index(x->packs, i))->html);
	verify_box(h);
	g_string_append(h, "<footer><p class=\"muted\">Files of this pack: variants.md and "
			   "variants.json (the variants and devices under test), findings.md, "
			   "findings.json, gaps.md, oscal-assessment-results.json, this page, and "
			   "per variant in variants/&lt;N&gt;/: ics.md, ics.json, ixit.md, "
			   "ixit.json, evidence-index.md, evidence-index.json, gaps.md, "
			   "findings.md, findings.json, crosswalk.md and the policy it ran in "
			   "policy/.</p></footer></body></html>\n");
	return g_string_free(h, FALSE);
}
