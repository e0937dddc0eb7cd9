/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the version parsers.
 *
 * The whole input is parsed with both schemes; whatever parses must print
 * back byte for byte. The input is then cut into parts: at newlines when it
 * has any (no version may contain one, so nothing is lost), else into two
 * halves. For every scheme in which two or three parts parse, the order must
 * be antisymmetric, agree with first_difference, and be transitive; any
 * violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tollgate/version.h"

#define MAX_PARTS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static TgVersion *parse(TgVersionScheme scheme, const char *text, size_t len)
{
	TgVersion *v = tg_version_parse(scheme, len ? text : "", (gssize)len, NULL);

	if (v && (strlen(tg_version_to_string(v)) != len ||
		  memcmp(tg_version_to_string(v), text, len) != 0))
		abort();
	return v;
}

static void check_pair(const TgVersion *a, const TgVersion *b)
{
	int ab = sign(tg_version_compare(a, b));
	int ba = sign(tg_version_compare(b, a));
	int diff = tg_version_first_difference(a, b);

	if (ab != -ba)
		abort();
	if (diff != tg_version_first_difference(b, a) || (diff == -1) != (ab == 0))
		abort();
	if (diff < -1 || diff > 3)
		abort();
}

static void check_triple(const TgVersion *a, const TgVersion *b, const TgVersion *c)
{
	int ab = sign(tg_version_compare(a, b));
	int bc = sign(tg_version_compare(b, c));
	int ac = sign(tg_version_compare(a, c));

	if (ab <= 0 && bc <= 0 && ac > 0)
		abort();
	if (ab == 0 && bc == 0 && ac != 0)
		abort();
}

/* Cuts @data at newlines (at most MAX_PARTS parts) or else into halves. */
static size_t split(const char *data, size_t size, const char **parts, size_t *lens)
{
	const char *nl = memchr(data, '\n', size);
	size_t n = 0;

	if (!nl) {
		parts[0] = data;
		lens[0] = size / 2;
		parts[1] = data + size / 2;
		lens[1] = size - size / 2;
		return 2;
	}
	while (n < MAX_PARTS - 1 && nl) {
		parts[n] = data;
		lens[n++] = (size_t)(nl - data);
		size -= (size_t)(nl - data) + 1;
		data = nl + 1;
		nl = memchr(data, '\n', size);
	}
	parts[n] = data;
	lens[n++] = size;
	return n;
}

static void check_scheme(TgVersionScheme scheme, const char *const *parts,
			 const size_t *lens, size_t n)
{
	TgVersion *v[MAX_PARTS] = { NULL };
	size_t ok = 0;

	for (size_t i = 0; i < n; i++) {
		TgVersion *p = parse(scheme, parts[i], lens[i]);

		if (p)
			v[ok++] = p;
	}
	for (size_t i = 0; i < ok; i++) {
		if (tg_version_compare(v[i], v[i]) != 0)
			abort();
		for (size_t j = 0; j < ok; j++)
			check_pair(v[i], v[j]);
	}
	if (ok == 3) {
		static const int perms[6][3] = {
			{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
		};

		for (size_t p = 0; p < G_N_ELEMENTS(perms); p++)
			check_triple(v[perms[p][0]], v[perms[p][1]], v[perms[p][2]]);
	}
	for (size_t i = 0; i < ok; i++)
		tg_version_free(v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = size ? (const char *)data : "";
	const char *parts[MAX_PARTS];
	size_t lens[MAX_PARTS];
	size_t n;

	for (int scheme = TG_SCHEME_SEMVER; scheme <= TG_SCHEME_SWUPDATE; scheme++)
		tg_version_free(parse(scheme, text, size));
	n = split(text, size, parts, lens);
	for (int scheme = TG_SCHEME_SEMVER; scheme <= TG_SCHEME_SWUPDATE; scheme++)
		check_scheme(scheme, parts, lens, n);
	return 0;
}
