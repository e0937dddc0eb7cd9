/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy parser: tg_policy_load() (files, drop-ins, modes) and
 * tg_policy_load_data() (memory). Error cases run both ways and check that
 * the message names file, group, key and value. */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "tg-test.h"
#include "tg-config.h"
#include "policy-private.h"

#define MODEL "[device]\nmodel = Acme Cam 3\n"
#define INLINE "inline.conf"

/* Writes @text to @dir/@name with mode 0644. Returns: (transfer full). */
static gchar *write_policy(const char *dir, const char *name, const char *text)
{
	gchar *path = tg_test_write(dir, name, text);

	assert_int_equal(g_chmod(path, 0644), 0);
	return path;
}

/* Makes @dir/conf.d (mode 0755). Returns: (transfer full): its path. */
static gchar *make_confd(const char *dir)
{
	gchar *confd = g_build_filename(dir, "conf.d", NULL);

	assert_int_equal(g_mkdir(confd, 0755), 0);
	assert_int_equal(g_chmod(confd, 0755), 0);
	return confd;
}

static TgPolicy *load_text(const char *text, GError **error)
{
	return tg_policy_load_data(INLINE, text, strlen(text), error);
}

static gboolean have_zone(const char *name)
{
	g_autofree gchar *path = g_build_filename("/usr/share/zoneinfo", name, NULL);

	return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/* ------------------------------------------------------------------ */
/* Error cases, each run from a string and from a file */

typedef struct {
	const char *text;
	gint code;
	const char *needle;	/* "[group] key = 'value' ..." as it must appear */
	const char *hint;	/* part of the "what to do" */
} ErrorCase;

static void check_message(const GError *err, const ErrorCase *c, const char *file)
{
	g_autofree gchar *prefix = g_strdup_printf("%s: ", file);

	assert_error(err, TG_POLICY_ERROR, c->code);
	if (!g_str_has_prefix(err->message, prefix))
		fail_msg("'%s' does not start with '%s'", err->message, prefix);
	assert_contains(err->message, c->needle);
	assert_contains(err->message, c->hint);
}

static void run_error_cases(const ErrorCase *cases, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(GError) ferr = NULL;
		g_autoptr(TgPolicy) p = load_text(cases[i].text, &err);
		g_autoptr(TgPolicy) fp = NULL;
		g_autofree gchar *dir = tg_test_mkdtemp();
		g_autofree gchar *path = write_policy(dir, "tollgate.conf", cases[i].text);

		if (p)
			fail_msg("case %zu loaded from a string: %s", i, cases[i].text);
		check_message(err, &cases[i], INLINE);
		fp = tg_policy_load(path, &ferr);
		if (fp)
			fail_msg("case %zu loaded from a file: %s", i, cases[i].text);
		check_message(ferr, &cases[i], path);
		tg_test_rmtree(dir);
	}
}

static void test_unknown_group(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[rollbak]\nallow-downgrade = true\n", TG_POLICY_ERROR_UNKNOWN,
		  "group [rollbak] is not a known group", "check its spelling" },
		{ MODEL "[class.securty]\n", TG_POLICY_ERROR_UNKNOWN,
		  "group [class.securty] is not a known group", "remove it" },
		/* "notify" is only handed on as a whole word or with a dot. */
		{ MODEL "[notifyx]\nx = 1\n", TG_POLICY_ERROR_UNKNOWN,
		  "group [notifyx] is not a known group", "check its spelling" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_unknown_key(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[rollback]\nallow-downgrades = true\n", TG_POLICY_ERROR_UNKNOWN,
		  "[rollback] allow-downgrades = 'true' is not a known key", "check its spelling" },
		{ MODEL "modle = Acme\n", TG_POLICY_ERROR_UNKNOWN,
		  "[device] modle = 'Acme' is not a known key", "remove it" },
		{ MODEL "model[de] = Kamera\n", TG_POLICY_ERROR_UNKNOWN,
		  "[device] model[de] = 'Kamera' is not a known key", "remove it" },
		{ MODEL "[class.feature]\nmax_postpone = 3d\n", TG_POLICY_ERROR_UNKNOWN,
		  "[class.feature] max_postpone = '3d' is not a known key", "policy reference" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_boolean(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[rollback]\nallow-downgrade = maybe\n", TG_POLICY_ERROR_VALUE,
		  "[rollback] allow-downgrade = 'maybe' is not a boolean", "use true or false" },
		{ MODEL "[class.security]\nauto-install = 1\n", TG_POLICY_ERROR_VALUE,
		  "[class.security] auto-install = '1' is not a boolean", "use true or false" },
		{ MODEL "[support]\nallow-shortening = TRUE\n", TG_POLICY_ERROR_VALUE,
		  "[support] allow-shortening = 'TRUE' is not a boolean", "use true or false" },
		{ MODEL "[disruption]\nrequire-approval =\n", TG_POLICY_ERROR_VALUE,
		  "[disruption] require-approval = '' is not a boolean", "use true or false" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_uint(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[support]\nwarn-days = -5\n", TG_POLICY_ERROR_VALUE,
		  "[support] warn-days = '-5' is not a whole number from 0 to 3650",
		  "write digits only" },
		{ MODEL "[support]\nwarn-days = 3651\n", TG_POLICY_ERROR_VALUE,
		  "[support] warn-days = '3651'", "from 0 to 3650" },
		{ MODEL "[audit]\nmax-files = 8 files\n", TG_POLICY_ERROR_VALUE,
		  "[audit] max-files = '8 files' is not a whole number", "write digits only" },
		{ MODEL "[audit]\ncheckpoint-every = 1e3\n", TG_POLICY_ERROR_VALUE,
		  "[audit] checkpoint-every = '1e3' is not a whole number", "digits" },
		{ MODEL "[support]\nnotice-days = 90;30;seven\n", TG_POLICY_ERROR_VALUE,
		  "[support] notice-days = '90;30;seven' has 'seven'", "separated by ';'" },
		{ MODEL "[support]\nnotice-days = 4000\n", TG_POLICY_ERROR_VALUE,
		  "[support] notice-days = '4000' has '4000'", "from 0 to 3650" },
		{ MODEL "[audit]\nmax-size = 1T\n", TG_POLICY_ERROR_VALUE,
		  "[audit] max-size = '1T' is not a size", "K, M or G suffix" },
		{ MODEL "[audit]\nmax-size = 100\n", TG_POLICY_ERROR_VALUE,
		  "[audit] max-size = '100' is not a size from 4096", "e.g. 1M" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_enum(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[versions]\nscheme = debian\n", TG_POLICY_ERROR_VALUE,
		  "[versions] scheme = 'debian' is not allowed", "use one of: semver, swupdate" },
		{ MODEL "[rollback]\nreinstall = sometimes\n", TG_POLICY_ERROR_VALUE,
		  "[rollback] reinstall = 'sometimes' is not allowed", "allow, refuse" },
		{ MODEL "[support]\nafter-end = block\n", TG_POLICY_ERROR_VALUE,
		  "[support] after-end = 'block' is not allowed", "allow, refuse-feature, refuse" },
		{ MODEL "[classify]\ndefault-class = mixed\n", TG_POLICY_ERROR_VALUE,
		  "[classify] default-class = 'mixed' is not allowed", "security, feature" },
		{ MODEL "[classify]\nsecurity-max-bump = huge\n", TG_POLICY_ERROR_VALUE,
		  "[classify] security-max-bump = 'huge'", "patch, minor, major" },
		{ MODEL "[state]\nversion-source = rpm\n", TG_POLICY_ERROR_VALUE,
		  "[state] version-source = 'rpm'", "none, os-release, sw-versions, file" },
		{ MODEL "[state]\nanchor = tpm1.2\n", TG_POLICY_ERROR_VALUE,
		  "[state] anchor = 'tpm1.2'", "none, tpm2" },
		{ MODEL "[state]\nanchor-index = 0x81000001\n", TG_POLICY_ERROR_VALUE,
		  "[state] anchor-index = '0x81000001' is not an NV index", "0x01000000 to" },
		{ MODEL "[state]\nanchor-index = 12abc\n", TG_POLICY_ERROR_VALUE,
		  "[state] anchor-index = '12abc'", "e.g. 0x01500101" },
		{ MODEL "[audit]\ncheckpoint-alg = rsa\n", TG_POLICY_ERROR_VALUE,
		  "[audit] checkpoint-alg = 'rsa'", "hmac-sha256, ed25519" },
		{ MODEL "[component.-x]\n", TG_POLICY_ERROR_VALUE,
		  "group [component.-x] has a bad component name", "starting with a letter" },
		{ MODEL "[component.a/b]\n", TG_POLICY_ERROR_VALUE,
		  "group [component.a/b] has a bad component name", "1 to 64" },
		{ MODEL "[versions]\ndefault-component = ..\n", TG_POLICY_ERROR_VALUE,
		  "[versions] default-component = '..' is not a component name", "starting with" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_date(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[support]\nend = 2026-02-30\n", TG_POLICY_ERROR_VALUE,
		  "[support] end = '2026-02-30' is not a date", "use YYYY-MM-DD" },
		{ MODEL "[support]\nend = 31.12.2030\n", TG_POLICY_ERROR_VALUE,
		  "[support] end = '31.12.2030' is not a date", "RFC 3339" },
		{ MODEL "[support]\nend = 2030-12-31T12:00:00\n", TG_POLICY_ERROR_VALUE,
		  "[support] end = '2030-12-31T12:00:00' is not a date", "YYYY-MM-DD" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_duration(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[class.security]\nmax-postpone = 1 day\n", TG_POLICY_ERROR_VALUE,
		  "[class.security] max-postpone = '1 day' is not a duration", "e.g. 7d" },
		{ MODEL "[class.feature]\nmax-postpone = -1d\n", TG_POLICY_ERROR_VALUE,
		  "[class.feature] max-postpone = '-1d' is not a duration", "s, m, h, d or w" },
		{ MODEL "[class.feature]\nmax-postpone = 3mo\n", TG_POLICY_ERROR_VALUE,
		  "[class.feature] max-postpone = '3mo' is not a duration", "s, m, h, d or w" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_time_zone(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[class.feature]\nwindow-hours = 02:00-04:00\ntime-zone = Mars/Olympus\n",
		  TG_POLICY_ERROR_VALUE,
		  "[class.feature] time-zone = 'Mars/Olympus' is not a time zone",
		  "such as Europe/Berlin" },
		{ MODEL "[class.feature]\nwindow-hours = 02:00-04:00\ntime-zone = ../../etc/passwd\n",
		  TG_POLICY_ERROR_VALUE, "[class.feature] time-zone = '../../etc/passwd'",
		  "IANA name" },
		{ MODEL "[class.security]\nwindow-hours = 02:00-04:00\ntime-zone = zone.tab\n",
		  TG_POLICY_ERROR_VALUE, "[class.security] time-zone = 'zone.tab'", "IANA name" },
		{ MODEL "[class.security]\nwindow-hours = 02:00-04:00\ntime-zone = +01:00\n",
		  TG_POLICY_ERROR_VALUE, "[class.security] time-zone = '+01:00'", "or UTC" },
		{ MODEL "[class.security]\ntime-zone =\n", TG_POLICY_ERROR_VALUE,
		  "[class.security] time-zone = '' is not a time zone", "IANA name" },
		/* Zone names are case-sensitive file names. */
		{ MODEL "[class.security]\ntime-zone = europe/berlin\n", TG_POLICY_ERROR_VALUE,
		  "[class.security] time-zone = 'europe/berlin' is not a time zone", "IANA name" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_bad_window(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[class.feature]\nwindow-hours = 25:00-03:00\n", TG_POLICY_ERROR_VALUE,
		  "[class.feature] window-hours = '25:00-03:00' is not a time range",
		  "write HH:MM-HH:MM" },
		{ MODEL "[class.feature]\nwindow-hours = 2:00-5:00\n", TG_POLICY_ERROR_VALUE,
		  "[class.feature] window-hours = '2:00-5:00' is not a time range", "02:00-05:00" },
		{ MODEL "[class.feature]\nwindow-hours = 02:00 - 05:00\n", TG_POLICY_ERROR_VALUE,
		  "window-hours = '02:00 - 05:00' is not a time range", "HH:MM-HH:MM" },
		{ MODEL "[class.feature]\nwindow-hours = 24:00-02:00\n", TG_POLICY_ERROR_VALUE,
		  "window-hours = '24:00-02:00' is not a time range", "24:00 may end a range" },
		{ MODEL "[class.feature]\nwindow-hours = 02:00-05:60\n", TG_POLICY_ERROR_VALUE,
		  "window-hours = '02:00-05:60' is not a time range", "HH:MM-HH:MM" },
		{ MODEL "[class.security]\nwindow-hours = 03:00-03:00\n", TG_POLICY_ERROR_VALUE,
		  "[class.security] window-hours = '03:00-03:00' starts and ends at the same time",
		  "00:00-24:00" },
		{ MODEL "[class.security]\nwindow-hours = 00:00-00:00\n", TG_POLICY_ERROR_VALUE,
		  "window-hours = '00:00-00:00' starts and ends", "00:00-24:00" },
		{ MODEL "[class.feature]\nwindow-days = mon-fri\n", TG_POLICY_ERROR_VALUE,
		  "[class.feature] window-days = 'mon-fri' has no effect without window-hours",
		  "add window-hours" },
		{ MODEL "[class.feature]\nwindow-hours = 01:00-02:00\nwindow-days = mon;funday\n",
		  TG_POLICY_ERROR_VALUE,
		  "[class.feature] window-days = 'mon;funday' has 'funday', which is not a day",
		  "mon-fri" },
		{ MODEL "[class.feature]\nwindow-hours = 01:00-02:00\nwindow-days = mon-xyz\n",
		  TG_POLICY_ERROR_VALUE, "window-days = 'mon-xyz' has 'mon-xyz'", "daily" },
		{ MODEL "[class.feature]\nwindow-hours = 01:00-02:00\nwindow-days = ;\n",
		  TG_POLICY_ERROR_VALUE, "[class.feature] window-days = ';' names no day", "daily" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_missing_model(void **state)
{
	static const ErrorCase cases[] = {
		{ "", TG_POLICY_ERROR_MISSING, "[device] model is missing",
		  "set the model designation users see on the label" },
		{ "[device]\nhardware-revision = B\n", TG_POLICY_ERROR_MISSING,
		  "[device] model is missing", "on the label" },
		{ "[device]\nmodel =\n", TG_POLICY_ERROR_VALUE, "[device] model = '' is empty",
		  "give a value" },
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = load_text("# nothing\n", &err);

	run_error_cases(cases, G_N_ELEMENTS(cases));
	assert_null(p);
	assert_string_equal(err->message, INLINE ": [device] model is missing; set the model "
			    "designation users see on the label");
}

/* Values that are each fine alone but contradict another key. */
static void test_cross_checks(void **state)
{
	static const ErrorCase cases[] = {
		{ MODEL "[state]\ndirectory = /data/tollgate\nkey-file = /data/tollgate/k\n",
		  TG_POLICY_ERROR_VALUE,
		  "[state] key-file = '/data/tollgate/k' is inside [state] directory = "
		  "'/data/tollgate'", "keep the key elsewhere" },
		{ MODEL "[state]\ndirectory = /data/x/\nkey-file = /data/./x//../x/key\n",
		  TG_POLICY_ERROR_VALUE, "[state] key-file = '/data/./x//../x/key' is inside",
		  "keep the key elsewhere" },
		{ MODEL "[audit]\ncheckpoint-every = 100\n", TG_POLICY_ERROR_VALUE,
		  "[audit] checkpoint-every = '100' needs checkpoint-key", "checkpoint-every = 0" },
		{ MODEL "[audit]\ndirectory = /var/log/tg\ncheckpoint-every = 1\n"
		  "checkpoint-key = /var/log/tg/key\n", TG_POLICY_ERROR_VALUE,
		  "[audit] checkpoint-key = '/var/log/tg/key' is inside [audit] directory",
		  "keep the key elsewhere" },
		{ MODEL "[audit]\nmax-files = 0\n", TG_POLICY_ERROR_VALUE,
		  "[audit] max-files = '0' keeps no rotated file", "at least 1" },
		{ MODEL "device-id = A1\ndevice-id-file = /etc/machine-id\n", TG_POLICY_ERROR_VALUE,
		  "[device] device-id = 'A1' is set together with device-id-file = "
		  "'/etc/machine-id'", "keep only one" },
		{ MODEL "[state]\nversion-source = file\n", TG_POLICY_ERROR_MISSING,
		  "[state] version-source = 'file' needs version-path", "holds the running version" },
		{ MODEL "[state]\nversion-source = os-release\nversion-key = VERSION-ID\n",
		  TG_POLICY_ERROR_VALUE, "[state] version-key = 'VERSION-ID' is not an os-release",
		  "VERSION_ID" },
		{ MODEL "[versions]\ndefault-component = root fs\n", TG_POLICY_ERROR_VALUE,
		  "[versions] default-component = 'root fs' contains a space", "one word" },
		{ MODEL "[state]\ndirectory = var/lib/tollgate\n", TG_POLICY_ERROR_VALUE,
		  "[state] directory = 'var/lib/tollgate' is not an absolute path", "starting with /" },
		{ MODEL "[mechanism]\ndefault =\n", TG_POLICY_ERROR_VALUE,
		  "[mechanism] default = '' is empty", "remove the line" },
	};

	run_error_cases(cases, G_N_ELEMENTS(cases));
}

static void test_syntax(void **state)
{
	static const ErrorCase cases[] = {
		{ "model = x\n", TG_POLICY_ERROR_SYNTAX, "not a valid policy file",
		  "write [group] lines" },
		{ MODEL "this is not a key\n", TG_POLICY_ERROR_SYNTAX,
		  "not a valid policy file", "key = value" },
		{ MODEL "model = Other\n", TG_POLICY_ERROR_SYNTAX,
		  "[device] model is set more than once in this file", "keep one line" },
		{ MODEL "[rollback]\nreinstall = allow\n[device]\nmodel = Again\n",
		  TG_POLICY_ERROR_SYNTAX, "[device] model is set more than once", "keep one line" },
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) big_err = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(TgPolicy) big = NULL;
	g_autofree gchar *huge = g_strnfill(TG_POLICY_MAX_FILE_SIZE + 1, '#');
	static const char nul[] = "[device]\nmodel = A\0B\n";

	run_error_cases(cases, G_N_ELEMENTS(cases));

	p = tg_policy_load_data(INLINE, nul, sizeof(nul) - 1, &err);
	assert_null(p);
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX);
	assert_string_equal(err->message, INLINE ": the file contains a NUL byte at offset 18; "
			    "save it as plain UTF-8 text");
	big = load_text(huge, &big_err);
	assert_null(big);
	assert_error(big_err, TG_POLICY_ERROR, TG_POLICY_ERROR_SYNTAX);
	assert_contains(big_err->message, INLINE ": the file is larger than 1048576 bytes");
}

/* ------------------------------------------------------------------ */
/* Successful parses */

static void check_defaults(const TgPolicy *p)
{
	static const guint notice[] = { 90, 30, 7 };

	assert_string_equal(p->model, "Acme Cam 3");
	assert_null(p->hardware_revision);
	assert_null(p->device_id);
	assert_null(p->device_id_file);
	assert_int_equal(p->scheme, TG_SCHEME_SEMVER);
	assert_string_equal(p->default_component, "system");
	assert_false(p->allow_downgrade);
	assert_int_equal(p->reinstall, TG_REINSTALL_REFUSE);
	assert_true(p->security_floor);
	assert_null(p->support_end);
	assert_int_equal(p->warn_days, 90);
	assert_int_equal(p->notice_days->len, G_N_ELEMENTS(notice));
	for (guint i = 0; i < G_N_ELEMENTS(notice); i++)
		assert_int_equal(g_array_index(p->notice_days, guint, i), notice[i]);
	assert_int_equal(p->after_end, TG_AFTER_END_REFUSE_FEATURE);
	assert_false(p->allow_shortening);
	assert_int_equal(p->default_class, TG_CLASS_FEATURE);
	assert_int_equal(p->mixed_as, TG_CLASS_FEATURE);
	assert_int_equal(p->security_max_bump, TG_BUMP_PATCH);
	assert_false(p->require_risk);
	assert_false(p->require_metadata);
	assert_int_equal(p->classes[0].max_postpone, 86400);
	assert_int_equal(p->classes[1].max_postpone, 30 * 86400);
	for (guint i = 0; i < 2; i++) {
		const TgWindow *w = &p->classes[i].window;

		assert_true(p->classes[i].auto_install);
		assert_false(w->enabled);
		assert_int_equal(w->days, 0x7f);
		assert_int_equal(w->start_minute, 0);
		assert_int_equal(w->end_minute, 1440);
		assert_string_equal(w->tz_name, "UTC");
		assert_non_null(w->tz);
	}
	assert_false(p->require_approval);
	assert_string_equal(p->state_dir, TG_DEFAULT_STATE_DIR);
	assert_string_equal(p->key_file, "/var/lib/tollgate-keys/state.key");
	assert_int_equal(p->version_source, TG_VERSION_SOURCE_NONE);
	assert_null(p->version_path);
	assert_null(p->version_key);
	assert_string_equal(p->audit_dir, "/var/lib/tollgate/log");
	assert_int_equal(p->audit_max_size, 1024 * 1024);
	assert_int_equal(p->audit_max_files, 8);
	assert_int_equal(p->checkpoint_every, 0);
	assert_null(p->checkpoint_key);
	assert_string_equal(p->checkpoint_alg, "hmac-sha256");
	assert_string_equal(p->default_mechanism, "default");
	assert_non_null(p->extra);
	assert_non_null(p->hash);
	assert_int_equal(strlen(p->hash), 64);
}

static void test_defaults(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = load_text(MODEL, &err);
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", MODEL "[rollback]\n");
	g_autoptr(TgPolicy) fp = tg_policy_load(path, &err);

	assert_no_error(err);
	check_defaults(p);
	assert_string_equal(p->path, INLINE);
	assert_int_equal(p->files->len, 1);
	check_defaults(fp);
	assert_string_equal(fp->path, path);
	assert_int_equal(fp->files->len, 1);
	assert_string_equal(fp->files->pdata[0], path);
	tg_test_rmtree(dir);
}

/* Every key set to something other than its default. */
static const char full_policy[] =
	"# every key\n"
	"[device]\nmodel = Acme Hub\nhardware-revision = rev C\ndevice-id-file = /etc/machine-id\n"
	"[versions]\nscheme = swupdate\ndefault-component = rootfs\n"
	"[rollback]\nallow-downgrade = yes\nreinstall = allow\nsecurity-floor = off\n"
	"[support]\nend = 2031-06-30\nwarn-days = 120\nnotice-days = 7, 365;30;30;0\n"
	"after-end = refuse\nallow-shortening = true\n"
	"[classify]\ndefault-class = security\nmixed-as = security\nsecurity-max-bump = minor\n"
	"require-risk = true\nrequire-metadata = true\n"
	"[class.security]\nauto-install = false\nmax-postpone = 0\n"
	"window-hours = 22:00-06:00\nwindow-days = fri-mon\ntime-zone = UTC\n"
	"[class.feature]\nauto-install = false\nmax-postpone = 2w\n"
	"window-hours = 00:00-24:00\nwindow-days = Sat, sun\n"
	"[disruption]\nrequire-approval = true\n"
	"[state]\ndirectory = /data/tollgate\nkey-file = /etc/tg/state.key\n"
	"version-source = sw-versions\n"
	"[audit]\nmax-size = 256K\nmax-files = 3\ncheckpoint-every = 50\n"
	"checkpoint-key = /etc/tg/audit.pem\ncheckpoint-alg = ed25519\n"
	"[mechanism]\ndefault = rauc-bundle\n";

static void check_full(const TgPolicy *p)
{
	static const guint notice[] = { 365, 30, 7, 0 };
	const TgWindow *sw = &p->classes[0].window;
	const TgWindow *fw = &p->classes[1].window;
	g_autofree gchar *end = g_date_time_format_iso8601(p->support_end);

	assert_string_equal(p->model, "Acme Hub");
	assert_string_equal(p->hardware_revision, "rev C");
	assert_string_equal(p->device_id_file, "/etc/machine-id");
	assert_int_equal(p->scheme, TG_SCHEME_SWUPDATE);
	assert_string_equal(p->default_component, "rootfs");
	assert_true(p->allow_downgrade);
	assert_int_equal(p->reinstall, TG_REINSTALL_ALLOW);
	assert_false(p->security_floor);
	assert_string_equal(end, "2031-06-30T23:59:59Z");
	assert_int_equal(p->warn_days, 120);
	assert_int_equal(p->notice_days->len, G_N_ELEMENTS(notice));
	for (guint i = 0; i < G_N_ELEMENTS(notice); i++)
		assert_int_equal(g_array_index(p->notice_days, guint, i), notice[i]);
	assert_int_equal(p->after_end, TG_AFTER_END_REFUSE);
	assert_true(p->allow_shortening);
	assert_int_equal(p->default_class, TG_CLASS_SECURITY);
	assert_int_equal(p->mixed_as, TG_CLASS_SECURITY);
	assert_int_equal(p->security_max_bump, TG_BUMP_MINOR);
	assert_true(p->require_risk);
	assert_true(p->require_metadata);
	assert_false(p->classes[0].auto_install);
	assert_int_equal(p->classes[0].max_postpone, 0);
	assert_true(sw->enabled);
	assert_int_equal(sw->days, 0x71);	/* fri, sat, sun, mon */
	assert_int_equal(sw->start_minute, 22 * 60);
	assert_int_equal(sw->end_minute, 6 * 60);
	assert_string_equal(sw->tz_name, "UTC");
	assert_false(p->classes[1].auto_install);
	assert_int_equal(p->classes[1].max_postpone, 14 * 86400);
	assert_true(fw->enabled);
	assert_int_equal(fw->days, 0x60);
	assert_int_equal(fw->start_minute, 0);
	assert_int_equal(fw->end_minute, 1440);
	assert_true(p->require_approval);
	assert_string_equal(p->state_dir, "/data/tollgate");
	assert_string_equal(p->key_file, "/etc/tg/state.key");
	assert_int_equal(p->version_source, TG_VERSION_SOURCE_SW_VERSIONS);
	assert_string_equal(p->version_path, "/etc/sw-versions");
	assert_string_equal(p->version_key, "rootfs");
	assert_string_equal(p->audit_dir, "/data/tollgate/log");
	assert_int_equal(p->audit_max_size, 256 * 1024);
	assert_int_equal(p->audit_max_files, 3);
	assert_int_equal(p->checkpoint_every, 50);
	assert_string_equal(p->checkpoint_key, "/etc/tg/audit.pem");
	assert_string_equal(p->checkpoint_alg, "ed25519");
	assert_string_equal(p->default_mechanism, "rauc-bundle");
}

static void test_full_policy(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = load_text(full_policy, &err);
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", full_policy);
	g_autoptr(TgPolicy) fp = NULL;

	assert_no_error(err);
	check_full(p);
	fp = tg_policy_load(path, &err);
	assert_no_error(err);
	check_full(fp);
	assert_string_not_equal(p->hash, fp->hash);	/* the name is hashed too */
	tg_test_rmtree(dir);
}

static void test_window_values(void **state)
{
	static const struct {
		const char *days;	/* NULL: key absent */
		const char *hours;
		guint8 mask;
		guint start, end;
	} cases[] = {
		{ NULL, "02:00-05:00", 0x7f, 120, 300 },
		{ "daily", "23:30-00:30", 0x7f, 1410, 30 },
		{ "mon-fri", "22:00-24:00", 0x1f, 1320, 1440 },
		{ "fri", "22:00-00:00", 0x10, 1320, 1440 },
		{ "Mon,WED", "00:00-00:01", 0x05, 0, 1 },
		{ "sun-tue", "12:00-11:59", 0x43, 720, 719 },
		{ "tue-tue; thu", "01:00-02:00", 0x0a, 60, 120 },
		{ "sat - sun", "18:00-06:00", 0x60, 1080, 360 },
		{ "mon;daily", "01:00-02:00", 0x7f, 60, 120 },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgPolicy) p = NULL;
		g_autofree gchar *days = cases[i].days ?
			g_strdup_printf("window-days = %s\n", cases[i].days) : g_strdup("");
		g_autofree gchar *text = g_strdup_printf(MODEL "[class.feature]\n%s"
							 "window-hours = %s\n", days,
							 cases[i].hours);
		const TgWindow *w;

		p = load_text(text, &err);
		if (!p)
			fail_msg("case %zu: %s", i, err->message);
		w = &p->classes[1].window;
		assert_true(w->enabled);
		assert_int_equal(w->days, cases[i].mask);
		assert_int_equal(w->start_minute, cases[i].start);
		assert_int_equal(w->end_minute, cases[i].end);
		assert_false(p->classes[0].window.enabled);
	}
}

static void test_time_zone(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(GDateTime) summer = NULL;

	if (!have_zone("Europe/Berlin") || !have_zone("America/Argentina/Buenos_Aires"))
		skip();
	p = load_text(MODEL "[class.feature]\nwindow-hours = 02:00-04:00\n"
		      "time-zone = Europe/Berlin\n[class.security]\n"
		      "time-zone = America/Argentina/Buenos_Aires\n", &err);
	assert_no_error(err);
	assert_string_equal(p->classes[1].window.tz_name, "Europe/Berlin");
	assert_non_null(p->classes[1].window.tz);
	summer = g_date_time_new(p->classes[1].window.tz, 2030, 7, 1, 12, 0, 0);
	assert_int_equal(g_date_time_get_utc_offset(summer), 2 * G_TIME_SPAN_HOUR);
	/* A zone without window hours is kept, the window stays off. */
	assert_false(p->classes[0].window.enabled);
	assert_string_equal(p->classes[0].window.tz_name, "America/Argentina/Buenos_Aires");
}

static void test_extra_groups(void **state)
{
	static const char text[] =
		MODEL
		"[notify]\nanything = goes\n"
		"[sink.exec]\ncommand = /usr/bin/notify-send \"x\"\nescaped = a\\tb\n"
		"[template.security]\ntext = Update $name\n"
		"[product]\nname = Acme\n"
		"[products]\nx = 1\n"
		"[mechanism.rauc]\nid = signed-bundle\n"
		"[component.rootfs]\nx = 1\n"
		"[procedure]\n"
		"[replacement]\nx = 1\n"
		"[ics.5.3-1]\nx = 1\n"
		"[owner.vendor]\nx = 1\n"
		"[evidence]\nx = 1\n"
		"[evidence.fleet]\nx = 1\n"
		"[mechanism]\ndefault = rauc\n";
	static const char *const groups[] = {
		"notify", "sink.exec", "template.security", "product", "products", "mechanism.rauc",
		"component.rootfs", "procedure", "replacement", "ics.5.3-1", "owner.vendor",
		"evidence", "evidence.fleet",
	};
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = load_text(text, &err);
	g_autofree gchar *cmd = NULL;
	g_autofree gchar *raw = NULL;
	g_auto(GStrv) all = NULL;

	assert_no_error(err);
	assert_string_equal(p->default_mechanism, "rauc");
	for (gsize i = 0; i < G_N_ELEMENTS(groups); i++) {
		if (!g_key_file_has_group(p->extra, groups[i]))
			fail_msg("group [%s] is not in policy->extra", groups[i]);
	}
	all = g_key_file_get_groups(p->extra, NULL);
	assert_int_equal(g_strv_length(all), G_N_ELEMENTS(groups));
	cmd = g_key_file_get_string(p->extra, "sink.exec", "command", NULL);
	assert_string_equal(cmd, "/usr/bin/notify-send \"x\"");
	raw = g_key_file_get_value(p->extra, "sink.exec", "escaped", NULL);
	assert_string_equal(raw, "a\\tb");
	assert_string_equal(g_hash_table_lookup(p->origins, "sink.exec" "\x1f" "command"), INLINE);
}

/* ------------------------------------------------------------------ */
/* Files, drop-ins, modes */

static void test_dropin_override(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *main_path = write_policy(dir, "tollgate.conf", MODEL
		"[support]\nwarn-days = 10\nafter-end = allow\n[rollback]\nreinstall = allow\n");
	g_autofree gchar *confd = make_confd(dir);
	g_autofree gchar *first = write_policy(confd, "10-first.conf",
		"[support]\nwarn-days = 20\n[rollback]\nallow-downgrade = true\n");
	g_autofree gchar *second = write_policy(confd, "20-second.conf",
		"[support]\nwarn-days = 30\n[versions]\n");

	/* Not drop-ins; each would fail to parse. */
	g_free(write_policy(confd, ".hidden.conf", "garbage\n"));
	g_free(write_policy(confd, "30-old.conf.bak", "garbage\n"));
	g_free(write_policy(confd, "README", "garbage\n"));
	p = tg_policy_load(main_path, &err);
	assert_no_error(err);
	assert_int_equal(p->warn_days, 30);		/* the later drop-in wins */
	assert_true(p->allow_downgrade);		/* only in the first drop-in */
	assert_int_equal(p->after_end, TG_AFTER_END_ALLOW);	/* only in the main file */
	assert_int_equal(p->reinstall, TG_REINSTALL_ALLOW);
	assert_int_equal(p->files->len, 3);
	assert_string_equal(p->files->pdata[0], main_path);
	assert_string_equal(p->files->pdata[1], first);
	assert_string_equal(p->files->pdata[2], second);
	assert_string_equal(g_hash_table_lookup(p->origins, "support\x1fwarn-days"), second);
	assert_string_equal(g_hash_table_lookup(p->origins, "support\x1f" "after-end"),
			    main_path);
	tg_test_rmtree(dir);
}

/* strcmp order, not numeric: "9-..." sorts after "10-...". */
static void test_dropin_order(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *main_path = write_policy(dir, "tollgate.conf", MODEL);
	g_autofree gchar *confd = make_confd(dir);
	g_autofree gchar *a = write_policy(confd, "9-late.conf", "[support]\nwarn-days = 9\n");
	g_autofree gchar *b = write_policy(confd, "10-early.conf", "[support]\nwarn-days = 10\n");
	g_autofree gchar *c = write_policy(confd, "B.conf", "[support]\nwarn-days = 11\n");
	g_autofree gchar *d = write_policy(confd, "a.conf", "[support]\nwarn-days = 12\n");

	p = tg_policy_load(main_path, &err);
	assert_no_error(err);
	assert_int_equal(p->files->len, 5);
	assert_string_equal(p->files->pdata[1], b);
	assert_string_equal(p->files->pdata[2], a);
	assert_string_equal(p->files->pdata[3], c);
	assert_string_equal(p->files->pdata[4], d);
	assert_int_equal(p->warn_days, 12);
	tg_test_rmtree(dir);
}

/* An error is reported against the file that last set the key. */
static void test_dropin_error_file(void **state)
{
	static const struct {
		const char *main_text;
		const char *dropin;
		gboolean in_dropin;	/* which file the message must name */
		const char *needle;
	} cases[] = {
		{ MODEL "[rollback]\nallow-downgrade = false\n",
		  "[rollback]\nallow-downgrade = maybe\n", TRUE,
		  ": [rollback] allow-downgrade = 'maybe' is not a boolean" },
		{ MODEL, "[rollback]\nallow-downgrad = true\n", TRUE,
		  ": [rollback] allow-downgrad = 'true' is not a known key" },
		{ MODEL, "[rollbak]\n", TRUE, ": group [rollbak] is not a known group" },
		{ MODEL "[class.feature]\nmax-postpone = forever\n",
		  "[class.feature]\nauto-install = false\n", FALSE,
		  ": [class.feature] max-postpone = 'forever' is not a duration" },
		{ MODEL "[class.feature]\nwindow-days = mon\n", "[class.feature]\n", FALSE,
		  ": [class.feature] window-days = 'mon' has no effect without window-hours" },
		{ MODEL, "[device]\nmodel = A\nmodel = B\n", TRUE,
		  ": [device] model is set more than once in this file" },
		{ MODEL, "[device\n", TRUE, ": not a valid policy file" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgPolicy) p = NULL;
		g_autofree gchar *dir = tg_test_mkdtemp();
		g_autofree gchar *main_path = write_policy(dir, "tollgate.conf",
							   cases[i].main_text);
		g_autofree gchar *confd = make_confd(dir);
		g_autofree gchar *drop = write_policy(confd, "50-site.conf", cases[i].dropin);
		g_autofree gchar *expect = g_strconcat(cases[i].in_dropin ? drop : main_path,
						       cases[i].needle, NULL);

		p = tg_policy_load(main_path, &err);
		assert_null(p);
		if (!g_str_has_prefix(err->message, expect))
			fail_msg("case %zu: '%s' does not start with '%s'", i, err->message,
				 expect);
		tg_test_rmtree(dir);
	}
}

static void expect_permission(const char *main_path, const char *culprit)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = tg_policy_load(main_path, &err);
	g_autofree gchar *fix = g_strdup_printf("run chmod go-w %s", culprit);

	assert_null(p);
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_PERMISSION);
	if (!g_str_has_prefix(err->message, culprit))
		fail_msg("'%s' does not start with '%s'", err->message, culprit);
	assert_contains(err->message, "is writable by its group or by others");
	assert_contains(err->message, fix);
}

static void test_world_writable_file(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", MODEL);
	g_autofree gchar *target = write_policy(dir, "real.conf", MODEL);
	g_autofree gchar *link = g_build_filename(dir, "link", "tollgate.conf", NULL);
	g_autofree gchar *link_dir = g_path_get_dirname(link);

	assert_int_equal(g_chmod(path, 0666), 0);
	expect_permission(path, path);
	assert_int_equal(g_chmod(path, 0664), 0);
	expect_permission(path, path);
	assert_int_equal(g_chmod(path, 0644), 0);
	{
		g_autoptr(GError) err = NULL;
		g_autoptr(TgPolicy) p = tg_policy_load(path, &err);

		assert_no_error(err);
		assert_non_null(p);
	}
	/* A symlink is judged by what it points to. */
	assert_int_equal(g_mkdir(link_dir, 0755), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(g_chmod(target, 0646), 0);
	expect_permission(link, link);
	tg_test_rmtree(dir);
}

static void test_group_writable_confd(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", MODEL);
	g_autofree gchar *confd = make_confd(dir);
	g_autofree gchar *drop = write_policy(confd, "10-x.conf", "[support]\nwarn-days = 1\n");

	assert_int_equal(g_chmod(confd, 0775), 0);
	expect_permission(path, confd);
	assert_int_equal(g_chmod(confd, 0757), 0);
	expect_permission(path, confd);
	assert_int_equal(g_chmod(confd, 0755), 0);
	assert_int_equal(g_chmod(drop, 0660), 0);
	expect_permission(path, drop);
	tg_test_rmtree(dir);
}

static void test_foreign_owner(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) derr = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(TgPolicy) dp = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autofree gchar *confd = NULL;

	if (geteuid() != 0)
		skip();	/* only root can give a file away */
	dir = tg_test_mkdtemp();
	path = write_policy(dir, "tollgate.conf", MODEL);
	assert_int_equal(chown(path, 4242, 4242), 0);
	p = tg_policy_load(path, &err);
	assert_null(p);
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_PERMISSION);
	assert_contains(err->message, "is owned by uid 4242, neither root nor uid 0");
	assert_contains(err->message, "run chown root");
	assert_contains(err->message, path);

	assert_int_equal(chown(path, 0, 0), 0);
	confd = make_confd(dir);
	assert_int_equal(chown(confd, 4242, 0), 0);
	dp = tg_policy_load(path, &derr);
	assert_null(dp);
	assert_error(derr, TG_POLICY_ERROR, TG_POLICY_ERROR_PERMISSION);
	assert_true(g_str_has_prefix(derr->message, confd));
	tg_test_rmtree(dir);
}

static void test_file_problems(void **state)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) err2 = NULL;
	g_autoptr(GError) err3 = NULL;
	g_autoptr(TgPolicy) p = tg_policy_load("/nonexistent/tollgate/tollgate.conf", &err);
	g_autoptr(TgPolicy) p2 = NULL;
	g_autoptr(TgPolicy) p3 = NULL;
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", MODEL);
	g_autofree gchar *confd = write_policy(dir, "conf.d", "not a directory\n");
	g_autofree gchar *sub = NULL;

	assert_null(p);
	assert_error(err, TG_POLICY_ERROR, TG_POLICY_ERROR_IO);
	assert_contains(err->message, "/nonexistent/tollgate/tollgate.conf");
	assert_contains(err->message, "check that it exists");

	p2 = tg_policy_load(path, &err2);
	assert_null(p2);
	assert_error(err2, TG_POLICY_ERROR, TG_POLICY_ERROR_IO);
	assert_contains(err2->message, confd);

	assert_int_equal(g_unlink(confd), 0);
	g_free(make_confd(dir));
	sub = g_build_filename(confd, "dir.conf", NULL);
	assert_int_equal(g_mkdir(sub, 0755), 0);
	p3 = tg_policy_load(path, &err3);
	assert_null(p3);
	assert_error(err3, TG_POLICY_ERROR, TG_POLICY_ERROR_IO);
	assert_contains(err3->message, "dir.conf is not a regular file");
	tg_test_rmtree(dir);
}

/* SHA-256 of each name, a NUL and the bytes, computed independently. */
static gchar *expected_hash(const char *const *names, const char *const *texts, guint n)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gchar *hex;

	for (guint i = 0; i < n; i++) {
		g_checksum_update(sum, (const guchar *)names[i], (gssize)strlen(names[i]) + 1);
		g_checksum_update(sum, (const guchar *)texts[i], (gssize)strlen(texts[i]));
	}
	hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return hex;
}

static void test_hash(void **state)
{
	static const char drop_text[] = "[support]\nwarn-days = 5\n";
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = load_text(MODEL, &err);
	g_autoptr(TgPolicy) changed = load_text(MODEL "\n", &err);
	g_autoptr(TgPolicy) fp = NULL;
	const char *one_name[] = { INLINE };
	const char *one_text[] = { MODEL };
	g_autofree gchar *one = expected_hash(one_name, one_text, 1);
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *path = write_policy(dir, "tollgate.conf", MODEL);
	g_autofree gchar *confd = make_confd(dir);
	g_autofree gchar *drop = write_policy(confd, "10-a.conf", drop_text);
	const char *two_name[] = { path, drop };
	const char *two_text[] = { MODEL, drop_text };
	g_autofree gchar *two = expected_hash(two_name, two_text, 2);

	assert_no_error(err);
	assert_string_equal(p->hash, one);
	assert_string_not_equal(changed->hash, p->hash);
	fp = tg_policy_load(path, &err);
	assert_no_error(err);
	assert_string_equal(fp->hash, two);
	tg_test_rmtree(dir);
}

static void test_device_id(void **state)
{
	g_autofree gchar *dir = tg_test_mkdtemp();
	g_autofree gchar *idf = tg_test_write(dir, "machine-id", "  4f1c2a\nsecond line\n");
	g_autofree gchar *empty = tg_test_write(dir, "empty", "\n");
	g_autofree gchar *missing = g_build_filename(dir, "missing", NULL);
	g_autofree gchar *t1 = g_strdup_printf(MODEL "device-id-file = %s\n", idf);
	g_autofree gchar *t2 = g_strdup_printf(MODEL "device-id-file = %s\n", empty);
	g_autofree gchar *t3 = g_strdup_printf(MODEL "device-id-file = %s\n", missing);
	struct {
		const char *text;
		const char *id;
	} cases[] = {
		{ MODEL "device-id = SN-0042\n", "SN-0042" },
		{ t1, "4f1c2a" },
		{ t2, "unknown" },
		{ t3, "unknown" },
		{ MODEL, "unknown" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgPolicy) p = load_text(cases[i].text, &err);
		g_autofree gchar *id = NULL;

		assert_no_error(err);
		id = tg_policy_device_id(p);
		assert_string_equal(id, cases[i].id);
	}
	tg_test_rmtree(dir);
}

static void test_class_index(void **state)
{
	assert_int_equal(tg_policy_class_index(TG_CLASS_SECURITY), 0);
	assert_int_equal(tg_policy_class_index(TG_CLASS_FEATURE), 1);
	assert_int_equal(tg_policy_class_index(TG_CLASS_MIXED), 1);
	assert_int_equal(tg_policy_class_index(TG_CLASS_UNSET), 1);
	tg_policy_free(NULL);
}

static void check_example(const TgPolicy *p)
{
	assert_string_equal(p->model, "Acme HomeHub 2");
	assert_non_null(p->support_end);
	assert_int_equal(g_date_time_get_year(p->support_end), 2031);
	assert_true(p->classes[1].window.enabled);
	assert_int_equal(p->classes[1].window.days, 0x1f);
	assert_string_equal(p->classes[1].window.tz_name, "Europe/Berlin");
	assert_int_equal(p->version_source, TG_VERSION_SOURCE_OS_RELEASE);
	assert_string_equal(p->version_key, "VERSION_ID");
	assert_int_equal(p->checkpoint_every, 100);
}

/* The shipped example loads, from its text and as a file with drop-ins. */
static void test_example_consumer(void **state)
{
	const char *src = g_getenv("TG_SOURCE_DIR");
	g_autofree gchar *example = g_build_filename(src ? src : ".", "examples", "policies",
						     "consumer.conf", NULL);
	g_autofree gchar *text = NULL;
	g_autofree gchar *dir = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(TgPolicy) p = NULL;
	g_autoptr(TgPolicy) fp = NULL;

	if (!have_zone("Europe/Berlin"))
		skip();
	if (!g_file_get_contents(example, &text, NULL, &err))
		fail_msg("cannot read the example: %s", err->message);
	p = load_text(text, &err);
	if (!p)
		fail_msg("%s", err->message);
	check_example(p);
	/* Copied, since a checkout may be group-writable (umask 002). */
	dir = tg_test_mkdtemp();
	path = write_policy(dir, "tollgate.conf", text);
	fp = tg_policy_load(path, &err);
	if (!fp)
		fail_msg("%s", err->message);
	check_example(fp);
	tg_test_rmtree(dir);
}

/* Every fuzz seed (including inputs that once crashed the fuzzer) either
 * loads or fails with a policy error naming the file; GLib warnings are
 * fatal in this program. */
static void test_fuzz_corpus(void **state)
{
	const char *src = g_getenv("TG_SOURCE_DIR");
	g_autofree gchar *dir = g_build_filename(src ? src : ".", "tests", "fuzz", "corpus",
						 "policy", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0, loaded = 0;

	assert_non_null(d);
	while ((name = g_dir_read_name(d))) {
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		g_autofree gchar *data = NULL;
		g_autoptr(GError) err = NULL;
		g_autoptr(TgPolicy) p = NULL;
		gsize len = 0;

		if (!g_file_get_contents(path, &data, &len, NULL))
			fail_msg("cannot read %s", path);
		p = tg_policy_load_data(name, data, len, &err);
		if ((p == NULL) == (err == NULL))
			fail_msg("%s: a policy and an error must not come together", name);
		if (err && (err->domain != TG_POLICY_ERROR || !g_str_has_prefix(err->message, name)))
			fail_msg("%s: unexpected error '%s'", name, err->message);
		if (p && p->classes[1].window.enabled && p->classes[1].window.end_minute == 0)
			fail_msg("%s: a window ends at minute 0", name);
		n++;
		loaded += p != NULL;
	}
	assert_true(n >= 10);
	assert_true(loaded >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_group),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_boolean),
		cmocka_unit_test(test_bad_uint),
		cmocka_unit_test(test_bad_enum),
		cmocka_unit_test(test_bad_date),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_bad_time_zone),
		cmocka_unit_test(test_bad_window),
		cmocka_unit_test(test_missing_model),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_policy),
		cmocka_unit_test(test_window_values),
		cmocka_unit_test(test_time_zone),
		cmocka_unit_test(test_extra_groups),
		cmocka_unit_test(test_dropin_override),
		cmocka_unit_test(test_dropin_order),
		cmocka_unit_test(test_dropin_error_file),
		cmocka_unit_test(test_world_writable_file),
		cmocka_unit_test(test_group_writable_confd),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_file_problems),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_device_id),
		cmocka_unit_test(test_class_index),
		cmocka_unit_test(test_example_consumer),
		cmocka_unit_test(test_fuzz_corpus),
	};

	umask(022);
	g_log_set_always_fatal(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
