/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the RAUC adapter's parser, tg_rauc_candidate_parse(),
 * the function the pre-install and post-install handlers call.
 *
 * Input: manifest.raucm, then optionally "\n%%\n" and the tollgate.conf
 * sidecar, then optionally "\n%%\n" and environment lines (NAME=value, at
 * most MAX_ENV). Whatever parses must be a sane candidate: updater "rauc",
 * a digest of 64 lower-case hex digits or none, valid UTF-8 text within the
 * metadata limits. Parsing is repeated without the sidecar: dropping a
 * source can never turn a success into a failure. Violations abort. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../handlers/rauc/rauc-candidate.h"

#define MAX_ENV 64
#define SEPARATOR "\n%%\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *text)
{
	if (!text)
		return;
	if (!g_utf8_validate(text, -1, NULL) ||
	    strlen(text) > TG_META_MAX_LEN + strlen(TG_META_TRUNCATED_MARK))
		abort();
}

static void check_candidate(const TgCandidate *c)
{
	if (g_strcmp0(c->updater, "rauc") != 0)
		abort();
	if (c->digest) {
		if (strlen(c->digest) != 64)
			abort();
		for (const char *p = c->digest; *p; p++)
			if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
				abort();
	}
	check_text(c->version);
	check_text(c->name);
	check_text(c->component);
	check_text(c->risk);
	check_text(c->severity);
	check_text(c->mechanism);
	if (c->advisories->len > TG_MAX_ADVISORIES || c->services->len > TG_MAX_ADVISORIES)
		abort();
	for (guint i = 0; i < c->advisories->len; i++)
		check_text(g_ptr_array_index(c->advisories, i));
}

/* Cuts @text at the first SEPARATOR: *ret_rest points behind it or is NULL. */
static gchar *cut(gchar *text, gchar **ret_rest)
{
	gchar *sep = strstr(text, SEPARATOR);

	*ret_rest = NULL;
	if (sep) {
		*sep = '\0';
		*ret_rest = sep + strlen(SEPARATOR);
	}
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *text = g_strndup((const char *)data, size);
	gchar *sidecar = NULL, *env_text = NULL;
	gchar *manifest = cut(text, &sidecar);
	g_auto(GStrv) env = NULL;
	g_autoptr(TgCandidate) with = NULL;
	g_autoptr(TgCandidate) without = NULL;

	if (sidecar)
		cut(sidecar, &env_text);
	if (env_text) {
		env = g_strsplit(env_text, "\n", MAX_ENV + 1);
		if (g_strv_length(env) > MAX_ENV) {
			g_free(env[MAX_ENV]);
			env[MAX_ENV] = NULL;
		}
	}
	with = tg_rauc_candidate_parse(manifest, strlen(manifest), sidecar,
				       sidecar ? strlen(sidecar) : 0, (const char *const *)env,
				       NULL);
	if (with)
		check_candidate(with);
	if (!sidecar)
		return 0;
	without = tg_rauc_candidate_parse(manifest, strlen(manifest), NULL, 0,
					  (const char *const *)env, NULL);
	if (with && !without)
		abort();
	if (without)
		check_candidate(without);
	return 0;
}
