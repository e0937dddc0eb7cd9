/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for sw-description as `tollgate swupdate-precheck` reads
 * it: tg_swu_description_parse() (libconfig, then JSON, SWUpdate's node
 * search with "ref" links) and tg_swu_description_candidate().
 *
 * Every input is parsed without a selection and with a board, software set
 * and running mode. A parse either fails with a TG_SWU_ERROR or yields a
 * description whose candidate, when it builds, carries exactly the
 * description's version; any other outcome aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tg-swupdate.h"
#include "decision-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *text, size_t size, const TgSwuSelection *sel)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(TgSwuDescription) desc = tg_swu_description_parse(text, size, sel, &err);
	g_autoptr(TgCandidate) cand = NULL;

	if (!desc) {
		if (!err || err->domain != TG_SWU_ERROR || !err->message[0])
			abort();
		return;
	}
	if (err || !desc->format || !desc->properties)
		abort();
	if (!desc->has_tollgate && json_object_get_size(desc->properties) != 0)
		abort();
	cand = tg_swu_description_candidate(desc, NULL, &err);
	if (!cand) {
		if (!err)
			abort();
		return;
	}
	if (g_strcmp0(cand->version, desc->version && *desc->version ? desc->version : NULL) != 0)
		abort();
	if (cand->has_metadata && !desc->has_tollgate)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const TgSwuSelection sel = { .board = "boardB", .software_set = "stable",
				     .running_mode = "alt" };
	const char *text = size ? (const char *)data : "";

	check(text, size, NULL);
	check(text, size, &sel);
	return 0;
}
