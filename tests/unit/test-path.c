/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ownership checks along a path (policy/core/path.c). */
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-test.h"
#include "tg-path.h"

typedef struct {
	gchar *top;	/* mkdtemp: 0700, ours */
	gchar *mid;	/* top/mid */
	gchar *leaf;	/* top/mid/state */
} Tree;

static int tree_setup(void **state)
{
	Tree *t = g_new0(Tree, 1);

	t->top = tg_test_mkdtemp();
	t->mid = g_build_filename(t->top, "mid", NULL);
	t->leaf = g_build_filename(t->mid, "state", NULL);
	assert_int_equal(g_mkdir_with_parents(t->leaf, 0700), 0);
	assert_int_equal(chmod(t->mid, 0755), 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	Tree *t = *state;

	tg_test_rmtree(t->top);
	g_free(t->top);
	g_free(t->mid);
	g_free(t->leaf);
	g_free(t);
	return 0;
}

static void test_own_tree_passes(void **state)
{
	Tree *t = *state;
	g_autoptr(GError) err = NULL;

	assert_true(tg_path_check_owner(t->leaf, "the state directory", &err));
	assert_no_error(err);
}

static void test_writable_parent_refused(void **state)
{
	Tree *t = *state;
	g_autoptr(GError) err = NULL;

	assert_int_equal(chmod(t->mid, 0777), 0);
	assert_false(tg_path_check_owner(t->leaf, "the state directory", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
	assert_contains(err->message, "the state directory");
	assert_contains(err->message, t->mid);
	assert_contains(err->message, "has mode 0777");
	assert_contains(err->message, "run chmod go-w");
}

/* A sticky parent (like /tmp) lets nobody else rename our entry; the
 * checked path itself may never be writable by others. */
static void test_sticky(void **state)
{
	Tree *t = *state;
	g_autoptr(GError) err = NULL;

	assert_int_equal(chmod(t->mid, 01777), 0);
	assert_true(tg_path_check_owner(t->leaf, "the state directory", NULL));
	assert_int_equal(chmod(t->leaf, 01777), 0);
	assert_false(tg_path_check_owner(t->leaf, "the state directory", &err));
	assert_contains(err->message, "has mode 1777");
}

static void test_foreign_owner_refused(void **state)
{
	Tree *t = *state;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *want = NULL;

	if (geteuid() != 0) {
		skip();
		return;
	}
	assert_int_equal(chown(t->mid, 12345, 12345), 0);
	assert_false(tg_path_check_owner(t->leaf, "the key file", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
	want = g_strdup_printf("%s is owned by uid 12345, neither root nor uid 0", t->mid);
	assert_contains(err->message, want);
	assert_contains(err->message, "run chown root");
}

/* A symlink is judged by where it leads. */
static void test_symlink_target_judged(void **state)
{
	Tree *t = *state;
	g_autofree gchar *link = g_build_filename(t->top, "link", NULL);
	g_autoptr(GError) err = NULL;

	assert_int_equal(symlink(t->leaf, link), 0);
	assert_true(tg_path_check_owner(link, "the audit directory", NULL));
	assert_int_equal(chmod(t->mid, 0775), 0);
	assert_false(tg_path_check_owner(link, "the audit directory", &err));
	assert_contains(err->message, t->mid);
}

static void test_missing(void **state)
{
	Tree *t = *state;
	g_autofree gchar *gone = g_build_filename(t->leaf, "nothing", NULL);
	g_autoptr(GError) err = NULL;

	assert_false(tg_path_check_owner(gone, "the key file", &err));
	assert_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	assert_contains(err->message, "the key file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_tree_passes, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_writable_parent_refused, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sticky, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner_refused, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_symlink_target_judged, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_missing, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
