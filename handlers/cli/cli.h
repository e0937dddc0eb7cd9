/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `tollgate` command: shared pieces of the subcommands. */
#pragma once

#include <glib.h>
#include "tollgate/tollgate.h"
#include "decision-private.h"

G_BEGIN_DECLS

enum {
	TG_EXIT_OK = 0,
	TG_EXIT_ERROR = 1,
	TG_EXIT_USAGE = 2,
	TG_EXIT_REFUSED = 10,
	TG_EXIT_DEFERRED = 11,
};

/* Options given before the command. */
typedef struct {
	gchar *config;
	gchar *state_dir;
	GDateTime *now;
} TgCliGlobal;

typedef int (*TgCliFunc)(const TgCliGlobal *global, int argc, char **argv);

typedef struct {
	const char *name;	/* "gate", "config check", ... */
	TgCliFunc func;
	const char *summary;
} TgCliCommand;

/* Parses @argv with @entries; prints usage errors and returns FALSE then.
 * @params: text after the command name in the usage line. */
gboolean tg_cli_parse(int *argc, char ***argv, const char *command, const char *params,
		      const char *summary, const GOptionEntry *entries);

/* Prints "tollgate: MESSAGE" to stderr. */
void tg_cli_error(const GError *error);
void tg_cli_errorf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Opens the engine with the global options. Returns: (transfer full). */
TgEngine *tg_cli_engine(const TgCliGlobal *global, const char *updater, GError **error);

/* Parses an RFC 3339 time (a zone offset is required, e.g. Z). */
GDateTime *tg_cli_parse_time(const char *text);

/* "refused 0.9.0[ until T]: reason". Returns: (transfer full). */
gchar *tg_cli_decision_line(const TgDecision *d);
/* @text on one line: newline, carriage return and other control characters
 * written as \n, \r, \xHH, so text from an update cannot start a line of
 * its own in tollgate's output. Returns: (transfer full). */
gchar *tg_cli_one_line(const char *text);

/* Ends a gate command: prints the error (exit 1) when @d is NULL, else the
 * decision (JSON and/or one line; @log_style: "tollgate: ..." on stderr
 * unless allowed, for updater logs) and returns its exit code. */
int tg_cli_finish_gate(const TgDecision *d, const GError *error, gboolean json,
		       gboolean log_style);

/* Prints @node as one JSON line on stdout. */
void tg_cli_print_json(JsonNode *node);

/* Options describing a candidate, shared by gate, installed and failed. */
typedef struct {
	gchar *version;
	gchar *component;
	gchar *cls;
	gchar **advisories;
	gchar *severity;
	gchar *risk;
	gboolean reboot;
	gchar *downtime;
	gboolean disruptive;
	gchar **services;
	gchar *support_end;
	gchar *digest;
	gchar *mechanism;
	gchar *name;
	gchar *file;
	gboolean json;
} TgCliCandidate;

/* The GOptionEntry list for @opts (static storage: one user at a time). */
const GOptionEntry *tg_cli_candidate_entries(TgCliCandidate *opts);
void tg_cli_candidate_clear(TgCliCandidate *opts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(TgCliCandidate, tg_cli_candidate_clear)
/* Returns: (transfer full): the candidate, or NULL with @error. */
TgCandidate *tg_cli_candidate_build(const TgCliCandidate *opts, GError **error);

int tg_cmd_gate(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_installed(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_failed(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_commit(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_fell_back(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_postpone(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_approve(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_settings(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_status(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_config_check(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_state_reseed(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_audit_verify(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_audit_show(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_audit_anchor(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_evidence_check(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_evidence_verify(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_audit_public_key(const TgCliGlobal *g, int argc, char **argv);

/* The audit directory: @dir (--dir), else --state-dir/log, else the
 * policy's. Returns: (transfer full): the path, or NULL with @error. */
gchar *tg_cli_audit_dir(const TgCliGlobal *g, const char *dir, GError **error);
int tg_cmd_evidence(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_record_check(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_rauc_listen(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_swupdate_precheck(const TgCliGlobal *g, int argc, char **argv);
int tg_cmd_swupdate_listen(const TgCliGlobal *g, int argc, char **argv);

G_END_DECLS
