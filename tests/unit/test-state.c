/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* State store: round trip, tamper detection, crash safety, locking and the
 * strictness of the body parser. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "tg-config.h"
#include "tg-test.h"
#include "tg-crypto.h"
#include "tg-io.h"
#include "state-private.h"

typedef struct {
	gchar *tmp;
	gchar *dir;	/* state directory, tmp/state */
	gchar *key;	/* key file, tmp/key (outside the state directory) */
	gchar *path;	/* tmp/state/state */
} Fixture;

static int setup(void **data)
{
	g_autoptr(GError) err = NULL;
	Fixture *f = g_new0(Fixture, 1);

	f->tmp = tg_test_mkdtemp();
	f->dir = g_build_filename(f->tmp, "state", NULL);
	f->key = g_build_filename(f->tmp, "key", NULL);
	f->path = g_build_filename(f->dir, TG_STATE_FILE, NULL);
	if (!tg_state_ensure_key(f->key, &err))
		fail_msg("cannot create the key: %s", err->message);
	*data = f;
	return 0;
}

static int teardown(void **data)
{
	Fixture *f = *data;

	g_unsetenv("TOLLGATE_FAULT");
	tg_io_reset_faults();
	tg_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f->dir);
	g_free(f->key);
	g_free(f->path);
	g_free(f);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static GDateTime *utc(gint year, gint month, gint day, gint hour, gdouble seconds)
{
	return g_date_time_new_utc(year, month, day, hour, 0, seconds);
}

static TgStateStore *open_store(const char *dir, const char *key)
{
	g_autoptr(GError) err = NULL;
	TgStateStore *store = tg_state_store_open(dir, key, &err);

	assert_no_error(err);
	assert_non_null(store);
	return store;
}

static void write_ok(TgStateStore *store, const TgState *state)
{
	g_autoptr(GError) err = NULL;
	gboolean ok = tg_state_store_write(store, state, &err);

	assert_no_error(err);
	assert_true(ok);
}

static TgState *read_ok(TgStateStore *store)
{
	g_autoptr(GError) err = NULL;
	TgState *state = tg_state_store_read(store, &err);

	assert_no_error(err);
	assert_non_null(state);
	return state;
}

/* Reads the store and expects @code; returns the message. */
static gchar *read_fails(TgStateStore *store, gint code)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgState) state = tg_state_store_read(store, &err);

	assert_null(state);
	assert_error(err, TG_STATE_ERROR, code);
	return g_strdup(err->message);
}

static gchar *slurp(const char *path, gsize *ret_len)
{
	g_autoptr(GError) err = NULL;
	gchar *data = NULL;

	if (!g_file_get_contents(path, &data, ret_len, &err))
		fail_msg("cannot read %s: %s", path, err->message);
	return data;
}

/* Overwrites @path in place, keeping its mode. */
static void overwrite(const char *path, const void *data, gsize len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static guint count_temps(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d && (name = g_dir_read_name(d)))
		n += g_str_has_prefix(name, TG_STATE_FILE ".tmp.");
	return n;
}

static TgState *simple_state(const char *floor)
{
	TgState *state = tg_state_new();
	TgComponentState *c = tg_state_component(state, "rootfs", TRUE);

	c->floor = g_strdup(floor);
	c->installed = g_strdup(floor);
	state->initialized = TRUE;
	return state;
}

static TgState *full_state(void)
{
	TgState *state = tg_state_new();
	TgComponentState *c = tg_state_component(state, "rootfs", TRUE);
	g_autoptr(GTimeZone) plus2 = g_time_zone_new_offset(2 * 3600);
	g_autoptr(GDateTime) when1 = utc(2025, 3, 1, 8, 0);
	g_autoptr(GDateTime) when2 = utc(2025, 3, 2, 9, 30.25);
	guint notices[] = { 90, 30, 7 };

	c->floor = g_strdup("1.2.0");
	c->installed = g_strdup("1.2.3");
	c->security_floor = g_strdup("1.1.0");
	c->pending = g_strdup("1.3.0");
	c->pending_class = TG_CLASS_SECURITY;
	c->pending_digest = g_strdup("sha256:5d41402abc4b2a76b9719d911017c592");
	tg_state_component(state, "bootloader", TRUE)->floor = g_strdup("2024.1");
	state->support_end = utc(2030, 12, 31, 23, 59);
	state->pending_support_end = utc(2032, 6, 30, 0, 0);
	/* Not UTC and with microseconds: stored as UTC, same instant. */
	state->last_trusted_time = g_date_time_new(plus2, 2025, 4, 5, 6, 7, 8.123456);
	state->postpone[0].until = utc(2025, 4, 6, 0, 0);
	state->postpone[0].since = utc(2025, 4, 5, 0, 0);
	state->postpone[1].until = utc(2025, 5, 1, 0, 0);
	tg_state_add_approval(state, "sha256:aa", "1.3.0", when1);
	tg_state_add_approval(state, NULL, "1.4.0", when2);
	state->auto_install[0] = 1;
	state->auto_install[1] = 0;
	state->notifications = 0;
	g_array_append_vals(state->support_notices_sent, notices, G_N_ELEMENTS(notices));
	state->last_decision = g_strdup("{\"verdict\":\"allow\",\"checks\":"
					"[{\"id\":\"rollback\",\"outcome\":\"pass\"}]}");
	state->initialized = TRUE;
	return state;
}

static void assert_date(GDateTime *got, gint year, gint month, gint day, gint hour,
			gint minute, gdouble seconds)
{
	g_autoptr(GDateTime) want = g_date_time_new_utc(year, month, day, hour, minute, seconds);

	assert_non_null(got);
	if (!g_date_time_equal(got, want)) {
		g_autofree gchar *a = g_date_time_format_iso8601(got);
		g_autofree gchar *b = g_date_time_format_iso8601(want);

		fail_msg("date %s is not %s", a, b);
	}
	assert_int_equal(g_date_time_get_utc_offset(got), 0);
}

/* Checks every member full_state() sets. */
static void assert_full_state(const TgState *s)
{
	TgComponentState *c = tg_state_component((TgState *)s, "rootfs", FALSE);
	TgComponentState *boot = tg_state_component((TgState *)s, "bootloader", FALSE);
	const TgApproval *a0, *a1;

	assert_int_equal(g_hash_table_size(s->components), 2);
	assert_non_null(c);
	assert_string_equal(c->floor, "1.2.0");
	assert_string_equal(c->installed, "1.2.3");
	assert_string_equal(c->security_floor, "1.1.0");
	assert_string_equal(c->pending, "1.3.0");
	assert_int_equal(c->pending_class, TG_CLASS_SECURITY);
	assert_string_equal(c->pending_digest, "sha256:5d41402abc4b2a76b9719d911017c592");
	assert_non_null(boot);
	assert_string_equal(boot->floor, "2024.1");
	assert_null(boot->installed);
	assert_null(boot->pending);
	assert_int_equal(boot->pending_class, TG_CLASS_UNSET);
	assert_date(s->support_end, 2030, 12, 31, 23, 0, 59);
	assert_date(s->pending_support_end, 2032, 6, 30, 0, 0, 0);
	assert_date(s->last_trusted_time, 2025, 4, 5, 4, 7, 8.123456);
	assert_date(s->postpone[0].until, 2025, 4, 6, 0, 0, 0);
	assert_date(s->postpone[0].since, 2025, 4, 5, 0, 0, 0);
	assert_date(s->postpone[1].until, 2025, 5, 1, 0, 0, 0);
	assert_null(s->postpone[1].since);
	assert_int_equal(s->approvals->len, 2);
	a0 = g_ptr_array_index(s->approvals, 0);
	a1 = g_ptr_array_index(s->approvals, 1);
	assert_string_equal(a0->digest, "sha256:aa");
	assert_string_equal(a0->version, "1.3.0");
	assert_date(a0->when, 2025, 3, 1, 8, 0, 0);
	assert_null(a1->digest);
	assert_string_equal(a1->version, "1.4.0");
	assert_date(a1->when, 2025, 3, 2, 9, 0, 30.25);
	assert_int_equal(s->auto_install[0], 1);
	assert_int_equal(s->auto_install[1], 0);
	assert_int_equal(s->notifications, 0);
	assert_int_equal(s->support_notices_sent->len, 3);
	assert_int_equal(g_array_index(s->support_notices_sent, guint, 0), 90);
	assert_int_equal(g_array_index(s->support_notices_sent, guint, 1), 30);
	assert_int_equal(g_array_index(s->support_notices_sent, guint, 2), 7);
	assert_string_equal(s->last_decision, "{\"verdict\":\"allow\",\"checks\":"
			    "[{\"id\":\"rollback\",\"outcome\":\"pass\"}]}");
	assert_true(s->initialized);
}

/* ---- round trip ------------------------------------------------------- */

static void test_round_trip(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = full_state();
	g_autoptr(TgState) back = NULL;
	g_autofree gchar *text1 = NULL, *text2 = NULL, *file = NULL;
	struct stat st;

	write_ok(store, state);
	back = read_ok(store);
	assert_full_state(back);
	/* Equal states serialize to equal bytes. */
	text1 = tg_state_to_json(state);
	text2 = tg_state_to_json(back);
	assert_string_equal(text1, text2);
	/* Header, then the body; the decision is embedded, not a string. */
	file = slurp(f->path, NULL);
	assert_true(g_str_has_prefix(file, "tollgate-state 1 "));
	assert_string_equal(strchr(file, '\n') + 1, text1);
	assert_contains(file, "\"last_decision\" : {");
	assert_contains(file, "\"last_trusted_time\" : \"2025-04-05T04:07:08.123456Z\"");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_round_trip_empty(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = tg_state_new();
	g_autoptr(TgState) back = NULL;

	write_ok(store, state);
	back = read_ok(store);
	assert_int_equal(g_hash_table_size(back->components), 0);
	assert_null(back->support_end);
	assert_null(back->last_trusted_time);
	assert_null(back->postpone[0].until);
	assert_int_equal(back->approvals->len, 0);
	assert_int_equal(back->auto_install[0], -1);
	assert_int_equal(back->auto_install[1], -1);
	assert_int_equal(back->notifications, -1);
	assert_int_equal(back->support_notices_sent->len, 0);
	assert_null(back->last_decision);
	assert_false(back->initialized);
}

/* A second write replaces the first. */
static void test_overwrite(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) a = simple_state("1.0.0");
	g_autoptr(TgState) b = simple_state("2.0.0");
	g_autoptr(TgState) back = NULL;

	write_ok(store, a);
	write_ok(store, b);
	back = read_ok(store);
	assert_string_equal(tg_state_component(back, "rootfs", FALSE)->floor, "2.0.0");
	assert_int_equal(count_temps(f->dir), 0);
}

/* ---- tamper, key and file checks --------------------------------------- */

static void test_tamper_floor(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = full_state();
	g_autofree gchar *file = NULL, *msg = NULL;
	gchar *floor;
	gsize len;

	write_ok(store, state);
	file = slurp(f->path, &len);
	floor = strstr(file, "\"floor\" : \"1.2.0\"");
	assert_non_null(floor);
	memcpy(floor + strlen("\"floor\" : \"1."), "0", 1);
	assert_non_null(strstr(file, "\"floor\" : \"1.0.0\""));
	overwrite(f->path, file, len);
	msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
	assert_contains(msg, "does not match its HMAC");
	assert_contains(msg, f->path);
	assert_contains(msg, "tollgate state reseed --installed VERSION");
}

static void test_tamper_header(void **data)
{
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "tollgate-state 1 ", "tollgate-state 2 " },
		{ "tollgate-state 1 ", "tollgate-state  1" },
		{ "tollgate-state", "TOLLGATE-STATE" },
	};
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = simple_state("1.0.0");

	for (gsize i = 0; i < G_N_ELEMENTS(edits); i++) {
		g_autofree gchar *file = NULL, *msg = NULL;
		gsize len;

		write_ok(store, state);
		file = slurp(f->path, &len);
		memcpy(file, edits[i].to, strlen(edits[i].from));
		overwrite(f->path, file, len);
		msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
		assert_contains(msg, "header");
		assert_contains(msg, "tollgate state reseed");
	}
}

static void test_tamper_hmac_case(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = simple_state("1.0.0");
	g_autofree gchar *file = NULL, *msg = NULL;
	gsize len;

	write_ok(store, state);
	file = slurp(f->path, &len);
	/* Upper-case hex is not what tollgate writes: refused. */
	for (gchar *p = file + strlen("tollgate-state 1 "); *p != '\n'; p++)
		*p = g_ascii_toupper(*p);
	overwrite(f->path, file, len);
	msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
	assert_contains(msg, "header");
}

static void test_truncated(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = full_state();
	g_autofree gchar *file = NULL;
	gsize len;
	gsize cuts[4];

	write_ok(store, state);
	file = slurp(f->path, &len);
	cuts[0] = len - 1;	/* body without its last byte */
	cuts[1] = len / 2;
	cuts[2] = 30;		/* inside the header */
	cuts[3] = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_autofree gchar *msg = NULL;

		overwrite(f->path, file, cuts[i]);
		msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
		assert_contains(msg, "tollgate state reseed");
	}
}

static void test_wrong_key(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *other = g_build_filename(f->tmp, "other-key", NULL);
	g_autoptr(TgState) state = simple_state("1.0.0");
	g_autoptr(GError) err = NULL;
	g_autofree gchar *msg = NULL;

	{
		g_autoptr(TgStateStore) store = open_store(f->dir, f->key);

		write_ok(store, state);
	}
	assert_true(tg_state_ensure_key(other, &err));
	{
		g_autoptr(TgStateStore) store = open_store(f->dir, other);

		msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
		assert_contains(msg, "does not match its HMAC");
	}
}

static void test_missing_key(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *none = g_build_filename(f->tmp, "no-such-key", NULL);
	g_autoptr(TgState) state = simple_state("1.0.0");
	g_autoptr(GError) err = NULL;
	g_autofree gchar *msg = NULL;

	{
		g_autoptr(TgStateStore) store = open_store(f->dir, f->key);

		write_ok(store, state);
	}
	{
		/* Opening does not need the key; reading and writing do. */
		g_autoptr(TgStateStore) store = open_store(f->dir, none);

		msg = read_fails(store, TG_STATE_ERROR_KEY);
		assert_contains(msg, none);
		assert_false(tg_state_store_write(store, state, &err));
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_KEY);
	}
	{
		g_autoptr(TgStateStore) store = open_store(f->dir, NULL);
		g_autofree gchar *msg2 = read_fails(store, TG_STATE_ERROR_KEY);

		assert_contains(msg2, "no state key file");
	}
}

static void test_missing_state(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autofree gchar *msg = read_fails(store, TG_STATE_ERROR_MISSING);

	assert_contains(msg, f->path);
}

static void test_symlinked_state(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *real = g_build_filename(f->tmp, "real-state", NULL);
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) a = simple_state("1.0.0");
	g_autoptr(TgState) b = simple_state("2.0.0");
	g_autoptr(GError) err = NULL;
	g_autofree gchar *msg = NULL, *before = NULL, *after = NULL;

	write_ok(store, a);
	assert_int_equal(rename(f->path, real), 0);
	assert_int_equal(symlink(real, f->path), 0);
	/* The link points at a valid state file, and is still refused. */
	msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
	assert_contains(msg, "symlink");
	before = slurp(real, NULL);
	assert_false(tg_state_store_write(store, b, &err));
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_IO);
	after = slurp(real, NULL);
	assert_string_equal(before, after);
}

static void test_state_mode(void **data)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660 };
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = simple_state("1.0.0");

	write_ok(store, state);
	for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
		g_autofree gchar *msg = NULL;

		assert_int_equal(chmod(f->path, modes[i]), 0);
		msg = read_fails(store, TG_STATE_ERROR_TAMPERED);
		assert_contains(msg, "chmod 600");
	}
	assert_int_equal(chmod(f->path, 0400), 0);
	{
		g_autoptr(TgState) back = read_ok(store);

		assert_string_equal(tg_state_component(back, "rootfs", FALSE)->floor, "1.0.0");
	}
}

/* A body with a valid HMAC that the parser refuses is CORRUPT, not TAMPERED. */
static void test_corrupt_body(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) state = simple_state("1.0.0");
	g_autoptr(GBytes) key = NULL;
	g_autoptr(GError) err = NULL;
	const char *body = "{\"format\":1,\"bogus\":true}\n";
	char mac[TG_SHA256_HEX_LEN + 1];
	g_autofree gchar *file = NULL, *msg = NULL;
	gsize key_len;
	const guint8 *key_data;

	write_ok(store, state);
	key = tg_read_key_file(f->key, &err);
	assert_no_error(err);
	key_data = g_bytes_get_data(key, &key_len);
	assert_true(tg_hmac_sha256_hex(key_data, key_len, body, strlen(body), mac, &err));
	file = g_strdup_printf("tollgate-state 1 %s\n%s", mac, body);
	overwrite(f->path, file, strlen(file));
	msg = read_fails(store, TG_STATE_ERROR_CORRUPT);
	assert_contains(msg, "'bogus'");
	assert_contains(msg, "tollgate state reseed");
}

static void test_dir_checks(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *link = g_build_filename(f->tmp, "link", NULL);
	g_autofree gchar *open_dir = g_build_filename(f->tmp, "open", NULL);
	g_autofree gchar *deep = g_build_filename(f->tmp, "a", "b", "c", NULL);
	struct stat st;

	assert_int_equal(g_mkdir(open_dir, 0700), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	assert_int_equal(symlink(open_dir, link), 0);
	{
		g_autoptr(GError) err = NULL;
		g_autoptr(TgStateStore) store = tg_state_store_open(link, f->key, &err);

		assert_null(store);
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_IO);
		assert_contains(err->message, "symlink");
	}
	{
		g_autoptr(GError) err = NULL;
		g_autoptr(TgStateStore) store = tg_state_store_open(open_dir, f->key, &err);

		assert_null(store);
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_IO);
		assert_contains(err->message, "chmod 700");
	}
	{
		g_autoptr(TgStateStore) store = open_store(deep, f->key);
		g_autofree gchar *lock = g_build_filename(deep, TG_STATE_LOCK, NULL);

		assert_int_equal(stat(deep, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0700);
		assert_int_equal(lstat(lock, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0600);
	}
}

/* The store refuses to write what it could not read back. */
static void test_write_refuses_invalid(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = open_store(f->dir, f->key);
	g_autoptr(TgState) good = simple_state("1.0.0");
	g_autoptr(TgState) bad = simple_state("2.0.0");
	g_autoptr(TgState) back = NULL;
	g_autoptr(GError) err = NULL;

	write_ok(store, good);
	bad->last_decision = g_strdup("[1, 2]");
	assert_null(tg_state_to_json(bad));
	assert_false(tg_state_store_write(store, bad, &err));
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
	assert_contains(err->message, "last_decision");
	g_clear_error(&err);
	g_clear_pointer(&bad->last_decision, g_free);
	for (guint i = 0; i < TG_STATE_MAX_COMPONENTS; i++) {
		g_autofree gchar *name = g_strdup_printf("c%u", i);

		tg_state_component(bad, name, TRUE);
	}
	assert_false(tg_state_store_write(store, bad, &err));
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
	assert_contains(err->message, "at most 64");
	back = read_ok(store);
	assert_string_equal(tg_state_component(back, "rootfs", FALSE)->floor, "1.0.0");
}

/* ---- key file ------------------------------------------------------- */

static void test_ensure_key(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *key = g_build_filename(f->tmp, "etc", "tollgate", "state.key", NULL);
	g_autofree gchar *first = NULL, *second = NULL;
	g_autoptr(GError) err = NULL;
	gsize len1, len2;
	struct stat st;

	assert_true(tg_state_ensure_key(key, &err));
	assert_no_error(err);
	assert_int_equal(lstat(key, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	first = slurp(key, &len1);
	assert_int_equal(len1, 32);
	/* Present: checked, not replaced. */
	assert_true(tg_state_ensure_key(key, &err));
	second = slurp(key, &len2);
	assert_int_equal(len2, 32);
	assert_memory_equal(first, second, 32);
}

/* A key creation killed before its link leaves state.key.tmp.<pid>; the
 * next creation removes it. */
static void test_ensure_key_stale_temp(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *dir = g_build_filename(f->tmp, "keys", NULL);
	g_autofree gchar *key = g_build_filename(dir, "state.key", NULL);
	g_autofree gchar *stale = NULL;
	g_autoptr(GError) err = NULL;
	pid_t dead = tg_test_dead_pid();

	assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
	stale = g_strdup_printf("%s.tmp.%d", key, (int)dead);
	assert_true(g_file_set_contents(stale, "half a key", -1, NULL));
	assert_true(tg_state_ensure_key(key, &err));
	assert_no_error(err);
	assert_true(g_file_test(key, G_FILE_TEST_IS_REGULAR));
	assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
}

static void test_ensure_key_refuses(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *open_key = tg_test_write(f->tmp, "open-key",
						   "0123456789abcdef0123456789abcdef");
	g_autofree gchar *short_key = tg_test_write(f->tmp, "short-key", "abcd");
	g_autofree gchar *link = g_build_filename(f->tmp, "link-key", NULL);
	g_autofree gchar *dir_key = g_build_filename(f->tmp, "dir-key", NULL);
	const struct {
		const char *path;
		const char *message;
	} cases[] = {
		{ open_key, "chmod 600" },
		{ short_key, "fewer than the 16 required" },
		{ link, "cannot open key file" },
		{ dir_key, "regular file" },
	};

	assert_int_equal(chmod(open_key, 0644), 0);
	assert_int_equal(chmod(short_key, 0600), 0);
	assert_int_equal(symlink(f->key, link), 0);
	assert_int_equal(g_mkdir(dir_key, 0700), 0);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;

		assert_false(tg_state_ensure_key(cases[i].path, &err));
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_KEY);
		assert_contains(err->message, cases[i].path);
		assert_contains(err->message, cases[i].message);
	}
}

static void test_fresh_keys_differ(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *other = g_build_filename(f->tmp, "other", NULL);
	g_autofree gchar *a = NULL, *b = NULL;
	g_autoptr(GError) err = NULL;

	assert_true(tg_state_ensure_key(other, &err));
	a = slurp(f->key, NULL);
	b = slurp(other, NULL);
	assert_memory_not_equal(a, b, 32);
}

/* ---- approvals and components --------------------------------------- */

static void test_add_approval(void **data)
{
	g_autoptr(TgState) state = tg_state_new();
	g_autoptr(GDateTime) base = utc(2025, 1, 1, 0, 0);
	g_autoptr(GDateTime) ancient = utc(2000, 1, 1, 0, 0);
	g_autoptr(GDateTime) late = utc(2026, 1, 1, 0, 0);
	const TgApproval *a;

	for (guint i = 0; i < 70; i++) {
		g_autoptr(GDateTime) when = g_date_time_add_minutes(base, i);
		g_autofree gchar *digest = g_strdup_printf("sha256:%02u", i);

		tg_state_add_approval(state, digest, "1.0.0", when);
	}
	assert_int_equal(state->approvals->len, TG_STATE_MAX_APPROVALS);
	a = g_ptr_array_index(state->approvals, 0);
	assert_string_equal(a->digest, "sha256:06");	/* 00..05 were dropped */
	a = g_ptr_array_index(state->approvals, 63);
	assert_string_equal(a->digest, "sha256:69");
	/* Refreshing an existing approval does not duplicate it. */
	tg_state_add_approval(state, "sha256:06", "1.0.1", late);
	assert_int_equal(state->approvals->len, TG_STATE_MAX_APPROVALS);
	a = g_ptr_array_index(state->approvals, 0);
	assert_string_equal(a->version, "1.0.1");
	assert_true(g_date_time_equal(a->when, late));
	/* An approval older than all others is the one dropped. */
	tg_state_add_approval(state, "sha256:old", NULL, ancient);
	assert_int_equal(state->approvals->len, TG_STATE_MAX_APPROVALS);
	for (guint i = 0; i < state->approvals->len; i++) {
		a = g_ptr_array_index(state->approvals, i);
		assert_string_not_equal(a->digest, "sha256:old");
	}
	/* Version-only approvals match by version. */
	tg_state_add_approval(state, NULL, "9.9.9", late);
	tg_state_add_approval(state, NULL, "9.9.9", late);
	{
		guint n = 0;

		for (guint i = 0; i < state->approvals->len; i++) {
			a = g_ptr_array_index(state->approvals, i);
			n += !a->digest && g_strcmp0(a->version, "9.9.9") == 0;
		}
		assert_int_equal(n, 1);
	}
}

static void test_component(void **data)
{
	g_autoptr(TgState) state = tg_state_new();
	TgComponentState *c;

	assert_null(tg_state_component(state, "rootfs", FALSE));
	c = tg_state_component(state, "rootfs", TRUE);
	assert_non_null(c);
	assert_null(c->floor);
	assert_int_equal(c->pending_class, TG_CLASS_UNSET);
	assert_ptr_equal(tg_state_component(state, "rootfs", FALSE), c);
	assert_ptr_equal(tg_state_component(state, "rootfs", TRUE), c);
	assert_int_equal(g_hash_table_size(state->components), 1);
}

/* ---- crash safety (fault injection) ----------------------------------- */

static gboolean fault_injection_available(void)
{
	if (TG_FAULT_INJECTION)
		return TRUE;
	print_message("fault injection is compiled out; reconfigure with "
		      "-Dfault_injection=true to run this test\n");
	return FALSE;
}

static void set_fault(const char *spec)
{
	if (spec)
		g_setenv("TOLLGATE_FAULT", spec, TRUE);
	else
		g_unsetenv("TOLLGATE_FAULT");
	tg_io_reset_faults();
}

/* In a child: writes A, then B with @spec armed. Exit 0 = B written. */
G_GNUC_NORETURN static void crash_child(const char *dir, const char *key, const char *spec)
{
	g_autoptr(TgStateStore) store = NULL;
	g_autoptr(TgState) a = simple_state("1.0.0");
	g_autoptr(TgState) b = simple_state("2.0.0");

	set_fault(NULL);
	store = tg_state_store_open(dir, key, NULL);
	if (!store || !tg_state_store_write(store, a, NULL))
		_exit(3);
	set_fault(spec);
	if (!tg_state_store_write(store, b, NULL))
		_exit(4);
	_exit(0);
}

/* Runs one crash; returns the floor found afterwards. Sets *ret_killed. */
static gchar *run_crash(const Fixture *f, const char *dir, const char *spec,
			gboolean *ret_killed)
{
	g_autoptr(TgStateStore) store = NULL;
	g_autoptr(TgState) back = NULL;
	g_autoptr(TgState) c = simple_state("3.0.0");
	g_autofree gchar *text = NULL, *want = NULL;
	gboolean rolled = TRUE;
	int status = 0;
	pid_t pid = tg_test_fork_child();

	if (pid == 0)
		crash_child(dir, f->key, spec);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		*ret_killed = TRUE;
	} else {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("%s: child failed with status %d", spec, status);
		*ret_killed = FALSE;
	}
	store = open_store(dir, f->key);
	back = read_ok(store);
	/* Stale temp files go once the engine has compared state and log. */
	assert_true(tg_state_store_finish_open(store, NULL, &rolled, NULL));
	assert_false(rolled);
	assert_int_equal(count_temps(dir), 0);
	/* Exactly A or exactly B, member for member. */
	text = tg_state_to_json(back);
	{
		g_autoptr(TgState) a = simple_state("1.0.0");
		g_autoptr(TgState) b = simple_state("2.0.0");
		g_autofree gchar *ta = tg_state_to_json(a), *tb = tg_state_to_json(b);

		if (g_strcmp0(text, ta) != 0 && g_strcmp0(text, tb) != 0)
			fail_msg("%s: state after the crash is neither A nor B:\n%s", spec, text);
	}
	/* Whatever was left behind, the next write works. */
	write_ok(store, c);
	g_clear_pointer(&back, tg_state_free);
	back = read_ok(store);
	assert_string_equal(tg_state_component(back, "rootfs", FALSE)->floor, "3.0.0");
	want = g_strdup(strstr(text, "\"2.0.0\"") ? "2.0.0" : "1.0.0");
	return g_steal_pointer(&want);
}

static void test_crash_every_step(void **data)
{
	static const char *const ops[] = { "open", "write", "fsync", "rename" };
	Fixture *f = *data;
	gboolean killed_after_rename = FALSE;

	if (!fault_injection_available())
		skip();
	for (gsize i = 0; i < G_N_ELEMENTS(ops); i++) {
		for (guint n = 1; n <= 4; n++) {
			g_autofree gchar *spec = g_strdup_printf("%s:%u:kill", ops[i], n);
			g_autofree gchar *dir = g_strdup_printf("%s/crash-%s-%u", f->tmp, ops[i], n);
			g_autofree gchar *floor = NULL;
			gboolean killed = FALSE;

			floor = run_crash(f, dir, spec, &killed);
			/* The first open, write, fsync and rename of a replace
			 * all come before the new file is in place. */
			if (n == 1 && (!killed || !g_str_equal(floor, "1.0.0")))
				fail_msg("%s: expected a kill and state A, got %s%s", spec,
					 killed ? "a kill and " : "no kill and ", floor);
			if (!killed && !g_str_equal(floor, "2.0.0"))
				fail_msg("%s: the write completed but the state is %s", spec, floor);
			killed_after_rename |= killed && g_str_equal(floor, "2.0.0");
		}
	}
	/* A kill after the rename (directory fsync) keeps the new state. */
	assert_true(killed_after_rename);
}

static void test_errno_faults(void **data)
{
	static const struct {
		const char *spec;
		const char *message;
	} cases[] = {
		{ "write:1:ENOSPC", "No space left on device" },
		{ "fsync:1:EIO", "Input/output error" },
		{ "rename:1:EIO", "Input/output error" },
		{ "open:1:EACCES", "Permission denied" },
		{ "rename:1:EROFS", "Read-only file system" },
	};
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = NULL;
	g_autoptr(TgState) a = simple_state("1.0.0");
	g_autoptr(TgState) b = simple_state("2.0.0");

	if (!fault_injection_available())
		skip();
	store = open_store(f->dir, f->key);
	write_ok(store, a);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgState) back = NULL;

		set_fault(cases[i].spec);
		assert_false(tg_state_store_write(store, b, &err));
		set_fault(NULL);
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_IO);
		assert_contains(err->message, cases[i].message);
		assert_contains(err->message, f->dir);
		back = read_ok(store);
		assert_string_equal(tg_state_component(back, "rootfs", FALSE)->floor, "1.0.0");
		assert_int_equal(count_temps(f->dir), 0);
	}
	write_ok(store, b);
}

static void test_key_write_fault(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *key = g_build_filename(f->tmp, "new-key", NULL);
	g_autoptr(GError) err = NULL;

	if (!fault_injection_available())
		skip();
	set_fault("write:1:ENOSPC");
	assert_false(tg_state_ensure_key(key, &err));
	set_fault(NULL);
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_KEY);
	assert_contains(err->message, "No space left on device");
	/* No half-written key is left to be trusted later. */
	assert_false(g_file_test(key, G_FILE_TEST_EXISTS));
	g_clear_error(&err);
	assert_true(tg_state_ensure_key(key, &err));
}

/* A key creation killed at each of its writes leaves no key file (an empty
 * or short key would make the state unusable for good), and the next run
 * creates a working key. */
static void test_key_kill_fault(void **data)
{
	static const char *const specs[] = { "open:1:kill", "write:1:kill", "fsync:1:kill",
					     "fsync:2:kill" };
	Fixture *f = *data;

	if (!fault_injection_available())
		skip();
	for (gsize i = 0; i < G_N_ELEMENTS(specs); i++) {
		g_autofree gchar *name = g_strdup_printf("killed-key-%zu", i);
		g_autofree gchar *key = g_build_filename(f->tmp, name, NULL);
		g_autoptr(GError) err = NULL;
		int status = 0;
		pid_t pid = tg_test_fork_child();

		if (pid == 0) {
			set_fault(specs[i]);
			_exit(tg_state_ensure_key(key, NULL) ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("%s: the child was not killed (status %d)", specs[i], status);
		/* fsync:2 is the directory sync after the key is in place. */
		if (i < 3 && g_file_test(key, G_FILE_TEST_EXISTS))
			fail_msg("%s: a key file was left by the killed run", specs[i]);
		assert_true(tg_state_ensure_key(key, &err));
		assert_no_error(err);
	}
}

/* ---- locking -------------------------------------------------------- */

static gboolean lock_is_free(const char *dir)
{
	g_autofree gchar *path = g_build_filename(dir, TG_STATE_LOCK, NULL);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	gboolean free_;

	assert_true(fd >= 0);
	free_ = flock(fd, LOCK_EX | LOCK_NB) == 0;
	if (!free_)
		assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	return free_;
}

static void test_lock_in_process(void **data)
{
	Fixture *f = *data;

	{
		g_autoptr(TgStateStore) store = open_store(f->dir, f->key);

		assert_false(lock_is_free(f->dir));
	}
	assert_true(lock_is_free(f->dir));
}

static char read_byte(int fd)
{
	char c = 0;

	assert_int_equal(read(fd, &c, 1), 1);
	return c;
}

static void wait_ok(pid_t pid)
{
	int status = 0;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child %d failed with status %d", (int)pid, status);
}

/* Holder: takes the store, says 'L', waits for a byte, appends 'A' to the
 * order pipe, releases. */
G_GNUC_NORETURN static void holder_child(const Fixture *f, int ready, int release, int order)
{
	TgStateStore *store = tg_state_store_open(f->dir, f->key, NULL);
	char c;

	if (!store || write(ready, "L", 1) != 1 || read(release, &c, 1) != 1 ||
	    write(order, "A", 1) != 1)
		_exit(3);
	tg_state_store_close(store);
	_exit(0);
}

/* Waiter: sees the lock held (LOCK_NB), then blocks in open, then appends
 * 'B'. */
G_GNUC_NORETURN static void waiter_child(const Fixture *f, int ready, int order)
{
	g_autofree gchar *path = g_build_filename(f->dir, TG_STATE_LOCK, NULL);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	TgStateStore *store;

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		_exit(5);
	close(fd);
	if (write(ready, "W", 1) != 1)
		_exit(3);
	store = tg_state_store_open(f->dir, f->key, NULL);
	if (!store || write(order, "B", 1) != 1)
		_exit(4);
	tg_state_store_close(store);
	_exit(0);
}

static void test_lock_between_processes(void **data)
{
	Fixture *f = *data;
	int ready[2], release[2], order[2];
	char seen[3] = { 0 };
	pid_t holder, waiter;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	assert_int_equal(pipe(order), 0);
	holder = tg_test_fork_child();
	if (holder == 0)
		holder_child(f, ready[1], release[0], order[1]);
	assert_int_equal(read_byte(ready[0]), 'L');
	assert_false(lock_is_free(f->dir));
	waiter = tg_test_fork_child();
	if (waiter == 0)
		waiter_child(f, ready[1], order[1]);
	assert_int_equal(read_byte(ready[0]), 'W');
	assert_int_equal(write(release[1], "x", 1), 1);
	wait_ok(holder);
	wait_ok(waiter);
	close(order[1]);
	assert_int_equal(read(order[0], seen, 2), 2);
	assert_string_equal(seen, "AB");
	assert_true(lock_is_free(f->dir));
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(release[i]);
	}
	close(order[0]);
}

#define N_WRITERS 20

G_GNUC_NORETURN static void writer_child(const Fixture *f, int barrier, guint i)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *name = g_strdup_printf("c%u", i);
	TgStateStore *store;
	TgState *state;
	char c;

	if (read(barrier, &c, 1) != 0)	/* EOF: the parent let everyone go */
		_exit(2);
	store = tg_state_store_open(f->dir, f->key, NULL);
	if (!store)
		_exit(3);
	state = tg_state_store_read(store, &err);
	if (!state && g_error_matches(err, TG_STATE_ERROR, TG_STATE_ERROR_MISSING))
		state = tg_state_new();
	if (!state)
		_exit(4);
	tg_state_component(state, name, TRUE)->floor = g_strdup_printf("1.%u.0", i);
	if (!tg_state_store_write(store, state, NULL))
		_exit(5);
	tg_state_free(state);
	tg_state_store_close(store);
	_exit(0);
}

static void test_concurrent_writers(void **data)
{
	Fixture *f = *data;
	g_autoptr(TgStateStore) store = NULL;
	g_autoptr(TgState) back = NULL;
	pid_t pids[N_WRITERS];
	int barrier[2];

	assert_int_equal(pipe(barrier), 0);
	for (guint i = 0; i < N_WRITERS; i++) {
		pids[i] = tg_test_fork_child();
		if (pids[i] == 0) {
			close(barrier[1]);
			writer_child(f, barrier[0], i);
		}
	}
	close(barrier[0]);
	close(barrier[1]);
	for (guint i = 0; i < N_WRITERS; i++)
		wait_ok(pids[i]);
	store = open_store(f->dir, f->key);
	back = read_ok(store);
	assert_int_equal(g_hash_table_size(back->components), N_WRITERS);
	for (guint i = 0; i < N_WRITERS; i++) {
		g_autofree gchar *name = g_strdup_printf("c%u", i);
		g_autofree gchar *floor = g_strdup_printf("1.%u.0", i);
		TgComponentState *c = tg_state_component(back, name, FALSE);

		if (!c)
			fail_msg("component %s was lost", name);
		assert_string_equal(c->floor, floor);
	}
}

/* ---- parser strictness ------------------------------------------------ */

static gchar *many_components(guint n)
{
	GString *s = g_string_new("{\"format\":1,\"components\":{");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s\"c%u\":{\"floor\":\"1.0.%u\"}", i ? "," : "", i, i);
	g_string_append(s, "}}");
	return g_string_free(s, FALSE);
}

static gchar *many_approvals(guint n)
{
	GString *s = g_string_new("{\"format\":1,\"approvals\":[");

	for (guint i = 0; i < n; i++)
		g_string_append_printf(s, "%s{\"version\":\"1.%u\",\"when\":\"2025-01-01T00:00:00Z\"}",
				       i ? "," : "", i);
	g_string_append(s, "]}");
	return g_string_free(s, FALSE);
}

static gchar *long_floor(gsize len)
{
	g_autofree gchar *v = g_strnfill(len, '1');

	return g_strdup_printf("{\"format\":1,\"components\":{\"os\":{\"floor\":\"%s\"}}}", v);
}

static gchar *deep_decision(guint depth)
{
	GString *s = g_string_new("{\"format\":1,\"last_decision\":");

	for (guint i = 0; i < depth; i++)
		g_string_append(s, "{\"a\":");
	g_string_append(s, "1");
	for (guint i = 0; i < depth; i++)
		g_string_append_c(s, '}');
	g_string_append_c(s, '}');
	return g_string_free(s, FALSE);
}

typedef struct {
	const char *json;
	const char *message;	/* part of the expected error message */
} RejectCase;

static const RejectCase reject_cases[] = {
	{ "", "state body" },
	{ "{", "not valid JSON" },
	{ "[]", "must be a JSON object" },
	{ "{}", "'format'" },
	{ "{\"format\":2}", "'format'" },
	{ "{\"format\":\"1\"}", "'format'" },
	{ "{\"format\":1.0}", "'format'" },
	{ "{\"format\":1,\"colour\":\"red\"}", "'colour' is unknown" },
	{ "{\"format\":1,\"components\":[]}", "'components' must be a JSON object" },
	{ "{\"format\":1,\"components\":{\"os\":\"1.0\"}}", "'components.os' must be" },
	{ "{\"format\":1,\"components\":{\"os\":{\"flor\":\"1.0\"}}}",
	  "'components.os.flor' is unknown" },
	{ "{\"format\":1,\"components\":{\"os\":{\"floor\":1}}}",
	  "'components.os.floor' must be a string" },
	{ "{\"format\":1,\"components\":{\"os\":{\"floor\":null}}}",
	  "'components.os.floor' must be a string" },
	{ "{\"format\":1,\"components\":{\"os\":{\"floor\":\"\"}}}",
	  "'components.os.floor' must be 1 to 256" },
	{ "{\"format\":1,\"components\":{\"os\":{\"installed\":\"1\\n2\"}}}",
	  "'components.os.installed'" },
	{ "{\"format\":1,\"components\":{\"os\":{\"pending_class\":\"urgent\"}}}",
	  "'components.os.pending_class' must be security" },
	{ "{\"format\":1,\"components\":{\"\":{}}}", "component name" },
	{ "{\"format\":1,\"components\":{\"o\\u0001s\":{}}}", "component name" },
	{ "{\"format\":1,\"support_end\":\"yesterday\"}", "'support_end' = 'yesterday'" },
	{ "{\"format\":1,\"support_end\":\"2025-13-01T00:00:00Z\"}", "'support_end'" },
	{ "{\"format\":1,\"support_end\":\"2025-02-30T00:00:00Z\"}", "'support_end'" },
	{ "{\"format\":1,\"support_end\":\"2025-01-01T00:00:00+01:00\"}", "'support_end'" },
	{ "{\"format\":1,\"support_end\":\"2025-01-01\"}", "'support_end'" },
	{ "{\"format\":1,\"support_end\":\"2025-01-01T00:00:00.Z\"}", "'support_end'" },
	{ "{\"format\":1,\"pending_support_end\":\"2025-01-01 00:00:00Z\"}",
	  "'pending_support_end'" },
	{ "{\"format\":1,\"last_trusted_time\":5}", "'last_trusted_time' must be a string" },
	{ "{\"format\":1,\"postpone\":[]}", "'postpone' must be a JSON object" },
	{ "{\"format\":1,\"postpone\":{\"mixed\":{}}}", "'postpone.mixed' is unknown" },
	{ "{\"format\":1,\"postpone\":{\"security\":{\"till\":\"x\"}}}",
	  "'postpone.security.till' is unknown" },
	{ "{\"format\":1,\"postpone\":{\"feature\":{\"until\":\"soon\"}}}",
	  "'postpone.feature.until'" },
	{ "{\"format\":1,\"approvals\":{}}", "'approvals' must be a JSON array" },
	{ "{\"format\":1,\"approvals\":[1]}", "'approvals[0]' must be a JSON object" },
	{ "{\"format\":1,\"approvals\":[{\"digest\":\"sha256:aa\"}]}",
	  "'approvals[0]' needs 'when'" },
	{ "{\"format\":1,\"approvals\":[{\"when\":\"2025-01-01T00:00:00Z\"}]}",
	  "'approvals[0]' needs" },
	{ "{\"format\":1,\"approvals\":[{\"version\":\"1\",\"when\":\"2025-01-01T00:00:00Z\","
	  "\"who\":\"me\"}]}", "'approvals[0].who' is unknown" },
	{ "{\"format\":1,\"settings\":{\"notifications\":1}}",
	  "'settings.notifications' must be true or false" },
	{ "{\"format\":1,\"settings\":{\"auto_install_security\":\"yes\"}}",
	  "'settings.auto_install_security'" },
	{ "{\"format\":1,\"settings\":{\"auto_install\":true}}",
	  "'settings.auto_install' is unknown" },
	{ "{\"format\":1,\"support_notices_sent\":[-1]}", "'support_notices_sent[0]'" },
	{ "{\"format\":1,\"support_notices_sent\":[30,\"7\"]}", "'support_notices_sent[1]'" },
	{ "{\"format\":1,\"support_notices_sent\":[1.5]}", "'support_notices_sent[0]'" },
	{ "{\"format\":1,\"support_notices_sent\":[36501]}", "'support_notices_sent[0]'" },
	{ "{\"format\":1,\"support_notices_sent\":30}", "must be a JSON array" },
	{ "{\"format\":1,\"last_decision\":\"{}\"}", "'last_decision' must be a JSON object" },
	{ "{\"format\":1,\"last_decision\":{\"a\":[1,{\"b\":-1e400}]}}", "out of range" },
	/* json-glib reads "\333" as the byte 0xdb: not UTF-8. */
	{ "{\"format\":1,\"last_decision\":{\"a\":\"\\333\"}}", "not UTF-8" },
	{ "{\"format\":1,\"last_decision\":{\"\\333\":1}}", "not UTF-8" },
	{ "{\"format\":1,\"last_decision\":{\"a\":-8e41}}", "stored faithfully" },
	{ "{\"format\":1,\"components\":{\"c\\333\":{}}}", "component name" },
	{ "{\"format\":1,\"components\":{\"os\":{\"floor\":\"1\\333\"}}}",
	  "'components.os.floor' must be 1 to 256 bytes of UTF-8" },
	{ "{\"format\":1,\"x\\333\":1}", "is unknown" },
	{ "{\"format\":1,\"initialized\":\"yes\"}", "'initialized' must be true or false" },
};

static void assert_rejected(const RejectCase *c)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgState) state = tg_state_from_json(c->json, strlen(c->json), &err);

	if (state)
		fail_msg("accepted: %s", c->json);
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
	if (!strstr(err->message, c->message))
		fail_msg("'%s' does not contain '%s' (input %s)", err->message, c->message, c->json);
	if (!g_utf8_validate(err->message, -1, NULL))
		fail_msg("the message for %s is not UTF-8", c->json);
}

static void test_from_json_rejects(void **data)
{
	g_autofree gchar *c65 = many_components(65);
	g_autofree gchar *a65 = many_approvals(65);
	g_autofree gchar *v257 = long_floor(257);
	g_autofree gchar *deep = deep_decision(40);
	const RejectCase generated[] = {
		{ c65, "at most 64" },
		{ a65, "'approvals' has 65 entries; at most 64" },
		{ v257, "'components.os.floor' must be 1 to 256" },
		{ deep, "nests deeper" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(reject_cases); i++)
		assert_rejected(&reject_cases[i]);
	for (gsize i = 0; i < G_N_ELEMENTS(generated); i++)
		assert_rejected(&generated[i]);
}

static void test_from_json_bytes(void **data)
{
	static const char nul[] = "{\"format\":1}\0 ";
	static const char bad_utf8[] = "{\"format\":1,\"components\":{\"\xff\":{}}}";
	g_autoptr(GError) err = NULL;
	g_autoptr(TgState) s1 = tg_state_from_json(nul, sizeof(nul) - 1, &err);
	g_autoptr(TgState) s2 = NULL;

	assert_null(s1);
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
	g_clear_error(&err);
	s2 = tg_state_from_json(bad_utf8, strlen(bad_utf8), &err);
	assert_null(s2);
	assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
	assert_contains(err->message, "UTF-8");
	g_clear_error(&err);
	{
		/* json-glib decodes "\333" inside its own message to a byte that
		 * is not UTF-8; the error must still be clean text. */
		static const char octal[] = "{\"\\s\\333\"mixed\"}";
		g_autoptr(TgState) s3 = tg_state_from_json(octal, strlen(octal), &err);

		assert_null(s3);
		assert_error(err, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT);
		assert_contains(err->message, "not valid JSON");
		assert_true(g_utf8_validate(err->message, -1, NULL));
	}
}

static void test_from_json_accepts(void **data)
{
	g_autofree gchar *c64 = many_components(64);
	g_autofree gchar *a64 = many_approvals(64);
	g_autofree gchar *v256 = long_floor(256);
	g_autofree gchar *deep = deep_decision(20);
	const char *const cases[] = {
		"{\"format\":1}",
		"  {\"format\":1}\n\n",
		c64,
		a64,
		v256,
		deep,
		"{\"format\":1,\"support_end\":\"2025-01-01T00:00:00.5Z\"}",
		"{\"format\":1,\"components\":{\"os\":{}},\"postpone\":{\"security\":{}},"
		"\"settings\":{},\"approvals\":[],\"support_notices_sent\":[0,36500]}",
		"{\"format\":1,\"last_decision\":{\"x\":1.5e300,\"y\":[1,null,{\"z\":\"\\u00e9\"}]}}",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autoptr(TgState) state = tg_state_from_json(cases[i], strlen(cases[i]), &err);
		g_autoptr(TgState) again = NULL;
		g_autofree gchar *text = NULL, *text2 = NULL;

		assert_no_error(err);
		assert_non_null(state);
		/* What parses serializes and parses again to the same bytes. */
		text = tg_state_to_json(state);
		again = tg_state_from_json(text, strlen(text), &err);
		assert_no_error(err);
		text2 = tg_state_to_json(again);
		assert_string_equal(text, text2);
	}
	{
		g_autoptr(GError) err = NULL;
		g_autoptr(TgState) s = tg_state_from_json(c64, strlen(c64), &err);

		assert_int_equal(g_hash_table_size(s->components), 64);
		assert_string_equal(tg_state_component(s, "c63", FALSE)->floor, "1.0.63");
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_round_trip_empty),
		T(test_overwrite),
		T(test_tamper_floor),
		T(test_tamper_header),
		T(test_tamper_hmac_case),
		T(test_truncated),
		T(test_wrong_key),
		T(test_missing_key),
		T(test_missing_state),
		T(test_symlinked_state),
		T(test_state_mode),
		T(test_corrupt_body),
		T(test_dir_checks),
		T(test_write_refuses_invalid),
		T(test_ensure_key),
		T(test_ensure_key_stale_temp),
		T(test_ensure_key_refuses),
		T(test_fresh_keys_differ),
		T(test_add_approval),
		T(test_component),
		T(test_crash_every_step),
		T(test_errno_faults),
		T(test_key_write_fault),
		T(test_key_kill_fault),
		T(test_lock_in_process),
		T(test_lock_between_processes),
		T(test_concurrent_writers),
		T(test_from_json_rejects),
		T(test_from_json_bytes),
		T(test_from_json_accepts),
	};
#undef T

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
