/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* logs/<device>/ in the pack: what the evidence rests on, so that an
 * assessor can check it without the devices. Up to [evidence] include-logs
 * devices per variant (or every device with --include-logs all) bring their
 * audit files byte for byte; beyond that a device brings cited.jsonl: every
 * record the index or the findings cite, and the chain head (the last
 * record). Each device has one label in the whole pack: the name of its log
 * directory, made unique with "-2", "-3" ... when two directories share it. */
#include "evidence-private.h"
#include "audit-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

GHashTable *tg_ev_labels_new(const char *const *dirs)
{
	GHashTable *labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) used = g_hash_table_new(g_str_hash, g_str_equal);

	for (const char *const *d = dirs; *d; d++) {
		g_autofree gchar *canon = g_canonicalize_filename(*d, NULL);
		g_autofree gchar *base = g_path_get_basename(canon);
		gchar *label = g_strdup(base);

		if (g_hash_table_contains(labels, *d)) {
			g_free(label);
			continue;
		}
		for (guint n = 2; g_hash_table_contains(used, label); n++) {
			g_free(label);
			label = g_strdup_printf("%s-%u", base, n);
		}
		g_hash_table_add(used, label);
		g_hash_table_insert(labels, g_strdup(*d), label);
	}
	return labels;
}

/* Copies @src to @dir/@name (written under a temporary name, renamed). */
static gboolean copy_file(const char *src, const char *dir, const char *name, GError **error)
{
	g_auto(TgEvStream) out = { 0 };
	char buf[64 * 1024];
	ssize_t n;
	int fd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot read %s for the pack: %s", src, g_strerror(errno));
		return FALSE;
	}
	if (!tg_ev_stream_open(&out, dir, name, error)) {
		close(fd);
		return FALSE;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			fwrite(buf, 1, (size_t)n, out.f);
	close(fd);
	if (n < 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO,
			    "cannot read %s for the pack: %s", src, g_strerror(errno));
		return FALSE;
	}
	return tg_ev_stream_commit(&out, error);
}

static gboolean copy_logs(const char *dir, const char *to, GError **error)
{
	g_auto(GStrv) files = tg_audit_list_files(dir, NULL);

	for (gchar **f = files; f && *f; f++) {
		g_autofree gchar *base = g_path_get_basename(*f);

		if (!copy_file(*f, to, base, error))
			return FALSE;
	}
	return TRUE;
}

/* cited.jsonl: the lines of @dir whose seq @dev cites, and the last line. */
static gboolean copy_cited(const TgEvDevice *dev, const char *to, GError **error)
{
	g_auto(GStrv) files = tg_audit_list_files(dev->dir, NULL);
	g_autoptr(TgAuditReader) reader = NULL;
	g_auto(TgEvStream) out = { 0 };
	g_autofree gchar *last = NULL;
	const char *line, *file;
	gsize len;

	if (!files || !tg_ev_stream_open(&out, to, "cited.jsonl", error))
		return files == NULL;
	reader = tg_audit_reader_open((const char *const *)files, NULL);
	while (reader && tg_audit_reader_next(reader, &line, &len, &file, NULL)) {
		TgAuditLineScan sc;
		gboolean cited = tg_audit_scan_line(line, len - (len && line[len - 1] == '\n'),
						    &sc) == TG_AUDIT_LINE_RECORD &&
				 g_hash_table_contains(dev->cited, &sc.seq);

		if (cited)
			fwrite(line, 1, len, out.f);
		g_free(last);
		last = cited ? NULL : g_strndup(line, len);
	}
	if (last)	/* the chain head, unless it was cited already */
		fputs(last, out.f);
	return tg_ev_stream_commit(&out, error);
}

/* Marks the records the findings of @pack cite on @dev. */
static void note_finding_cites(const TgEvPack *pack, TgEvDevice *dev)
{
	for (guint i = 0; i < pack->logs->findings->len; i++) {
		const TgEvFinding *f = g_ptr_array_index(pack->logs->findings, i);

		if (f->device && f->file && g_str_equal(f->device, dev->label))
			tg_ev_device_cite(dev, f->seq);
	}
}

static gboolean write_device(const TgEvExport *x, const TgEvPack *pack, TgEvDevice *dev,
			     gboolean whole, GHashTable *done, GError **error)
{
	g_autofree gchar *to = g_build_filename(x->top.opts->out_dir, "logs", dev->label, NULL);

	if (g_hash_table_contains(done, dev->label) && whole)
		return TRUE;
	if (g_mkdir_with_parents(to, 0755) != 0) {
		g_set_error(error, TG_EVIDENCE_ERROR, TG_EVIDENCE_ERROR_IO, "cannot create %s: %s",
			    to, g_strerror(errno));
		return FALSE;
	}
	g_hash_table_add(done, dev->label);
	if (whole)
		return copy_logs(dev->dir, to, error);
	note_finding_cites(pack, dev);
	return copy_cited(dev, to, error);
}

gboolean tg_ev_logs_write(const TgEvExport *x, GError **error)
{
	g_autoptr(GHashTable) done = g_hash_table_new(g_str_hash, g_str_equal);
	guint limit = x->top.opts->include_logs ? x->top.opts->include_logs
		      : x->top.decl->include_logs ? x->top.decl->include_logs
		      : TG_EV_DEFAULT_INCLUDE_LOGS;

	if (!tg_ev_clear_dir(x->top.opts->out_dir, "logs", error))
		return FALSE;
	for (guint p = 0; p < x->packs->len; p++) {
		const TgEvPack *pack = g_ptr_array_index(x->packs, p);

		for (guint i = 0; i < pack->logs->devices->len; i++)
			if (!write_device(x, pack, g_ptr_array_index(pack->logs->devices, i),
					  i < limit, done, error))
				return FALSE;
	}
	return TRUE;
}
