/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log.policy record (docs/audit-events.md): the text of the policy the
 * following records were made under, so that logs alone say which policy
 * each record of a device obeyed. */
#include "audit-private.h"

#include <string.h>

#define POLICY_HASH_KEY ",\"policy_hash\":\""
#define CHUNK_MAX 4000

/* @text as strings of at most CHUNK_MAX bytes, cut on character
 * boundaries. */
static JsonArray *text_chunks(const char *text, gsize len)
{
	JsonArray *chunks = json_array_new();
	gsize at = 0;

	while (at < len) {
		gsize n = MIN(len - at, CHUNK_MAX);
		g_autofree gchar *chunk = NULL;

		while (n < len - at && n > 0 && ((guchar)text[at + n] & 0xc0) == 0x80)
			n--;	/* not inside a character */
		chunk = g_strndup(text + at, n);
		json_array_add_string_element(chunks, chunk);
		at += n;
	}
	return chunks;
}

static JsonObject *file_object(const char *name, GBytes *bytes, gboolean with_text)
{
	JsonObject *f = json_object_new();
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);

	json_object_set_string_member(f, "name", name);
	json_object_set_int_member(f, "size", (gint64)len);
	if (with_text)
		json_object_set_array_member(f, "text", text_chunks(data, len));
	return f;
}

JsonObject *tg_audit_policy_body(GPtrArray *names, GPtrArray *texts, const char *writer,
				 gboolean with_text)
{
	JsonObject *body = json_object_new();
	JsonArray *files = json_array_new();
	gboolean text_ok = with_text;

	for (guint i = 0; i < names->len; i++) {
		gsize len = 0;
		const char *data = g_bytes_get_data(texts->pdata[i], &len);

		if (!g_utf8_validate(data, (gssize)len, NULL))
			text_ok = FALSE;
	}
	for (guint i = 0; i < names->len; i++)
		json_array_add_object_element(files, file_object(names->pdata[i], texts->pdata[i],
								 text_ok));
	json_object_set_array_member(body, "files", files);
	json_object_set_string_member(body, "writer", writer ? writer : "unknown");
	if (!text_ok)
		json_object_set_string_member(body, "text_omitted",
					      with_text ? "not UTF-8 text"
							: "larger than one audit record");
	return body;
}

gboolean tg_audit_line_has_policy(const char *line, gsize len, const char *hash)
{
	const char *p = memmem(line, len, POLICY_HASH_KEY, strlen(POLICY_HASH_KEY));
	gsize n = hash ? strlen(hash) : 0;

	if (!p)
		return hash == NULL;
	p += strlen(POLICY_HASH_KEY);
	return hash && (gsize)(line + len - p) > n && memcmp(p, hash, n) == 0 && p[n] == '"';
}
