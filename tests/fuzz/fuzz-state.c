/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the state body parser, tg_state_from_json().
 *
 * Any input must either parse or fail with TG_STATE_ERROR_CORRUPT and a
 * valid UTF-8 message. What parses must respect the limits, serialize with
 * tg_state_to_json() and parse again; from the second round on the text is
 * a fixed point. Adding an approval keeps the state writable. GLib warnings
 * and criticals abort, as does any broken invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state-private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* GLib's own fatal path raises SIGTRAP, which libFuzzer does not catch;
 * abort() instead so the input is saved. */
static GLogWriterOutput abort_on_warning(GLogLevelFlags level, const GLogField *fields,
					 gsize n_fields, gpointer data)
{
	GLogWriterOutput out = g_log_writer_default(level, fields, n_fields, data);

	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		abort();
	return out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	g_log_set_writer_func(abort_on_warning, NULL, NULL);
	return 0;
}

static void check_date(GDateTime *dt)
{
	if (dt && g_date_time_get_utc_offset(dt) != 0)
		abort();
}

static void check_state(const TgState *s)
{
	GHashTableIter iter;
	gpointer key, value;

	if (g_hash_table_size(s->components) > TG_STATE_MAX_COMPONENTS ||
	    s->approvals->len > TG_STATE_MAX_APPROVALS ||
	    s->support_notices_sent->len > TG_STATE_MAX_NOTICES)
		abort();
	g_hash_table_iter_init(&iter, s->components);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const TgComponentState *c = value;

		if (!*(const char *)key || strlen(key) > TG_STATE_MAX_VERSION_LEN)
			abort();
		if (c->floor && strlen(c->floor) > TG_STATE_MAX_VERSION_LEN)
			abort();
	}
	for (guint i = 0; i < s->approvals->len; i++) {
		const TgApproval *a = g_ptr_array_index(s->approvals, i);

		if (!a->when || (!a->digest && !a->version))
			abort();
		check_date(a->when);
	}
	check_date(s->support_end);
	check_date(s->pending_support_end);
	check_date(s->last_trusted_time);
	for (guint i = 0; i < G_N_ELEMENTS(s->postpone); i++) {
		check_date(s->postpone[i].until);
		check_date(s->postpone[i].since);
	}
	for (guint i = 0; i < G_N_ELEMENTS(s->auto_install); i++)
		if (s->auto_install[i] < -1 || s->auto_install[i] > 1)
			abort();
}

/* Serializes @s, parses the text again; returns: (transfer full) the text. */
static gchar *reparse(const TgState *s, TgState **ret_again)
{
	GError *error = NULL;
	gchar *text = tg_state_to_json(s);

	if (!text)
		abort();
	*ret_again = tg_state_from_json(text, strlen(text), &error);
	if (!*ret_again || error)
		abort();
	check_state(*ret_again);
	return text;
}

static void round_trip(TgState *state)
{
	g_autoptr(GDateTime) when = g_date_time_new_utc(2030, 1, 1, 0, 0, 0);
	g_autoptr(TgState) again = NULL, third = NULL, fourth = NULL;
	g_autofree gchar *text1 = NULL, *text2 = NULL, *text3 = NULL;

	check_state(state);
	text1 = reparse(state, &again);
	text2 = reparse(again, &third);
	g_clear_pointer(&text1, g_free);
	text1 = reparse(third, &fourth);
	if (strcmp(text1, text2) != 0)
		abort();
	tg_state_add_approval(fourth, "sha256:fuzz", NULL, when);
	g_clear_pointer(&third, tg_state_free);
	text3 = reparse(fourth, &third);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	TgState *state = tg_state_from_json(size ? (const char *)data : "", size, &error);

	if (state) {
		if (error)
			abort();
		round_trip(state);
		tg_state_free(state);
		return 0;
	}
	if (!error || !g_error_matches(error, TG_STATE_ERROR, TG_STATE_ERROR_CORRUPT) ||
	    !g_utf8_validate(error->message, -1, NULL))
		abort();
	g_error_free(error);
	return 0;
}
