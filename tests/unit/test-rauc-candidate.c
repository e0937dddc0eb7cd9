/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* handlers/rauc/rauc-candidate.c: candidate from manifest, sidecar and
 * RAUC's handler environment; the failed-install rule of rauc-listen. */
#include <string.h>

#include "tg-test.h"
#include "../../handlers/rauc/rauc-candidate.h"

#define DIGEST_A "d2d57a75afe51249d5be7939651f61fae41fda786e77a31df75cd33f6c1fe164"
#define DIGEST_B "9745b545a7c5e7c543ddf53f83d1d380d6f9c7f20a552b8b4b5471c3e6821a7d"

static const char manifest_plain[] =
	"[update]\ncompatible=tg-demo\nversion=1.2.0\nbuild=20260101\n"
	"description=Demo release\n\n[image.rootfs]\nfilename=rootfs.img\n";

static const char manifest_meta[] =
	"[update]\ncompatible=tg-demo\nversion=1.2.1\n\n"
	"[meta.tollgate]\nclass=security\nadvisories=CVE-2026-1;CVE-2026-2\nreboot=true\n"
	"downtime=90s\nsupport-end=2031-12-31\nrisk=remote code execution\n";

/* Parses with @env (NULL-terminated "NAME=value" list, may be NULL). */
static TgCandidate *parse(const char *manifest, const char *sidecar, const char *const *env,
			  GError **error)
{
	return tg_rauc_candidate_parse(manifest, strlen(manifest), sidecar,
				       sidecar ? strlen(sidecar) : 0, env, error);
}

static void test_manifest_only(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = { "RAUC_VERSION=1.8", NULL };
	g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);

	assert_no_error(err);
	assert_string_equal(c->version, "1.2.0");
	assert_string_equal(c->name, "tg-demo build 20260101");
	assert_string_equal(c->updater, "rauc");
	assert_string_equal(c->updater_version, "1.8");
	assert_false(c->has_metadata);
	assert_null(c->component);
	assert_null(c->digest);
	assert_null(c->mechanism);
	assert_false(c->slot_switch);
}

static void test_manifest_meta(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = parse(manifest_meta, NULL, NULL, &err);
	g_autofree gchar *end = NULL;

	assert_no_error(err);
	assert_true(c->has_metadata);
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
	assert_int_equal(c->advisories->len, 2);
	assert_string_equal(g_ptr_array_index(c->advisories, 1), "CVE-2026-2");
	assert_true(c->reboot);
	assert_int_equal(c->downtime, 90);
	assert_string_equal(c->risk, "remote code execution");
	assert_non_null(c->support_end);
	end = g_date_time_format(c->support_end, "%F");
	assert_string_equal(end, "2031-12-31");
	assert_string_equal(c->name, "tg-demo");
}

static void test_sidecar(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = parse(manifest_plain,
					 "# comment\n[tollgate]\nclass=feature\n"
					 "services=web;ssh\ndisruptive=yes\n", NULL, &err);

	assert_no_error(err);
	assert_int_equal(c->declared_class, TG_CLASS_FEATURE);
	assert_int_equal(c->services->len, 2);
	assert_string_equal(g_ptr_array_index(c->services, 0), "web");
	assert_true(c->disruptive);
}

static void test_env_meta(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = {
		"RAUC_META_TOLLGATE_SUPPORT_END=2030-01-31",
		"RAUC_META_TOLLGATE_CLASS=security",
		"RAUC_META_OTHER_CLASS=not-a-class",
		NULL,
	};
	g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);
	g_autofree gchar *end = NULL;

	assert_no_error(err);
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
	end = g_date_time_format(c->support_end, "%F");
	assert_string_equal(end, "2030-01-31");
}

/* RAUC 1.13+ exports [meta.tollgate] as well: the same values agree. */
static void test_sources_agree(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = { "RAUC_META_TOLLGATE_CLASS=security", NULL };
	g_autoptr(TgCandidate) c = parse(manifest_meta, "[tollgate]\nclass = security\n", env,
					 &err);

	assert_no_error(err);
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
}

static const struct {
	const char *manifest;
	const char *sidecar;
	const char *env;
	const char *first;
	const char *second;
} conflict_cases[] = {
	{ manifest_meta, "[tollgate]\nclass=feature\n", NULL,
	  "manifest.raucm [meta.tollgate] class = 'security'", "tollgate.conf [tollgate] class" },
	{ manifest_meta, NULL, "RAUC_META_TOLLGATE_REBOOT=false",
	  "manifest.raucm [meta.tollgate] reboot = 'true'",
	  "environment RAUC_META_TOLLGATE_REBOOT = 'false'" },
	{ manifest_plain, "[tollgate]\nsupport-end=2031-01-01\n",
	  "RAUC_META_TOLLGATE_SUPPORT_END=2030-01-01", "RAUC_META_TOLLGATE_SUPPORT_END",
	  "tollgate.conf [tollgate] support-end = '2031-01-01'" },
};

static void test_sources_disagree(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(conflict_cases); i++) {
		g_autoptr(GError) err = NULL;
		const char *env[] = { conflict_cases[i].env, NULL };
		g_autoptr(TgCandidate) c = parse(conflict_cases[i].manifest,
						 conflict_cases[i].sidecar, env, &err);

		assert_null(c);
		assert_error(err, TG_RAUC_ERROR, TG_RAUC_ERROR_CONFLICT);
		assert_contains(err->message, conflict_cases[i].first);
		assert_contains(err->message, conflict_cases[i].second);
	}
}

static const struct {
	const char *manifest;
	const char *sidecar;
	GQuark (*domain)(void);
	gint code;
	const char *text;
} bad_cases[] = {
	{ "[update\nversion=1\n", NULL, tg_rauc_error_quark, TG_RAUC_ERROR_MANIFEST,
	  "manifest.raucm in the bundle is not a valid key file" },
	{ "[image.rootfs]\nfilename=x\n", NULL, tg_rauc_error_quark, TG_RAUC_ERROR_MANIFEST,
	  "no [update] group" },
	{ manifest_plain, "[tollgate]\nclass=feature\n[extra]\nx=1\n", tg_rauc_error_quark,
	  TG_RAUC_ERROR_SIDECAR, "group [extra] is not allowed" },
	{ manifest_plain, "class=feature\n", tg_rauc_error_quark, TG_RAUC_ERROR_SIDECAR,
	  "tollgate.conf in the bundle is not a valid key file" },
	{ manifest_plain, "[tollgate]\nclas=feature\n", tg_candidate_error_quark,
	  TG_CANDIDATE_ERROR_UNKNOWN, "tollgate.conf: [tollgate] clas" },
	{ manifest_plain, "[tollgate]\nversion=9.9.9\n", tg_candidate_error_quark,
	  TG_CANDIDATE_ERROR_UNKNOWN, "'version' is not a tollgate metadata key" },
	{ "[update]\nversion=1.0.0\n[meta.tollgate]\nreboot=maybe\n", NULL,
	  tg_candidate_error_quark, TG_CANDIDATE_ERROR_VALUE,
	  "manifest.raucm: [meta.tollgate] reboot = 'maybe' is not a boolean" },
};

static void test_bad_input(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgCandidate) c = parse(bad_cases[i].manifest, bad_cases[i].sidecar, NULL,
						 &err);

		assert_null(c);
		assert_error(err, bad_cases[i].domain(), bad_cases[i].code);
		assert_contains(err->message, bad_cases[i].text);
	}
}

static void test_oversized(void **state)
{
	g_autoptr(GError) err = NULL;
	gsize len = TG_RAUC_MAX_FILE_SIZE + 1;
	g_autofree gchar *big = g_malloc(len);
	g_autoptr(TgCandidate) c = NULL;

	memset(big, '#', len);
	c = tg_rauc_candidate_parse(manifest_plain, strlen(manifest_plain), big, len, NULL, &err);
	assert_null(c);
	assert_error(err, TG_RAUC_ERROR, TG_RAUC_ERROR_SIDECAR);
	assert_contains(err->message, "more than");
}

static void test_one_target_slot(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = {
		"RAUC_SLOTS=1 2", "RAUC_TARGET_SLOTS=1",
		"RAUC_SLOT_CLASS_1=rootfs", "RAUC_SLOT_BOOTNAME_1=B", "RAUC_SLOT_PARENT_1=",
		"RAUC_SLOT_CLASS_2=rootfs", "RAUC_SLOT_BOOTNAME_2=A",
		"RAUC_IMAGE_DIGEST_1=" DIGEST_A, "RAUC_IMAGE_CLASS_1=rootfs", NULL,
	};
	g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);

	assert_no_error(err);
	assert_string_equal(c->component, "rootfs");
	assert_string_equal(c->digest, DIGEST_A);
	assert_true(c->slot_switch);
	assert_true(tg_candidate_is_disruptive(c));
}

/* The class that sorts first wins, whatever order RAUC lists the slots in. */
static void test_several_target_slots(void **state)
{
	const char *orders[] = { "RAUC_TARGET_SLOTS=1 3", "RAUC_TARGET_SLOTS= 3\t1 " };

	for (gsize i = 0; i < G_N_ELEMENTS(orders); i++) {
		g_autoptr(GError) err = NULL;
		const char *env[] = {
			orders[i],
			"RAUC_SLOT_CLASS_1=rootfs", "RAUC_SLOT_BOOTNAME_1=",
			"RAUC_SLOT_CLASS_3=appfs", "RAUC_SLOT_BOOTNAME_3=",
			"RAUC_IMAGE_DIGEST_1=" DIGEST_A, "RAUC_IMAGE_DIGEST_3=" DIGEST_B, NULL,
		};
		g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);

		assert_no_error(err);
		assert_string_equal(c->component, "appfs");
		assert_string_equal(c->digest, DIGEST_B);
		assert_false(c->slot_switch);
	}
}

static void test_child_slot_switches(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = {
		"RAUC_TARGET_SLOTS=2", "RAUC_SLOT_CLASS_2=appfs", "RAUC_SLOT_BOOTNAME_2=",
		"RAUC_SLOT_PARENT_2=rootfs.1", NULL,
	};
	g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);

	assert_no_error(err);
	assert_true(c->slot_switch);
	assert_null(c->digest);
}

static void test_component_metadata_wins(void **state)
{
	g_autoptr(GError) err = NULL;
	const char *env[] = { "RAUC_TARGET_SLOTS=1", "RAUC_SLOT_CLASS_1=rootfs", NULL };
	g_autoptr(TgCandidate) c = parse(manifest_plain, "[tollgate]\ncomponent=firmware\n", env,
					 &err);

	assert_no_error(err);
	assert_string_equal(c->component, "firmware");
}

static const struct {
	const char *env[3];
	GQuark (*domain)(void);
	gint code;
	const char *text;
} env_cases[] = {
	{ { "RAUC_TARGET_SLOTS=1 x", NULL }, tg_rauc_error_quark, TG_RAUC_ERROR_ENVIRONMENT,
	  "RAUC_TARGET_SLOTS = '1 x' is malformed" },
	{ { "RAUC_TARGET_SLOTS=0", NULL }, tg_rauc_error_quark, TG_RAUC_ERROR_ENVIRONMENT,
	  "RAUC_TARGET_SLOTS" },
	{ { "RAUC_TARGET_SLOTS=2", NULL }, tg_rauc_error_quark, TG_RAUC_ERROR_ENVIRONMENT,
	  "RAUC_SLOT_CLASS_2 is not set" },
	{ { "RAUC_TARGET_SLOTS=1", "RAUC_SLOT_CLASS_1=", NULL }, tg_rauc_error_quark,
	  TG_RAUC_ERROR_ENVIRONMENT, "RAUC_SLOT_CLASS_1" },
	{ { "RAUC_TARGET_SLOTS=1", "RAUC_SLOT_CLASS_1=rootfs", "RAUC_IMAGE_DIGEST_1=abc" },
	  tg_candidate_error_quark, TG_CANDIDATE_ERROR_VALUE,
	  "RAUC_IMAGE_DIGEST_1 = 'abc' is not a SHA-256 digest" },
	{ { "RAUC_META_TOLLGATE_COLOUR=red", NULL }, tg_candidate_error_quark,
	  TG_CANDIDATE_ERROR_UNKNOWN, "environment RAUC_META_TOLLGATE_COLOUR: 'colour'" },
};

static void test_bad_environment(void **state)
{
	for (gsize i = 0; i < G_N_ELEMENTS(env_cases); i++) {
		g_autoptr(GError) err = NULL;
		const char *env[4] = { env_cases[i].env[0], env_cases[i].env[1],
				       env_cases[i].env[2], NULL };
		g_autoptr(TgCandidate) c = parse(manifest_plain, NULL, env, &err);

		assert_null(c);
		assert_error(err, env_cases[i].domain(), env_cases[i].code);
		assert_contains(err->message, env_cases[i].text);
	}
}

static TgPolicy *policy_with(const char *extra)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *text = g_strdup_printf("[device]\nmodel=T1\n%s", extra);
	TgPolicy *p = tg_policy_load_data("test.conf", text, strlen(text), &err);

	assert_no_error(err);
	return p;
}

static void test_mechanism(void **state)
{
	g_autoptr(TgPolicy) builtin = policy_with("");
	g_autoptr(TgPolicy) named = policy_with("[mechanism]\ndefault=vendor-ota\n");
	g_autoptr(TgPolicy) explicit = policy_with("[mechanism]\ndefault=default\n");
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) plain = parse(manifest_plain, NULL, NULL, &err);
	g_autoptr(TgCandidate) plain2 = parse(manifest_plain, NULL, NULL, &err);
	g_autoptr(TgCandidate) plain3 = parse(manifest_plain, NULL, NULL, &err);
	g_autoptr(TgCandidate) meta = parse(manifest_plain, "[tollgate]\nmechanism=casync\n",
					    NULL, &err);

	assert_no_error(err);
	tg_rauc_candidate_apply_policy(plain, builtin);
	assert_string_equal(plain->mechanism, TG_RAUC_MECHANISM);
	tg_rauc_candidate_apply_policy(plain2, named);
	assert_null(plain2->mechanism);
	/* Set explicitly, even to the built-in name, the policy's default wins. */
	tg_rauc_candidate_apply_policy(plain3, explicit);
	assert_null(plain3->mechanism);
	tg_rauc_candidate_apply_policy(meta, named);
	assert_string_equal(meta->mechanism, "casync");
	assert_false(meta->has_metadata);
}

static void test_load_from_mount(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *mf = tg_test_write(dir, "manifest.raucm", manifest_plain);
	g_autofree gchar *sc = NULL;
	g_autofree gchar *mount = g_strdup_printf("RAUC_BUNDLE_MOUNT_POINT=%s", dir);
	g_autofree gchar *legacy = g_strdup_printf("RAUC_UPDATE_SOURCE=%s", dir);
	const char *env[] = { mount, NULL };
	const char *env_legacy[] = { legacy, NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = tg_rauc_candidate_load(env, &err);
	g_autoptr(TgCandidate) with_sidecar = NULL;

	assert_no_error(err);
	assert_string_equal(c->version, "1.2.0");
	assert_int_equal(c->declared_class, TG_CLASS_UNSET);
	sc = tg_test_write(dir, "tollgate.conf", "[tollgate]\nclass=mixed\n");
	with_sidecar = tg_rauc_candidate_load(env_legacy, &err);
	assert_no_error(err);
	assert_int_equal(with_sidecar->declared_class, TG_CLASS_MIXED);
	tg_test_rmtree(dir);
}

static void test_load_errors(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *mount = g_strdup_printf("RAUC_BUNDLE_MOUNT_POINT=%s", dir);
	const char *env[] = { mount, NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) err2 = NULL;
	g_autoptr(TgCandidate) none = tg_rauc_candidate_load(NULL, &err);
	g_autoptr(TgCandidate) missing = tg_rauc_candidate_load(env, &err2);

	assert_null(none);
	assert_error(err, TG_RAUC_ERROR, TG_RAUC_ERROR_ENVIRONMENT);
	assert_contains(err->message, "RAUC_BUNDLE_MOUNT_POINT is not set");
	assert_null(missing);
	assert_error(err2, TG_RAUC_ERROR, TG_RAUC_ERROR_IO);
	assert_contains(err2->message, "manifest.raucm");
	tg_test_rmtree(dir);
}

/* The shipped example bundle: manifest and sidecar agree. */
static void test_example_bundle(void **state)
{
	const char *src = g_getenv("TG_SOURCE_DIR");
	g_autofree gchar *dir = g_build_filename(src ? src : ".", "examples", "rauc", "bundle",
						 NULL);
	g_autofree gchar *mount = g_strdup_printf("RAUC_BUNDLE_MOUNT_POINT=%s", dir);
	const char *env[] = { mount, NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgCandidate) c = tg_rauc_candidate_load(env, &err);

	assert_no_error(err);
	assert_int_equal(c->declared_class, TG_CLASS_SECURITY);
	assert_int_equal(c->advisories->len, 2);
	assert_int_equal(c->services->len, 2);
	assert_int_equal(c->downtime, 90);
	assert_string_equal(c->version, "1.4.1");
}

static void test_engine_open_error(void **state)
{
	const char *env[] = { "TOLLGATE_CONFIG=/nonexistent/tollgate.conf", NULL };
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = tg_rauc_engine_open(env, &err);

	assert_null(engine);
	assert_non_null(err);
	assert_contains(err->message, "/nonexistent/tollgate.conf");
}

static void test_decision_line(void **state)
{
	g_autoptr(TgDecision) d = tg_decision_new();
	g_autoptr(TgDecision) defer = tg_decision_new();
	g_autofree gchar *line = NULL;
	g_autofree gchar *line2 = NULL;

	d->verdict = TG_VERDICT_REFUSE;
	d->version = g_strdup("0.9.0");
	d->message = g_strdup("Version 0.9.0 is below\nthe floor.");
	line = tg_rauc_decision_line(d);
	assert_string_equal(line, "tollgate: refused 0.9.0: Version 0.9.0 is below the floor.");
	defer->verdict = TG_VERDICT_DEFER;
	defer->message = g_strdup("postponed");
	defer->until = g_date_time_new_utc(2026, 6, 3, 10, 0, 0);
	line2 = tg_rauc_decision_line(defer);
	assert_string_equal(line2,
			    "tollgate: deferred (no version) until 2026-06-03T10:00:00Z: postponed");
}

/* ---- failed installs -------------------------------------------------- */

#define PRE_10 "Pre-install handler error: Child process exited with code 10"
#define PRE_11 "Pre-install handler error: Child process exited with code 11"
#define PRE_1 "Pre-install handler error: Child process exited with code 1"

static const struct {
	const char *verdict;	/* NULL: no last decision */
	int age;		/* seconds before now */
	const char *last_error;
	TgRaucFailureKind want;
	const char *want_version;
} failure_cases[] = {
	{ "refuse", 2, PRE_10, TG_RAUC_FAILURE_OWN_DECISION, NULL },
	{ "defer", 2, PRE_11, TG_RAUC_FAILURE_OWN_DECISION, NULL },
	{ "refuse", -3, PRE_10, TG_RAUC_FAILURE_OWN_DECISION, NULL },
	{ "refuse", 2, "Pre-install handler error: killed", TG_RAUC_FAILURE_OWN_DECISION, NULL },
	{ "refuse", 2, PRE_11, TG_RAUC_FAILURE_INSTALL, NULL },
	{ "defer", 2, PRE_10, TG_RAUC_FAILURE_INSTALL, NULL },
	{ "refuse", 2, PRE_1, TG_RAUC_FAILURE_INSTALL, NULL },
	{ "refuse", 301, PRE_10, TG_RAUC_FAILURE_INSTALL, NULL },
	{ "refuse", 2, "Installation error: Compatible mismatch: Expected 'a' but bundle manifest "
	  "has 'b'", TG_RAUC_FAILURE_UPDATER_REFUSED, NULL },
	{ "allow", 2, "Installation error: Compatible mismatch: x", TG_RAUC_FAILURE_UPDATER_REFUSED,
	  "1.4.0" },
	{ "allow", 2, "Compatible mismatch: Expected 'a' but bundle manifest has 'b'",
	  TG_RAUC_FAILURE_UPDATER_REFUSED, "1.4.0" },
	{ "allow", 2, "Version mismatch: Expected at least '2.0.0' but bundle manifest has '1.4.0'",
	  TG_RAUC_FAILURE_UPDATER_REFUSED, "1.4.0" },
	{ "allow", 2, "Bundle rejected: not for this board", TG_RAUC_FAILURE_UPDATER_REFUSED,
	  "1.4.0" },
	{ "allow", 2, "Refusing to install unencrypted crypt bundles",
	  TG_RAUC_FAILURE_UPDATER_REFUSED, "1.4.0" },
	{ NULL, 0, "Version mismatch: Expected at least '2.0.0' but bundle manifest has no version",
	  TG_RAUC_FAILURE_UPDATER_REFUSED, NULL },
	{ "allow", 2, "Installation error: Version mismatch: x", TG_RAUC_FAILURE_UPDATER_REFUSED,
	  "1.4.0" },
	{ "allow", 2, "Install-check hook failed: crashed", TG_RAUC_FAILURE_INSTALL, "1.4.0" },
	{ "allow", 2, "Installation error: Failed writing slot: No space left",
	  TG_RAUC_FAILURE_INSTALL, "1.4.0" },
	{ "allow", 2, PRE_10, TG_RAUC_FAILURE_INSTALL, "1.4.0" },
	{ "allow", 400, "Post-install handler error: x", TG_RAUC_FAILURE_INSTALL, NULL },
	{ "refuse", 2, NULL, TG_RAUC_FAILURE_INSTALL, NULL },
	{ NULL, 0, PRE_10, TG_RAUC_FAILURE_INSTALL, NULL },
	{ NULL, 0, NULL, TG_RAUC_FAILURE_INSTALL, NULL },
};

static JsonObject *decision_json(const char *verdict, GDateTime *when)
{
	JsonObject *obj = json_object_new();
	g_autofree gchar *time = g_date_time_format(when, "%Y-%m-%dT%H:%M:%SZ");

	json_object_set_string_member(obj, "verdict", verdict);
	json_object_set_string_member(obj, "version", "1.4.0");
	json_object_set_string_member(obj, "component", "rootfs");
	json_object_set_string_member(obj, "time", time);
	return obj;
}

static void test_failure_classify(void **state)
{
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 6, 1, 10, 0, 0);

	for (gsize i = 0; i < G_N_ELEMENTS(failure_cases); i++) {
		g_autoptr(GDateTime) when = g_date_time_add_seconds(now, -failure_cases[i].age);
		g_autoptr(JsonObject) d = failure_cases[i].verdict
						  ? decision_json(failure_cases[i].verdict, when)
						  : NULL;
		g_autoptr(TgCandidate) cand = NULL;
		TgRaucFailureKind kind;

		kind = tg_rauc_failure_classify(d, now, TG_RAUC_DEFAULT_WINDOW,
						failure_cases[i].last_error, &cand);
		if (kind != failure_cases[i].want)
			fail_msg("case %zu: kind %d, wanted %d", i, kind, failure_cases[i].want);
		if (kind == TG_RAUC_FAILURE_OWN_DECISION) {
			assert_null(cand);
			continue;
		}
		assert_non_null(cand);
		assert_string_equal(cand->updater, "rauc");
		if (failure_cases[i].want_version) {
			assert_string_equal(cand->version, failure_cases[i].want_version);
			assert_string_equal(cand->component, "rootfs");
		} else {
			assert_null(cand->version);
			assert_null(cand->component);
		}
	}
}

static void test_failure_reason(void **state)
{
	g_autoptr(TgCandidate) known = tg_candidate_new();
	g_autofree gchar *a = NULL;
	g_autofree gchar *b = NULL;

	known->version = g_strdup("1.4.0");
	a = tg_rauc_failure_reason(1, "Installation error: Compatible mismatch", known);
	assert_string_equal(a, "RAUC reported the install as failed (result 1): Installation "
			       "error: Compatible mismatch");
	b = tg_rauc_failure_reason(2, "", NULL);
	assert_contains(b, "(result 2); no tollgate decision allowed it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_only),
		cmocka_unit_test(test_manifest_meta),
		cmocka_unit_test(test_sidecar),
		cmocka_unit_test(test_env_meta),
		cmocka_unit_test(test_sources_agree),
		cmocka_unit_test(test_sources_disagree),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_one_target_slot),
		cmocka_unit_test(test_several_target_slots),
		cmocka_unit_test(test_child_slot_switches),
		cmocka_unit_test(test_component_metadata_wins),
		cmocka_unit_test(test_bad_environment),
		cmocka_unit_test(test_mechanism),
		cmocka_unit_test(test_load_from_mount),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_example_bundle),
		cmocka_unit_test(test_engine_open_error),
		cmocka_unit_test(test_decision_line),
		cmocka_unit_test(test_failure_classify),
		cmocka_unit_test(test_failure_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
