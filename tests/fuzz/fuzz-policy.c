/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the policy parser (tg_policy_load_data).
 *
 * Any input must either load or fail with a TG_POLICY_ERROR whose message is
 * valid UTF-8 and names the file; GLib warnings and criticals abort. A policy
 * that loads must hold the invariants the checks rely on (a model, notice
 * days strictly descending, sane windows with a time zone, the state key
 * outside the state directory, a 64-digit hash); any violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy-private.h"

#define NAME "fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GLib's own fatal path raises SIGTRAP, which libFuzzer does not catch;
 * abort() instead so the input is saved. Installed from the entry function
 * so the corpus replay (tests/fuzz/replay.c) checks the same. */
static GLogWriterOutput abort_on_warning(GLogLevelFlags level, const GLogField *fields,
					 gsize n_fields, gpointer data)
{
	GLogWriterOutput out = g_log_writer_default(level, fields, n_fields, data);

	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		abort();
	return out;
}


static void check_window(const TgWindow *w)
{
	if (!w->tz || !w->tz_name || w->start_minute >= 24 * 60 || w->end_minute == 0 ||
	    w->end_minute > 24 * 60 || w->start_minute == w->end_minute || w->days == 0 ||
	    w->days > 0x7f)
		abort();
}

static void check_policy(const TgPolicy *p)
{
	if (!p->model || !*p->model || !p->hash || strlen(p->hash) != 64 || !p->extra ||
	    !p->files || p->files->len != 1 || !p->state_dir || !p->key_file || !p->audit_dir)
		abort();
	for (guint i = 1; i < p->notice_days->len; i++) {
		if (g_array_index(p->notice_days, guint, i) >=
		    g_array_index(p->notice_days, guint, i - 1))
			abort();
	}
	for (guint i = 0; i < G_N_ELEMENTS(p->classes); i++) {
		check_window(&p->classes[i].window);
		if (p->classes[i].max_postpone < 0)
			abort();
	}
	if (p->device_id && p->device_id_file)
		abort();
	if (p->checkpoint_every > 0 && !p->checkpoint_key)
		abort();
	if (p->support_end && g_date_time_get_utc_offset(p->support_end) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gsize writer_set = 0;
	GError *error = NULL;
	TgPolicy *p;

	if (g_once_init_enter(&writer_set)) {
		g_log_set_writer_func(abort_on_warning, NULL, NULL);
		g_once_init_leave(&writer_set, 1);
	}
	p = tg_policy_load_data(NAME, size ? (const char *)data : "", size, &error);
	if (p) {
		if (error)
			abort();
		check_policy(p);
		tg_policy_free(p);
		return 0;
	}
	if (!error || error->domain != TG_POLICY_ERROR ||
	    !g_utf8_validate(error->message, -1, NULL) ||
	    !g_str_has_prefix(error->message, NAME ": "))
		abort();
	g_error_free(error);
	return 0;
}
