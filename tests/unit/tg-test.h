/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the cmocka unit tests. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <sys/types.h>

/* Fails with the GError's own message when @err is set. */
#define assert_no_error(err) \
	do { \
		if ((err) != NULL) \
			fail_msg("unexpected error: %s", (err)->message); \
	} while (0)

/* Fails unless @err is set with @dom/@code; prints what was seen. */
#define assert_error(err, dom_, code_) \
	do { \
		if ((err) == NULL) \
			fail_msg("expected an error, got none"); \
		if (!g_error_matches((err), (dom_), (code_))) \
			fail_msg("unexpected error %s:%d: %s", g_quark_to_string((err)->domain), \
				 (err)->code, (err)->message); \
	} while (0)

/* Fails unless @haystack contains @needle. */
#define assert_contains(haystack, needle) \
	do { \
		const char *h_ = (haystack); \
		if (!h_ || !strstr(h_, (needle))) \
			fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", (needle)); \
	} while (0)

/* A fresh temporary directory, removed recursively by tg_test_rmtree().
 * Returns: (transfer full). */
gchar *tg_test_mkdtemp(void);
void tg_test_rmtree(const char *path);

/* Writes @text to @dir/@name. Returns: (transfer full): the path. */
gchar *tg_test_write(const char *dir, const char *name, const char *text);

/* Path of a file in the source tree (tests/data/...). Returns: (transfer full). */
gchar *tg_test_data(const char *name);

/* fork(); the child dies with this process, so a failed assertion in the
 * parent never leaves a child blocked on a pipe or a lock. */
pid_t tg_test_fork_child(void);

/* A pid that no process has: a child that already exited and was reaped. */
pid_t tg_test_dead_pid(void);
