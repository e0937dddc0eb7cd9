/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec sink: runs a program for every notice, never through a shell.
 *
 *   program = /usr/libexec/ui-notify;--tollgate;-v   (absolute path, then
 *             arguments, separated by ';')
 *   timeout = 5s                                     (1s to 5m)
 *
 * The notice JSON (one line and a newline) is the program's stdin, given as
 * a sealed in-memory file, so a program that never reads it cannot block
 * tollgate. The environment is fixed: PATH, LANG=C.UTF-8,
 * TOLLGATE_NOTICE_TYPE and TOLLGATE_NOTICE_ID; file descriptors other than
 * 0-2 are not inherited; stdout is discarded; the first line of stderr goes
 * into the error. The program runs in its own process group, which is killed
 * (SIGKILL) when the timeout passes. Delivered means: exit status 0 in time. */
#include "notify-private.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <gio/gio.h>

#define MAX_ARGS 64
#define DEFAULT_TIMEOUT_S 5
#define STDERR_KEEP 512
#define READ_CHUNK 4096

typedef struct {
	gchar **argv;
	gint64 timeout_s;
} TgExecSink;

static void exec_free(gpointer data)
{
	TgExecSink *cfg = data;

	g_strfreev(cfg->argv);
	g_free(cfg);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgExecSink, exec_free)

/* ------------------------------------------------------------------ */
/* Configuration */

static gboolean split_program(TgKf *k, const char *group, const char *raw, gchar ***ret,
			      GError **error)
{
	g_auto(GStrv) parts = g_strsplit(raw, ";", -1);
	guint n = g_strv_length(parts);

	if (n > MAX_ARGS)
		return tg_kf_value_error(k, group, "program", raw,
					 "has more than 64 arguments", error);
	for (guint i = 0; i < n; i++) {
		g_strstrip(parts[i]);
		if (!*parts[i])
			return tg_kf_value_error(k, group, "program", raw,
						 "has an empty part; separate the program and each "
						 "argument with one ';'", error);
		for (const char *p = parts[i]; *p; p++)
			if ((guchar)*p < 0x20 || *p == 0x7f)
				return tg_kf_value_error(k, group, "program", raw,
							 "contains a control character", error);
	}
	if (!g_path_is_absolute(parts[0]))
		return tg_kf_value_error(k, group, "program", raw,
					 "does not start with an absolute program path; write "
					 "program = /usr/bin/prog;arg1;arg2 (no shell is used)",
					 error);
	*ret = g_steal_pointer(&parts);
	return TRUE;
}

static gpointer exec_parse(TgKf *k, const char *group, GError **error)
{
	g_autoptr(TgExecSink) cfg = g_new0(TgExecSink, 1);
	g_autofree gchar *raw = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!tg_kf_take_string(k, group, "program", &raw, error) ||
	    !tg_notify_take_timeout(k, group, DEFAULT_TIMEOUT_S, &cfg->timeout_s, error))
		return NULL;
	if (!raw)
		return tg_notify_missing_key(k, group, "program",
					     "set program = /path/to/program;arg1;arg2", error);
	if (!split_program(k, group, raw, &cfg->argv, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

/* ------------------------------------------------------------------ */
/* Running the program */

typedef struct {
	GCancellable *cancel;
	GString *err_text;	/* the first STDERR_KEEP bytes of stderr */
	gboolean exited;
	gboolean stderr_done;
	gboolean finished;	/* exited and stderr_done */
} TgExecRun;

static void update_finished(TgExecRun *run)
{
	run->finished = run->exited && run->stderr_done;
}

static void on_exited(GObject *src, GAsyncResult *res, gpointer data)
{
	TgExecRun *run = data;

	if (!g_subprocess_wait_finish(G_SUBPROCESS(src), res, NULL))
		g_debug("waiting for a notice program failed");
	run->exited = TRUE;
	update_finished(run);
}

static void read_stderr(GInputStream *in, TgExecRun *run);

static void on_stderr(GObject *src, GAsyncResult *res, gpointer data)
{
	TgExecRun *run = data;
	g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish(G_INPUT_STREAM(src), res, NULL);
	gsize n = bytes ? g_bytes_get_size(bytes) : 0;

	if (n == 0) {
		run->stderr_done = TRUE;
		update_finished(run);
		return;
	}
	if (run->err_text->len < STDERR_KEEP)
		g_string_append_len(run->err_text, g_bytes_get_data(bytes, NULL),
				    (gssize)MIN(n, STDERR_KEEP - run->err_text->len));
	read_stderr(G_INPUT_STREAM(src), run);
}

static void read_stderr(GInputStream *in, TgExecRun *run)
{
	g_input_stream_read_bytes_async(in, READ_CHUNK, G_PRIORITY_DEFAULT, run->cancel,
					on_stderr, run);
}

/* Child side, before exec: a process group of its own to kill as a whole. */
static void child_setup(gpointer data)
{
	(void)setpgid(0, 0);
}

/* Returns: an fd (sealed memfd, offset 0) holding @data, or -1 with errno. */
static int stdin_file(const char *data, gsize len)
{
	int fd = memfd_create("tollgate-notice", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    lseek(fd, 0, SEEK_SET) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static const char *const fixed_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C.UTF-8",
};

/* Returns: (transfer full): the launcher, or NULL with @error. */
static GSubprocessLauncher *make_launcher(const TgNotice *n, GError **error)
{
	g_autoptr(GSubprocessLauncher) l =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					  G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func(g_free);
	int fd = stdin_file(n->json, n->json_len);

	if (fd < 0) {
		int e = errno;

		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "cannot prepare the program's stdin: %s", g_strerror(e));
		return NULL;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(fixed_env); i++)
		g_ptr_array_add(env, g_strdup(fixed_env[i]));
	g_ptr_array_add(env, g_strconcat("TOLLGATE_NOTICE_TYPE=", n->type_name, NULL));
	g_ptr_array_add(env, g_strconcat("TOLLGATE_NOTICE_ID=", n->id, NULL));
	g_ptr_array_add(env, NULL);
	g_subprocess_launcher_set_environ(l, (gchar **)env->pdata);
	g_subprocess_launcher_set_cwd(l, "/");
	g_subprocess_launcher_take_stdin_fd(l, fd);
	g_subprocess_launcher_set_child_setup(l, child_setup, NULL, NULL);
	return g_steal_pointer(&l);
}

static void kill_group(GSubprocess *proc)
{
	const char *id = g_subprocess_get_identifier(proc);
	guint64 pid = 0;

	if (id && g_ascii_string_to_unsigned(id, 10, 1, G_MAXINT, &pid, NULL))
		(void)kill(-(pid_t)pid, SIGKILL);
	g_subprocess_force_exit(proc);
}

/* Runs @proc to the end or the deadline; TRUE when it ended in time. */
static gboolean run_to_end(GSubprocess *proc, gint64 timeout_s, GString *err_text)
{
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	TgExecRun run = { .cancel = cancel, .err_text = err_text };
	GMainContext *ctx = g_main_context_get_thread_default();
	gboolean in_time;

	g_subprocess_wait_async(proc, NULL, on_exited, &run);
	read_stderr(g_subprocess_get_stderr_pipe(proc), &run);
	in_time = tg_notify_iterate(ctx, &run.exited, timeout_s * 1000);
	if (!in_time)
		kill_group(proc);
	/* Output a lingering grandchild still writes is not waited for. */
	if (!tg_notify_iterate(ctx, &run.finished, 200))
		g_cancellable_cancel(cancel);
	while (!run.finished)
		g_main_context_iteration(ctx, TRUE);
	return in_time;
}

static gboolean check_status(const TgExecSink *cfg, GSubprocess *proc, GString *err_text,
			     GError **error)
{
	const char *prog = cfg->argv[0];
	gsize line = strcspn(err_text->str, "\r\n");
	g_autofree gchar *said = NULL;

	if (g_subprocess_get_if_signaled(proc)) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "%s was killed by signal %d", prog, g_subprocess_get_term_sig(proc));
		return FALSE;
	}
	if (g_subprocess_get_exit_status(proc) == 0)
		return TRUE;
	g_string_truncate(err_text, line);
	said = g_utf8_make_valid(err_text->str, -1);
	g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
		    "%s exited with status %d%s%s", prog, g_subprocess_get_exit_status(proc),
		    *said ? ": " : "", said);
	return FALSE;
}

static gboolean exec_deliver(gpointer config, const TgNotice *n, GError **error)
{
	TgExecSink *cfg = config;
	g_autoptr(GMainContext) ctx = g_main_context_new();
	g_autoptr(GSubprocessLauncher) l = NULL;
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GString) err_text = g_string_new(NULL);
	g_autoptr(GError) local = NULL;
	gboolean in_time;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	l = make_launcher(n, error);
	if (!l)
		return FALSE;
	proc = g_subprocess_launcher_spawnv(l, (const gchar *const *)cfg->argv, &local);
	if (!proc) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED, "cannot run %s: %s",
			    cfg->argv[0], local->message);
		return FALSE;
	}
	g_main_context_push_thread_default(ctx);
	in_time = run_to_end(proc, cfg->timeout_s, err_text);
	g_main_context_pop_thread_default(ctx);
	if (!in_time) {
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_TIMEOUT,
			    "%s did not finish within %" G_GINT64_FORMAT " s and was killed",
			    cfg->argv[0], cfg->timeout_s);
		return FALSE;
	}
	return check_status(cfg, proc, err_text, error);
}

const TgSinkOps tg_sink_exec = {
	.name = "exec",
	.parse = exec_parse,
	.deliver = exec_deliver,
	.free = exec_free,
};
