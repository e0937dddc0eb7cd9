/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for candidate files (tg_candidate_load_data), the parser
 * behind `tollgate gate --candidate FILE` and every adapter's metadata keys.
 *
 * Any input loads or fails with a TG_CANDIDATE_ERROR whose message is valid
 * UTF-8 and names the file. A loaded candidate holds what the engine relies
 * on: every text valid UTF-8, no control character but newline and tab, at
 * most TG_META_MAX_LEN bytes plus the marker; a digest of 64 lower-case hex
 * digits; at most TG_MAX_ADVISORIES advisories; a non-negative downtime. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "candidate-private.h"

#define NAME "fuzz.candidate"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *text)
{
	if (!text)
		return;
	if (!g_utf8_validate(text, -1, NULL) ||
	    strlen(text) > TG_META_MAX_LEN + strlen(TG_META_TRUNCATED_MARK))
		abort();
	for (const char *p = text; *p; p++)
		if (((guchar)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			abort();
}

static void check_list(const GPtrArray *list)
{
	if (list->len > TG_MAX_ADVISORIES)
		abort();
	for (guint i = 0; i < list->len; i++)
		check_text(g_ptr_array_index(list, i));
}

static void check_candidate(const TgCandidate *c)
{
	const char *texts[] = { c->name, c->version, c->component, c->mechanism, c->updater,
				c->updater_version, c->severity, c->risk };

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
		check_text(texts[i]);
	check_list(c->advisories);
	check_list(c->services);
	if (c->downtime < 0)
		abort();
	if (c->digest) {
		if (strlen(c->digest) != 64)
			abort();
		for (const char *p = c->digest; *p; p++)
			if (!g_ascii_isdigit(*p) && (*p < 'a' || *p > 'f'))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TgCandidate *cand = tg_candidate_new();
	GError *error = NULL;

	if (tg_candidate_load_data(cand, NAME, size ? (const char *)data : "", size, &error)) {
		if (error)
			abort();
		check_candidate(cand);
	} else if (!error || error->domain != TG_CANDIDATE_ERROR ||
		   !g_utf8_validate(error->message, -1, NULL) || !strstr(error->message, NAME)) {
		abort();
	}
	g_clear_error(&error);
	tg_candidate_free(cand);
	return 0;
}
