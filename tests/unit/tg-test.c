/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "tg-test.h"

gchar *tg_test_mkdtemp(void)
{
	g_autoptr(GError) err = NULL;
	gchar *dir = g_dir_make_tmp("tg-test-XXXXXX", &err);

	if (!dir)
		fail_msg("cannot create a temporary directory: %s", err->message);
	return dir;
}

void tg_test_rmtree(const char *path)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	if (!path)
		return;
	if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		(void)g_unlink(path);
		return;
	}
	dir = g_dir_open(path, 0, NULL);
	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree gchar *child = g_build_filename(path, name, NULL);
		tg_test_rmtree(child);
	}
	(void)g_rmdir(path);
}

gchar *tg_test_write(const char *dir, const char *name, const char *text)
{
	g_autoptr(GError) err = NULL;
	gchar *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, text, -1, &err))
		fail_msg("cannot write %s: %s", path, err->message);
	return path;
}

gchar *tg_test_data(const char *name)
{
	const char *src = g_getenv("TG_SOURCE_DIR");

	if (!src)
		src = ".";
	return g_build_filename(src, "tests", "data", name, NULL);
}

pid_t tg_test_fork_child(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
		_exit(9);
	return pid;
}

pid_t tg_test_dead_pid(void)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return pid;
}
