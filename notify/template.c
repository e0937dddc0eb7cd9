/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notice templates: a scanner shared by the check and the renderer. */
#include "template.h"

#include <string.h>

#include "candidate-private.h"
#include "policy-private.h"

typedef enum {
	TOKEN_END,
	TOKEN_TEXT,	/* literal text (start, len) */
	TOKEN_NAME,	/* placeholder name (start, len) without braces */
	TOKEN_BAD,	/* a brace that is neither escaped nor a placeholder */
} TgTokenKind;

typedef struct {
	TgTokenKind kind;
	const char *start;
	gsize len;
	const char *problem;	/* for TOKEN_BAD */
} TgToken;

static gboolean is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static void scan_placeholder(const char *p, TgToken *t)
{
	const char *q = p + 1;

	while (is_name_char(*q))
		q++;
	t->start = p;
	t->len = 1;
	t->kind = TOKEN_BAD;
	if (*q != '}') {
		t->problem = "has a '{' that does not open a placeholder (lower-case letters and "
			     "_ between braces, e.g. {version}); write {{ for a literal brace";
		return;
	}
	if (q == p + 1) {
		t->problem = "has an empty placeholder {}; name one, e.g. {version}";
		return;
	}
	if ((gsize)(q - p - 1) > TG_TEMPLATE_MAX_NAME) {
		t->problem = "has a placeholder name longer than 32 characters";
		return;
	}
	t->kind = TOKEN_NAME;
	t->start = p + 1;
	t->len = (gsize)(q - p - 1);
}

/* Reads the token at *@pos and moves *@pos past it. */
static void next_token(const char **pos, TgToken *t)
{
	const char *p = *pos;

	*t = (TgToken){ .kind = TOKEN_TEXT, .start = p, .len = 1 };
	if (*p == '\0') {
		t->kind = TOKEN_END;
		t->len = 0;
	} else if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
		*pos = p + 2;
		return;
	} else if (*p == '}') {
		t->kind = TOKEN_BAD;
		t->problem = "has a '}' that closes no placeholder; write }} for a literal brace";
	} else if (*p == '{') {
		scan_placeholder(p, t);
		if (t->kind == TOKEN_NAME) {
			*pos = t->start + t->len + 1;
			return;
		}
	} else {
		t->len = strcspn(p, "{}");
	}
	*pos = p + t->len;
}

static gboolean name_known(const TgToken *t, const char *const *names)
{
	for (const char *const *n = names; *n; n++)
		if (strlen(*n) == t->len && memcmp(*n, t->start, t->len) == 0)
			return TRUE;
	return FALSE;
}

static gboolean unknown_name(const TgToken *t, const char *const *names, GError **error)
{
	g_autoptr(GString) list = g_string_new(NULL);

	for (const char *const *n = names; *n; n++)
		g_string_append_printf(list, "%s{%s}", n == names ? "" : ", ", *n);
	g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
		    "uses the unknown placeholder {%.*s}; this notice can use %s", (int)t->len,
		    t->start, list->str);
	return FALSE;
}

gboolean tg_template_check(const char *text, const char *const *names, GError **error)
{
	const char *pos = text;
	TgToken t;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	if (strlen(text) > TG_TEMPLATE_MAX_LEN) {
		g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
			    "is longer than %d bytes; shorten the template", TG_TEMPLATE_MAX_LEN);
		return FALSE;
	}
	for (next_token(&pos, &t); t.kind != TOKEN_END; next_token(&pos, &t)) {
		if (t.kind == TOKEN_BAD) {
			g_set_error_literal(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE,
					    t.problem);
			return FALSE;
		}
		if (t.kind == TOKEN_NAME && !name_known(&t, names))
			return unknown_name(&t, names, error);
	}
	return TRUE;
}

/* Cuts @s to at most @max_len bytes including the marker. */
static void cut(GString *s, gsize max_len)
{
	gsize mark = strlen(TG_META_TRUNCATED_MARK);
	gsize keep;

	if (s->len <= max_len)
		return;
	keep = max_len - mark;
	while (keep > 0 && ((guchar)s->str[keep] & 0xc0) == 0x80)
		keep--;
	g_string_truncate(s, keep);
	g_string_append(s, TG_META_TRUNCATED_MARK);
}

gchar *tg_text_limit(const char *text, gsize max_len)
{
	GString *s;

	g_return_val_if_fail(max_len >= 64, NULL);
	if (!text)
		return g_strdup("");
	s = g_string_new(NULL);
	if (g_utf8_validate(text, -1, NULL)) {
		g_string_append(s, text);
	} else {
		g_autofree gchar *valid = g_utf8_make_valid(text, -1);

		g_string_append(s, valid);
	}
	cut(s, max_len);
	return g_string_free(s, FALSE);
}

static void append_token(GString *out, const TgToken *t, TgTemplateLookup lookup,
			 gpointer user_data)
{
	g_autofree gchar *name = NULL;
	const char *value;

	if (t->kind != TOKEN_NAME) {
		g_string_append_len(out, t->start, (gssize)t->len);
		return;
	}
	name = g_strndup(t->start, t->len);
	value = lookup ? lookup(name, user_data) : NULL;
	if (value)
		g_string_append(out, value);
}

gchar *tg_template_render(const char *text, TgTemplateLookup lookup, gpointer user_data,
			  gsize max_len)
{
	g_autoptr(GString) out = g_string_new(NULL);
	const char *pos = text ? text : "";
	TgToken t;

	g_return_val_if_fail(max_len >= 64, NULL);
	for (next_token(&pos, &t); t.kind != TOKEN_END; next_token(&pos, &t)) {
		append_token(out, &t, lookup, user_data);
		if (out->len > max_len)
			break;
	}
	cut(out, max_len);
	return g_string_free(g_steal_pointer(&out), FALSE);
}
