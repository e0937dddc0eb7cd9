/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for notice templates.
 *
 * The input is cut at the first NUL or newline into a template and a value
 * (no NUL reaches the code under test). The template is checked against a
 * fixed placeholder list and rendered with the value for every placeholder,
 * under a small and a large limit. Whatever the input: the check never
 * crashes; rendering stays within the limit; a valid template with a valid
 * UTF-8 value renders valid UTF-8; a cut result ends with the marker; and a
 * template the check accepts renders to exactly the text built by hand from
 * its pieces when nothing is cut (values are inserted once, never scanned
 * again). Any violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "candidate-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "version", "risk", "days_left", "a_b", NULL };

static const char *lookup(const char *name, gpointer user_data)
{
	if (g_str_equal(name, "days_left"))
		return NULL;
	return user_data;
}

/* The expected rendering of an accepted template, built without the
 * scanner: "{{" and "}}" become one brace, {name} the value. */
static gchar *render_by_hand(const char *tmpl, const char *value)
{
	GString *out = g_string_new(NULL);

	for (const char *p = tmpl; *p;) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			g_string_append_c(out, p[0]);
			p += 2;
		} else if (p[0] == '{') {
			const char *end = strchr(p, '}');
			gboolean days = end && (size_t)(end - p - 1) == strlen("days_left") &&
					memcmp(p + 1, "days_left", strlen("days_left")) == 0;

			if (!end)
				abort();
			if (!days)
				g_string_append(out, value);
			p = end + 1;
		} else {
			g_string_append_c(out, *p++);
		}
	}
	return g_string_free(out, FALSE);
}

static void check_render(const char *tmpl, const char *value, gboolean valid, gsize max)
{
	g_autofree gchar *out = tg_template_render(tmpl, lookup, (gpointer)value, max);
	gsize len = strlen(out);

	if (len > max)
		abort();
	if (valid && g_utf8_validate(value, -1, NULL) && !g_utf8_validate(out, -1, NULL))
		abort();
	if (valid && len < max - strlen(TG_META_TRUNCATED_MARK)) {
		g_autofree gchar *want = render_by_hand(tmpl, value);

		if (strlen(want) < max - strlen(TG_META_TRUNCATED_MARK) && strcmp(want, out) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *input = g_strndup((const char *)data, size);
	gsize cut = strcspn(input, "\n");
	const char *value = input[cut] ? input + cut + 1 : "";
	g_autofree gchar *tmpl = g_strndup(input, cut);
	g_autofree gchar *limited = tg_text_limit(value, 64);
	gboolean valid;

	if (strlen(limited) > 64 || !g_utf8_validate(limited, -1, NULL))
		abort();
	valid = g_utf8_validate(tmpl, -1, NULL) && tg_template_check(tmpl, names, NULL);
	check_render(tmpl, value, valid, 64);
	check_render(tmpl, value, valid, 1 << 16);
	return 0;
}
