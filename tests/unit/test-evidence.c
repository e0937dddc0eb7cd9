/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The evidence export: declaration parsing (errors name file, group, key
 * and value), the ICS logic (support values, N/A only where a condition
 * fails, never Y without a basis), the record-to-test-case mapping, the
 * catalogue against its OSCAL data file, the manifest and its signature,
 * and whole exports into a temporary directory (single device, corrupted
 * chain, fleet). */
#include "tg-test.h"

#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "evidence-private.h"
#include "tg-crypto.h"
#include "policy-private.h"

#define BASE "[device]\nmodel = TG Unit 1\n"

static TgPolicy *load(const char *text, GError **error)
{
	return tg_policy_load_data("test.conf", text, strlen(text), error);
}

static TgPolicy *load_ok(const char *text)
{
	g_autoptr(GError) err = NULL;
	TgPolicy *p = load(text, &err);

	assert_no_error(err);
	assert_non_null(p);
	return p;
}

/* ------------------------------------------------------------------ */
/* Declarations */

typedef struct {
	const char *text;	/* appended to BASE */
	gint code;		/* TG_POLICY_ERROR_* */
	const char *message;	/* substring of the message */
} DeclCase;

static const DeclCase decl_cases[] = {
	{ "[mechanism.a]\ndelivery = air\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [mechanism.a] delivery = 'air' is not allowed; use one of: network, "
	  "physical, both" },
	{ "[mechanism.a]\ndescription = d\n[component.c]\nmechanisms = a;ghost\n",
	  TG_POLICY_ERROR_VALUE,
	  "test.conf: [component.c] mechanisms = 'a;ghost' names 'ghost', which no "
	  "[mechanism.ghost] group declares" },
	{ "[ics.5.3-3]\nsupport = Y\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [ics.5.3-3] support = 'Y' needs a detail key" },
	{ "[ics.5.3-13]\nsupport = N/A\njustification = x\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [ics.5.3-13] support = 'N/A' is not possible" },
	{ "[ics.5.3-7]\nsupport = maybe\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [ics.5.3-7] support = 'maybe' is not allowed; use one of: Y, N, N/A" },
	{ "[ics.5.3-99]\nsupport = N\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: group [ics.5.3-99] names no provision of clause 5.3" },
	{ "[owner.sales]\nowner = x\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: group [owner.sales] names no workflow area" },
	{ "[owner.scope]\nstatus = finished\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [owner.scope] status = 'finished' is not allowed" },
	{ "[product]\nconstrained = maybe\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [product] constrained = 'maybe' is not a boolean" },
	{ "[product]\ncolour = red\n", TG_POLICY_ERROR_UNKNOWN,
	  "test.conf: [product] colour = 'red' is not a known key" },
	{ "[products]\nx = 1\n", TG_POLICY_ERROR_UNKNOWN,
	  "test.conf: group [products] is not a known group" },
	{ "[replacement]\nrationale = r\n[mechanism.m]\ndescription = d\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: group [replacement] describes a device that cannot be updated, but "
	  "[mechanism.m]" },
	{ "[evidence]\nverify-alg = ed25519\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [evidence] verify-alg = 'ed25519' needs verify-key" },
	{ "[evidence]\nindex-limit = 0\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [evidence] index-limit = '0' lists no record" },
	{ "[evidence]\nindex-limit = 100001\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [evidence] index-limit = '100001' is not a whole number" },
	{ "[evidence]\nverify-key = relative.pem\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [evidence] verify-key = 'relative.pem' is not an absolute path" },
	{ "[mechanism.a]\nupdater-config = /etc/x.cfg\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [mechanism.a] updater-config = '/etc/x.cfg' needs updater = swupdate "
	  "or rauc" },
	{ "[mechanism.bad id]\ndescription = d\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: group [mechanism.bad id] has a bad name" },
	{ "[mechanism.a]\ndescription =\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [mechanism.a] description = '' is empty" },
	{ "[procedure]\ntime-frame = x\\qy\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [procedure] time-frame = 'x\\x5cqy' cannot be read as text" },
	{ "[component.c]\ntype = kernel\n", TG_POLICY_ERROR_VALUE,
	  "test.conf: [component.c] type = 'kernel' is not allowed" },
};

static void test_decl_errors(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(decl_cases); i++) {
		g_autofree gchar *text = g_strconcat(BASE, decl_cases[i].text, NULL);
		g_autoptr(TgPolicy) p = load_ok(text);
		g_autoptr(GError) err = NULL;

		assert_false(tg_evidence_check_policy(p, &err));
		assert_error(err, TG_POLICY_ERROR, decl_cases[i].code);
		assert_contains(err->message, decl_cases[i].message);
	}
}

static void test_decl_parse(void **state)
{
	g_autoptr(TgPolicy) p = load_ok(BASE
		"[mechanism.net]\ndescription = Over the air\ndelivery = both\nupdater = rauc\n"
		"[mechanism.usb]\ninitiation = Stick\\swith\\simage\ndelivery = physical\n"
		"[component.root]\nmechanisms = net, usb\n[component.boot]\njustification = ROM\n"
		"[ics.5.3-9]\nsupport = N\n[ics.5.3-12]\njustification = j\n"
		"[owner.handoff]\nowner = A\nartifacts = x; y\nstatus = in-progress\n"
		"[product]\nconstrained = false\n[evidence]\nindex-limit = 7\n");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, &err);
	const TgEvMechanism *usb;
	const TgEvComponent *root;

	assert_no_error(err);
	assert_int_equal(d->mechanisms->len, 2);
	usb = tg_ev_decl_mechanism(d, "usb");
	assert_non_null(usb);
	assert_string_equal(usb->fields[TG_MF_INITIATION], "Stick with image");
	assert_int_equal(usb->delivery, TG_DELIVERY_PHYSICAL);
	assert_string_equal(tg_ev_decl_mechanism(d, "net")->updater, "rauc");
	assert_null(tg_ev_decl_mechanism(d, "nope"));
	root = g_ptr_array_index(d->components, 0);
	assert_string_equal(root->id, "root");
	assert_int_equal(root->mechanisms->len, 2);
	assert_true(d->ics[8].set);
	assert_int_equal(d->ics[8].support, TG_SUPPORT_N);
	assert_false(d->ics[11].set);
	assert_string_equal(d->ics[11].justification, "j");
	assert_string_equal(d->owners[TG_AREA_HANDOFF].owner, "A");
	assert_int_equal(d->owners[TG_AREA_HANDOFF].artifacts->len, 2);
	assert_int_equal(d->owners[TG_AREA_HANDOFF].status, TG_OWNER_STATUS_IN_PROGRESS);
	assert_int_equal(d->owners[TG_AREA_SCOPE].status, TG_OWNER_STATUS_UNSET);
	assert_int_equal(d->index_limit, 7);
	assert_true(tg_ev_decl_updateable(d));
	/* the policy's own copy is untouched: parsing twice gives the same */
	assert_true(tg_evidence_check_policy(p, &err));
	assert_true(g_key_file_has_group(p->extra, "mechanism.net"));
}

/* An error in a drop-in names the drop-in, not the main file. */
static void test_decl_error_names_dropin(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *conf_d = g_build_filename(dir, "conf.d", NULL);
	g_autofree gchar *main_file = tg_test_write(dir, "tollgate.conf", BASE
						    "[mechanism.a]\ndelivery = network\n");
	g_autofree gchar *drop = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(GError) err = NULL;

	(void)state;
	assert_int_equal(g_mkdir(conf_d, 0755), 0);
	drop = tg_test_write(conf_d, "50-site.conf", "[mechanism.a]\ndelivery = carrier-pigeon\n");
	p = tg_policy_load(main_file, &err);
	assert_no_error(err);
	assert_false(tg_evidence_check_policy(p, &err));
	assert_contains(err->message, drop);
	assert_contains(err->message, "[mechanism.a] delivery = 'carrier-pigeon'");
	tg_test_rmtree(dir);
}

/* ------------------------------------------------------------------ */
/* ICS */

typedef struct {
	const char *name;
	const char *text;		/* appended to BASE */
	guint64 checks;			/* update.check records in the logs */
	const char *want;		/* support of 5.3-1 ... 5.3-16 */
} IcsCase;

#define FULL_MECH \
	"[mechanism.fw]\ndescription = d\nsecurity-guarantees = s\ncryptographic-details = c\n" \
	"initiation = i\nconfiguration = k\nupdate-checking = u\nuser-notification = n\n"
#define SINK "[sink.ui]\ntype = file\ndirectory = /run/x\n"

static const IcsCase ics_cases[] = {
	{ "nothing declared", "", 0, "N Y Y Y N Y N N N N N N N N/A N/A Y" },
	{ "update checks in the log", "", 3, "N Y Y Y Y Y N N N N N N N N/A N/A Y" },
	{ "complete", "[support]\nend = 2031-12-31\n" SINK FULL_MECH "delivery = network\n"
	  "[component.root]\nmechanisms = fw\n[procedure]\ndescription = p\ntime-frame = t\n",
	  0, "Y Y Y Y Y Y Y Y Y Y Y Y Y N/A N/A Y" },
	{ "physical delivery only", FULL_MECH "delivery = physical\n", 0,
	  "N Y Y Y Y Y Y N Y N/A N N N N/A N/A Y" },
	{ "automatic security updates off", "[class.security]\nauto-install = false\n", 0,
	  "N Y N N N N N N N N N N N N/A N/A Y" },
	{ "constrained but updateable", "[product]\nconstrained = true\n", 0,
	  "N N/A Y Y N Y N N N N N N N N/A N/A Y" },
	{ "sink without disruption warnings", "[sink.ui]\ntype = stderr\nnotices = security-update\n",
	  0, "N Y Y Y N Y N N N N Y N N N/A N/A Y" },
	{ "component without mechanism", "[mechanism.fw]\ndelivery = network\n"
	  "[component.a]\nmechanisms = fw\n[component.b]\njustification = ROM\n", 0,
	  "N Y Y Y N Y N N N N N N N N/A N/A Y" },
	{ "declared overrides", "[ics.5.3-12]\nsupport = Y\ndetail = LED blinks\n"
	  "[ics.5.3-2]\nsupport = N\njustification = no anti-rollback on the MCU\n", 0,
	  "N N Y Y N Y N N N N N Y N N/A N/A Y" },
	{ "not updateable, not constrained", "[support]\nend = 2030-01-01\n"
	  "[replacement]\nrationale = ROM only\npublication = p\ndocumentation = d\n"
	  "hardware-replacement = h\nisolation = i\n", 0,
	  "N N N/A N/A N/A N/A N/A N/A N/A N/A N/A N/A Y N/A N/A Y" },
	{ "not updateable, constrained", "[support]\nend = 2030-01-01\n[product]\n"
	  "constrained = true\n[replacement]\nrationale = ROM only\npublication = p\n"
	  "documentation = d\nhardware-replacement = h\nisolation = i\n", 0,
	  "N N/A N/A N/A N/A N/A N/A N/A N/A N/A N/A N/A Y Y Y Y" },
	{ "not updateable, constrained, incomplete", "[product]\nconstrained = true\n"
	  "[replacement]\nisolation = i\n", 0,
	  "N N/A N/A N/A N/A N/A N/A N/A N/A N/A N/A N/A N N N Y" },
};

static TgEvLogs *fake_logs(guint64 checks)
{
	TgEvLogs *logs = tg_ev_logs_new(0);
	TgEvDevice *dev = tg_ev_device_new("/x/dev");

	dev->n.checks = checks;
	g_ptr_array_add(logs->devices, dev);
	return logs;
}

static gchar *supports(const TgEvIcs *ics)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		g_string_append_printf(s, "%s%s", i ? " " : "",
				       tg_ev_support_name(ics->rows[i].support));
	return g_string_free(s, FALSE);
}

/* Y always has a detail and a basis; N/A always a justification. */
static void check_invariants(const TgEvIcs *ics, const char *name)
{
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		const TgEvIcsRow *row = &ics->rows[i];

		if (row->support == TG_SUPPORT_Y && (!row->detail || row->basis->len == 0))
			fail_msg("%s: %s is Y without detail or basis", name, row->prov->id);
		if (row->support == TG_SUPPORT_NA && !row->justification)
			fail_msg("%s: %s is N/A without justification", name, row->prov->id);
		if (row->support == TG_SUPPORT_NA && row->prov->conditions == 0)
			fail_msg("%s: %s is N/A but has no condition", name, row->prov->id);
	}
}

static void test_ics_table(void **state)
{
	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(ics_cases); i++) {
		g_autofree gchar *text = g_strconcat(BASE, ics_cases[i].text, NULL);
		g_autoptr(TgPolicy) p = load_ok(text);
		g_autoptr(GError) err = NULL;
		g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, &err);
		g_autoptr(TgEvLogs) logs = fake_logs(ics_cases[i].checks);
		g_autoptr(TgEvIxit) x = NULL;
		g_autoptr(TgEvIcs) ics = NULL;
		g_autofree gchar *got = NULL;

		assert_no_error(err);
		x = tg_ev_ixit_build(p, d, logs, NULL);
		ics = tg_ev_ics_build(p, d, logs, x);
		got = supports(ics);
		if (!g_str_equal(got, ics_cases[i].want))
			fail_msg("%s: got %s, want %s", ics_cases[i].name, got, ics_cases[i].want);
		check_invariants(ics, ics_cases[i].name);
	}
}

/* The IXIT's signature field comes from the reader of the mechanism's
 * updater, with its problem as the gap when it has none to say; an
 * updater without a reader leaves the field to the declaration. */
static gchar *fake_signature(const char *path, gchar **ret_problem)
{
	if (g_str_has_suffix(path, "bad.cfg")) {
		*ret_problem = g_strdup_printf("%s sets no key", path);
		return NULL;
	}
	return g_strdup_printf("checked with the key in %s", path);
}

static const TgEvField *mechanism_field(const TgEvIxit *x, const char *name)
{
	assert_int_equal(x->mechanisms->len, 1);
	return tg_ev_entry_field(g_ptr_array_index(x->mechanisms, 0), name);
}

static void test_ixit_updater_reader(void **state)
{
	static const TgEvidenceUpdater fake = { .updater = "swupdate",
						.signature_text = fake_signature };
	static const TgEvidenceUpdater *const readers[] = { &fake, NULL };
	static const char *const cfgs[] = { "/etc/good.cfg", "/etc/bad.cfg" };

	(void)state;
	for (guint i = 0; i < G_N_ELEMENTS(cfgs); i++) {
		g_autofree gchar *text = g_strdup_printf(BASE "[mechanism.ota]\nupdater = swupdate\n"
							 "updater-config = %s\n", cfgs[i]);
		g_autoptr(TgPolicy) p = load_ok(text);
		g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, NULL);
		g_autoptr(TgEvIxit) with = tg_ev_ixit_build(p, d, NULL, readers);
		g_autoptr(TgEvIxit) without = tg_ev_ixit_build(p, d, NULL, NULL);
		const TgEvField *f = mechanism_field(with, "Cryptographic Details");

		if (i == 0) {
			assert_string_equal(f->derived, "checked with the key in /etc/good.cfg");
			assert_string_equal(f->derived_from, "/etc/good.cfg");
		} else {
			assert_null(f->derived);
			assert_contains(f->missing, "/etc/bad.cfg sets no key; or set "
				       "cryptographic-details in [mechanism.ota]");
		}
		assert_null(mechanism_field(without, "Cryptographic Details")->derived);
	}
}

static void test_ics_justifications(void **state)
{
	g_autoptr(TgPolicy) p = load_ok(BASE "[ics.5.3-7]\njustification = crypto lives in the hub\n"
					"[ics.5.3-2]\nsupport = N\n");
	g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, NULL);
	g_autoptr(TgEvIxit) x = tg_ev_ixit_build(p, d, NULL, NULL);
	g_autoptr(TgEvIcs) ics = tg_ev_ics_build(p, d, NULL, x);
	g_autoptr(GPtrArray) gaps = tg_ev_gaps_new();
	const TgEvIcsRow *r7 = tg_ev_ics_row(ics, "5.3-7");
	const TgEvIcsRow *r2 = tg_ev_ics_row(ics, "5.3-2");
	const TgEvIcsRow *r14 = tg_ev_ics_row(ics, "5.3-14");
	gboolean gap2 = FALSE, gap7 = FALSE;

	(void)state;
	assert_int_equal(r7->support, TG_SUPPORT_N);
	assert_string_equal(r7->justification, "crypto lives in the hub");
	assert_false(r7->justification_derived);
	assert_true(r2->declared);
	assert_null(r2->justification);
	assert_true(r14->justification_derived);
	assert_contains(r14->justification, "condition C(3)");
	assert_null(tg_ev_ics_row(ics, "5.3-17"));
	tg_ev_ics_gaps(ics, gaps);
	for (guint i = 0; i < gaps->len; i++) {
		const TgEvGap *g = g_ptr_array_index(gaps, i);

		assert_int_equal(g->area, TG_AREA_SUPPORT_MAP);
		assert_contains(g->ref, "(4-1, 4-1-1)");
		gap2 = gap2 || g_str_has_prefix(g->ref, "5.3-2 ");
		gap7 = gap7 || g_str_has_prefix(g->ref, "5.3-7 ");
	}
	assert_true(gap2);
	assert_false(gap7);
	assert_string_equal(tg_ev_ics_self_state(r7), "not-satisfied");
	assert_null(tg_ev_ics_self_state(r14));
}

/* ------------------------------------------------------------------ */
/* Records to test cases */

#define REC(seq, body) "{\"prev\":\"" TG_AUDIT_GENESIS "\",\"schema\":1,\"seq\":" #seq \
	",\"time\":\"2026-06-0" #seq "T10:00:00Z\",\"device\":{\"model\":\"TG Unit 1\"}," body "}\n"

typedef struct {
	const char *line;
	TgEvTc tcs[3];
	guint n;
} MapCase;

static const MapCase map_cases[] = {
	/* schema 1: the device tagged its checks with test cases; the
	 * exporter maps by event and reason and ignores the tags (5.3-13-1
	 * here would be wrong: the record is not about the support period) */
	{ REC(1, "\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"refuse\",\"class\":"
		 "\"feature\"},\"checks\":[{\"check\":\"rollback\",\"outcome\":\"refuse\","
		 "\"reason\":\"below-floor\",\"provisions\":[\"5.3-13\"],\"test_cases\":"
		 "[\"5.3-13-1\",\"5.3-11-1\"]}]"), { TG_TC_2_2, TG_TC_1_2 }, 2 },
	{ REC(1, "\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"refuse\",\"class\":"
		 "\"feature\"},\"checks\":[{\"check\":\"rollback\",\"outcome\":\"refuse\","
		 "\"reason\":\"below-floor\"}]"), { TG_TC_2_2, TG_TC_1_2 }, 2 },
	{ REC(1, "\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"refuse\",\"checks\":"
		 "[{\"check\":\"rollback\",\"outcome\":\"refuse\",\"reason\":\"reinstall-refused\"}]}"),
	  { TG_TC_2_2, TG_TC_1_2 }, 2 },
	{ REC(1, "\"event\":\"gate.decision\",\"decision\":{\"verdict\":\"defer\",\"class\":"
		 "\"security\"},\"checks\":[{\"check\":\"deferral\",\"outcome\":\"defer\",\"reason\":"
		 "\"postponed\"}]"), { TG_TC_8_1, TG_TC_6_2 }, 2 },
	{ REC(1, "\"event\":\"user.postponed\",\"class\":\"feature\",\"new_until\":\"x\""),
	  { TG_TC_6_2 }, 1 },
	{ REC(1, "\"event\":\"user.settings-changed\",\"setting\":\"notifications\",\"new\":false,"
		 "\"initialized_default\":true"), { TG_TC_6_2, TG_TC_6_1 }, 2 },
	{ REC(1, "\"event\":\"notice.delivered\",\"notice_type\":\"security-update\""),
	  { TG_TC_11_1 }, 1 },
	{ REC(1, "\"event\":\"notice.delivered\",\"notice_type\":\"disruption-warning\""),
	  { TG_TC_12_1 }, 1 },
	{ REC(1, "\"event\":\"notice.suppressed\",\"notice_type\":\"security-update\""),
	  { TG_TC_6_2, TG_TC_11_1 }, 2 },
	{ REC(1, "\"event\":\"update.check\",\"result\":\"none\""), { TG_TC_5_1 }, 1 },
	{ REC(1, "\"event\":\"update.failed\",\"failure\":\"bad\""), { TG_TC_2_2, TG_TC_9_1 }, 2 },
	{ REC(1, "\"event\":\"update.installed\",\"candidate\":{\"version\":\"1\"}"),
	  { TG_TC_3_1 }, 1 },
	{ REC(1, "\"event\":\"user.approved\",\"digest\":null,\"version\":\"2\""), { TG_TC_12_1 }, 1 },
	{ REC(1, "\"event\":\"state.initialized\""), { TG_TC_6_1, TG_TC_4_1 }, 2 },
	/* the device applying its support end shows nothing about the period's
	 * publication (5.3-13-2): listed under no test case */
	{ REC(1, "\"event\":\"support.ended\",\"support_end\":\"2026-01-01\""), { 0 }, 0 },
	{ REC(1, "\"event\":\"clock.rollback-detected\""), { 0 }, 0 },
	{ REC(1, "\"event\":\"log.checkpoint\",\"head_seq\":1"), { 0 }, 0 },
	{ REC(1, "\"event\":\"update.committed\",\"components\":[]"), { 0 }, 0 },
};

static void scan(TgEvLogs *logs, TgEvDevice *dev, const TgPolicy *p, const TgEvDecl *d,
		 const char *line)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();

	tg_ev_scan_line(logs, dev, p, d, parser, line, strlen(line), "audit.log");
}

static void test_record_mapping(void **state)
{
	g_autoptr(TgPolicy) p = load_ok(BASE);
	g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, NULL);

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(map_cases); i++) {
		g_autoptr(TgEvLogs) logs = tg_ev_logs_new(0);
		TgEvDevice *dev = tg_ev_device_new("/x/dev");
		guint total = 0;

		g_ptr_array_add(logs->devices, dev);
		scan(logs, dev, p, d, map_cases[i].line);
		for (guint k = 0; k < map_cases[i].n; k++)
			if (logs->tc_count[map_cases[i].tcs[k]] != 1)
				fail_msg("case %zu: %s not hit: %s", i,
					 tg_ev_test_cases()[map_cases[i].tcs[k]].id, map_cases[i].line);
		for (guint t = 0; t < TG_TC_N; t++)
			total += logs->tc_count[t];
		/* the model designation adds its one 5.3-16-2 hit */
		if (total != map_cases[i].n + (map_cases[i].n > 0 || !strstr(map_cases[i].line,
									"checkpoint")))
			fail_msg("case %zu: %u hits, want %u: %s", i, total, map_cases[i].n,
				 map_cases[i].line);
	}
}

static void test_record_counters(void **state)
{
	g_autoptr(TgPolicy) p = load_ok(BASE "[mechanism.fw]\ndelivery = network\n");
	g_autoptr(TgEvDecl) d = tg_ev_decl_parse(p, NULL);
	g_autoptr(TgEvLogs) logs = tg_ev_logs_new(0);
	TgEvDevice *dev = tg_ev_device_new("/x/dev-7");

	(void)state;
	g_ptr_array_add(logs->devices, dev);
	logs->since = g_strdup("2026-06-02T00:00:00Z");
	scan(logs, dev, p, d, REC(1, "\"event\":\"update.check\",\"mechanism\":\"fw\""));
	scan(logs, dev, p, d, REC(2, "\"event\":\"update.check\",\"mechanism\":\"fw\""));
	scan(logs, dev, p, d, REC(3, "\"event\":\"update.check\",\"mechanism\":\"sideload\""));
	scan(logs, dev, p, d, REC(4, "\"event\":\"update.check\",\"mechanism\":\"sideload\""));
	scan(logs, dev, p, d, REC(5, "\"event\":\"support.extended\",\"new_end\":\"2040-01-01\""));
	scan(logs, dev, p, d, "{\"prev\":\"broken\n");
	scan(logs, dev, p, d, "{\"seq\":6,\"event\":\"update.check\",\"device\":{\"model\":\"Other\"}}\n");
	assert_string_equal(dev->label, "dev-7");
	assert_int_equal(dev->records, 7);
	assert_int_equal(dev->in_window, 4);	/* seq 1 is before --since, 6 has no time */
	assert_int_equal(dev->unparseable, 1);
	assert_int_equal(dev->n.checks, 3);
	assert_int_equal(dev->n.unknown_mechanism, 2);
	assert_int_equal(GPOINTER_TO_UINT(g_hash_table_lookup(dev->mechanisms, "fw")), 1);
	assert_int_equal(logs->tc_count[TG_TC_10_1], 2);	/* first of each mechanism */
	assert_string_equal(dev->first_time, "2026-06-02T10:00:00Z");
	assert_string_equal(dev->support_end, "2040-01-01");
	assert_false(dev->model_mismatch);
	assert_int_equal(tg_ev_logs_mechanism_count(logs, "sideload"), 2);
}

/* ------------------------------------------------------------------ */
/* Catalogue */

static void test_catalog(void **state)
{
	const char *src = g_getenv("TG_SOURCE_DIR");
	g_autofree gchar *path = g_build_filename(src ? src : ".", "data", "oscal",
						  TG_EV_CATALOG_FILE, NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(JsonNode) built = tg_ev_catalog_oscal();
	g_autoptr(GError) err = NULL;
	g_autofree gchar *c7 = tg_ev_control_id("5.3-7");
	g_autofree gchar *cond = tg_ev_conditions_text(TG_COND_9 | TG_COND_12);

	(void)state;
	assert_true(json_parser_load_from_file(parser, path, &err));
	assert_no_error(err);
	if (!json_node_equal(built, json_parser_get_root(parser)))
		fail_msg("%s differs from tg_ev_catalog_oscal(); regenerate the file", path);
	assert_string_equal(c7, "en303645-5.3-7");
	assert_string_equal(cond, "C(9,12)");
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		g_autofree gchar *id = g_strdup_printf("5.3-%u", i + 1);
		g_autofree gchar *text = tg_ev_conditions_text(tg_ev_provisions()[i].conditions);

		assert_string_equal(tg_ev_provisions()[i].id, id);
		assert_int_equal(tg_ev_provision_index(id), i);
		/* the status text carries exactly the condition bits */
		assert_true(g_str_has_suffix(tg_ev_provisions()[i].status, text));
	}
	for (guint t = 1; t < TG_TC_N; t++)
		assert_true(g_str_has_prefix(tg_ev_test_cases()[t].id, tg_ev_test_cases()[t].provision));
}

/* ------------------------------------------------------------------ */
/* Manifest and signature */

static gchar *write_ed25519(const char *dir, gchar **ret_pub)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	g_autofree gchar *priv = g_build_filename(dir, "sign.pem", NULL);
	g_autofree gchar *pub = g_build_filename(dir, "sign.pub", NULL);
	FILE *f;

	assert_non_null(key);
	f = fopen(priv, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_int_equal(chmod(priv, 0600), 0);
	f = fopen(pub, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, key), 1);
	fclose(f);
	EVP_PKEY_free(key);
	*ret_pub = g_steal_pointer(&pub);
	return g_steal_pointer(&priv);
}

static void test_manifest(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *keys = tg_test_mkdtemp();
	g_autofree gchar *pub = NULL;
	g_autofree gchar *priv = write_ed25519(keys, &pub);
	g_autofree gchar *a = tg_test_write(dir, "b.md", "bee\n");
	g_autofree gchar *b = tg_test_write(dir, "a.json", "{}\n");
	g_autofree gchar *hidden = tg_test_write(dir, ".spool", "x");
	g_autofree gchar *mpath = g_build_filename(dir, TG_EV_MANIFEST, NULL);
	g_autofree gchar *spath = g_build_filename(dir, TG_EV_SIGNATURE, NULL);
	g_autofree gchar *manifest = NULL;
	g_autofree gchar *sig = NULL;
	g_autofree gchar *want = NULL;
	g_autofree gchar *signer = NULL;
	g_autofree gchar *signer_path = g_build_filename(dir, TG_EV_SIGNER, NULL);
	char hex[129], ha[65], hb[65], hs[65];
	gsize sig_len = 0, signer_len = 0;
	g_autoptr(GError) err = NULL;

	(void)state;
	assert_true(tg_ev_write_manifest(dir, priv, &err));
	assert_no_error(err);
	assert_true(g_file_get_contents(mpath, &manifest, NULL, NULL));
	/* the public half goes into the pack, listed, for evidence verify */
	assert_true(g_file_get_contents(signer_path, &signer, &signer_len, NULL));
	assert_true(g_str_has_prefix(signer, "-----BEGIN PUBLIC KEY-----"));
	tg_sha256_hex("{}\n", 3, ha);
	tg_sha256_hex("bee\n", 4, hb);
	tg_sha256_hex(signer, signer_len, hs);
	want = g_strdup_printf("%s  a.json\n%s  b.md\n%s  " TG_EV_SIGNER "\n", ha, hb, hs);
	assert_string_equal(manifest, want);
	assert_null(strstr(manifest, ".spool"));
	assert_true(g_file_get_contents(spath, &sig, &sig_len, NULL));
	assert_int_equal(sig_len, 64);
	tg_hex_encode((const guint8 *)sig, sig_len, hex);
	assert_true(tg_ed25519_verify_hex(pub, manifest, strlen(manifest), hex, &err));
	assert_no_error(err);
	/* without a key the old signature and the signer's key go */
	assert_true(tg_ev_write_manifest(dir, NULL, &err));
	assert_false(g_file_test(spath, G_FILE_TEST_EXISTS));
	assert_false(g_file_test(signer_path, G_FILE_TEST_EXISTS));
	/* a key of the wrong mode is refused */
	assert_int_equal(chmod(priv, 0644), 0);
	assert_false(tg_ev_write_manifest(dir, priv, &err));
	assert_error(err, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_SIGN);
	assert_contains(err->message, "0600");
	tg_test_rmtree(dir);
	tg_test_rmtree(keys);
}

/* ------------------------------------------------------------------ */
/* Whole exports */

static void append(TgAuditLog *log, const char *event, const char *body_json)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) err = NULL;

	assert_true(json_parser_load_from_data(parser, body_json, -1, &err));
	assert_true(tg_audit_append(log, event, json_node_get_object(json_parser_get_root(parser)),
				    NULL, &err));
	assert_no_error(err);
}

/* A short history: initialized, a check, an upgrade, a refused downgrade. */
static void write_history(const char *dir)
{
	TgAuditOptions opts = { .dir = dir, .model = "TG Unit 1", .device_id = "u1",
				.no_fsync = TRUE };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = tg_audit_open(&opts, &err);

	assert_no_error(err);
	append(log, "state.initialized", "{\"component\":\"system\",\"installed\":\"1.0.0\"}");
	append(log, "update.check", "{\"result\":\"none\",\"mechanism\":\"fw\"}");
	append(log, "update.committed", "{\"components\":[{\"component\":\"system\","
	       "\"version\":\"1.1.0\"}]}");
	append(log, "gate.decision", "{\"transaction_id\":\"t\",\"mechanism\":\"fw\","
	       "\"candidate\":{\"version\":\"0.9.0\"},\"installed\":\"1.1.0\",\"decision\":"
	       "{\"verdict\":\"refuse\",\"reason\":\"below-floor\",\"class\":\"feature\"},"
	       "\"checks\":[{\"check\":\"rollback\",\"outcome\":\"refuse\",\"reason\":"
	       "\"below-floor\"}]}");
	append(log, "user.postponed", "{\"class\":\"feature\",\"new_until\":\"2030-01-01T00:00:00Z\"}");
}

static gchar *read_out(const char *dir, const char *name)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	gchar *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("%s was not written", path);
	return text;
}

#define POLICY BASE "[support]\nend = 2030-12-31\n[sink.ui]\ntype = stderr\n" \
	"[mechanism.fw]\ndescription = d\ndelivery = network\n[component.root]\nmechanisms = fw\n"

static void test_export(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *logdir = g_build_filename(dir, "log", NULL);
	g_autofree gchar *out = g_build_filename(dir, "pack", NULL);
	g_autoptr(TgPolicy) p = load_ok(POLICY);
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 6, 1, 12, 0, 0);
	const char *const dirs[] = { logdir, NULL };
	TgEvidenceOptions opts = { .out_dir = out, .log_dirs = dirs, .now = now };
	TgEvidenceSummary sum = { 0 };
	g_autoptr(GError) err = NULL;
	g_autofree gchar *index = NULL, *html = NULL, *manifest = NULL, *gaps = NULL;
	g_auto(GStrv) lines = NULL;

	(void)state;
	write_history(logdir);
	assert_true(tg_evidence_export(p, &opts, &sum, &err));
	assert_no_error(err);
	assert_int_equal(sum.devices, 1);
	assert_int_equal(sum.records, 5);
	assert_int_equal(sum.broken_chains, 0);
	assert_int_equal(sum.variants, 1);
	index = read_out(out, "variants/1/evidence-index.json");
	assert_contains(index, "\"seq\":4,");
	assert_contains(index, "refused 0.9.0 (class feature, installed 1.1.0");
	html = read_out(out, "report.html");
	assert_contains(html, "<table id=\"v1-ics\" class=\"ics\">");
	assert_contains(html, "<svg id=\"v1-version-chart\"");
	assert_contains(html, "<table id=\"dut-table\">");
	assert_null(strstr(html, "<script"));
	gaps = read_out(out, "gaps.md");
	assert_contains(gaps, "- GAP mechanisms 7-UpdMech fw Initiation and Interaction: not declared");
	assert_null(strstr(gaps, "7-UpdMech fw Security Guarantees"));
	manifest = read_out(out, TG_EV_MANIFEST);
	lines = g_strsplit(manifest, "\n", -1);
	/* top: variants.json, variants.md, findings.json, findings.md, gaps.md, OSCAL
	 * results, plan and catalogue, report.html; variants/1/: ICS, IXIT, index (2 each), gaps.md, findings (2),
	 * crosswalk.md; no policy/ (the records carry no policy hash); logs/log/audit.log */
	assert_int_equal(g_strv_length(lines) - 1, 10 + 10 + 1);	/* and README.md */
	assert_contains(manifest, "  logs/log/audit.log\n");
	assert_contains(manifest, "  variants/1/ics.json\n");
	assert_null(strstr(manifest, "spool"));
	{
		/* The work files have no names; their directory is gone. */
		g_autoptr(GDir) d = g_dir_open(out, 0, NULL);
		const char *name;

		while (d && (name = g_dir_read_name(d)))
			assert_false(g_str_has_prefix(name, ".tollgate-spool"));
	}
	tg_test_rmtree(dir);
}

static void test_export_broken_chain_and_fleet(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *fleet = g_build_filename(dir, "fleet", NULL);
	g_autofree gchar *a = g_build_filename(fleet, "dev-a", NULL);
	g_autofree gchar *b = g_build_filename(fleet, "dev-b", NULL);
	g_autofree gchar *logb = g_build_filename(b, "audit.log", NULL);
	g_autofree gchar *out = g_build_filename(dir, "pack", NULL);
	g_autoptr(TgPolicy) p = load_ok(POLICY);
	const char *const paths[] = { fleet, NULL };
	g_auto(GStrv) dirs = NULL;
	TgEvidenceOptions opts = { .out_dir = out, .self_assessment = TRUE };
	TgEvidenceSummary sum = { 0 };
	g_autoptr(GError) err = NULL;
	g_autofree gchar *text = NULL, *index = NULL, *oscal = NULL;
	gchar *at;

	(void)state;
	write_history(a);
	write_history(b);
	assert_true(g_file_get_contents(logb, &text, NULL, NULL));
	at = strstr(text, "\"seq\":3,");
	assert_non_null(at);
	at = strstr(at, "1.1.0");
	at[0] = '7';	/* record 3 edited */
	assert_true(g_file_set_contents(logb, text, -1, NULL));
	dirs = tg_evidence_expand_log_dirs(paths, &err);
	assert_no_error(err);
	assert_int_equal(g_strv_length(dirs), 2);
	assert_string_equal(dirs[0], a);
	assert_string_equal(dirs[1], b);
	opts.log_dirs = (const char *const *)dirs;
	assert_true(tg_evidence_export(p, &opts, &sum, &err));
	assert_no_error(err);
	assert_int_equal(sum.devices, 2);
	assert_int_equal(sum.broken_chains, 1);
	index = read_out(out, "variants/1/evidence-index.json");
	assert_contains(index, "\"problem\":\"edited\",\"file\":\"audit.log\",\"seq\":3");
	assert_contains(index, "\"devices_with_refusals\":2");
	assert_contains(index, "\"chain\":\"after-break\"");
	oscal = read_out(out, "oscal-assessment-results.json");
	assert_contains(oscal, "\"findings\"");
	assert_contains(oscal, "Supplier self-assessment, not a test laboratory verdict");
	tg_test_rmtree(dir);
}

/* ------------------------------------------------------------------ */
/* Variants */

/* One record by a device running @p; @with_text: as tollgate writes it
 * (log.policy first), else as an older writer did (no policy text);
 * @hash: the hash the records carry (NULL: @p's). */
static void write_device(const char *dir, const TgPolicy *p, gboolean with_text,
			 const char *hash)
{
	TgAuditPolicyFile files[4];
	TgAuditOptions opts = { .dir = dir, .model = "TG Unit 1",
				.hardware_revision = p->hardware_revision,
				.policy_hash = hash ? hash : p->hash, .no_fsync = TRUE,
				.policy_files = with_text ? files : NULL,
				.n_policy_files = with_text ? p->files->len : 0,
				.writer_version = "9.9.9" };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgAuditLog) log = NULL;

	for (guint i = 0; i < p->files->len && i < G_N_ELEMENTS(files); i++) {
		files[i].name = p->files->pdata[i];
		files[i].text = g_bytes_get_data(p->contents->pdata[i], &files[i].len);
	}
	log = tg_audit_open(&opts, &err);
	assert_no_error(err);
	append(log, "update.check", "{\"result\":\"none\",\"mechanism\":\"fw\"}");
}

static const TgEvVariant *variant_of(const TgEvVariants *vs, const char *dir)
{
	for (guint i = 0; i < vs->variants->len; i++) {
		const TgEvVariant *v = g_ptr_array_index(vs->variants, i);

		for (guint d = 0; d < v->dirs->len; d++)
			if (g_str_equal(v->dirs->pdata[d], dir))
				return v;
	}
	fail_msg("%s is in no variant", dir);
	return NULL;
}

#define FAKE_HASH "ab00000000000000000000000000000000000000000000000000000000000000"

/* Devices grouped by hardware revision and policy; each variant's policy
 * rebuilt from the records exactly, or the exported one with the reason
 * when the records cannot give it. */
static void test_variants(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autoptr(TgPolicy) given = load_ok(POLICY);
	g_autoptr(TgPolicy) other = load_ok(POLICY "[rollback]\nreinstall = allow\n");
	g_autoptr(TgPolicy) rev_c = load_ok(POLICY "[device]\nhardware-revision = C\n");
	const char *names[] = { "same", "other", "rev-c", "old", "forged", "empty" };
	gchar *dirs[G_N_ELEMENTS(names) + 1] = { NULL };
	g_autoptr(TgEvVariants) vs = NULL;
	const TgEvVariant *v;

	(void)state;
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		dirs[i] = g_build_filename(dir, names[i], NULL);
	write_device(dirs[0], given, TRUE, NULL);
	write_device(dirs[1], other, TRUE, NULL);
	write_device(dirs[2], rev_c, TRUE, NULL);
	write_device(dirs[3], other, FALSE, FAKE_HASH);		/* an older writer */
	write_device(dirs[4], given, TRUE, FAKE_HASH);		/* text and hash disagree */
	assert_int_equal(g_mkdir(dirs[5], 0700), 0);
	vs = tg_ev_variants_discover((const char *const *)dirs, given, NULL, NULL);
	tg_ev_variants_resolve(vs, given);
	/* same+empty; other; rev-c; old and forged share FAKE_HASH */
	assert_int_equal(vs->variants->len, 4);
	assert_ptr_equal(variant_of(vs, dirs[0]), variant_of(vs, dirs[5]));
	v = variant_of(vs, dirs[1]);
	assert_non_null(v->own_policy);
	assert_string_equal(v->policy->hash, other->hash);
	assert_int_equal(v->policy->reinstall, other->reinstall);
	assert_null(v->policy_problem);
	v = variant_of(vs, dirs[2]);
	assert_string_equal(v->hardware_revision, "C");
	assert_string_equal(v->policy->hash, rev_c->hash);
	v = variant_of(vs, dirs[3]);
	assert_ptr_equal(v, variant_of(vs, dirs[4]));
	assert_ptr_equal(v->policy, given);
	assert_contains(v->policy_problem, "does not reproduce the hash");
	assert_contains(v->policy_source, "stand-in");
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		g_free(dirs[i]);
	tg_test_rmtree(dir);
}

/* Records of one device under two policies: the device is in both
 * variants, each time with the records it made under that policy. */
static void test_variant_split_device(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *dev = g_build_filename(dir, "both", NULL);
	g_autofree gchar *out = g_build_filename(dir, "pack", NULL);
	g_autoptr(TgPolicy) given = load_ok(POLICY);
	g_autoptr(TgPolicy) other = load_ok(POLICY "[rollback]\nreinstall = allow\n");
	const char *const dirs[] = { dev, NULL };
	TgEvidenceOptions opts = { .out_dir = out, .log_dirs = dirs };
	TgEvidenceSummary sum = { 0 };
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *path = g_build_filename(out, "variants.json", NULL);
	JsonArray *vs;

	(void)state;
	write_device(dev, given, TRUE, NULL);
	write_device(dev, other, TRUE, NULL);
	write_device(dev, other, TRUE, NULL);
	assert_true(tg_evidence_export(given, &opts, &sum, &err));
	assert_no_error(err);
	assert_int_equal(sum.variants, 2);
	assert_int_equal(sum.devices, 1);
	assert_int_equal(sum.records, 2 + 3);	/* each variant: its log.policy and its checks */
	assert_true(json_parser_load_from_file(parser, path, &err));
	vs = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
					  "variants");
	for (guint i = 0; i < 2; i++) {
		JsonObject *v = json_array_get_object_element(vs, i);
		JsonObject *d = json_array_get_object_element(json_object_get_array_member(v, "devices"), 0);
		gboolean is_other = g_str_equal(json_object_get_string_member(v, "policy_hash"),
						other->hash);

		assert_string_equal(json_object_get_string_member(d, "device"), "both");
		assert_int_equal(json_object_get_int_member(d, "records"), is_other ? 3 : 2);
	}
	tg_test_rmtree(dir);
}

/* A variant whose policy the records do not give is a finding, and the
 * pack says which policy stood in. */
static void test_variant_unknown_policy(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *dev = g_build_filename(dir, "old", NULL);
	g_autofree gchar *out = g_build_filename(dir, "pack", NULL);
	g_autoptr(TgPolicy) given = load_ok(POLICY);
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 6, 1, 12, 0, 0);
	const char *const dirs[] = { dev, NULL };
	TgEvidenceOptions opts = { .out_dir = out, .log_dirs = dirs, .now = now };
	TgEvidenceSummary sum = { 0 };
	g_autoptr(GError) err = NULL;
	g_autofree gchar *findings = NULL, *variants = NULL;
	g_autofree gchar *policy_dir = g_build_filename(out, "variants", "1", "policy", NULL);

	(void)state;
	write_device(dev, given, FALSE, FAKE_HASH);
	assert_true(tg_evidence_export(given, &opts, &sum, &err));
	assert_no_error(err);
	findings = read_out(out, "findings.json");
	assert_contains(findings, "\"unknown-policy\"");
	assert_contains(findings, "no log.policy record carries this policy's text");
	variants = read_out(out, "variants.json");
	assert_contains(variants, "\"" FAKE_HASH "\"");
	assert_contains(variants, "the exported policy, as a stand-in");
	/* no policy text in the pack: the device never recorded one */
	assert_false(g_file_test(policy_dir, G_FILE_TEST_EXISTS));
	tg_test_rmtree(dir);
}

static void test_export_errors(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *missing = g_build_filename(dir, "nope", NULL);
	g_autofree gchar *file = tg_test_write(dir, "plain", "x");
	g_autofree gchar *out = g_build_filename(file, "pack", NULL);
	g_autoptr(TgPolicy) p = load_ok(BASE);
	g_autoptr(TgPolicy) bad = load_ok(BASE "[ics.5.3-1]\nsupport = Y\n");
	g_autoptr(GDateTime) early = g_date_time_new_utc(2026, 1, 1, 0, 0, 0);
	g_autoptr(GDateTime) late = g_date_time_new_utc(2026, 2, 1, 0, 0, 0);
	const char *const paths[] = { missing, NULL };
	TgEvidenceOptions opts = { .out_dir = dir, .since = late, .until = early };
	g_autoptr(GError) err = NULL;

	(void)state;
	assert_null(tg_evidence_expand_log_dirs(paths, &err));
	assert_error(err, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT);
	assert_contains(err->message, missing);
	g_clear_error(&err);
	assert_false(tg_evidence_export(p, &opts, NULL, &err));
	assert_error(err, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_INPUT);
	g_clear_error(&err);
	opts = (TgEvidenceOptions){ .out_dir = out };
	assert_false(tg_evidence_export(p, &opts, NULL, &err));
	assert_error(err, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO);
	g_clear_error(&err);
	opts = (TgEvidenceOptions){ .out_dir = dir };
	assert_false(tg_evidence_export(bad, &opts, NULL, &err));
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE);
	tg_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decl_errors),
		cmocka_unit_test(test_decl_parse),
		cmocka_unit_test(test_decl_error_names_dropin),
		cmocka_unit_test(test_ics_table),
		cmocka_unit_test(test_ixit_updater_reader),
		cmocka_unit_test(test_ics_justifications),
		cmocka_unit_test(test_record_mapping),
		cmocka_unit_test(test_record_counters),
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_variant_split_device),
		cmocka_unit_test(test_variant_unknown_policy),
		cmocka_unit_test(test_export_broken_chain_and_fleet),
		cmocka_unit_test(test_export_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
