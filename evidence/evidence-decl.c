/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The declaration groups of the policy ([product], [mechanism.ID],
 * [component.ID], [procedure], [replacement], [ics.PROVISION],
 * [owner.AREA], [evidence]), parsed strictly from a copy of policy->extra.
 * Missing declarations are not errors: the export lists them as gaps.
 * Errors are for what cannot be right: unknown groups and keys, bad
 * values, references to undeclared mechanisms, contradictions. */
#include "evidence-private.h"

#include <string.h>

#include "policy-private.h"

#define MAX_TEXT 4096
#define MAX_ID 64
#define MAX_MECHANISMS 64
#define MAX_COMPONENTS 256
#define MAX_INDEX_LIMIT 100000

static const TgEvMechFieldInfo mech_fields[TG_MF_N] = {
	[TG_MF_DESCRIPTION] = { "description", "Description", "5.3-2-1, 5.3-2-2, 5.3-10-1" },
	[TG_MF_SECURITY] = { "security-guarantees", "Security Guarantees",
			     "5.3-2-1, 5.3-7-1, 5.3-9-1, 5.3-10-1" },
	[TG_MF_CRYPTO] = { "cryptographic-details", "Cryptographic Details",
			   "5.3-2-1, 5.3-7-1, 5.3-9-1" },
	[TG_MF_INITIATION] = { "initiation", "Initiation and Interaction",
			       "5.3-2-1, 5.3-3-1, 5.3-4-1, 5.3-6-1" },
	[TG_MF_CONFIGURATION] = { "configuration", "Configuration", "5.3-4-1, 5.3-6-1, 5.3-6-2" },
	[TG_MF_CHECKING] = { "update-checking", "Update Checking", "5.3-4-1, 5.3-5-1" },
	[TG_MF_NOTIFICATION] = { "user-notification", "User Notification",
				 "5.3-6-1, 5.3-11-1, 5.3-12-1" },
};

const TgEvMechFieldInfo *tg_ev_mech_fields(void)
{
	return mech_fields;
}

const char *tg_ev_support_name(TgEvSupport support)
{
	static const char *const names[] = { "Y", "N", "N/A" };

	return support <= TG_SUPPORT_NA ? names[support] : "?";
}

static void mechanism_free(TgEvMechanism *m)
{
	g_free(m->maintenance_window);
	g_free(m->id);
	for (guint i = 0; i < TG_MF_N; i++)
		g_free(m->fields[i]);
	g_free(m->updater);
	g_free(m->updater_config);
	g_free(m);
}

static void component_free(TgEvComponent *c)
{
	g_free(c->id);
	g_free(c->description);
	g_free(c->type);
	if (c->mechanisms)
		g_ptr_array_unref(c->mechanisms);
	g_free(c->justification);
	g_free(c->crypto_usage);
	g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvMechanism, mechanism_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TgEvComponent, component_free)

void tg_ev_decl_free(TgEvDecl *d)
{
	if (!d)
		return;
	g_free(d->model_designation);
	g_free(d->support_period);
	g_free(d->support_publication);
	g_free(d->vdp);
	g_free(d->proc_description);
	g_free(d->proc_time_frame);
	g_free(d->proc_confirmation);
	g_free(d->repl_rationale);
	g_free(d->repl_publication);
	g_free(d->repl_documentation);
	g_free(d->repl_hardware);
	g_free(d->repl_isolation);
	g_ptr_array_unref(d->mechanisms);
	g_ptr_array_unref(d->components);
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		g_free(d->ics[i].justification);
		g_free(d->ics[i].detail);
	}
	for (guint i = 0; i < TG_AREA_N; i++) {
		g_free(d->owners[i].owner);
		if (d->owners[i].artifacts)
			g_ptr_array_unref(d->owners[i].artifacts);
	}
	g_free(d->title);
	g_free(d->release);
	g_free(d->assessment_plan);
	g_free(d->verify_key);
	g_free(d->verify_alg);
	g_free(d);
}

const TgEvMechanism *tg_ev_decl_mechanism(const TgEvDecl *decl, const char *id)
{
	for (guint i = 0; id && i < decl->mechanisms->len; i++) {
		const TgEvMechanism *m = g_ptr_array_index(decl->mechanisms, i);

		if (g_str_equal(m->id, id))
			return m;
	}
	return NULL;
}

gboolean tg_ev_decl_updateable(const TgEvDecl *decl)
{
	return !decl->has_replacement;
}

/* ------------------------------------------------------------------ */
/* Key helpers */

/* Text of at most MAX_TEXT bytes, not empty, no control characters but
 * newline and tab (written as \n, \t). */
static gboolean take_text(TgKf *k, const char *group, const char *key, gchar **ret,
			  GError **error)
{
	g_autofree gchar *v = NULL;

	if (!tg_kf_take_string(k, group, key, &v, error))
		return FALSE;
	if (!v)
		return TRUE;
	if (!*v)
		return tg_kf_value_error(k, group, key, v,
					 "is empty; write the text or remove the key", error);
	if (strlen(v) > MAX_TEXT)
		return tg_kf_value_error(k, group, key, v,
					 "is longer than 4096 bytes; shorten it and refer to a "
					 "document for the details", error);
	for (const char *p = v; *p; p++) {
		if (((guchar)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return tg_kf_value_error(k, group, key, v,
						 "contains a control character; write plain text",
						 error);
	}
	g_free(*ret);
	*ret = g_steal_pointer(&v);
	return TRUE;
}

static gboolean valid_id(const char *id)
{
	gsize n = strlen(id);

	if (n == 0 || n > MAX_ID)
		return FALSE;
	for (const char *p = id; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_.", *p))
			return FALSE;
	return TRUE;
}

static gboolean bad_group(const TgKf *k, const char *group, const char *what, GError **error)
{
	g_autofree gchar *q = tg_kf_quote(group);

	g_set_error(error, TG_POLICY_ERROR, TG_POLICY_ERROR_VALUE, "%s: group [%s] %s",
		    tg_kf_file(k, group, NULL), q, what);
	return FALSE;
}

static gboolean check_id_group(const TgKf *k, const char *group, const char *id, GError **error)
{
	if (valid_id(id))
		return TRUE;
	return bad_group(k, group, "has a bad name; after the dot use 1 to 64 letters, digits, "
			 "'-', '_' or '.'", error);
}

/* ------------------------------------------------------------------ */
/* [product], [procedure], [replacement], [evidence] */

static gboolean parse_product(TgKf *k, TgEvDecl *d, GError **error)
{
	const char *g = "product";

	if (!g_key_file_has_group(k->kf, g))
		return TRUE;
	return take_text(k, g, "model-designation", &d->model_designation, error) &&
	       take_text(k, g, "support-period", &d->support_period, error) &&
	       take_text(k, g, "support-publication", &d->support_publication, error) &&
	       take_text(k, g, "vulnerability-disclosure", &d->vdp, error) &&
	       tg_kf_take_boolean(k, g, "constrained", &d->constrained, error) &&
	       tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_procedure(TgKf *k, TgEvDecl *d, GError **error)
{
	const char *g = "procedure";

	if (!g_key_file_has_group(k->kf, g))
		return TRUE;
	return take_text(k, g, "description", &d->proc_description, error) &&
	       take_text(k, g, "time-frame", &d->proc_time_frame, error) &&
	       take_text(k, g, "confirmation", &d->proc_confirmation, error) &&
	       tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_replacement(TgKf *k, TgEvDecl *d, GError **error)
{
	const char *g = "replacement";

	if (!g_key_file_has_group(k->kf, g))
		return TRUE;
	d->has_replacement = TRUE;
	return take_text(k, g, "rationale", &d->repl_rationale, error) &&
	       take_text(k, g, "publication", &d->repl_publication, error) &&
	       take_text(k, g, "documentation", &d->repl_documentation, error) &&
	       take_text(k, g, "hardware-replacement", &d->repl_hardware, error) &&
	       take_text(k, g, "isolation", &d->repl_isolation, error) &&
	       tg_kf_check_remaining_keys(k, g, error);
}

static gboolean parse_evidence(TgKf *k, TgEvDecl *d, GError **error)
{
	static const char *const algs[] = { "hmac-sha256", "ed25519", NULL };
	const char *g = "evidence";
	guint64 limit = 0, logs = 0;
	gint alg = -1;

	if (!g_key_file_has_group(k->kf, g))
		return TRUE;
	if (!take_text(k, g, "title", &d->title, error) ||
	    !take_text(k, g, "release", &d->release, error) ||
	    !take_text(k, g, "assessment-plan", &d->assessment_plan, error) ||
	    !tg_kf_take_path(k, g, "verify-key", &d->verify_key, error) ||
	    !tg_kf_take_enum(k, g, "verify-alg", algs, &alg, error) ||
	    !tg_kf_take_uint(k, g, "index-limit", MAX_INDEX_LIMIT, &limit, error) ||
	    !tg_kf_take_uint(k, g, "include-logs", MAX_INDEX_LIMIT, &logs, error))
		return FALSE;
	d->index_limit = (guint)limit;
	d->include_logs = (guint)logs;
	if (alg >= 0)
		d->verify_alg = g_strdup(algs[alg]);
	if (d->verify_alg && !d->verify_key)
		return tg_kf_value_error(k, g, "verify-alg", d->verify_alg,
					 "needs verify-key; set the key that verifies the "
					 "checkpoints or remove verify-alg", error);
	if (d->assessment_plan && strpbrk(d->assessment_plan, " \t\n"))
		return tg_kf_value_error(k, g, "assessment-plan", d->assessment_plan,
					 "is not a URI reference; write a URL or a relative path "
					 "without spaces", error);
	return tg_kf_check_remaining_keys(k, g, error);
}

/* index-limit = 0 is refused: it would list nothing. */
static gboolean check_index_limit(TgKf *k, TgEvDecl *d, gboolean had_key, GError **error)
{
	if (had_key && d->index_limit == 0)
		return tg_kf_value_error(k, "evidence", "index-limit", "0",
					 "lists no record; use 1 to 100000", error);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* [mechanism.ID] */

static gboolean take_mechanism_choices(TgKf *k, const char *g, TgEvMechanism *m, GError **error)
{
	static const char *const updaters[] = { "swupdate", "rauc", "other", NULL };
	static const char *const deliveries[] = { "network", "physical", "both", NULL };
	gint updater = -1, delivery = -1;

	if (!tg_kf_take_enum(k, g, "updater", updaters, &updater, error) ||
	    !tg_kf_take_path(k, g, "updater-config", &m->updater_config, error) ||
	    !tg_kf_take_enum(k, g, "delivery", deliveries, &delivery, error))
		return FALSE;
	if (updater >= 0)
		m->updater = g_strdup(updaters[updater]);
	m->delivery = delivery < 0 ? TG_DELIVERY_UNSET : (TgEvDelivery)(delivery + 1);
	if (m->updater_config && (!m->updater || g_str_equal(m->updater, "other")))
		return tg_kf_value_error(k, g, "updater-config", m->updater_config,
					 "needs updater = swupdate or rauc, the updater whose "
					 "configuration it is", error);
	return TRUE;
}

/* maintenance-window: the window the manufacturer documents for users,
 * "HH:MM-HH:MM" or "none"; the checker compares it with the policy's. */
static gboolean take_window(TgKf *k, const char *g, TgEvMechanism *m, GError **error)
{
	static const char *const form = "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$";

	if (!tg_kf_take_string(k, g, "maintenance-window", &m->maintenance_window, error))
		return FALSE;
	if (!m->maintenance_window || g_str_equal(m->maintenance_window, "none") ||
	    g_regex_match_simple(form, m->maintenance_window, 0, 0))
		return TRUE;
	return tg_kf_value_error(k, g, "maintenance-window", m->maintenance_window,
				 "is not a window; write HH:MM-HH:MM as in [class.*] window-hours, "
				 "or none", error);
}

/* Returns: (transfer full): the mechanism, or NULL with @error. */
static TgEvMechanism *parse_mechanism(TgKf *k, const char *g, GError **error)
{
	g_autoptr(TgEvMechanism) m = g_new0(TgEvMechanism, 1);

	m->id = g_strdup(g + strlen("mechanism."));
	if (!check_id_group(k, g, m->id, error))
		return NULL;
	for (guint i = 0; i < TG_MF_N; i++)
		if (!take_text(k, g, mech_fields[i].key, &m->fields[i], error))
			return NULL;
	if (!take_mechanism_choices(k, g, m, error) || !take_window(k, g, m, error) ||
	    !tg_kf_check_remaining_keys(k, g, error))
		return NULL;
	return g_steal_pointer(&m);
}

/* ------------------------------------------------------------------ */
/* [component.ID] */

static gboolean check_component_mechanisms(TgKf *k, const char *g, TgEvComponent *c,
					   const TgEvDecl *d, const char *raw, GError **error)
{
	for (guint i = 0; c->mechanisms && i < c->mechanisms->len; i++) {
		const char *id = g_ptr_array_index(c->mechanisms, i);
		g_autofree gchar *what = NULL;
		g_autofree gchar *q = NULL;

		if (tg_ev_decl_mechanism(d, id))
			continue;
		q = tg_kf_quote(id);
		what = g_strdup_printf("names '%s', which no [mechanism.%s] group declares; "
				       "declare it or correct the name", q, q);
		return tg_kf_value_error(k, g, "mechanisms", raw, what, error);
	}
	return TRUE;
}

/* Returns: (transfer full): the component, or NULL with @error. */
static TgEvComponent *parse_component(TgKf *k, const char *g, const TgEvDecl *d, GError **error)
{
	static const char *const types[] = { "firmware", "operating-system", "application",
					     "other", NULL };
	g_autoptr(TgEvComponent) c = g_new0(TgEvComponent, 1);
	g_autofree gchar *raw = NULL;
	gint type = -1;

	c->id = g_strdup(g + strlen("component."));
	if (!check_id_group(k, g, c->id, error))
		return NULL;
	if (g_key_file_has_key(k->kf, g, "mechanisms", NULL))
		raw = g_key_file_get_value(k->kf, g, "mechanisms", NULL);
	if (!take_text(k, g, "description", &c->description, error) ||
	    !tg_kf_take_enum(k, g, "type", types, &type, error) ||
	    !tg_kf_take_string_list(k, g, "mechanisms", &c->mechanisms, error) ||
	    !take_text(k, g, "justification", &c->justification, error) ||
	    !take_text(k, g, "cryptographic-usage", &c->crypto_usage, error) ||
	    !tg_kf_check_remaining_keys(k, g, error))
		return NULL;
	if (type >= 0)
		c->type = g_strdup(types[type]);
	if (!c->mechanisms)
		c->mechanisms = g_ptr_array_new_with_free_func(g_free);
	if (!check_component_mechanisms(k, g, c, d, raw, error))
		return NULL;
	return g_steal_pointer(&c);
}

/* ------------------------------------------------------------------ */
/* [ics.PROVISION] */

static gboolean parse_ics(TgKf *k, const char *g, TgEvDecl *d, GError **error)
{
	static const char *const supports[] = { "Y", "N", "N/A", NULL };
	gint idx = tg_ev_provision_index(g + strlen("ics."));
	gint support = -1;
	TgEvIcsDecl *ics;

	if (idx < 0)
		return bad_group(k, g, "names no provision of clause 5.3; use [ics.5.3-1] to "
				 "[ics.5.3-16] (EN 303 645 V2.1.1 numbering)", error);
	ics = &d->ics[idx];
	if (!tg_kf_take_enum(k, g, "support", supports, &support, error) ||
	    !take_text(k, g, "justification", &ics->justification, error) ||
	    !take_text(k, g, "detail", &ics->detail, error) ||
	    !tg_kf_check_remaining_keys(k, g, error))
		return FALSE;
	if (support < 0)
		return TRUE;
	ics->set = TRUE;
	ics->support = (TgEvSupport)support;
	if (ics->support == TG_SUPPORT_Y && !ics->detail)
		return tg_kf_value_error(k, g, "support", "Y",
					 "needs a detail key naming the measure that implements "
					 "the provision; Y is never claimed without one", error);
	if (ics->support == TG_SUPPORT_NA && tg_ev_provisions()[idx].conditions == 0)
		return tg_kf_value_error(k, g, "support", "N/A",
					 "is not possible: the provision has no condition, so it "
					 "always applies; use Y or N with a justification", error);
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* [owner.AREA] */

static gboolean parse_owner(TgKf *k, const char *g, TgEvDecl *d, GError **error)
{
	static const char *const statuses[] = { "open", "in-progress", "done", NULL };
	const char *area = g + strlen("owner.");
	TgEvOwner *o = NULL;

	for (guint i = 0; i < TG_AREA_N; i++)
		if (g_str_equal(tg_ev_areas()[i].id, area))
			o = &d->owners[i];
	if (!o)
		return bad_group(k, g, "names no workflow area; use owner.scope, "
				 "owner.support-map, owner.mechanisms, owner.procedures, "
				 "owner.user-information or owner.handoff", error);
	return take_text(k, g, "owner", &o->owner, error) &&
	       tg_kf_take_string_list(k, g, "artifacts", &o->artifacts, error) &&
	       tg_kf_take_enum(k, g, "status", statuses, &o->status, error) &&
	       tg_kf_check_remaining_keys(k, g, error);
}

/* ------------------------------------------------------------------ */
/* Whole set */

static gboolean is_decl_group(const char *group)
{
	static const char *const prefixes[] = {
		"product", "mechanism.", "component.", "procedure", "replacement",
		"ics.", "owner.", "evidence",
	};

	for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++)
		if (g_str_has_prefix(group, prefixes[i]))
			return TRUE;
	return FALSE;
}

static gboolean parse_mechanisms(TgKf *k, gchar **groups, TgEvDecl *d, GError **error)
{
	for (gchar **g = groups; *g; g++) {
		TgEvMechanism *m;

		if (!g_str_has_prefix(*g, "mechanism."))
			continue;
		if (d->mechanisms->len == MAX_MECHANISMS)
			return bad_group(k, *g, "is one mechanism too many; at most 64 are "
					 "allowed", error);
		m = parse_mechanism(k, *g, error);
		if (!m)
			return FALSE;
		g_ptr_array_add(d->mechanisms, m);
	}
	return TRUE;
}

static gboolean parse_others(TgKf *k, gchar **groups, TgEvDecl *d, GError **error)
{
	for (gchar **g = groups; *g; g++) {
		if (g_str_has_prefix(*g, "component.")) {
			TgEvComponent *c;

			if (d->components->len == MAX_COMPONENTS)
				return bad_group(k, *g, "is one component too many; at most 256 "
						 "are allowed", error);
			c = parse_component(k, *g, d, error);
			if (!c)
				return FALSE;
			g_ptr_array_add(d->components, c);
		} else if (g_str_has_prefix(*g, "ics.") && !parse_ics(k, *g, d, error)) {
			return FALSE;
		} else if (g_str_has_prefix(*g, "owner.") && !parse_owner(k, *g, d, error)) {
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean check_consistency(TgKf *k, TgEvDecl *d, GError **error)
{
	const TgEvMechanism *m;
	g_autofree gchar *what = NULL;

	if (!d->has_replacement || d->mechanisms->len == 0)
		return TRUE;
	m = g_ptr_array_index(d->mechanisms, 0);
	what = g_strdup_printf("describes a device that cannot be updated, but "
			       "[mechanism.%s] declares an update mechanism; remove one of "
			       "the two", m->id);
	return bad_group(k, "replacement", what, error);
}

TgEvDecl *tg_ev_decl_parse(const TgPolicy *policy, GError **error)
{
	g_autoptr(GKeyFile) kf = tg_kf_copy_groups(policy->extra, is_decl_group);
	g_autoptr(TgEvDecl) d = g_new0(TgEvDecl, 1);
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	gboolean had_limit = g_key_file_has_key(kf, "evidence", "index-limit", NULL);
	TgKf k = tg_kf_for_policy(kf, policy);

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	d->mechanisms = g_ptr_array_new_with_free_func((GDestroyNotify)mechanism_free);
	d->components = g_ptr_array_new_with_free_func((GDestroyNotify)component_free);
	for (guint i = 0; i < TG_AREA_N; i++)
		d->owners[i].status = TG_OWNER_STATUS_UNSET;
	if (!parse_product(&k, d, error) || !parse_procedure(&k, d, error) ||
	    !parse_replacement(&k, d, error) || !parse_evidence(&k, d, error) ||
	    !check_index_limit(&k, d, had_limit, error) ||
	    !parse_mechanisms(&k, groups, d, error) || !parse_others(&k, groups, d, error) ||
	    !check_consistency(&k, d, error) || !tg_kf_check_remaining_groups(&k, error))
		return NULL;
	return g_steal_pointer(&d);
}

gboolean tg_evidence_check_policy(const TgPolicy *policy, GError **error)
{
	g_autoptr(TgEvDecl) d = NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	g_return_val_if_fail(policy != NULL, FALSE);
	d = tg_ev_decl_parse(policy, error);
	return d != NULL;
}
