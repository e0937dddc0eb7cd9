/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `tollgate swupdate-listen` learns from SWUpdate's progress messages:
 * when an update starts, its version (SWUpdate's {"VERSION": ...} INFO and
 * tollgate's own decision INFO), whether tollgate blocked it, and how it
 * ended. No I/O here: the command feeds the messages it reads. */
#include "tg-swupdate.h"
#include "decision-private.h"

#include <string.h>

#define MAX_INFO 4096	/* longer INFO text is not parsed */

struct _TgSwuListener {
	gboolean active;
	gchar *version;
	gchar *component;
	gchar *error;
	gboolean blocked;
	gboolean recorded;
	gboolean version_from_tollgate;
	gchar *refusal;		/* SWUpdate's own refusal of the running update */
	gchar *refused_version;
	gboolean interrupted;	/* SWUpdate went away before the update ended */
	gboolean signature;	/* SWUpdate rejected the signature */
};

TgSwuListener *tg_swu_listener_new(void)
{
	return g_new0(TgSwuListener, 1);
}

static void reset(TgSwuListener *l)
{
	g_clear_pointer(&l->version, g_free);
	g_clear_pointer(&l->component, g_free);
	g_clear_pointer(&l->error, g_free);
	l->blocked = FALSE;
	l->recorded = FALSE;
	l->version_from_tollgate = FALSE;
	g_clear_pointer(&l->refusal, g_free);
	g_clear_pointer(&l->refused_version, g_free);
	l->interrupted = FALSE;
	l->signature = FALSE;
}

void tg_swu_listener_free(TgSwuListener *l)
{
	if (!l)
		return;
	reset(l);
	g_free(l);
}

static void take_string(JsonObject *obj, const char *name, gchar **field)
{
	JsonNode *m = json_object_get_member(obj, name);

	if (m && JSON_NODE_HOLDS_VALUE(m) && json_node_get_value_type(m) == G_TYPE_STRING) {
		g_free(*field);
		*field = g_utf8_make_valid(json_node_get_string(m), -1);
	}
}

/* A tollgate payload: a decision tells the version, component and verdict. */
static void learn_tollgate(TgSwuListener *l, JsonObject *inner)
{
	const char *kind = json_object_get_string_member_with_default(inner, "kind", "");
	const char *verdict;

	if (g_str_equal(kind, "recorded") &&
	    g_str_equal(json_object_get_string_member_with_default(inner, "event", ""),
			"update.failed"))
		l->recorded = TRUE;
	if (!g_str_equal(kind, "decision"))
		return;
	verdict = json_object_get_string_member_with_default(inner, "verdict", "");
	if (!g_str_equal(verdict, "allow"))
		l->blocked = TRUE;
	take_string(inner, "version", &l->version);
	take_string(inner, "component", &l->component);
	l->version_from_tollgate = TRUE;
}

/* Looks at every {"<cause>": {...}} member of an INFO object. Returns the
 * tollgate payload, if any (transfer full). */
static JsonObject *learn_info(TgSwuListener *l, JsonObject *root)
{
	g_autoptr(GList) values = json_object_get_values(root);
	JsonObject *found = NULL;

	for (GList *v = values; v; v = v->next) {
		JsonObject *obj, *inner;

		if (!JSON_NODE_HOLDS_OBJECT(v->data))
			continue;
		obj = json_node_get_object(v->data);
		if (!l->version_from_tollgate)
			take_string(obj, "VERSION", &l->version);
		if (json_object_has_member(obj, TG_SWU_INFO_MEMBER) &&
		    JSON_NODE_HOLDS_OBJECT(json_object_get_member(obj, TG_SWU_INFO_MEMBER)) &&
		    !found) {
			inner = json_object_get_object_member(obj, TG_SWU_INFO_MEMBER);
			learn_tollgate(l, inner);
			found = json_object_ref(inner);
		}
	}
	return found;
}

/* Parses @info; text that is not a JSON object is kept as the error text of
 * a failing update. Returns the tollgate payload (transfer full) or NULL. */
static JsonObject *read_info(TgSwuListener *l, int status, const char *info, gsize len)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	JsonNode *root;

	if (len == 0 || len > MAX_INFO)
		return NULL;
	if (!json_parser_load_from_data(parser, info, (gssize)len, NULL) ||
	    !(root = json_parser_get_root(parser)) || !JSON_NODE_HOLDS_OBJECT(root)) {
		if (status == TG_SWU_STATUS_FAILURE) {
			g_free(l->error);
			l->error = g_utf8_make_valid(info, (gssize)len);
		}
		return NULL;
	}
	return learn_info(l, json_node_get_object(root));
}

TgSwuEvent tg_swu_listener_feed(TgSwuListener *l, int status, const char *info, gsize info_len,
				JsonObject **ret_info)
{
	g_autoptr(JsonObject) payload = NULL;

	g_return_val_if_fail(l != NULL, TG_SWU_EVENT_NONE);
	if (status == TG_SWU_STATUS_START) {
		reset(l);
		l->active = TRUE;
		return TG_SWU_EVENT_STARTED;
	}
	if (!info)
		info_len = 0;
	payload = read_info(l, status, info, info_len);
	if (status == TG_SWU_STATUS_FAILURE && l->active) {
		l->active = FALSE;
		return TG_SWU_EVENT_FAILED;
	}
	if (status == TG_SWU_STATUS_SUCCESS && l->active) {
		l->active = FALSE;
		return TG_SWU_EVENT_SUCCEEDED;
	}
	if (!payload)
		return TG_SWU_EVENT_NONE;
	if (ret_info)
		*ret_info = g_steal_pointer(&payload);
	return TG_SWU_EVENT_NOTICE;
}

TgSwuEvent tg_swu_listener_lost(TgSwuListener *l)
{
	g_return_val_if_fail(l != NULL, TG_SWU_EVENT_NONE);
	if (!l->active)
		return TG_SWU_EVENT_NONE;
	l->active = FALSE;
	l->interrupted = TRUE;
	return TG_SWU_EVENT_FAILED;
}

gboolean tg_swu_listener_interrupted(const TgSwuListener *l)
{
	return l->interrupted;
}

gboolean tg_swu_listener_signature_failure(const TgSwuListener *l)
{
	return l->signature;
}

/* SWUpdate's own version limits (core/parser.c, 2022.12 to 2026.05): it
 * checks them right after parsing sw-description, before any handler or
 * preupdatecmd runs and before progress announces the update (START and
 * the version come after them): the refusal itself starts the update the
 * listener follows, and the FAILURE that follows ends it. */
static const char *const refusal_markers[] = {
	"No downgrading allowed: new version ",
	"Max version set: new version ",
	"No reinstalling allowed: new version ",
};

/* SWUpdate's own checks of the image that fail while it reads the .swu,
 * before it announces the update (no START, no version): the note starts
 * the update the listener follows, so the FAILURE that ends it is recorded
 * with this text (the version stays unknown). */
static const char *const early_failures[] = {
	"Authentication of all signatures failed",	/* a signer it does not trust */
	"description file name not the first of the list",	/* no signature */
	"Signature verification failed",
};

static void note_early_failure(TgSwuListener *l, const char *msg)
{
	for (gsize i = 0; i < G_N_ELEMENTS(early_failures); i++) {
		const char *at = strstr(msg, early_failures[i]);

		if (!at)
			continue;
		reset(l);
		l->active = TRUE;
		l->signature = TRUE;
		l->error = g_utf8_make_valid(at, -1);
		return;
	}
}

void tg_swu_listener_note(TgSwuListener *l, const char *msg)
{
	g_return_if_fail(l != NULL);
	if (msg && !l->active)
		note_early_failure(l, msg);
	if (!msg || (l->active && l->refusal))
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(refusal_markers); i++) {
		const char *at = strstr(msg, refusal_markers[i]);
		const char *v, *end;

		if (!at)
			continue;
		if (!l->active) {
			reset(l);
			l->active = TRUE;
		}
		v = at + strlen(refusal_markers[i]);
		end = strchr(v, ' ');
		l->refusal = g_utf8_make_valid(at, -1);
		if (end > v)
			l->refused_version = g_utf8_make_valid(v, end - v);
		return;
	}
}

const char *tg_swu_listener_refusal(const TgSwuListener *l)
{
	return l->refusal;
}

const char *tg_swu_listener_version(const TgSwuListener *l)
{
	return l->version ? l->version : l->refused_version;
}

const char *tg_swu_listener_component(const TgSwuListener *l)
{
	return l->component;
}

const char *tg_swu_listener_error(const TgSwuListener *l)
{
	return l->error;
}

gboolean tg_swu_listener_blocked(const TgSwuListener *l)
{
	return l->blocked;
}

gboolean tg_swu_listener_recorded(const TgSwuListener *l)
{
	return l->recorded;
}
