/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine end to end in-process: first boot, trusted time, lifecycle. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tg-test.h"
#include "checks.h"
#include "tollgate/tollgate.h"

typedef struct {
	gchar *dir;
	gchar *policy;
} Fixture;

#define POLICY_TEXT \
	"[device]\nmodel=TG-Test\ndevice-id=dev-1\n" \
	"[state]\ndirectory=%s/state\nkey-file=%s/state.key\n" \
	"version-source=%s\nversion-path=%s/version\n%s" \
	"[support]\nend=2030-12-31\n" \
	"[class.feature]\nmax-postpone=7d\n"

static void write_policy(Fixture *f, const char *source, const char *extra)
{
	g_autofree gchar *text = g_strdup_printf(POLICY_TEXT, f->dir, f->dir, source, f->dir,
						 extra ? extra : "");

	g_free(f->policy);
	f->policy = tg_test_write(f->dir, "tollgate.conf", text);
}

static int setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->dir = tg_test_mkdtemp();
	chmod(f->dir, 0755);
	write_policy(f, "file", NULL);
	g_free(tg_test_write(f->dir, "version", "1.0.0\n"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;

	tg_test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->policy);
	g_free(f);
	return 0;
}

static TgEngine *open_at(Fixture *f, const char *now)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) dt = now ? g_date_time_new_from_iso8601(now, utc) : NULL;
	TgEngineOptions opts = {
		.config_path = f->policy,
		.now = dt,
		.checks = tg_checks_builtin(),
		.updater = "test",
	};
	TgEngine *engine = tg_engine_open(&opts, &err);

	assert_no_error(err);
	assert_non_null(engine);
	return engine;
}

/* Opens the engine with the device clock at @clock (TOLLGATE_CLOCK, the
 * clock seam of fault-injection builds): trusted and persisted, unlike
 * --now. */
static TgEngine *open_clock(Fixture *f, const char *clock)
{
	TgEngine *engine;

	g_setenv("TOLLGATE_CLOCK", clock, TRUE);
	engine = open_at(f, NULL);
	g_unsetenv("TOLLGATE_CLOCK");
	return engine;
}

static TgDecision *gate(TgEngine *engine, const char *version, TgUpdateClass cls)
{
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	g_autoptr(GError) err = NULL;
	TgDecision *d;

	cand->version = g_strdup(version);
	cand->declared_class = cls;
	cand->risk = g_strdup("fixes a flaw");
	d = tg_engine_gate(engine, cand, &err);
	assert_no_error(err);
	return d;
}

/* Counts records of @event in the current audit file. */
static guint count_events(Fixture *f, const char *event)
{
	g_autofree gchar *path = g_build_filename(f->dir, "state", "log", "audit.log", NULL);
	g_autofree gchar *data = NULL;
	g_autofree gchar *needle = g_strdup_printf("\"event\":\"%s\"", event);
	guint n = 0;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return 0;
	for (const char *p = data; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_first_boot_from_file(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
	g_autoptr(TgDecision) d = gate(engine, "0.9.0", TG_CLASS_FEATURE);

	assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
	assert_string_equal(d->floor, "1.0.0");
	assert_int_equal(count_events(f, "state.initialized"), 1);
}

/* Records written while the engine opens carry the trusted time (here
 * --now), like every later record. */
static void test_open_records_trusted_time(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->dir, "state", "log", "audit.log", NULL);
	g_autofree gchar *state_file = NULL;
	g_autofree gchar *data = NULL;

	tg_engine_close(open_at(f, "2020-03-04T05:06:07Z"));
	assert_true(g_file_get_contents(path, &data, NULL, NULL));
	assert_non_null(strstr(data, "\"event\":\"state.initialized\""));
	assert_non_null(strstr(data, "\"time\":\"2020-03-04T05:06:07"));
	/* State unusable: its record too. */
	state_file = g_build_filename(f->dir, "state", "state", NULL);
	g_free(data);
	data = NULL;
	assert_true(g_file_set_contents(state_file, "garbage", -1, NULL));
	tg_engine_close(open_at(f, "2021-05-06T07:08:09Z"));
	assert_true(g_file_get_contents(path, &data, NULL, NULL));
	assert_non_null(strstr(data, "\"event\":\"state.tamper-detected\""));
	assert_non_null(strstr(data, "\"time\":\"2021-05-06T07:08:09"));
}

static void test_first_boot_os_release(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgDecision) d = NULL;

	write_policy(f, "os-release", "version-key=VERSION_ID\n");
	g_free(tg_test_write(f->dir, "version", "NAME=\"Thermo OS\"\nVERSION_ID=\"2.1.0\"\n"));
	engine = open_at(f, "2026-06-01T00:00:00Z");
	d = gate(engine, "2.0.9", TG_CLASS_FEATURE);
	assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
	assert_string_equal(d->installed, "2.1.0");
}

static void test_first_boot_sw_versions(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgEngine) engine = NULL;
	g_autoptr(TgDecision) d = NULL;

	write_policy(f, "sw-versions", "version-key=rootfs\n");
	g_free(tg_test_write(f->dir, "version", "bootloader 2022.1\nrootfs 3.4\n"));
	engine = open_at(f, "2026-06-01T00:00:00Z");
	d = gate(engine, "3.5.0", TG_CLASS_FEATURE);
	assert_int_equal(d->verdict, TG_VERDICT_ALLOW);
	assert_string_equal(d->installed, "3.4");
}

static void test_clock_rollback(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgDecision) d = NULL;

	{
		g_autoptr(TgEngine) e1 = open_clock(f, "2031-06-01T00:00:00Z");
		d = gate(e1, "1.1.0", TG_CLASS_FEATURE);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE); /* after support end */
	}
	g_clear_pointer(&d, tg_decision_free);
	{
		/* Clock set back a year: time stays at the last trusted time. */
		g_autoptr(TgEngine) e2 = open_clock(f, "2030-06-01T00:00:00Z");
		d = gate(e2, "1.1.0", TG_CLASS_FEATURE);
		assert_int_equal(d->trust, TG_TIME_CLAMPED);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
		assert_int_equal(g_date_time_get_year(tg_engine_now(e2)), 2031);
	}
	assert_int_equal(count_events(f, "clock.rollback-detected"), 1);
}

/* In production mode the options that change what the gate sees are
 * refused with one sentence, before anything is recorded. */
static void test_production_refuses_overrides(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *text = g_strdup_printf(POLICY_TEXT, f->dir, f->dir, "file", f->dir, "");
	g_autofree gchar *prod = NULL;
	g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
	g_autoptr(GDateTime) when = g_date_time_new_from_iso8601("2026-06-01T00:00:00Z", utc);
	g_autofree gchar *other = g_build_filename(f->dir, "other", NULL);
	g_autofree gchar *log = g_build_filename(f->dir, "state", "log", "audit.log", NULL);
	TgEngineOptions opts = { .checks = tg_checks_builtin(), .updater = "test" };
	g_autoptr(GError) err = NULL;
	TgEngine *engine;

	prod = g_strjoin("", "[device]\nproduction=true\n", strstr(text, "model="), NULL);
	g_free(f->policy);
	f->policy = tg_test_write(f->dir, "tollgate.conf", prod);
	opts.config_path = f->policy;
	opts.now = when;
	assert_null(tg_engine_open(&opts, &err));
	assert_error(err, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT);
	assert_contains(err->message, "production mode");
	assert_contains(err->message, "refuses --now");
	g_clear_error(&err);
	opts.now = NULL;
	opts.state_dir = other;
	assert_null(tg_engine_open(&opts, &err));
	assert_contains(err->message, "refuses --state-dir");
	g_clear_error(&err);
	assert_false(g_file_test(log, G_FILE_TEST_EXISTS));	/* nothing recorded */
	opts.state_dir = NULL;
	engine = tg_engine_open(&opts, &err);
	assert_no_error(err);
	assert_non_null(engine);
	tg_engine_close(engine);
}

/* --now is a what-if: a run with it in the future leaves the trusted time
 * alone, so a later run on the real clock is neither clamped nor refused. */
static void test_now_not_persisted(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgDecision) d = NULL;

	{
		g_autoptr(TgEngine) e1 = open_at(f, "2031-06-01T00:00:00Z");
		d = gate(e1, "1.1.0", TG_CLASS_FEATURE);
		assert_int_equal(d->trust, TG_TIME_OVERRIDE);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE); /* after support end */
	}
	g_clear_pointer(&d, tg_decision_free);
	{
		g_autoptr(TgEngine) e2 = open_clock(f, "2026-06-01T00:00:00Z");
		d = gate(e2, "1.1.0", TG_CLASS_FEATURE);
		assert_int_equal(d->trust, TG_TIME_SYSTEM);
		assert_int_equal(d->verdict, TG_VERDICT_ALLOW);
		assert_int_equal(g_date_time_get_year(tg_engine_now(e2)), 2026);
	}
	assert_int_equal(count_events(f, "clock.rollback-detected"), 0);
}

/* A user's postpone runs on the device's clock: --now past its end does
 * not lift it. */
static void test_postpone_on_trusted_time(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgDecision) d = NULL;

	{
		g_autoptr(TgEngine) e1 = open_clock(f, "2026-06-01T00:00:00Z");
		g_autoptr(GDateTime) in5 = g_date_time_add_days(tg_engine_now(e1), 5);

		assert_true(tg_engine_postpone(e1, TG_CLASS_FEATURE, in5, &err));
		assert_no_error(err);
	}
	{
		g_autoptr(TgEngine) e2 = NULL;

		g_setenv("TOLLGATE_CLOCK", "2026-06-02T00:00:00Z", TRUE);
		e2 = open_at(f, "2026-06-20T00:00:00Z");
		g_unsetenv("TOLLGATE_CLOCK");
		d = gate(e2, "1.2.0", TG_CLASS_FEATURE);
		assert_int_equal(d->verdict, TG_VERDICT_DEFER);
		assert_string_equal(d->reason, "postponed");
	}
}

static void install_commit(Fixture *f, const char *version, TgUpdateClass cls,
			   const char *support_end)
{
	g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	g_autoptr(GError) err = NULL;
	guint n = 0;

	cand->version = g_strdup(version);
	cand->declared_class = cls;
	cand->support_end = support_end ? tg_parse_date(support_end) : NULL;
	assert_true(tg_engine_installed(engine, cand, &err));
	assert_no_error(err);
	assert_true(tg_engine_commit(engine, &n, &err));
	assert_no_error(err);
	assert_int_equal(n, 1);
}

static void test_commit_security_floor(void **state)
{
	Fixture *f = *state;
	g_autoptr(TgDecision) d = NULL;
	g_autoptr(GError) err = NULL;

	install_commit(f, "1.0.1", TG_CLASS_SECURITY, "2032-01-31");
	{
		g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
		g_autoptr(JsonObject) st = tg_engine_status(engine, &err);
		JsonObject *c;

		assert_no_error(err);
		c = json_object_get_object_member(json_object_get_object_member(st, "components"),
						  "system");
		assert_string_equal(json_object_get_string_member(c, "security_floor"), "1.0.1");
		assert_string_equal(json_object_get_string_member(c, "floor"), "1.0.1");
		assert_contains(json_object_get_string_member(st, "support_end"), "2032-01-31");
		d = gate(engine, "1.0.0", TG_CLASS_FEATURE);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
	}
	assert_int_equal(count_events(f, "support.extended"), 1);
	assert_int_equal(count_events(f, "update.committed"), 1);
}

/* A fallback boot gives the pending version up: the floor stays, a later
 * commit has nothing to raise, and the support end it carried is dropped. */
static void test_fell_back_drops_pending(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	guint n = 99;

	install_commit(f, "1.1.0", TG_CLASS_FEATURE, NULL);
	{
		g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
		g_autoptr(TgCandidate) cand = tg_candidate_new();

		cand->version = g_strdup("1.2.0");
		cand->support_end = tg_parse_date("2035-01-01");
		assert_true(tg_engine_installed(engine, cand, &err));
		assert_true(tg_engine_fell_back(engine, "A", "1.1.0", &n, &err));
		assert_no_error(err);
		assert_int_equal(n, 1);
		assert_true(tg_engine_fell_back(engine, "A", NULL, &n, &err));
		assert_int_equal(n, 0);
		assert_true(tg_engine_commit(engine, &n, &err));
		assert_int_equal(n, 0);
	}
	{
		g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
		g_autoptr(JsonObject) st = tg_engine_status(engine, &err);
		JsonObject *c = json_object_get_object_member(
			json_object_get_object_member(st, "components"), "system");

		assert_string_equal(json_object_get_string_member(c, "floor"), "1.1.0");
		assert_true(json_object_get_null_member(c, "pending"));
	}
	assert_int_equal(count_events(f, "update.fell-back"), 1);
	assert_int_equal(count_events(f, "update.committed"), 1);
	assert_int_equal(count_events(f, "support.extended"), 0);
}

static void stage(Fixture *f, const char *version)
{
	g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	g_autoptr(GError) err = NULL;

	cand->version = g_strdup(version);
	assert_true(tg_engine_installed(engine, cand, &err));
	assert_no_error(err);
}

/* commit --booted: what runs (the version file of the fixture's policy)
 * decides between commit and giving up. */
static gboolean commit_booted(Fixture *f, const char *running, guint *n, gboolean *fell_back,
			      GError **error)
{
	g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");

	g_free(tg_test_write(f->dir, "version", running));
	return tg_engine_commit_booted(engine, n, fell_back, error);
}

static void test_commit_booted(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	gboolean fell_back = TRUE;
	guint n = 0;

	stage(f, "1.1.0");
	assert_true(commit_booted(f, "1.1.0\n", &n, &fell_back, &err));
	assert_false(fell_back);
	assert_int_equal(n, 1);
	stage(f, "1.2.0");
	assert_true(commit_booted(f, "1.1.0\n", &n, &fell_back, &err));
	assert_true(fell_back);
	assert_int_equal(n, 1);
	assert_int_equal(count_events(f, "update.fell-back"), 1);
	stage(f, "1.3.0");
	assert_false(commit_booted(f, "9.9.9\n", &n, &fell_back, &err));
	assert_error(err, TG_ENGINE_ERROR, TG_ENGINE_ERROR_STATE);
	assert_contains(err->message, "running version 9.9.9");
	assert_contains(err->message, "neither the pending 1.3.0 nor the installed 1.1.0");
	assert_int_equal(count_events(f, "update.committed"), 1);
	assert_int_equal(count_events(f, "update.fell-back"), 1);
}

/* A state directory on one of the updater's slots (a block device node
 * standing for the file system the test directory is on) is refused before
 * anything is written; a slot that is a plain file cannot be told apart. */
static void test_state_on_slot_refused(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *node = g_build_filename(f->dir, "slot-node", NULL);
	g_autofree gchar *state_dir = g_build_filename(f->dir, "state", NULL);
	TgSlotDevice slots[] = { { "rootfs.1", "/nonexistent/vdz" }, { "rootfs.0", node } };
	TgEngineOptions opts = {
		.config_path = f->policy,
		.checks = tg_checks_builtin(),
		.slots = slots,
		.n_slots = G_N_ELEMENTS(slots),
	};
	struct stat st;
	TgEngine *engine;

	assert_int_equal(stat(f->dir, &st), 0);
	g_file_set_contents(node, "", 0, NULL);
	engine = tg_engine_open(&opts, &err);	/* a plain file: passes */
	assert_no_error(err);
	tg_engine_close(engine);
	tg_test_rmtree(state_dir);
	g_unlink(node);
	if (mknod(node, S_IFBLK | 0600, st.st_dev) < 0) {
		print_message("mknod needs root: %s\n", g_strerror(errno));
		skip();
	}
	assert_null(tg_engine_open(&opts, &err));
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE);
	assert_contains(err->message, "the state directory ");
	assert_contains(err->message, "is on the update slot rootfs.0");
	assert_contains(err->message, "set [state] directory");
	assert_false(g_file_test(state_dir, G_FILE_TEST_EXISTS));
}

static void test_postpone_bounded_from_first(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = open_clock(f, "2026-06-01T00:00:00Z");
	g_autoptr(GDateTime) now = g_date_time_ref(tg_engine_now(engine));
	g_autoptr(GDateTime) in5 = g_date_time_add_days(now, 5);
	g_autoptr(GDateTime) in7 = g_date_time_add_days(now, 7);
	g_autoptr(GDateTime) in8 = g_date_time_add_days(now, 8);

	assert_true(tg_engine_postpone(engine, TG_CLASS_FEATURE, in5, &err));
	assert_no_error(err);
	/* Extending the active postpone counts from its start: 8d > 7d. */
	assert_false(tg_engine_postpone(engine, TG_CLASS_FEATURE, in8, &err));
	assert_error(err, TG_ENGINE_ERROR, TG_ENGINE_ERROR_LIMIT);
	assert_contains(err->message, "max-postpone");
	g_clear_error(&err);
	assert_true(tg_engine_postpone(engine, TG_CLASS_FEATURE, in7, &err));
	assert_no_error(err);
	assert_int_equal(count_events(f, "user.postponed"), 2);
}

/* Only the default component and declared [component.NAME] groups may be
 * named by an update: an unknown one would have no floor to hold. */
static void test_component_declared(void **state)
{
	Fixture *f = *state;
	static const char *const refused[] = { "appfs2", "../../../etc", "<script>", "a b",
					       "rootfs\nallowed", "" };
	g_autoptr(TgEngine) engine = NULL;

	write_policy(f, "file", "[component.appfs]\n");
	engine = open_at(f, "2026-06-01T00:00:00Z");
	for (gsize i = 0; i < G_N_ELEMENTS(refused); i++) {
		g_autoptr(TgCandidate) cand = tg_candidate_new();
		g_autoptr(GError) err = NULL;
		g_autoptr(TgDecision) d = NULL;

		cand->version = g_strdup("0.1.0");
		cand->component = g_strdup(refused[i]);
		d = tg_engine_gate(engine, cand, &err);
		assert_no_error(err);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
		assert_string_equal(d->reason, "component-unknown");
		assert_null(strchr(d->message, '\n'));
	}
	{
		g_autoptr(TgCandidate) cand = tg_candidate_new();
		g_autoptr(GError) err = NULL;
		g_autoptr(TgDecision) d = NULL;

		cand->version = g_strdup("0.1.0");
		cand->component = g_strdup("appfs");
		cand->declared_class = TG_CLASS_FEATURE;
		d = tg_engine_gate(engine, cand, &err);
		assert_no_error(err);
		assert_int_equal(d->verdict, TG_VERDICT_ALLOW);	/* declared, no floor yet */
	}
	assert_true(tg_policy_component_declared(tg_engine_policy(engine), "system"));
	assert_false(tg_policy_component_declared(tg_engine_policy(engine), NULL));
}

static gchar *slurp(const char *path)
{
	gchar *data = NULL;

	assert_true(g_file_get_contents(path, &data, NULL, NULL));
	return data;
}

/* The state is bound to the log (docs/state.md): an older copy of the
 * state file is refused until a reseed, which continues the generations. */
static void test_state_bound_to_log(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->dir, "state", "state", NULL);
	g_autofree gchar *old = NULL;
	g_autoptr(TgDecision) d = NULL;

	{
		g_autoptr(TgEngine) e = open_at(f, "2026-06-01T00:00:00Z");

		d = gate(e, "1.1.0", TG_CLASS_FEATURE);
	}
	old = slurp(path);
	g_clear_pointer(&d, tg_decision_free);
	{
		g_autoptr(TgEngine) e = open_at(f, "2026-06-01T00:00:00Z");

		d = gate(e, "1.2.0", TG_CLASS_FEATURE);	/* one more state write */
	}
	assert_true(g_file_set_contents(path, old, -1, NULL));
	chmod(path, 0600);
	g_clear_pointer(&d, tg_decision_free);
	{
		g_autoptr(TgEngine) e = open_at(f, "2026-06-01T00:00:00Z");
		g_autoptr(GError) err = NULL;

		d = gate(e, "1.3.0", TG_CLASS_FEATURE);
		assert_int_equal(d->verdict, TG_VERDICT_REFUSE);
		assert_string_equal(d->reason, "state-unusable");
		assert_contains(d->message, "an older copy of the state file was put back");
		assert_true(tg_engine_reseed(e, NULL, "1.0.0", &err));
		assert_no_error(err);
	}
	assert_int_equal(count_events(f, "state.tamper-detected"), 1);
	g_clear_pointer(&d, tg_decision_free);
	{
		g_autoptr(TgEngine) e = open_at(f, "2026-06-01T00:00:00Z");

		d = gate(e, "1.3.0", TG_CLASS_FEATURE);
		assert_int_equal(d->verdict, TG_VERDICT_ALLOW);	/* bound again after the reseed */
	}
}

/* A reseed never goes below what the log shows committed, nor below the
 * running version. */
static void test_reseed_floor_bound(void **state)
{
	Fixture *f = *state;
	g_autofree gchar *path = g_build_filename(f->dir, "state", "state", NULL);

	install_commit(f, "1.2.0", TG_CLASS_SECURITY, NULL);
	assert_true(g_file_set_contents(path, "garbage", -1, NULL));
	{
		g_autoptr(TgEngine) e = open_at(f, "2026-06-01T00:00:00Z");
		g_autoptr(GError) err = NULL;

		assert_false(tg_engine_reseed(e, NULL, "1.1.0", &err));
		assert_error(err, TG_ENGINE_ERROR, TG_ENGINE_ERROR_INPUT);
		assert_contains(err->message, "committed at 1.2.0");
		assert_contains(err->message, "give --installed 1.2.0 or higher");
		g_clear_error(&err);
		assert_false(tg_engine_reseed(e, NULL, "0.9.0", &err));
		g_clear_error(&err);
		assert_true(tg_engine_reseed(e, NULL, "1.2.0", &err));
		assert_no_error(err);
	}
	/* The running version (1.0.0 here) bounds it too, with no log left. */
	assert_int_equal(unlink(path), 0);
	{
		g_autofree gchar *logdir = g_build_filename(f->dir, "state", "log", NULL);
		g_autoptr(TgEngine) e = NULL;
		g_autoptr(GError) err = NULL;

		tg_test_rmtree(logdir);
		e = open_at(f, "2026-06-01T00:00:00Z");
		assert_false(tg_engine_reseed(e, NULL, "0.9.0", &err));
		assert_contains(err->message, "the device runs 1.0.0");
	}
}

static void test_approval_consumed(void **state)
{
	Fixture *f = *state;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgEngine) engine = open_at(f, "2026-06-01T00:00:00Z");
	g_autoptr(TgCandidate) cand = tg_candidate_new();
	g_autoptr(JsonObject) st = NULL;

	assert_true(tg_engine_approve(engine, "1.2.0", &err));
	assert_no_error(err);
	assert_false(tg_engine_approve(engine, "not a version", &err));
	assert_contains(err->message, "digest or a version");
	g_clear_error(&err);
	cand->version = g_strdup("1.2.0");
	assert_true(tg_engine_installed(engine, cand, &err));
	st = tg_engine_status(engine, &err);
	assert_int_equal(json_object_get_int_member(st, "approvals"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_boot_from_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_records_trusted_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_boot_os_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_boot_sw_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_now_not_persisted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_production_refuses_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_postpone_on_trusted_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_security_floor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fell_back_drops_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_on_slot_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_booted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_postpone_bounded_from_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_component_declared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_bound_to_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reseed_floor_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_approval_consumed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
