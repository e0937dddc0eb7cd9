/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file-I/O seam: atomic replace and fault injection. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tg-config.h"
#include "tg-test.h"
#include "tg-io.h"

typedef struct {
	gchar *tmp;
	gchar *path;	/* tmp/file */
} Fixture;

static void set_fault(const char *spec)
{
	if (spec)
		g_setenv("TOLLGATE_FAULT", spec, TRUE);
	else
		g_unsetenv("TOLLGATE_FAULT");
	tg_io_reset_faults();
}

static int setup(void **data)
{
	Fixture *f = g_new0(Fixture, 1);

	set_fault(NULL);
	f->tmp = tg_test_mkdtemp();
	f->path = g_build_filename(f->tmp, "file", NULL);
	*data = f;
	return 0;
}

static int teardown(void **data)
{
	Fixture *f = *data;

	set_fault(NULL);
	tg_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f->path);
	g_free(f);
	return 0;
}

static gboolean fault_injection_available(void)
{
	if (TG_FAULT_INJECTION)
		return TRUE;
	print_message("fault injection is compiled out; reconfigure with "
		      "-Dfault_injection=true to run this test\n");
	return FALSE;
}

static void assert_file(const char *path, const char *want)
{
	g_autoptr(GError) err = NULL;
	g_autofree gchar *got = NULL;

	if (!g_file_get_contents(path, &got, NULL, &err))
		fail_msg("cannot read %s: %s", path, err->message);
	assert_string_equal(got, want);
}

static gboolean replace(const char *path, const char *text, GError **error)
{
	return tg_io_replace_file(path, text, strlen(text), 0600, error);
}

static void replace_ok(const char *path, const char *text)
{
	g_autoptr(GError) err = NULL;
	gboolean ok = replace(path, text, &err);

	assert_no_error(err);
	assert_true(ok);
}

/* Number of entries in @dir besides the ones named in @keep. */
static guint count_others(const char *dir, const char *const *keep)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d && (name = g_dir_read_name(d)))
		n += !g_strv_contains(keep, name);
	return n;
}

static void assert_no_temps(const char *dir)
{
	static const char *const keep[] = { "file", "target", "link", "hard", "sub", NULL };

	assert_int_equal(count_others(dir, keep), 0);
}

/* ---- tg_io_replace_file ------------------------------------------------ */

static void test_replace_creates(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;
	struct stat st;

	assert_true(tg_io_replace_file(f->path, "hello\n", 6, 0640, &err));
	assert_no_error(err);
	assert_file(f->path, "hello\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_no_temps(f->tmp);
}

/* The old file is replaced by a new inode, never rewritten in place: a
 * hard link to the old file keeps the old bytes. */
static void test_replace_is_rename(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *hard = g_build_filename(f->tmp, "hard", NULL);
	struct stat before, after;

	replace_ok(f->path, "old");
	assert_int_equal(link(f->path, hard), 0);
	assert_int_equal(stat(f->path, &before), 0);
	replace_ok(f->path, "new and longer");
	assert_int_equal(stat(f->path, &after), 0);
	assert_file(f->path, "new and longer");
	assert_file(hard, "old");
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);
	assert_no_temps(f->tmp);
}

static void test_replace_large(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *big = g_malloc(1 << 20);
	g_autofree gchar *got = NULL;
	gsize len = 0;

	for (gsize i = 0; i < (1 << 20); i++)
		big[i] = (gchar)(i * 7 + 3);
	assert_true(tg_io_replace_file(f->path, big, 1 << 20, 0600, &err));
	assert_true(g_file_get_contents(f->path, &got, &len, &err));
	assert_int_equal(len, 1 << 20);
	assert_memory_equal(got, big, 1 << 20);
}

static void test_replace_refuses_symlink(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *target = g_build_filename(f->tmp, "target", NULL);
	g_autofree gchar *link = g_build_filename(f->tmp, "link", NULL);
	g_autoptr(GError) err = NULL;
	struct stat st;

	replace_ok(target, "precious");
	assert_int_equal(symlink(target, link), 0);
	assert_false(replace(link, "evil", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
	assert_contains(err->message, link);
	assert_contains(err->message, "symlink");
	assert_file(target, "precious");
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* A dangling symlink is refused as well. */
	assert_int_equal(unlink(target), 0);
	g_clear_error(&err);
	assert_false(replace(link, "evil", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
	assert_false(g_file_test(target, G_FILE_TEST_EXISTS));
}

static void test_replace_refuses_dir(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *sub = g_build_filename(f->tmp, "sub", NULL);
	g_autofree gchar *missing = g_build_filename(f->tmp, "no", "such", "dir", NULL);
	g_autoptr(GError) err = NULL;

	assert_int_equal(g_mkdir(sub, 0700), 0);
	assert_false(replace(sub, "x", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
	g_clear_error(&err);
	assert_false(replace(missing, "x", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	assert_contains(err->message, "cannot create");
}

/* ---- fault injection -------------------------------------------------- */

static void test_fault_enospc_once(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;

	if (!fault_injection_available())
		skip();
	replace_ok(f->path, "old");
	set_fault("write:1:ENOSPC");
	assert_false(replace(f->path, "new", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
	assert_contains(err->message, "No space left on device");
	assert_contains(err->message, f->path);
	assert_file(f->path, "old");
	assert_no_temps(f->tmp);
	/* The fault fires on the first write only. */
	replace_ok(f->path, "new");
	assert_file(f->path, "new");
}

static void test_fault_nth(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;

	if (!fault_injection_available())
		skip();
	set_fault("write:2:EIO");
	replace_ok(f->path, "one");
	assert_false(replace(f->path, "two", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_FAILED);
	assert_contains(err->message, "Input/output error");
	assert_file(f->path, "one");
	replace_ok(f->path, "three");
	assert_file(f->path, "three");
}

/* Several specs: open #1 fails; the second replace uses open #2 and
 * rename #1; the third fails at rename #2. */
static void test_fault_several(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;

	if (!fault_injection_available())
		skip();
	set_fault("open:1:EACCES,rename:2:EROFS");
	assert_false(replace(f->path, "a", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
	assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	replace_ok(f->path, "b");
	g_clear_error(&err);
	assert_false(replace(f->path, "c", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
	assert_contains(err->message, "rename");
	assert_file(f->path, "b");
	assert_no_temps(f->tmp);
}

/* The directory fsync comes after the rename: the new file is in place
 * but the caller hears that it may not be durable. */
static void test_fault_dir_fsync(void **data)
{
	Fixture *f = *data;
	g_autoptr(GError) err = NULL;

	if (!fault_injection_available())
		skip();
	replace_ok(f->path, "old");
	set_fault("fsync:2:EIO");
	assert_false(replace(f->path, "new", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_FAILED);
	assert_contains(err->message, "sync the directory");
	assert_file(f->path, "new");
}

static void test_fault_wrappers(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *other = g_build_filename(f->tmp, "target", NULL);
	int fd1, fd2, fd3;

	if (!fault_injection_available())
		skip();
	set_fault("open:2:EIO,write:1:EDQUOT,fsync:1:EROFS,rename:1:EACCES");
	fd1 = tg_io_open(f->path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd1 >= 0);
	errno = 0;
	fd2 = tg_io_open(f->path, O_RDONLY, 0);
	assert_int_equal(fd2, -1);
	assert_int_equal(errno, EIO);
	fd3 = tg_io_open(f->path, O_RDONLY, 0);
	assert_true(fd3 >= 0);
	assert_int_equal(tg_io_write_all(fd1, "x", 1), -1);
	assert_int_equal(errno, EDQUOT);
	assert_int_equal(tg_io_write_all(fd1, "y", 1), 0);
	assert_int_equal(tg_io_fsync(fd1), -1);
	assert_int_equal(errno, EROFS);
	assert_int_equal(tg_io_fsync(fd1), 0);
	assert_int_equal(tg_io_rename(f->path, other), -1);
	assert_int_equal(errno, EACCES);
	assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	assert_int_equal(tg_io_rename(f->path, other), 0);
	assert_file(other, "y");
	close(fd1);
	close(fd3);
}

static void test_fault_bad_specs_ignored(void **data)
{
	static const char *const specs[] = {
		"bogus:1:EIO", "write:0:EIO", "write:1:EWHAT", "write:x:EIO",
		"write:1", "", "write:-1:EIO", "WRITE:1:EIO",
	};
	Fixture *f = *data;

	if (!fault_injection_available())
		skip();
	for (gsize i = 0; i < G_N_ELEMENTS(specs); i++) {
		set_fault(specs[i]);
		replace_ok(f->path, specs[i]);
		assert_file(f->path, specs[i]);
	}
	/* Reset really clears an active spec. */
	set_fault("write:1:EIO");
	set_fault(NULL);
	replace_ok(f->path, "clear");
}

/* Runs a replace of @path with "new" in a child with @spec armed; returns
 * TRUE when the child was SIGKILLed. */
static gboolean replace_in_child(const char *path, const char *spec)
{
	int status = 0;
	pid_t pid = tg_test_fork_child();

	if (pid == 0) {
		set_fault(spec);
		_exit(tg_io_replace_file(path, "new", 3, 0600, NULL) ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		return TRUE;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return FALSE;
}

static void test_kill_spec(void **data)
{
	static const struct {
		const char *spec;
		gboolean killed;
		const char *content;
	} cases[] = {
		{ "open:1:kill", TRUE, "old" },
		{ "write:1:kill", TRUE, "old" },
		{ "fsync:1:kill", TRUE, "old" },
		{ "rename:1:kill", TRUE, "old" },
		{ "fsync:2:kill", TRUE, "new" },	/* directory fsync, after the rename */
		{ "rename:2:kill", FALSE, "new" },	/* never reached */
	};
	Fixture *f = *data;

	if (!fault_injection_available())
		skip();
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		replace_ok(f->path, "old");
		if (replace_in_child(f->path, cases[i].spec) != cases[i].killed)
			fail_msg("%s: expected the child %s", cases[i].spec,
				 cases[i].killed ? "killed" : "to finish");
		assert_file(f->path, cases[i].content);
		/* A leftover temp file does not stop the next replace. */
		replace_ok(f->path, "after");
		assert_file(f->path, "after");
	}
}

/* TOLLGATE_FAULT_COUNT: a child replaces two files and exits; its call
 * counts are appended to the count file at exit (two processes, two lines).
 * One replace is open, write, fsync, rename and the directory's fsync. */
static void test_fault_count(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *counts = g_build_filename(f->tmp, "counts", NULL);
	g_autofree gchar *second = g_build_filename(f->tmp, "target", NULL);
	static const char want[] = "open=2 write=2 fsync=4 rename=2\n"
				   "open=2 write=2 fsync=4 rename=2\n";

	if (!fault_injection_available())
		skip();
	for (guint round = 0; round < 2; round++) {
		int status = 0;
		pid_t pid = tg_test_fork_child();

		if (pid == 0) {
			g_setenv("TOLLGATE_FAULT_COUNT", counts, TRUE);
			set_fault(NULL);
			exit(replace(f->path, "one", NULL) && replace(second, "two", NULL) ? 0 : 3);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_file(counts, want);
	/* Without the variable nothing is counted into the file. */
	replace_ok(f->path, "three");
	assert_file(counts, want);
}

static void test_stale_temps(void **data)
{
	Fixture *f = *data;
	pid_t dead = tg_test_dead_pid();
	g_autofree gchar *stale = g_strdup_printf("file.tmp.%d", (int)dead);
	g_autofree gchar *mine = g_strdup_printf("file.tmp.%d", (int)getpid());
	g_autofree gchar *alive = g_strdup_printf("file.tmp.%d", (int)getppid());
	g_autofree gchar *other = g_strdup_printf("other.tmp.%d", (int)dead);
	g_autofree gchar *longer = g_strdup_printf("file.key.tmp.%d", (int)dead);
	g_autofree gchar *gone = g_build_filename(f->tmp, stale, NULL);
	const char *kept[] = { mine, alive, other, longer, "file.tmp.12x", "file.tmp.", "file" };

	assert_true(tg_io_is_stale_temp(stale, "file"));
	assert_true(tg_io_is_stale_temp(other, NULL));
	assert_false(tg_io_is_stale_temp(other, "file"));
	assert_false(tg_io_is_stale_temp(longer, "file"));
	assert_false(tg_io_is_stale_temp(mine, NULL));
	assert_false(tg_io_is_stale_temp(alive, NULL));
	g_free(tg_test_write(f->tmp, stale, "half"));
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++)
		g_free(tg_test_write(f->tmp, kept[i], "x"));
	tg_io_remove_stale_temps(f->path);
	assert_false(g_file_test(gone, G_FILE_TEST_EXISTS));
	for (gsize i = 0; i < G_N_ELEMENTS(kept); i++) {
		g_autofree gchar *path = g_build_filename(f->tmp, kept[i], NULL);

		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			fail_msg("%s was removed but is not a stale temp of %s", kept[i], f->path);
	}
}

/* A bounded read of a regular file: never through a symlink, never
 * blocking on a FIFO, never past the limit. */
static void test_read_regular(void **data)
{
	Fixture *f = *data;
	g_autofree gchar *file = tg_test_write(f->tmp, "plain", "0123456789");
	g_autofree gchar *link = g_build_filename(f->tmp, "link", NULL);
	g_autofree gchar *fifo = g_build_filename(f->tmp, "fifo", NULL);
	g_autofree gchar *text = NULL;
	g_autoptr(GError) err = NULL;
	struct stat st;
	gsize len = 0;

	assert_true(tg_io_read_regular(file, 10, &text, &len, &st, &err));
	assert_string_equal(text, "0123456789");
	assert_int_equal(len, 10);
	assert_int_equal(st.st_size, 10);
	g_clear_pointer(&text, g_free);
	assert_false(tg_io_read_regular(file, 9, &text, &len, NULL, &err));
	assert_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED);
	assert_contains(err->message, "is larger than 9 bytes");
	g_clear_error(&err);
	assert_int_equal(symlink(file, link), 0);
	assert_false(tg_io_read_regular(link, 100, &text, &len, NULL, &err));
	assert_error(err, G_FILE_ERROR, G_FILE_ERROR_LOOP);
	assert_contains(err->message, "is a symlink");
	g_clear_error(&err);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_false(tg_io_read_regular(fifo, 100, &text, &len, NULL, &err));
	assert_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	assert_contains(err->message, "is not a regular file");
	g_clear_error(&err);
	assert_false(tg_io_read_regular(f->tmp, 100, &text, &len, NULL, &err));
	assert_contains(err->message, "is not a regular file");
	g_clear_error(&err);
	assert_false(tg_io_read_regular("/nonexistent/x", 100, &text, &len, NULL, &err));
	assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	assert_null(text);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_replace_creates),
		T(test_replace_is_rename),
		T(test_replace_large),
		T(test_replace_refuses_symlink),
		T(test_replace_refuses_dir),
		T(test_fault_enospc_once),
		T(test_fault_nth),
		T(test_fault_several),
		T(test_fault_dir_fsync),
		T(test_fault_wrappers),
		T(test_fault_bad_specs_ignored),
		T(test_kill_spec),
		T(test_fault_count),
		T(test_stale_temps),
		T(test_read_regular),
	};
#undef T

	return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
