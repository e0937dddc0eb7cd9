/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notice templates (internal): text with {name} placeholders, where name is
 * lower-case letters and '_'. "{{" and "}}" stand for literal braces; any
 * other brace is an error. Values are inserted as plain text and never
 * scanned again, so a value that contains "{risk}" stays as it is. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TG_TEMPLATE_MAX_NAME 32		/* bytes of a placeholder name */
#define TG_TEMPLATE_MAX_LEN 4096	/* bytes of a template */

/* Returns: (transfer none) (nullable): the value of placeholder @name. */
typedef const char *(*TgTemplateLookup)(const char *name, gpointer user_data);

/* Checks @text (NUL-terminated, valid UTF-8) against the placeholder
 * @names (NULL-terminated). On failure @error (TG_POLICY_ERROR_VALUE) says
 * what is wrong in words that follow "<file>: [group] key = 'value' ", e.g.
 * "uses the unknown placeholder {foo}; use {version}, {risk}". */
gboolean tg_template_check(const char *text, const char *const *names,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Renders @text, taking each placeholder's value from @lookup (NULL counts
 * as empty). Text that tg_template_check() would refuse is copied as it
 * stands. The result holds at most @max_len bytes (@max_len >= 64); a longer
 * one is cut on a character boundary and ends in TG_META_TRUNCATED_MARK.
 * Returns: (transfer full): the text. */
gchar *tg_template_render(const char *text, TgTemplateLookup lookup, gpointer user_data,
			  gsize max_len);

/* Returns: (transfer full): @text made valid UTF-8 and cut to at most
 * @max_len bytes (>= 64) with TG_META_TRUNCATED_MARK at the end when cut. */
gchar *tg_text_limit(const char *text, gsize max_len);

G_END_DECLS
