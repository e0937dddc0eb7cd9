/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The binding between the audit log and the state file: every state write
 * is announced by the record that causes it, which carries the state's new
 * generation and the SHA-256 of the state file ("state_generation",
 * "state_digest"; docs/state.md). The engine compares the last such record
 * with the state it reads, so an older copy of either is caught. This file
 * finds that record by reading a log file backwards. */
#include "audit-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define CHUNK 65536
#define MARK "\"state_generation\":"

/* Reads @gen and @digest from one record line; FALSE when it has none. */
static gboolean parse_binding(const char *line, gsize len, TgAuditBinding *ret)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	JsonObject *obj;
	const char *digest;

	if (!json_parser_load_from_data(parser, line, (gssize)len, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		return FALSE;
	obj = json_node_get_object(json_parser_get_root(parser));
	digest = json_object_get_string_member_with_default(obj, "state_digest", NULL);
	if (!json_object_has_member(obj, "state_generation") || !digest ||
	    strlen(digest) != TG_SHA256_HEX_LEN)
		return FALSE;
	ret->generation = (guint64)json_object_get_int_member(obj, "state_generation");
	g_strlcpy(ret->digest, digest, sizeof(ret->digest));
	ret->known = TRUE;
	return TRUE;
}

/* The last line of @text (@len bytes) carrying a binding. */
static gboolean last_in(const char *text, gsize len, TgAuditBinding *ret)
{
	gsize end = len;

	while (end > 0) {
		gsize start = end;

		if (text[end - 1] == '\n') {
			end--;
			continue;
		}
		while (start > 0 && text[start - 1] != '\n')
			start--;
		if (g_strstr_len(text + start, end - start, MARK) &&
		    parse_binding(text + start, end - start, ret))
			return TRUE;
		end = start;
	}
	return FALSE;
}

gboolean tg_audit_find_binding(const char *path, TgAuditBinding *ret, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	g_autoptr(GByteArray) carry = g_byte_array_new();	/* head of a line cut by a chunk */
	struct stat st;
	guint64 pos;

	memset(ret, 0, sizeof(*ret));
	if (fd < 0) {
		if (errno == ENOENT)
			return TRUE;
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO, "cannot open %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	for (pos = fstat(fd, &st) == 0 ? (guint64)st.st_size : 0; pos > 0 && !ret->known;) {
		guint64 from = pos > CHUNK ? pos - CHUNK : 0;
		gsize n = (gsize)(pos - from), total = n + carry->len, start = 0;
		g_autofree gchar *buf = g_malloc(total);
		const char *nl;

		if (pread(fd, buf, n, (off_t)from) != (gssize)n)
			break;
		if (carry->len)
			memcpy(buf + n, carry->data, carry->len);
		g_byte_array_set_size(carry, 0);
		if (from > 0) {
			nl = memchr(buf, '\n', n);
			start = nl ? (gsize)(nl - buf) + 1 : total;
		}
		last_in(buf + start, total - start, ret);
		g_byte_array_append(carry, (guint8 *)buf, start);
		pos = from;
	}
	close(fd);
	return TRUE;
}
