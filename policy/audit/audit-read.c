/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading audit files: the file list, the streaming line reader, the tail
 * reader used to find the chain head, and the hand-written line scanner that
 * lets verification skip a JSON parser for ordinary records. */
#include "audit-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define PREV_PREFIX "{\"prev\":\""
#define PREV_PREFIX_LEN (sizeof(PREV_PREFIX) - 1)
#define SEQ_KEY "\"seq\":"
#define SEQ_WINDOW 64		/* bytes after "prev" in which "seq" must start */
#define EVENT_KEY ",\"event\":\""
#define CHECKPOINT_VALUE "log.checkpoint\""
#define TAIL_BLOCK (64 * 1024)
#define READ_BUF_SIZE (2 * TG_AUDIT_READ_MAX_LINE)

struct _TgAuditReader {
	gchar **files;
	guint index;		/* file being read */
	int fd;			/* -1 between files */
	gboolean eof;
	gchar *buf;
	gsize start;		/* unread data is buf[start, end) */
	gsize end;
	gsize scanned;		/* buf[start, start + scanned) holds no '\n' */
	guint64 line_no;
};

/* ---- line scanner ---- */

static int hex_value(guchar c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static gboolean decode_hash(const char *hex, guint8 out[TG_SHA256_LEN])
{
	for (gsize i = 0; i < TG_SHA256_LEN; i++) {
		int hi = hex_value((guchar)hex[2 * i]);
		int lo = hex_value((guchar)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

/* Parses the digits of "seq" at @p (at most @avail bytes); the number must
 * end at ',' or '}' and fit a JSON integer of json-glib (gint64). */
static gboolean parse_seq(const char *p, gsize avail, guint64 *ret_seq)
{
	guint64 seq = 0;
	gsize i = 0;

	while (i < avail && g_ascii_isdigit(p[i])) {
		guint digit = (guint)(p[i] - '0');

		if (seq > ((guint64)G_MAXINT64 - digit) / 10)
			return FALSE;
		seq = seq * 10 + digit;
		i++;
	}
	if (i == 0 || i >= avail || (p[i] != ',' && p[i] != '}'))
		return FALSE;
	*ret_seq = seq;
	return TRUE;
}

/* A '"' inside a JSON string is always escaped, so ',"event":"' cannot occur
 * in a string value; the first occurrence is the record's own member, which
 * the writer puts before any body member. */
static gboolean is_checkpoint(const char *line, gsize len)
{
	const char *p = memmem(line, len, EVENT_KEY, strlen(EVENT_KEY));
	gsize rest;

	if (!p)
		return FALSE;
	p += strlen(EVENT_KEY);
	rest = len - (gsize)(p - line);
	return rest >= strlen(CHECKPOINT_VALUE) &&
	       memcmp(p, CHECKPOINT_VALUE, strlen(CHECKPOINT_VALUE)) == 0;
}

TgAuditLineKind tg_audit_scan_line(const char *line, gsize len, TgAuditLineScan *ret_scan)
{
	TgAuditLineScan scan = { 0 };
	const char *after_prev;
	const char *seq_key;
	gsize window;

	if (len == 0 || line[0] != '{')
		return TG_AUDIT_LINE_NOT_RECORD;
	if (line[len - 1] != '}')
		return TG_AUDIT_LINE_INCOMPLETE;
	if (len < PREV_PREFIX_LEN + TG_SHA256_HEX_LEN + 2 ||
	    memcmp(line, PREV_PREFIX, PREV_PREFIX_LEN) != 0)
		return TG_AUDIT_LINE_NOT_RECORD;
	after_prev = line + PREV_PREFIX_LEN + TG_SHA256_HEX_LEN;
	if (after_prev[0] != '"' || after_prev[1] != ',')
		return TG_AUDIT_LINE_NOT_RECORD;
	scan.prev_ok = decode_hash(line + PREV_PREFIX_LEN, scan.prev);
	after_prev += 2;
	window = MIN((gsize)(line + len - after_prev), SEQ_WINDOW);
	seq_key = memmem(after_prev, window, SEQ_KEY, strlen(SEQ_KEY));
	if (!seq_key)
		return TG_AUDIT_LINE_NOT_RECORD;
	seq_key += strlen(SEQ_KEY);
	if (!parse_seq(seq_key, (gsize)(line + len - seq_key), &scan.seq))
		return TG_AUDIT_LINE_NOT_RECORD;
	scan.checkpoint = is_checkpoint(line, len);
	*ret_scan = scan;
	return TG_AUDIT_LINE_RECORD;
}

JsonObject *tg_audit_parse_line(const char *line, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, line, (gssize)len, &local)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "audit line is not valid JSON: %s",
			    local ? local->message : "too long");
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "audit line is not a JSON object");
		return NULL;
	}
	return json_object_ref(json_node_get_object(root));
}

/* ---- tail reader ---- */

static gboolean read_error(GError **error, const char *path)
{
	int saved = errno;

	g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO, "cannot read %s: %s", path,
		    g_strerror(saved));
	return FALSE;
}

static gboolean pread_all(int fd, void *buf, gsize len, guint64 offset)
{
	gchar *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* file shrank under us */
			return FALSE;
		}
		p += n;
		len -= (gsize)n;
		offset += (guint64)n;
	}
	return TRUE;
}

/* Looks for the last '\n' in [@lo, @hi) of @fd, reading backwards in blocks,
 * scanning at most @limit bytes. @ret_pos: its offset, or -1 when none. */
static gboolean find_last_newline(int fd, guint64 lo, guint64 hi, guint64 limit,
				  gint64 *ret_pos)
{
	g_autofree gchar *block = g_malloc(TAIL_BLOCK);
	guint64 pos = hi;

	if (hi - lo > limit)
		lo = hi - limit;
	while (pos > lo) {
		gsize n = (gsize)MIN((guint64)TAIL_BLOCK, pos - lo);
		const char *nl;

		if (!pread_all(fd, block, n, pos - n))
			return FALSE;
		nl = memrchr(block, '\n', n);
		if (nl) {
			*ret_pos = (gint64)(pos - n + (guint64)(nl - block));
			return TRUE;
		}
		pos -= n;
	}
	*ret_pos = -1;
	return TRUE;
}

gboolean tg_audit_read_last_line(int fd, const char *path, guint64 size, gchar **ret_line,
				 gsize *ret_len, guint64 *ret_end, GError **error)
{
	g_autofree gchar *line = NULL;
	gint64 last_nl, prev_nl;
	guint64 start, end;

	if (!find_last_newline(fd, 0, size, G_MAXUINT64, &last_nl))
		return read_error(error, path);
	if (last_nl < 0) {
		*ret_line = NULL;
		*ret_len = 0;
		*ret_end = 0;
		return TRUE;
	}
	end = (guint64)last_nl + 1;
	if (!find_last_newline(fd, 0, end - 1, TG_AUDIT_READ_MAX_LINE, &prev_nl))
		return read_error(error, path);
	start = prev_nl < 0 ? 0 : (guint64)prev_nl + 1;
	if (prev_nl < 0 && end - 1 > TG_AUDIT_READ_MAX_LINE) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "the last line of %s is longer than %d bytes, so it is no audit "
			    "record; keep a copy for investigation, then move the file aside",
			    path, TG_AUDIT_READ_MAX_LINE);
		return FALSE;
	}
	line = g_malloc(end - start + 1);
	if (!pread_all(fd, line, end - start, start))
		return read_error(error, path);
	line[end - start] = '\0';
	*ret_len = end - start;
	*ret_end = end;
	*ret_line = g_steal_pointer(&line);
	return TRUE;
}

/* ---- file list ---- */

/* Number N of "audit.log.N" (canonical decimal, N >= 1), or 0. */
static guint rotated_number(const char *name)
{
	const char *digits;
	guint64 n;

	if (!g_str_has_prefix(name, TG_AUDIT_FILE "."))
		return 0;
	digits = name + strlen(TG_AUDIT_FILE ".");
	if (digits[0] == '0' || !g_ascii_string_to_unsigned(digits, 10, 1, G_MAXUINT - 1, &n, NULL))
		return 0;
	return (guint)n;
}

static gint compare_desc(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a;
	guint y = *(const guint *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

GArray *tg_audit_rotated_numbers(const char *dir, GError **error)
{
	g_autoptr(GArray) numbers = g_array_new(FALSE, FALSE, sizeof(guint));
	g_autoptr(GError) local = NULL;
	g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
	const char *name;

	if (!d) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "cannot list the audit directory %s: %s", dir, local->message);
		return NULL;
	}
	while ((name = g_dir_read_name(d))) {
		guint n = rotated_number(name);

		if (n > 0)
			g_array_append_val(numbers, n);
	}
	g_array_sort(numbers, compare_desc);
	return g_steal_pointer(&numbers);
}

gchar **tg_audit_list_files(const char *dir, GError **error)
{
	g_autoptr(GArray) numbers = NULL;
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *current = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_return_val_if_fail(dir != NULL, NULL);
	numbers = tg_audit_rotated_numbers(dir, error);
	if (!numbers)
		return NULL;
	for (guint i = 0; i < numbers->len; i++) {
		g_autofree gchar *name = g_strdup_printf(TG_AUDIT_FILE ".%u",
							 g_array_index(numbers, guint, i));

		g_ptr_array_add(files, g_build_filename(dir, name, NULL));
	}
	current = g_build_filename(dir, TG_AUDIT_FILE, NULL);
	if (g_file_test(current, G_FILE_TEST_EXISTS))
		g_ptr_array_add(files, g_steal_pointer(&current));
	g_ptr_array_add(files, NULL);
	return (gchar **)g_ptr_array_free(g_steal_pointer(&files), FALSE);
}

gboolean tg_audit_has_history(const char *dir)
{
	g_auto(GStrv) files = NULL;

	if (!dir)
		return FALSE;
	files = tg_audit_list_files(dir, NULL);
	for (gchar **f = files; f && *f; f++) {
		struct stat st;

		if (stat(*f, &st) == 0 && st.st_size > 0)
			return TRUE;
	}
	return FALSE;
}

/* ---- streaming reader ---- */

TgAuditReader *tg_audit_reader_open(const char *const *files, GError **error)
{
	TgAuditReader *reader;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	g_return_val_if_fail(files != NULL, NULL);
	reader = g_new0(TgAuditReader, 1);
	reader->files = g_strdupv((gchar **)files);
	reader->fd = -1;
	reader->buf = g_malloc(READ_BUF_SIZE);
	return reader;
}

void tg_audit_reader_free(TgAuditReader *reader)
{
	if (!reader)
		return;
	if (reader->fd >= 0)
		close(reader->fd);
	g_strfreev(reader->files);
	g_free(reader->buf);
	g_free(reader);
}

guint64 tg_audit_reader_line_number(TgAuditReader *reader)
{
	g_return_val_if_fail(reader != NULL, 0);
	return reader->line_no;
}

const char *tg_audit_reader_file(TgAuditReader *reader)
{
	return reader->files[reader->index];
}

/* Opens the next file; FALSE at the end of the list (error unset) or with @error. */
static gboolean open_next_file(TgAuditReader *reader, GError **error)
{
	const char *path = reader->files[reader->index];
	struct stat st;

	if (!path)
		return FALSE;
	/* O_NONBLOCK: a FIFO planted under an audit name must not hang us. */
	reader->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (reader->fd < 0)
		return read_error(error, path);
	if (fstat(reader->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(reader->fd);
		reader->fd = -1;
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_IO,
			    "%s is not a regular file, so it is no audit file; move it away", path);
		return FALSE;
	}
	(void)posix_fadvise(reader->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	reader->eof = FALSE;
	reader->start = reader->end = reader->scanned = 0;
	reader->line_no = 0;
	return TRUE;
}

static void close_file(TgAuditReader *reader)
{
	close(reader->fd);
	reader->fd = -1;
	reader->index++;
}

/* Reads more data after the unread part; FALSE with @error on failure. */
static gboolean fill(TgAuditReader *reader, GError **error)
{
	const char *path = reader->files[reader->index];
	ssize_t n;

	if (reader->end - reader->start > TG_AUDIT_READ_MAX_LINE) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "line %" G_GUINT64_FORMAT " of %s is longer than %d bytes, so it is "
			    "no audit record", reader->line_no + 1, path, TG_AUDIT_READ_MAX_LINE);
		return FALSE;
	}
	if (reader->start > 0) {
		memmove(reader->buf, reader->buf + reader->start, reader->end - reader->start);
		reader->end -= reader->start;
		reader->start = 0;
	}
	do
		n = read(reader->fd, reader->buf + reader->end, READ_BUF_SIZE - reader->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return read_error(error, path);
	if (n == 0)
		reader->eof = TRUE;
	reader->end += (gsize)n;
	return TRUE;
}

static void take_line(TgAuditReader *reader, gsize len, const char **ret_line, gsize *ret_len)
{
	*ret_line = reader->buf + reader->start;
	*ret_len = len;
	reader->start += len;
	reader->scanned = 0;
	reader->line_no++;
}

gboolean tg_audit_reader_next_raw(TgAuditReader *reader, const char **ret_line, gsize *ret_len,
				  gboolean *ret_complete, const char **ret_file, GError **error)
{
	for (;;) {
		const char *nl;

		if (reader->fd < 0 && !open_next_file(reader, error))
			return FALSE;
		nl = memchr(reader->buf + reader->start + reader->scanned, '\n',
			    reader->end - reader->start - reader->scanned);
		if (nl || (reader->eof && reader->end > reader->start)) {
			gsize len = nl ? (gsize)(nl - reader->buf) + 1 - reader->start :
					 reader->end - reader->start;

			if (ret_file)
				*ret_file = reader->files[reader->index];
			*ret_complete = nl != NULL;
			take_line(reader, len, ret_line, ret_len);
			return TRUE;
		}
		if (reader->eof) {
			close_file(reader);
			continue;
		}
		reader->scanned = reader->end - reader->start;
		if (!fill(reader, error))
			return FALSE;
	}
}

gboolean tg_audit_reader_next(TgAuditReader *reader, const char **ret_line, gsize *ret_len,
			      const char **ret_file, GError **error)
{
	const char *line, *file;
	gboolean complete;
	gsize len;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(reader != NULL, FALSE);
	if (!tg_audit_reader_next_raw(reader, &line, &len, &complete, &file, error))
		return FALSE;
	if (!complete) {
		g_set_error(error, TG_AUDIT_ERROR, TG_AUDIT_ERROR_PARSE,
			    "%s ends with an incomplete line of %zu bytes (a torn write); "
			    "run 'tollgate audit verify' and let tollgate open the log to move "
			    "it aside", file, len);
		return FALSE;
	}
	*ret_line = line;
	*ret_len = len;
	if (ret_file)
		*ret_file = file;
	return TRUE;
}
