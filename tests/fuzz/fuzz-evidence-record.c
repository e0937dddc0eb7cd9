/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for what the evidence export reads from a device's
 * audit log (evidence/evidence-scan.c, evidence-variant.c): any input is
 * one log line for the scanner of a variant's device and, when it is a JSON
 * object, a log.policy record whose policy is rebuilt. Nothing may crash;
 * a rebuilt policy must carry the hash it was asked for. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void policy_record(const char *line, gsize len)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(TgEvPolicyText) text = NULL;
	g_autoptr(TgPolicy) policy = NULL;
	g_autofree gchar *problem = NULL;
	JsonNode *root;

	if (len > G_MAXSSIZE || !json_parser_load_from_data(parser, line, (gssize)len, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root))
		return;
	text = tg_ev_policy_text_parse(json_node_get_object(root));
	if (text->omitted || text->names->len == 0)
		return;
	policy = tg_ev_policy_from_text(text, "00", &problem);
	if (policy || !problem || !g_utf8_validate(problem, -1, NULL))
		abort();	/* no policy hashes to "00" */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "[device]\nmodel = F\n";
	g_autoptr(TgPolicy) p = tg_policy_load_data("f.conf", base, strlen(base), NULL);
	g_autoptr(TgEvDecl) decl = tg_ev_decl_parse(p, NULL);
	g_autoptr(TgEvLogs) logs = tg_ev_logs_new(0);
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	TgEvVariant v = { .model = (gchar *)"F", .policy_hash = p ? p->hash : NULL };
	TgEvDevice *dev = tg_ev_device_new("/dev-f");

	if (!p || !decl)
		abort();
	logs->variant = size % 2 ? &v : NULL;
	g_ptr_array_add(logs->devices, dev);
	tg_ev_scan_line(logs, dev, p, decl, parser, (const char *)data, size, "audit.log");
	policy_record((const char *)data, size);
	return 0;
}
