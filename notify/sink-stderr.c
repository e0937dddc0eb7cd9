/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stderr sink: one line per notice, for the logs of RAUC and SWUpdate,
 * which keep what their handlers write to stderr.
 *   format = text   tollgate notice security-update <id>: <title> | <text>
 *   format = json   the notice JSON
 * Newlines, other control characters and backslashes in title and text are
 * written as \n, \xNN and \\, so a notice stays on one line. */
#include "notify-private.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
	gboolean json;
} TgStderrSink;

static gpointer stderr_parse(TgKf *k, const char *group, GError **error)
{
	static const char *const formats[] = { "text", "json", NULL };
	g_autofree TgStderrSink *cfg = g_new0(TgStderrSink, 1);
	gint fmt = 0;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (!tg_kf_take_enum(k, group, "format", formats, &fmt, error))
		return NULL;
	cfg->json = fmt == 1;
	return g_steal_pointer(&cfg);
}

static void append_escaped(GString *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		guchar c = (guchar)*p;

		if (c == '\n')
			g_string_append(out, "\\n");
		else if (c == '\\')
			g_string_append(out, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\x%02x", c);
		else
			g_string_append_c(out, (gchar)c);
	}
}

/* Writes @line to fd 2. A reader that went away must not kill the gate
 * with SIGPIPE: the signal is blocked for the write and a pending one is
 * taken back afterwards. */
static gboolean write_line(const GString *line, GError **error)
{
	static const struct timespec zero = { 0, 0 };
	sigset_t pipe_set, old;
	int err = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	for (gsize done = 0; done < line->len && !err;) {
		ssize_t w = write(STDERR_FILENO, line->str + done, line->len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			done += (gsize)w;
	}
	if (err == EPIPE && !sigismember(&old, SIGPIPE))
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		g_set_error(error, TG_NOTIFY_ERROR, TG_NOTIFY_ERROR_FAILED,
			    "cannot write to stderr: %s", g_strerror(err));
	return err == 0;
}

static gboolean stderr_deliver(gpointer config, const TgNotice *n, GError **error)
{
	TgStderrSink *cfg = config;
	g_autoptr(GString) line = g_string_new(NULL);

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (cfg->json) {
		g_string_append_len(line, n->json, (gssize)n->json_len);
	} else {
		g_string_append_printf(line, "tollgate notice %s %s: ", n->type_name, n->id);
		append_escaped(line, n->title);
		g_string_append(line, " | ");
		append_escaped(line, n->text);
	}
	g_string_append_c(line, '\n');
	fflush(stderr);
	return write_line(line, error);
}

const TgSinkOps tg_sink_stderr = {
	.name = "stderr",
	.parse = stderr_parse,
	.deliver = stderr_deliver,
	.free = g_free,
};
