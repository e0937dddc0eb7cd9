/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IXIT tables: what the manufacturer declared in the policy and what
 * tollgate derives itself (check settings, sinks, postpone limits, support
 * end, version scheme, the signatures the updater verifies when its
 * configuration is named). Every field says which of the two it is; a
 * field with neither is a gap. */
#include "evidence-private.h"

#include <string.h>

#include "policy-private.h"

static void field_free(TgEvField *f)
{
	g_free(f->name);
	g_free(f->declared);
	g_free(f->declared_from);
	g_free(f->derived);
	g_free(f->derived_from);
	g_free(f->not_applicable);
	g_free(f->missing);
	g_free(f->contradicted_by);
	g_free(f);
}

static void entry_free(TgEvEntry *e)
{
	g_free(e->id);
	g_ptr_array_unref(e->fields);
	g_free(e);
}

void tg_ev_ixit_free(TgEvIxit *ixit)
{
	if (!ixit)
		return;
	g_ptr_array_unref(ixit->user_info);
	g_ptr_array_unref(ixit->components);
	g_ptr_array_unref(ixit->mechanisms);
	g_ptr_array_unref(ixit->procedure);
	g_ptr_array_unref(ixit->replacement);
	g_ptr_array_unref(ixit->decisions);
	g_ptr_array_unref(ixit->cert_gaps);
	g_free(ixit);
}

gboolean tg_ev_field_filled(const TgEvField *f)
{
	return f->declared || f->derived;
}

const char *tg_ev_field_origin(const TgEvField *f)
{
	if (f->declared && f->derived)
		return "declared+derived";
	if (f->declared)
		return "declared";
	if (f->derived)
		return "derived";
	return f->not_applicable ? "not applicable" : "gap";
}

const char *tg_ev_field_strength(const TgEvField *f)
{
	if (f->contradicted_by)
		return "contradicted";
	if (f->derived)
		return f->from_records ? "demonstrated" : "configured";
	if (f->declared)
		return "declared";
	return f->not_applicable ? "not applicable" : "gap";
}

const TgEvField *tg_ev_entry_field(const TgEvEntry *entry, const char *name)
{
	for (guint i = 0; i < entry->fields->len; i++) {
		const TgEvField *f = g_ptr_array_index(entry->fields, i);

		if (g_str_equal(f->name, name))
			return f;
	}
	return NULL;
}

/* Returns: (transfer full). */
static GPtrArray *field_list(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)field_free);
}

/* Returns: (transfer full). */
static TgEvEntry *entry_new(const char *id)
{
	TgEvEntry *e = g_new0(TgEvEntry, 1);

	e->id = g_strdup(id);
	e->fields = field_list();
	return e;
}

/* Adds a field; @declared with its policy location, @missing the hint for
 * the gap when nothing fills it. Returns: (transfer none). */
static TgEvField *add_field(GPtrArray *list, const char *name, const char *declared,
			    const char *declared_from, const char *missing)
{
	TgEvField *f = g_new0(TgEvField, 1);

	f->name = g_strdup(name);
	f->declared = g_strdup(declared);
	f->declared_from = declared ? g_strdup(declared_from) : NULL;
	f->missing = g_strdup(missing);
	g_ptr_array_add(list, f);
	return f;
}

static void set_derived(TgEvField *f, gchar *text, const char *from)
{
	if (!text)
		return;
	g_free(f->derived);
	f->derived = text;
	g_free(f->derived_from);
	f->derived_from = g_strdup(from);
}

static void set_na(TgEvField *f, const char *why)
{
	g_free(f->not_applicable);
	f->not_applicable = g_strdup(why);
	g_clear_pointer(&f->missing, g_free);
}

/* ------------------------------------------------------------------ */
/* Derivations from the policy */

/* Returns: (transfer full). */
static gchar *rollback_text(const TgPolicy *p)
{
	return g_strdup_printf(
		"tollgate gates every install before anything is written: versions are parsed "
		"strictly (%s scheme, unparseable ones refused); an update below the committed "
		"floor is always refused; %s; %s; %s.",
		tg_version_scheme_to_string(p->scheme),
		p->allow_downgrade ? "[rollback] allow-downgrade = true lets an update go below "
				     "the installed version, never below a floor"
				   : "[rollback] allow-downgrade = false also refuses anything below "
				     "the installed version",
		p->reinstall == TG_REINSTALL_REFUSE ? "reinstall = refuse refuses the installed "
						      "version again"
						    : "reinstall = allow accepts the installed "
						      "version again",
		p->security_floor ? "security-floor = true keeps a floor at the last committed "
				    "security update that no update may cross"
				  : "security-floor = false keeps no separate security floor");
}

/* Returns: (transfer full). */
static gchar *class_text(const TgPolicy *p, guint idx, const char *name)
{
	const TgClassPolicy *c = &p->classes[idx];
	g_autofree gchar *max = tg_ev_duration_text(c->max_postpone);
	g_autofree gchar *window = NULL;

	if (c->window.enabled)
		window = g_strdup_printf(", installed only in a maintenance window (%02u:%02u-%02u:%02u "
					 "%s)", c->window.start_minute / 60, c->window.start_minute % 60,
					 c->window.end_minute / 60, c->window.end_minute % 60,
					 c->window.tz_name);
	return g_strdup_printf("%s updates install automatically: %s in the initialized state "
			       "([class.%s] auto-install); the user may postpone them %s%s%s", name,
			       c->auto_install ? "on" : "off", name,
			       c->max_postpone > 0 ? "by at most " : "",
			       c->max_postpone > 0 ? max : "not at all (max-postpone = 0)",
			       window ? window : "");
}

/* Returns: (transfer full). */
static gchar *configuration_text(const TgPolicy *p)
{
	g_autofree gchar *sec = class_text(p, 0, "security");
	g_autofree gchar *feat = class_text(p, 1, "feature");

	return g_strdup_printf("%s. %s. The user switches automatic installs per class and "
			       "notifications with `tollgate settings`, postpones with `tollgate "
			       "postpone` and approves single updates with `tollgate approve`; "
			       "disruptive updates %s.", sec, feat,
			       p->require_approval ? "wait for the user's approval "
						     "([disruption] require-approval = true)"
						   : "install after a warning ([disruption] "
						     "require-approval = false)");
}

/* Does sink group @g take notice @type? */
static gboolean sink_takes(GKeyFile *kf, const char *g, const char *type)
{
	g_autofree gchar *list = g_key_file_get_value(kf, g, "notices", NULL);
	g_auto(GStrv) parts = NULL;

	if (!list)
		return TRUE;
	parts = g_strsplit_set(list, ";,", -1);
	for (gchar **s = parts; *s; s++)
		if (g_str_equal(g_strstrip(*s), type))
			return TRUE;
	return FALSE;
}

/* Sinks of the policy that take @type (all sinks with NULL), as text
 * "name (type[, required])"; NULL when there are none. Returns: (transfer full). */
gchar *tg_ev_sinks_text(const TgPolicy *p, const char *type)
{
	g_auto(GStrv) groups = p->extra ? g_key_file_get_groups(p->extra, NULL) : NULL;
	g_autoptr(GString) out = g_string_new(NULL);

	for (gchar **g = groups; g && *g; g++) {
		g_autofree gchar *kind = NULL;
		g_autofree gchar *req = NULL;

		if (!g_str_has_prefix(*g, "sink.") || (type && !sink_takes(p->extra, *g, type)))
			continue;
		kind = g_key_file_get_value(p->extra, *g, "type", NULL);
		req = g_key_file_get_value(p->extra, *g, "required", NULL);
		g_string_append_printf(out, "%s%s (%s%s)", out->len ? ", " : "",
				       *g + strlen("sink."), kind ? g_strstrip(kind) : "?",
				       req && g_str_equal(g_strstrip(req), "true") ? ", required" : "");
	}
	return out->len ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

/* Returns: (transfer full). */
static gchar *notification_text(const TgPolicy *p)
{
	g_autofree gchar *all = tg_ev_sinks_text(p, NULL);
	g_autofree gchar *sec = tg_ev_sinks_text(p, "security-update");
	g_autofree gchar *dis = tg_ev_sinks_text(p, "disruption-warning");

	if (!all)
		return NULL;
	return g_strdup_printf("tollgate delivers notices to the sinks %s. Security-update "
			       "notices (to %s) state the risks the update mitigates (%s); "
			       "disruption warnings (to %s) go out before the install. "
			       "Notifications are on in the initialized state; the user switches "
			       "them with `tollgate settings notifications=on|off`.", all,
			       sec ? sec : "no sink", p->require_risk ?
			       "an update without risk text is refused: [classify] require-risk "
			       "= true" : "an update without risk text is flagged",
			       dis ? dis : "no sink");
}

/* Returns: (transfer full). */
static gchar *checking_text(const TgEvDecl *d, const TgEvLogs *logs)
{
	guint64 n = logs ? TG_EV_TOTAL(logs, checks) : 0;

	if (n == 0 || d->mechanisms->len != 1)
		return NULL;
	return g_strdup_printf("the device logs hold %" G_GUINT64_FORMAT " update.check "
			       "record%s (`tollgate record-check`), listed under 5.3-5-1 in the "
			       "evidence index", n, n == 1 ? "" : "s");
}

/* ------------------------------------------------------------------ */
/* Tables */

static void build_user_info(TgEvIxit *x, const TgPolicy *p, const TgEvDecl *d)
{
	TgEvField *f;
	g_autofree gchar *end = NULL;

	f = add_field(x->user_info, "Support Period", d->support_period,
		      "[product] support-period", "set [support] end or [product] support-period");
	if (p->support_end) {
		end = g_date_time_format(p->support_end, "%Y-%m-%d");
		set_derived(f, g_strdup_printf("security updates until %s (end of that day, UTC); "
					       "enforced and recorded by tollgate", end),
			    "[support] end");
	}
	add_field(x->user_info, "Publication of Support Period", d->support_publication,
		  "[product] support-publication",
		  "set [product] support-publication to the URL or document where users find it");
	f = add_field(x->user_info, "Model Designation", NULL, NULL, NULL);
	set_derived(f, g_strdup_printf("'%s'; written in plain text into every audit record",
				       p->model), "[device] model");
	add_field(x->user_info, "Model Designation: how users obtain it", d->model_designation,
		  "[product] model-designation",
		  "set [product] model-designation (label, physical or user interface)");
	f = add_field(x->user_info, "Publication of Non-Updatable", d->repl_publication,
		      "[replacement] publication",
		      "set [replacement] publication to where the rationale is published");
	if (tg_ev_decl_updateable(d))
		set_na(f, "the device is updateable (no [replacement] group)");
	f = add_field(x->user_info, "Documentation of Replacement", d->repl_documentation,
		      "[replacement] documentation",
		      "set [replacement] documentation to where replacement support is described");
	if (tg_ev_decl_updateable(d))
		set_na(f, "the device is updateable (no [replacement] group)");
	add_field(x->user_info, "Vulnerability Disclosure Policy", d->vdp,
		  "[product] vulnerability-disclosure",
		  "set [product] vulnerability-disclosure (provision 5.2-1, outside clause 5.3)");
}

/* Returns: (transfer full). */
static gchar *join_list(const GPtrArray *list, const char *sep)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < list->len; i++)
		g_string_append_printf(out, "%s%s", i ? sep : "",
				       (const char *)g_ptr_array_index(list, i));
	return g_string_free(out, FALSE);
}

static void build_components(TgEvIxit *x, const TgEvDecl *d)
{
	for (guint i = 0; i < d->components->len; i++) {
		const TgEvComponent *c = g_ptr_array_index(d->components, i);
		TgEvEntry *e = entry_new(c->id);
		g_autofree gchar *from = g_strdup_printf("[component.%s]", c->id);
		g_autofree gchar *mechs = NULL;

		add_field(e->fields, "Description", c->description, from,
			  "set description in this [component.<ID>] group");
		if (c->type)
			add_field(e->fields, "Type", c->type, from, NULL);
		if (c->mechanisms->len > 0) {
			mechs = join_list(c->mechanisms, ", ");
			add_field(e->fields, "Update Mechanism", mechs, from, NULL);
		} else {
			add_field(e->fields, "Update Mechanism", "none (not updateable)", from, NULL);
			add_field(e->fields, "Justification", c->justification, from,
				  "set justification: why the component cannot or must not be "
				  "updated (5.3-1-1)");
		}
		if (c->crypto_usage)
			add_field(e->fields, "Cryptographic Usage", c->crypto_usage, from, NULL);
		g_ptr_array_add(x->components, e);
	}
}

/* The updater versions the devices' records name for @m's updater: what
 * really ran, not what the build was made against. */
static void updaters_seen(TgEvField *f, const TgEvMechanism *m, const TgEvLogs *logs)
{
	g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *prefix = m->updater ? g_strconcat(m->updater, " ", NULL) : NULL;

	for (guint i = 0; prefix && logs && i < logs->devices->len; i++) {
		const TgEvDevice *dev = g_ptr_array_index(logs->devices, i);
		g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(dev->updaters),
						    (GCompareFunc)strcmp);

		for (GList *l = keys; l; l = l->next)
			if (g_str_has_prefix(l->data, prefix))
				g_ptr_array_add(seen, g_strdup_printf("%s (%s)", (char *)l->data,
								      dev->label));
	}
	if (seen->len)
		set_derived(f, join_list(seen, "; "), "the updater member of the records");
	f->from_records = f->derived != NULL;
}

/* A finding of @logs against what [mechanism.@id] declares about windows. */
static void window_contradiction(TgEvField *f, const TgEvLogs *logs, const char *id)
{
	g_autofree gchar *prefix = g_strdup_printf("[mechanism.%s] ", id);

	for (guint i = 0; logs && i < logs->findings->len && !f->contradicted_by; i++) {
		const TgEvFinding *x = g_ptr_array_index(logs->findings, i);

		if (g_str_equal(x->kind, "window-differs") && g_str_has_prefix(x->text, prefix))
			f->contradicted_by = g_strdup(x->text);
	}
}

/* The certificates the updater checks signatures against, from its
 * configuration; one that ends before the support end is a gap. */
static void signing_certificates(TgEvIxit *x, TgEvEntry *e, const TgPolicy *p,
				 const TgEvMechanism *m, const TgEvidenceUpdater *const *updaters)
{
	g_autofree gchar *path = tg_ev_updater_certificates(m, updaters);
	g_autofree gchar *problem = NULL;
	g_autoptr(GPtrArray) certs = path ? tg_ev_certs_read(path, &problem) : NULL;
	TgEvField *f;

	if (!path)
		return;
	f = add_field(e->fields, "Signing Certificates", NULL, NULL, problem);
	if (!certs)
		return;
	set_derived(f, tg_ev_certs_text(certs, path), path);
	for (guint i = 0; p->support_end && i < certs->len; i++) {
		const TgEvCert *c = g_ptr_array_index(certs, i);
		g_autofree gchar *to = NULL, *end = NULL;

		if (!c->not_after || g_date_time_compare(c->not_after, p->support_end) >= 0)
			continue;
		to = g_date_time_format(c->not_after, "%F");
		end = g_date_time_format(p->support_end, "%F");
		g_ptr_array_add(x->cert_gaps,
				g_strdup_printf("7-UpdMech %s Signing Certificates\tthe certificate "
						"%s in %s expires on %s, before the support end %s: "
						"updates signed under it stop installing while the "
						"device is still supported; plan its renewal and how "
						"devices get the new one", m->id, c->subject, path, to,
						end));
	}
}

/* Returns: (transfer full). */
static TgEvEntry *mechanism_entry(TgEvIxit *x, const TgPolicy *p, const TgEvDecl *d,
				  const TgEvLogs *logs, const TgEvMechanism *m,
				  const TgEvidenceUpdater *const *updaters)
{
	static const char *const deliveries[] = { NULL, "network", "physical", "network and physical" };
	TgEvEntry *e = entry_new(m->id);
	g_autofree gchar *from = g_strdup_printf("[mechanism.%s]", m->id);
	g_autofree gchar *problem = NULL;
	TgEvField *f[TG_MF_N];

	for (guint i = 0; i < TG_MF_N; i++) {
		g_autofree gchar *src = g_strdup_printf("%s %s", from, tg_ev_mech_fields()[i].key);
		g_autofree gchar *hint = g_strdup_printf("set %s in %s",
							 tg_ev_mech_fields()[i].key, from);

		f[i] = add_field(e->fields, tg_ev_mech_fields()[i].ixit, m->fields[i], src, hint);
	}
	set_derived(f[TG_MF_SECURITY], rollback_text(p), "[rollback], [versions] scheme");
	set_derived(f[TG_MF_CRYPTO], tg_ev_updater_crypto(m, updaters, &problem), m->updater_config);
	if (problem && !f[TG_MF_CRYPTO]->declared) {
		g_free(f[TG_MF_CRYPTO]->missing);
		f[TG_MF_CRYPTO]->missing = g_strdup_printf("%s; or set cryptographic-details in %s",
							   problem, from);
	}
	set_derived(f[TG_MF_CONFIGURATION], configuration_text(p), "[class.*], [disruption]");
	window_contradiction(f[TG_MF_CONFIGURATION], logs, m->id);
	set_derived(f[TG_MF_CHECKING], checking_text(d, logs), "update.check records");
	f[TG_MF_CHECKING]->from_records = f[TG_MF_CHECKING]->derived != NULL;
	set_derived(f[TG_MF_NOTIFICATION], notification_text(p), "[sink.*], [classify]");
	signing_certificates(x, e, p, m, updaters);
	add_field(e->fields, "Updater", m->updater, from, NULL);
	updaters_seen(add_field(e->fields, "Updater versions (records)", NULL, from,
				"no record of this mechanism's updater yet"), m, logs);
	add_field(e->fields, "Delivery", m->delivery ? deliveries[m->delivery] : NULL, from,
		  "set delivery = network, physical or both (decides whether 5.3-10 applies)");
	return e;
}

static void build_procedure(TgEvIxit *x, const TgEvDecl *d)
{
	TgEvField *f[3];

	f[0] = add_field(x->procedure, "Description", d->proc_description,
			 "[procedure] description",
			 "set [procedure] description: how security updates are produced and "
			 "shipped");
	f[1] = add_field(x->procedure, "Time Frame", d->proc_time_frame, "[procedure] time-frame",
			 "set [procedure] time-frame: how soon a security fix reaches devices");
	f[2] = add_field(x->procedure, "Confirmation of Update Procedures (4-Conf)",
			 d->proc_confirmation, "[procedure] confirmation",
			 "set [procedure] confirmation: who confirms the procedures are followed");
	for (guint i = 0; i < G_N_ELEMENTS(f) && !tg_ev_decl_updateable(d); i++)
		if (!f[i]->declared)
			set_na(f[i], "the device cannot be updated ([replacement])");
}

static void build_replacement(TgEvIxit *x, const TgEvDecl *d)
{
	TgEvField *f[3];

	f[0] = add_field(x->replacement, "Rationale for no software updates", d->repl_rationale,
			 "[replacement] rationale",
			 "set [replacement] rationale: why the software cannot be updated");
	f[1] = add_field(x->replacement, "Isolation", d->repl_isolation, "[replacement] isolation",
			 "set [replacement] isolation: how the product is cut off from the network");
	f[2] = add_field(x->replacement, "Hardware Replacement", d->repl_hardware,
			 "[replacement] hardware-replacement",
			 "set [replacement] hardware-replacement: period and method of replacement");
	for (guint i = 0; i < G_N_ELEMENTS(f) && tg_ev_decl_updateable(d); i++)
		if (!f[i]->declared)
			set_na(f[i], "the device is updateable (no [replacement] group)");
}

/* Returns: (transfer full). */
static TgEvEntry *decision_entry(const char *id, const char *desc, const char *options,
				 const char *initial, const char *trigger, gchar *recorded)
{
	TgEvEntry *e = entry_new(id);
	TgEvField *f;

	add_field(e->fields, "Description", NULL, NULL, NULL)->derived = g_strdup(desc);
	add_field(e->fields, "Options", NULL, NULL, NULL)->derived = g_strdup(options);
	add_field(e->fields, "Initialized State", NULL, NULL, NULL)->derived = g_strdup(initial);
	add_field(e->fields, "Triggered By", NULL, NULL, NULL)->derived = g_strdup(trigger);
	f = add_field(e->fields, "Recorded As", NULL, NULL, NULL);
	f->derived = recorded;
	for (guint i = 0; i < e->fields->len; i++) {
		TgEvField *x = g_ptr_array_index(e->fields, i);

		x->derived_from = g_strdup("policy and tollgate's user commands");
	}
	return e;
}

static void build_decisions(TgEvIxit *x, const TgPolicy *p, const TgEvLogs *logs)
{
	guint64 settings = logs ? TG_EV_TOTAL(logs, settings_changes) : 0;
	guint64 postpones = logs ? TG_EV_TOTAL(logs, postpones) : 0;
	guint64 approvals = logs ? TG_EV_TOTAL(logs, approvals) : 0;
	static const char *const cls[] = { "security", "feature" };
	g_autofree gchar *sinks = tg_ev_sinks_text(p, NULL);

	for (guint i = 0; i < 2; i++) {
		g_autofree gchar *id = g_strdup_printf("auto-install.%s", cls[i]);
		g_autofree gchar *desc = g_strdup_printf("automatic installation of %s updates",
							 cls[i]);
		g_autofree gchar *trig = g_strdup_printf("the user: `tollgate settings %s=on|off`", id);
		g_autofree gchar *max = tg_ev_duration_text(p->classes[i].max_postpone);
		g_autofree gchar *pid = g_strdup_printf("postpone.%s", cls[i]);
		g_autofree gchar *pdesc = g_strdup_printf("postpone %s updates", cls[i]);
		g_autofree gchar *popt = g_strdup_printf("until a time at most %s ahead", max);
		g_autofree gchar *ptrig = g_strdup_printf("the user: `tollgate postpone --for D "
							  "--class %s`", cls[i]);

		g_ptr_array_add(x->decisions, decision_entry(id, desc, "on, off",
			p->classes[i].auto_install ? "on" : "off", trig,
			g_strdup_printf("user.settings-changed (%" G_GUINT64_FORMAT " records, all "
					"settings)", settings)));
		g_ptr_array_add(x->decisions, decision_entry(pid, pdesc,
			p->classes[i].max_postpone > 0 ? popt : "not offered (max-postpone = 0)",
			"not postponed", ptrig,
			g_strdup_printf("user.postponed (%" G_GUINT64_FORMAT " records, both "
					"classes)", postpones)));
	}
	g_ptr_array_add(x->decisions, decision_entry("notifications", "update notifications",
		sinks ? "on, off" : "none: no [sink.NAME] is configured", "on",
		"the user: `tollgate settings notifications=on|off`",
		g_strdup("user.settings-changed; notice.suppressed while off")));
	g_ptr_array_add(x->decisions, decision_entry("approve", "approve one update (a "
		"disruptive one, or any while automatic installs are off)",
		"approve by artifact digest or version",
		p->require_approval ? "disruptive updates wait for approval"
				    : "disruptive updates install after a warning",
		"the user: `tollgate approve DIGEST|VERSION`",
		g_strdup_printf("user.approved (%" G_GUINT64_FORMAT " records)", approvals)));
}

TgEvIxit *tg_ev_ixit_build(const TgPolicy *policy, const TgEvDecl *decl, const TgEvLogs *logs,
			   const TgEvidenceUpdater *const *updaters)
{
	TgEvIxit *x = g_new0(TgEvIxit, 1);

	x->user_info = field_list();
	x->components = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
	x->mechanisms = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
	x->procedure = field_list();
	x->replacement = field_list();
	x->decisions = g_ptr_array_new_with_free_func((GDestroyNotify)entry_free);
	x->cert_gaps = g_ptr_array_new_with_free_func(g_free);
	x->updateable = tg_ev_decl_updateable(decl);
	build_user_info(x, policy, decl);
	build_components(x, decl);
	for (guint i = 0; i < decl->mechanisms->len; i++)
		g_ptr_array_add(x->mechanisms,
				mechanism_entry(x, policy, decl, logs,
						g_ptr_array_index(decl->mechanisms, i), updaters));
	build_procedure(x, decl);
	build_replacement(x, decl);
	build_decisions(x, policy, logs);
	return x;
}

/* ------------------------------------------------------------------ */
/* The updater's configuration, read by the updater's adapter */

gchar *tg_ev_updater_certificates(const TgEvMechanism *mech,
				  const TgEvidenceUpdater *const *updaters)
{
	if (!mech->updater_config || !mech->updater)
		return NULL;
	for (; updaters && *updaters; updaters++)
		if (g_str_equal((*updaters)->updater, mech->updater) && (*updaters)->certificates)
			return (*updaters)->certificates(mech->updater_config);
	return NULL;
}

gchar *tg_ev_updater_excerpt(const TgEvMechanism *mech, const TgEvidenceUpdater *const *updaters)
{
	if (!mech->updater_config || !mech->updater)
		return NULL;
	for (; updaters && *updaters; updaters++)
		if (g_str_equal((*updaters)->updater, mech->updater) && (*updaters)->config_excerpt)
			return (*updaters)->config_excerpt(mech->updater_config);
	return NULL;
}

gchar *tg_ev_updater_crypto(const TgEvMechanism *mech, const TgEvidenceUpdater *const *updaters,
			    gchar **ret_problem)
{
	if (!mech->updater_config || !mech->updater)
		return NULL;
	for (; updaters && *updaters; updaters++)
		if (g_str_equal((*updaters)->updater, mech->updater))
			return (*updaters)->signature_text(mech->updater_config, ret_problem);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Gaps */

static void field_gaps(GPtrArray *fields, GPtrArray *gaps, TgEvArea area, const char *table,
		       const char *entry)
{
	for (guint i = 0; i < fields->len; i++) {
		const TgEvField *f = g_ptr_array_index(fields, i);
		g_autofree gchar *ref = NULL;

		if (tg_ev_field_filled(f) || f->not_applicable || !f->missing)
			continue;
		ref = entry ? g_strdup_printf("%s %s %s", table, entry, f->name)
			    : g_strdup_printf("%s %s", table, f->name);
		tg_ev_gap_add(gaps, area, ref, "not declared and not derivable; %s", f->missing);
	}
}

void tg_ev_ixit_gaps(const TgEvIxit *x, GPtrArray *gaps)
{
	for (guint i = 0; i < x->cert_gaps->len; i++) {
		g_auto(GStrv) parts = g_strsplit(x->cert_gaps->pdata[i], "\t", 2);

		tg_ev_gap_add(gaps, TG_AREA_MECHANISMS, parts[0], "%s", parts[1]);
	}
	field_gaps(x->user_info, gaps, TG_AREA_USER_INFO, "2-UserInfo", NULL);
	if (x->components->len == 0)
		tg_ev_gap_add(gaps, TG_AREA_SCOPE, "6-SoftComp",
			      "no software component is declared; add one [component.<ID>] group "
			      "per component with its mechanisms or a justification (5.3-1-1)");
	for (guint i = 0; i < x->components->len; i++) {
		const TgEvEntry *e = g_ptr_array_index(x->components, i);

		field_gaps(e->fields, gaps, TG_AREA_SCOPE, "6-SoftComp", e->id);
	}
	if (x->updateable && x->mechanisms->len == 0)
		tg_ev_gap_add(gaps, TG_AREA_MECHANISMS, "7-UpdMech",
			      "no update mechanism is declared; add one [mechanism.<ID>] group "
			      "per update path (5.3-2-1)");
	for (guint i = 0; i < x->mechanisms->len; i++) {
		const TgEvEntry *e = g_ptr_array_index(x->mechanisms, i);

		field_gaps(e->fields, gaps, TG_AREA_MECHANISMS, "7-UpdMech", e->id);
	}
	field_gaps(x->procedure, gaps, TG_AREA_PROCEDURES, "8-UpdProc", NULL);
	field_gaps(x->replacement, gaps, TG_AREA_SCOPE, "9-ReplSup", NULL);
}

/* ------------------------------------------------------------------ */
/* JSON and Markdown */

/* Returns: (transfer full). */
static JsonObject *field_json(const TgEvField *f)
{
	JsonObject *o = json_object_new();

	json_object_set_string_member(o, "field", f->name);
	json_object_set_string_member(o, "origin", tg_ev_field_origin(f));
	json_object_set_string_member(o, "strength", tg_ev_field_strength(f));
	if (f->contradicted_by)
		json_object_set_string_member(o, "contradicted_by", f->contradicted_by);
	json_object_set_string_member(o, "declared", f->declared);
	json_object_set_string_member(o, "declared_in", f->declared_from);
	json_object_set_string_member(o, "derived", f->derived);
	json_object_set_string_member(o, "derived_from", f->derived_from);
	if (f->not_applicable)
		json_object_set_string_member(o, "not_applicable", f->not_applicable);
	if (!tg_ev_field_filled(f) && !f->not_applicable && f->missing)
		json_object_set_string_member(o, "gap", f->missing);
	return o;
}

/* Returns: (transfer full). */
static JsonArray *fields_json(GPtrArray *fields)
{
	JsonArray *a = json_array_new();

	for (guint i = 0; i < fields->len; i++)
		json_array_add_object_element(a, field_json(g_ptr_array_index(fields, i)));
	return a;
}

/* Returns: (transfer full). */
static JsonArray *entries_json(GPtrArray *entries)
{
	JsonArray *a = json_array_new();

	for (guint i = 0; i < entries->len; i++) {
		const TgEvEntry *e = g_ptr_array_index(entries, i);
		JsonObject *o = json_object_new();

		json_object_set_string_member(o, "id", e->id);
		json_object_set_array_member(o, "fields", fields_json(e->fields));
		json_array_add_object_element(a, o);
	}
	return a;
}

JsonNode *tg_ev_ixit_to_json(const TgEvIxit *x, const TgPolicy *policy)
{
	JsonObject *o = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	json_object_set_int_member(o, "ixit_version", 1);
	json_object_set_string_member(o, "model", policy->model);
	json_object_set_string_member(o, "hardware_revision", policy->hardware_revision);
	json_object_set_string_member(o, "policy_hash", policy->hash);
	json_object_set_string_member(o, "numbering", "ETSI TS 103 701 V1.1.1 IXIT tables");
	json_object_set_array_member(o, "2-UserInfo", fields_json(x->user_info));
	json_object_set_array_member(o, "6-SoftComp", entries_json(x->components));
	json_object_set_array_member(o, "7-UpdMech", entries_json(x->mechanisms));
	json_object_set_array_member(o, "8-UpdProc", fields_json(x->procedure));
	json_object_set_array_member(o, "9-ReplSup", fields_json(x->replacement));
	json_object_set_array_member(o, "26-UserDec", entries_json(x->decisions));
	json_node_take_object(node, o);
	return node;
}

static void md_fields(GString *md, GPtrArray *fields)
{
	g_string_append(md, "| Field | Value | Origin | Strength | Source |\n"
			    "|---|---|---|---|---|\n");
	for (guint i = 0; i < fields->len; i++) {
		const TgEvField *f = g_ptr_array_index(fields, i);
		g_autoptr(GString) v = g_string_new(NULL);

		if (f->declared)
			g_string_append(v, f->declared);
		if (f->derived)
			g_string_append_printf(v, "%s(derived) %s", v->len ? " " : "", f->derived);
		if (!v->len && f->not_applicable)
			g_string_append_printf(v, "not applicable: %s", f->not_applicable);
		if (!v->len)
			g_string_append_printf(v, "**GAP**: %s", f->missing ? f->missing : "-");
		g_string_append(md, "| ");
		tg_ev_md_cell(md, f->name);
		g_string_append(md, " | ");
		tg_ev_md_cell(md, v->str);
		g_string_append_printf(md, " | %s | %s%s", tg_ev_field_origin(f),
				       tg_ev_field_strength(f), f->contradicted_by ? ": " : "");
		if (f->contradicted_by)
			tg_ev_md_cell(md, f->contradicted_by);
		g_string_append(md, " | ");
		tg_ev_md_cell(md, f->declared ? f->declared_from : f->derived_from);
		g_string_append(md, " |\n");
	}
}

static void md_entries(GString *md, GPtrArray *entries, const char *none)
{
	if (entries->len == 0)
		g_string_append_printf(md, "%s\n", none);
	for (guint i = 0; i < entries->len; i++) {
		const TgEvEntry *e = g_ptr_array_index(entries, i);

		g_string_append_printf(md, "\n#### %s\n\n", e->id);
		md_fields(md, e->fields);
	}
}

gchar *tg_ev_ixit_to_md(const TgEvIxit *x, const TgPolicy *policy)
{
	GString *md = g_string_new(NULL);

	g_string_append_printf(md, "# IXIT: %s\n\nImplementation eXtra Information for Testing, "
			       "TS 103 701 V1.1.1 table numbering. *declared*: written by the "
			       "manufacturer in the policy; *derived*: filled in by tollgate from "
			       "its settings, its sinks, the updater's configuration or the logs; "
			       "**GAP**: neither, with what to declare. Strength: *demonstrated* "
			       "(derived from the devices' records), *configured* (from the policy), "
			       "*declared* (the manufacturer's text only), *contradicted* (a finding "
			       "says otherwise), *gap*.\n\nHardware revision: %s. "
			       "Policy: `%s`.\n\n", policy->model,
			       tg_ev_or_dash(policy->hardware_revision), policy->hash);
	g_string_append(md, "## 2-UserInfo\n\n");
	md_fields(md, x->user_info);
	g_string_append(md, "\n## 6-SoftComp\n");
	md_entries(md, x->components, "\n**GAP**: no [component.ID] declared.");
	g_string_append(md, "\n## 7-UpdMech\n");
	md_entries(md, x->mechanisms, x->updateable ? "\n**GAP**: no [mechanism.ID] declared."
						    : "\nNone: the device cannot be updated.");
	g_string_append(md, "\n## 8-UpdProc and 4-Conf\n\n");
	md_fields(md, x->procedure);
	g_string_append(md, "\n## 9-ReplSup\n\n");
	md_fields(md, x->replacement);
	g_string_append(md, "\n## 26-UserDec\n");
	md_entries(md, x->decisions, "");
	return g_string_free(md, FALSE);
}
