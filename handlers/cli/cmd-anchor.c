/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* audit anchor, audit public-key: what a backend keeps about a device so
 * that it can check the device's log later (`audit verify --anchor`). */
#include "cli.h"

#include <stdio.h>

#include "tg-crypto.h"

int tg_cmd_audit_anchor(const TgCliGlobal *g, int argc, char **argv)
{
	g_autofree gchar *dir = NULL, *adir = NULL, *line = NULL;
	GOptionEntry entries[] = {
		{ "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "audit directory", "DIR" },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GError) err = NULL;

	if (!tg_cli_parse(&argc, &argv, "audit anchor", NULL,
			  "Prints the log's latest signed checkpoint (one JSON line). Keep it "
			  "off the device; `tollgate audit verify --anchor FILE --key PUB` then "
			  "shows whether the log was cut or replaced since.", entries))
		return TG_EXIT_USAGE;
	adir = tg_cli_audit_dir(g, dir, &err);
	line = adir ? tg_audit_last_checkpoint(adir, &err) : NULL;
	if (!line) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	printf("%s\n", line);
	return TG_EXIT_OK;
}

int tg_cmd_audit_public_key(const TgCliGlobal *g, int argc, char **argv)
{
	g_autoptr(TgPolicy) policy = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree gchar *pem = NULL;

	if (!tg_cli_parse(&argc, &argv, "audit public-key", NULL,
			  "Prints the public key (PEM) of the device's Ed25519 checkpoint key "
			  "([audit] checkpoint-key), to enrol the device with a backend.", NULL))
		return TG_EXIT_USAGE;
	policy = tg_policy_load(tg_policy_path(g->config), &err);
	if (policy && (!policy->checkpoint_key || !policy->checkpoint_alg ||
		       !g_str_equal(policy->checkpoint_alg, "ed25519"))) {
		tg_cli_errorf("%s signs no checkpoints with Ed25519; set [audit] checkpoint-every, "
			      "checkpoint-alg = ed25519 and checkpoint-key", policy->path);
		return TG_EXIT_ERROR;
	}
	pem = policy ? tg_ed25519_public_pem(policy->checkpoint_key, &err) : NULL;
	if (!pem) {
		tg_cli_error(err);
		return TG_EXIT_ERROR;
	}
	fputs(pem, stdout);
	return TG_EXIT_OK;
}
