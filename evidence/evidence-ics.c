/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ICS: one row per provision 5.3-1 ... 5.3-16 with its status, the
 * support value Y, N or N/A and the detail. tollgate derives the support
 * from the policy settings, the declarations and the records, and never
 * says Y without naming what it rests on. N/A is derived only where the
 * provision's condition does not hold, and then carries a derived
 * justification. An [ics.PROVISION] group overrides the support (Y needs a
 * detail) or supplies the justification. N and N/A without a justification
 * are gaps under provision 4-1 (test case 4-1-1). */
#include "evidence-private.h"

#include <string.h>

#include "policy-private.h"

typedef enum {
	TRI_NO = 0,
	TRI_YES,
	TRI_UNKNOWN,
} Tri;

typedef struct {
	const TgPolicy *p;
	const TgEvDecl *d;
	const TgEvLogs *logs;
	const TgEvIxit *x;
	gboolean updateable;
	Tri network;
} Ctx;

static guint64 total(const Ctx *c, glong offset)
{
	return c->logs ? tg_ev_logs_total(c->logs, offset) : 0;
}

#define COUNT(c, field) total((c), G_STRUCT_OFFSET(TgEvCounts, field))

static void basis(TgEvIcsRow *row, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void basis(TgEvIcsRow *row, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(row->basis, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static void set_y(TgEvIcsRow *row, gchar *detail)
{
	row->support = TG_SUPPORT_Y;
	g_free(row->detail);
	row->detail = detail;
}

static void set_n(TgEvIcsRow *row, gchar *justification)
{
	row->support = TG_SUPPORT_N;
	g_free(row->justification);
	row->justification = justification;
	row->justification_derived = justification != NULL;
}

static void set_na(TgEvIcsRow *row, gchar *justification)
{
	row->support = TG_SUPPORT_NA;
	g_free(row->justification);
	row->justification = justification;
	row->justification_derived = TRUE;
}

static Tri network_delivery(const TgEvDecl *d)
{
	Tri t = d->mechanisms->len ? TRI_NO : TRI_UNKNOWN;

	for (guint i = 0; i < d->mechanisms->len; i++) {
		const TgEvMechanism *m = g_ptr_array_index(d->mechanisms, i);

		if (m->delivery == TG_DELIVERY_NETWORK || m->delivery == TG_DELIVERY_BOTH)
			return TRI_YES;
		if (m->delivery == TG_DELIVERY_UNSET)
			t = TRI_UNKNOWN;
	}
	return t;
}

/* Filled field @name of every declared mechanism? FALSE without any. */
static gboolean all_mechanisms(const Ctx *c, const char *name, gboolean network_only)
{
	guint seen = 0;

	for (guint i = 0; i < c->x->mechanisms->len; i++) {
		const TgEvEntry *e = g_ptr_array_index(c->x->mechanisms, i);
		const TgEvMechanism *m = g_ptr_array_index(c->d->mechanisms, i);
		const TgEvField *f = tg_ev_entry_field(e, name);

		if (network_only && m->delivery == TG_DELIVERY_PHYSICAL)
			continue;
		seen++;
		if (!f || !tg_ev_field_filled(f))
			return FALSE;
	}
	return seen > 0;
}

/* Returns: (transfer none). */
static const char *mechanism_ids(const Ctx *c, GString *out)
{
	for (guint i = 0; i < c->d->mechanisms->len; i++)
		g_string_append_printf(out, "%s%s", i ? ", " : "",
				       ((const TgEvMechanism *)g_ptr_array_index(c->d->mechanisms,
										 i))->id);
	return out->str;
}

/* ------------------------------------------------------------------ */
/* Conditions that do not hold */

/* Returns: (transfer full). */
static gchar *not_updateable_text(const Ctx *c, const char *cond)
{
	return g_strdup_printf("No update mechanism is implemented: the policy declares the "
			       "device not updateable ([replacement]%s%s), so condition %s does "
			       "not hold.", c->d->repl_rationale ? ": " : "",
			       c->d->repl_rationale ? c->d->repl_rationale : "", cond);
}

/* The justification of an N on a device that cannot be updated. Returns: (transfer full). */
static gchar *no_updates_text(const Ctx *c)
{
	if (!c->d->repl_rationale)
		return NULL;
	return g_strdup_printf("The device's software cannot be updated: %s ([replacement] "
			       "rationale).", c->d->repl_rationale);
}

/* Derives N/A where the provision's condition is known not to hold.
 * Returns TRUE when the row was settled. */
static gboolean derive_na_reason(const Ctx *c, TgEvIcsRow *row)
{
	guint cond = row->prov->conditions;
	g_autoptr(GString) ids = g_string_new(NULL);

	if ((cond & TG_COND_3) && c->updateable) {
		set_na(row, g_strdup_printf("The device is updateable (update mechanisms: %s), so "
					    "condition C(3), software that cannot be updated, does "
					    "not hold; the provision is for constrained devices "
					    "without updates.", c->d->mechanisms->len ?
					    mechanism_ids(c, ids) : "tollgate-gated updates"));
		return TRUE;
	}
	if ((cond & TG_COND_4) && !c->d->constrained) {
		set_na(row, g_strdup("The device is not declared constrained ([product] "
				     "constrained = false), so condition C(4) does not hold."));
		return TRUE;
	}
	if ((cond & TG_COND_12) && !c->updateable) {
		set_na(row, not_updateable_text(c, "C(12)"));
		return TRUE;
	}
	if ((cond & TG_COND_5) && c->d->constrained) {
		set_na(row, g_strdup("The device is declared constrained ([product] constrained "
				     "= true), so condition C(5), a device that is not "
				     "constrained, does not hold."));
		return TRUE;
	}
	if ((cond & TG_COND_11) && c->network == TRI_NO) {
		set_na(row, g_strdup_printf("Every declared mechanism (%s) delivers updates "
					    "physically ([mechanism.*] delivery = physical), so "
					    "condition C(11) does not hold.", mechanism_ids(c, ids)));
		return TRUE;
	}
	return FALSE;
}

static gboolean derive_not_applicable(const Ctx *c, TgEvIcsRow *row)
{
	if (!derive_na_reason(c, row))
		return FALSE;
	basis(row, "derived: condition of status %s checked against %s", row->prov->status,
	      c->updateable ? "[product] constrained and [mechanism.*] delivery"
			    : "[replacement] (device not updateable) and [product] constrained");
	return TRUE;
}

/* ------------------------------------------------------------------ */
/* Per provision */

static void derive_1(const Ctx *c, TgEvIcsRow *row)
{
	g_autoptr(GString) missing = g_string_new(NULL);
	gboolean all_justified = TRUE;

	if (!c->updateable) {
		set_n(row, no_updates_text(c));
		return;
	}
	if (c->d->components->len == 0) {
		set_n(row, NULL);
		basis(row, "no [component.<ID>] declared: nothing shows that every component "
		      "is updateable");
		return;
	}
	for (guint i = 0; i < c->d->components->len; i++) {
		const TgEvComponent *comp = g_ptr_array_index(c->d->components, i);

		if (comp->mechanisms->len > 0)
			continue;
		g_string_append_printf(missing, "%s%s: %s", missing->len ? "; " : "", comp->id,
				       comp->justification ? comp->justification : "(no justification)");
		all_justified = all_justified && comp->justification;
	}
	if (missing->len) {
		set_n(row, all_justified ? g_strdup_printf("Components without an update "
							   "mechanism: %s", missing->str) : NULL);
		return;
	}
	set_y(row, g_strdup_printf("Every declared software component (%u) names an update "
				   "mechanism in IXIT 6-SoftComp.", c->d->components->len));
	basis(row, "declared: [component.*] mechanisms");
}

static void derive_2(const Ctx *c, TgEvIcsRow *row)
{
	if (!c->updateable) {
		set_n(row, no_updates_text(c));
		return;
	}
	set_y(row, g_strdup_printf("tollgate refuses every update below the committed floor%s%s "
				   "before anything is written; versions are parsed strictly "
				   "(%s).", c->p->allow_downgrade ? "" : " and below the installed "
				   "version", c->p->security_floor ? ", and below the last "
				   "committed security update" : "",
				   tg_version_scheme_to_string(c->p->scheme)));
	basis(row, "derived: [rollback] allow-downgrade = %s, reinstall = %s, security-floor = %s",
	      c->p->allow_downgrade ? "true" : "false",
	      c->p->reinstall == TG_REINSTALL_REFUSE ? "refuse" : "allow",
	      c->p->security_floor ? "true" : "false");
	if (COUNT(c, misuse_refusals))
		basis(row, "log: %" G_GUINT64_FORMAT " refused attempts to install an older, equal "
		      "or unparseable version (5.3-2-2)", COUNT(c, misuse_refusals));
}

static void derive_auto(const Ctx *c, TgEvIcsRow *row, const char *what)
{
	if (!c->p->classes[0].auto_install) {
		set_n(row, NULL);
		basis(row, "derived: [class.security] auto-install = false: security updates "
		      "wait for the user");
		return;
	}
	set_y(row, g_strdup_printf("Security updates %s: they install without user action "
				   "in the initialized state ([class.security] auto-install = "
				   "true), gated by tollgate.", what));
	basis(row, "derived: [class.security] auto-install = true");
	if (COUNT(c, security_allowed))
		basis(row, "log: %" G_GUINT64_FORMAT " security updates allowed without user action "
		      "(5.3-4-1)", COUNT(c, security_allowed));
}

static void derive_5(const Ctx *c, TgEvIcsRow *row)
{
	gboolean declared = all_mechanisms(c, "Update Checking", FALSE);
	guint64 checks = COUNT(c, checks);

	if (!declared && !checks) {
		set_n(row, NULL);
		basis(row, "no Update Checking declared in 7-UpdMech and no update.check record");
		return;
	}
	set_y(row, g_strdup(declared ? "Every declared mechanism describes its update checking "
				       "(IXIT 7-UpdMech Update Checking)."
				     : "The device records each look for updates (update.check)."));
	if (declared)
		basis(row, "declared: [mechanism.*] update-checking");
	if (checks)
		basis(row, "log: %" G_GUINT64_FORMAT " update.check records (5.3-5-1)", checks);
}

static void derive_6(const Ctx *c, TgEvIcsRow *row)
{
	g_autofree gchar *sinks = tg_ev_sinks_text(c->p, NULL);
	g_autofree gchar *max = tg_ev_duration_text(c->p->classes[0].max_postpone);

	if (!c->p->classes[0].auto_install) {
		set_n(row, NULL);
		basis(row, "derived: automatic security updates are off in the initialized state");
		return;
	}
	set_y(row, g_strdup_printf("Automatic security updates%s are on in the initialized "
				   "state; the user switches them with `tollgate settings` and "
				   "postpones security updates by at most %s.",
				   sinks ? " and update notifications" : "", max));
	basis(row, "derived: [class.security] auto-install = true, max-postpone = %s; "
	      "notifications start on%s", max, sinks ? "" : " (no sink configured)");
	if (COUNT(c, settings_changes) || COUNT(c, postpones))
		basis(row, "log: %" G_GUINT64_FORMAT " settings changes, %" G_GUINT64_FORMAT
		      " postpones (5.3-6-2)", COUNT(c, settings_changes), COUNT(c, postpones));
}

/* Where the Cryptographic Details came from: the updater's configuration
 * (what the device is set up to check) or the manufacturer's text. */
static void crypto_basis(const Ctx *c, TgEvIcsRow *row)
{
	gboolean derived = FALSE, declared = FALSE;

	for (guint i = 0; i < c->x->mechanisms->len; i++) {
		const TgEvField *f = tg_ev_entry_field(g_ptr_array_index(c->x->mechanisms, i),
						       "Cryptographic Details");

		derived |= f && f->derived;
		declared |= f && f->declared;
	}
	if (derived)
		basis(row, "derived: the updater's configuration ([mechanism.*] updater-config)");
	if (declared)
		basis(row, "declared: [mechanism.*] cryptographic-details");
}

static void derive_crypto(const Ctx *c, TgEvIcsRow *row, const char *what)
{
	if (!all_mechanisms(c, "Cryptographic Details", FALSE)) {
		set_n(row, NULL);
		basis(row, "Cryptographic Details missing for a mechanism (or none declared)");
		return;
	}
	set_y(row, g_strdup_printf("Every mechanism documents %s (IXIT 7-UpdMech Cryptographic "
				   "Details, declared or derived from the updater's "
				   "configuration).", what));
	crypto_basis(c, row);
	if (row->prov == &tg_ev_provisions()[8] && COUNT(c, failed))
		basis(row, "log: %" G_GUINT64_FORMAT " failed installs passed through from the "
		      "updater (5.3-9-1)", COUNT(c, failed));
}

static void derive_8(const Ctx *c, TgEvIcsRow *row)
{
	if (!c->d->proc_description || !c->d->proc_time_frame) {
		set_n(row, NULL);
		basis(row, "[procedure] description or time-frame not declared");
		return;
	}
	set_y(row, g_strdup_printf("Security update procedure: %s Time frame: %s",
				   c->d->proc_description, c->d->proc_time_frame));
	basis(row, "declared: [procedure] description, time-frame");
	if (COUNT(c, security_decisions))
		basis(row, "log: %" G_GUINT64_FORMAT " decisions on updates classified security "
		      "or mixed, with advisory IDs (5.3-8-1)", COUNT(c, security_decisions));
}

static void derive_10(const Ctx *c, TgEvIcsRow *row)
{
	if (c->network == TRI_UNKNOWN) {
		set_n(row, NULL);
		basis(row, "delivery not declared for every mechanism: whether updates arrive over "
		      "a network is unknown");
		return;
	}
	if (!all_mechanisms(c, "Security Guarantees", TRUE) ||
	    !all_mechanisms(c, "Cryptographic Details", TRUE)) {
		set_n(row, NULL);
		basis(row, "a network mechanism lacks Security Guarantees or Cryptographic Details");
		return;
	}
	set_y(row, g_strdup("Every network mechanism verifies updates through a trust "
			    "relationship described in IXIT 7-UpdMech (Security Guarantees, "
			    "Cryptographic Details)."));
	basis(row, "declared: [mechanism.*] delivery, security-guarantees, cryptographic-details");
	if (COUNT(c, unknown_mechanism))
		basis(row, "log: %" G_GUINT64_FORMAT " records name a mechanism not declared in "
		      "7-UpdMech (see gaps)", COUNT(c, unknown_mechanism));
}

static void derive_notice(const Ctx *c, TgEvIcsRow *row, const char *type, guint64 delivered)
{
	g_autofree gchar *sinks = tg_ev_sinks_text(c->p, type);

	if (!sinks) {
		set_n(row, NULL);
		basis(row, "no [sink.NAME] takes %s notices", type);
		return;
	}
	set_y(row, g_strdup_printf("tollgate sends %s notices to %s before the install%s.", type,
				   sinks, g_str_equal(type, "security-update")
				   ? (c->p->require_risk ? "; they state the risks mitigated and "
				      "updates without risk text are refused" : "; they state the "
				      "risks mitigated when the update carries them") : ""));
	basis(row, "derived: [sink.*] taking %s", type);
	if (delivered)
		basis(row, "log: %" G_GUINT64_FORMAT " %s notices delivered", delivered, type);
}

static void derive_13(const Ctx *c, TgEvIcsRow *row)
{
	g_autofree gchar *end = c->p->support_end ?
		g_date_time_format(c->p->support_end, "%Y-%m-%d") : NULL;

	if (!end && !c->d->support_period) {
		set_n(row, NULL);
		basis(row, "neither [support] end nor [product] support-period is set");
		return;
	}
	set_y(row, g_strdup_printf("Defined support period: %s%s%s.",
				   c->d->support_period ? c->d->support_period : "",
				   c->d->support_period && end ? "; enforced end " : "",
				   end ? end : ""));
	if (end)
		basis(row, "derived: [support] end = %s", end);
	if (c->d->support_publication)
		basis(row, "declared: published at %s", c->d->support_publication);
	if (COUNT(c, support_records) || COUNT(c, support_notices))
		basis(row, "related: %" G_GUINT64_FORMAT " support records, %" G_GUINT64_FORMAT
		      " support notices delivered (the device applies the period; they do "
		      "not show its publication)", COUNT(c, support_records),
		      COUNT(c, support_notices));
}

static void derive_14(const Ctx *c, TgEvIcsRow *row)
{
	const TgEvDecl *d = c->d;

	if (!d->repl_rationale || !d->repl_publication || !d->repl_hardware ||
	    !d->repl_documentation || (!c->p->support_end && !d->support_period)) {
		set_n(row, NULL);
		basis(row, "[replacement] rationale, publication, documentation, "
		      "hardware-replacement and a support period are all needed");
		return;
	}
	set_y(row, g_strdup_printf("Rationale: %s Published at: %s. Hardware replacement: %s "
				   "Documented at: %s.", d->repl_rationale, d->repl_publication,
				   d->repl_hardware, d->repl_documentation));
	basis(row, "declared: [replacement] rationale, publication, documentation, "
	      "hardware-replacement; support period from [support]/[product]");
}

static void derive_15(const Ctx *c, TgEvIcsRow *row)
{
	if (!c->d->repl_isolation || !c->d->repl_hardware) {
		set_n(row, NULL);
		basis(row, "[replacement] isolation and hardware-replacement are both needed");
		return;
	}
	set_y(row, g_strdup_printf("Isolation: %s Hardware replacement: %s",
				   c->d->repl_isolation, c->d->repl_hardware));
	basis(row, "declared: [replacement] isolation, hardware-replacement");
}

static void derive_16(const Ctx *c, TgEvIcsRow *row)
{
	set_y(row, g_strdup_printf("Model designation '%s'%s%s; tollgate writes it in plain "
				   "text into every audit record.", c->p->model,
				   c->d->model_designation ? ", shown: " : "",
				   c->d->model_designation ? c->d->model_designation : ""));
	basis(row, "derived: [device] model");
	if (c->d->model_designation)
		basis(row, "declared: [product] model-designation");
}

static void derive(const Ctx *c, guint i, TgEvIcsRow *row)
{
	if (derive_not_applicable(c, row))
		return;
	switch (i + 1) {
	case 1: derive_1(c, row); break;
	case 2: derive_2(c, row); break;
	case 3: derive_auto(c, row, "are simple to apply"); break;
	case 4: derive_auto(c, row, "are handled automatically"); break;
	case 5: derive_5(c, row); break;
	case 6: derive_6(c, row); break;
	case 7: derive_crypto(c, row, "best-practice cryptography"); break;
	case 8: derive_8(c, row); break;
	case 9: derive_crypto(c, row, "how the device checks authenticity and integrity"); break;
	case 10: derive_10(c, row); break;
	case 11: derive_notice(c, row, "security-update", COUNT(c, security_notices)); break;
	case 12: derive_notice(c, row, "disruption-warning", COUNT(c, disruption_notices)); break;
	case 13: derive_13(c, row); break;
	case 14: derive_14(c, row); break;
	case 15: derive_15(c, row); break;
	default: derive_16(c, row); break;
	}
}

/* [ics.P]: the declared support wins; a declared justification or detail
 * replaces the derived one. */
static void apply_declaration(const TgEvIcsDecl *decl, TgEvIcsRow *row)
{
	if (decl->set) {
		row->declared = TRUE;
		row->support = decl->support;
		g_clear_pointer(&row->justification, g_free);
		if (decl->support != TG_SUPPORT_Y)
			g_clear_pointer(&row->detail, g_free);
		basis(row, "declared: [ics.%s] support = %s", row->prov->id,
		      tg_ev_support_name(decl->support));
	}
	if (decl->detail && row->support == TG_SUPPORT_Y) {
		g_free(row->detail);
		row->detail = g_strdup(decl->detail);
		basis(row, "declared: [ics.%s] detail", row->prov->id);
	}
	if (decl->justification && row->support != TG_SUPPORT_Y) {
		g_free(row->justification);
		row->justification = g_strdup(decl->justification);
		row->justification_derived = FALSE;
	}
}

const char *tg_ev_strength_name(TgEvStrength strength)
{
	static const char *const names[] = { "gap", "declared", "configured", "demonstrated",
					     "contradicted" };

	return names[strength];
}

/* From what the row rests on: records beat the policy, the policy beats a
 * declaration; a contradiction in the records beats everything. A row
 * without a justification where one is needed is a gap. */
static TgEvStrength strength_of(const TgEvIcsRow *row, const TgEvLogs *logs)
{
	gboolean log = FALSE, derived = FALSE, declared = FALSE;

	if (logs && tg_ev_findings_cover(logs->findings, row->prov->id))
		return TG_EV_STRENGTH_CONTRADICTED;
	if (row->support != TG_SUPPORT_Y && !row->justification)
		return TG_EV_STRENGTH_GAP;
	for (guint i = 0; i < row->basis->len; i++) {
		const char *b = g_ptr_array_index(row->basis, i);

		log |= g_str_has_prefix(b, "log:");
		derived |= g_str_has_prefix(b, "derived:");
		declared |= g_str_has_prefix(b, "declared:");
	}
	if (log)
		return TG_EV_STRENGTH_DEMONSTRATED;
	if (derived)
		return TG_EV_STRENGTH_CONFIGURED;
	return declared || row->justification ? TG_EV_STRENGTH_DECLARED : TG_EV_STRENGTH_GAP;
}

/* "device file seq N: text" of each contradiction of @provision.
 * Returns: (transfer full). */
static GPtrArray *contradictions_of(const GPtrArray *findings, const char *provision)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < findings->len; i++) {
		const TgEvFinding *f = g_ptr_array_index(findings, i);

		if (!tg_ev_finding_contradicts(f, provision))
			continue;
		if (f->file)
			g_ptr_array_add(out, g_strdup_printf("%s %s seq %" G_GUINT64_FORMAT ": %s",
							     tg_ev_or_dash(f->device), f->file,
							     f->seq, f->text));
		else
			g_ptr_array_add(out, g_strdup(f->text));
	}
	return out;
}

TgEvIcs *tg_ev_ics_build(const TgPolicy *policy, const TgEvDecl *decl, const TgEvLogs *logs,
			 const TgEvIxit *ixit)
{
	TgEvIcs *ics = g_new0(TgEvIcs, 1);
	Ctx c = { .p = policy, .d = decl, .logs = logs, .x = ixit,
		  .updateable = tg_ev_decl_updateable(decl), .network = network_delivery(decl) };

	ics->updateable = c.updateable;
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		TgEvIcsRow *row = &ics->rows[i];

		row->prov = &tg_ev_provisions()[i];
		row->basis = g_ptr_array_new_with_free_func(g_free);
		derive(&c, i, row);
		apply_declaration(&decl->ics[i], row);
		row->strength = strength_of(row, logs);
		if (row->strength == TG_EV_STRENGTH_CONTRADICTED)
			row->contradicted_by = contradictions_of(logs->findings, row->prov->id);
	}
	return ics;
}

void tg_ev_ics_free(TgEvIcs *ics)
{
	if (!ics)
		return;
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		g_free(ics->rows[i].detail);
		g_free(ics->rows[i].justification);
		if (ics->rows[i].basis)
			g_ptr_array_unref(ics->rows[i].basis);
		if (ics->rows[i].contradicted_by)
			g_ptr_array_unref(ics->rows[i].contradicted_by);
	}
	g_free(ics);
}

const TgEvIcsRow *tg_ev_ics_row(const TgEvIcs *ics, const char *id)
{
	gint i = tg_ev_provision_index(id);

	return i < 0 ? NULL : &ics->rows[i];
}

void tg_ev_ics_gaps(const TgEvIcs *ics, GPtrArray *gaps)
{
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		const TgEvIcsRow *row = &ics->rows[i];
		g_autofree gchar *ref = NULL;

		if (row->strength == TG_EV_STRENGTH_CONTRADICTED) {
			tg_ev_gap_add(gaps, TG_AREA_SUPPORT_MAP, row->prov->id,
				      "records contradict what the row claims (%s); resolve each "
				      "finding in findings.md, by the device's behaviour or by the "
				      "policy", tg_ev_support_name(row->support));
			continue;
		}
		if (row->support == TG_SUPPORT_Y || row->justification)
			continue;
		ref = g_strdup_printf("%s (4-1, 4-1-1)", row->prov->id);
		tg_ev_gap_add(gaps, TG_AREA_SUPPORT_MAP, ref,
			      "%s without a justification; add justification = ... to [ics.%s], "
			      "or declare what provides the measure (%s)",
			      tg_ev_support_name(row->support), row->prov->id,
			      row->basis->len ? (const char *)g_ptr_array_index(row->basis, 0)
					      : "no basis found");
	}
}

const char *tg_ev_ics_self_state(const TgEvIcsRow *row)
{
	if (row->support == TG_SUPPORT_Y)
		return "satisfied";
	if (row->support == TG_SUPPORT_N)
		return "not-satisfied";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* ics.json and ics.md */

/* Returns: (transfer full). */
static JsonArray *test_cases_of(const char *provision)
{
	JsonArray *a = json_array_new();

	for (guint t = 0; t < TG_TC_N; t++)
		if (g_str_equal(tg_ev_test_cases()[t].provision, provision))
			json_array_add_string_element(a, tg_ev_test_cases()[t].id);
	return a;
}

/* Returns: (transfer full). */
static JsonObject *row_json(const TgEvIcs *ics, const TgEvIcsRow *row)
{
	const TgEvProvision *p = row->prov;
	JsonObject *o = json_object_new();
	JsonArray *b = json_array_new();

	json_object_set_string_member(o, "reference", p->id);
	json_object_set_string_member(o, "title", p->title);
	json_object_set_string_member(o, "status", p->status);
	json_object_set_string_member(o, "v3_ids", p->v3_ids);
	json_object_set_string_member(o, "v3_status", p->v3_status ? p->v3_status : p->status);
	json_object_set_string_member(o, "v3_change", p->v3_note);
	json_object_set_string_member(o, "support", tg_ev_support_name(row->support));
	json_object_set_string_member(o, "strength", tg_ev_strength_name(row->strength));
	if (row->contradicted_by) {
		JsonArray *c = json_array_new();

		for (guint i = 0; i < row->contradicted_by->len; i++)
			json_array_add_string_element(c, g_ptr_array_index(row->contradicted_by, i));
		json_object_set_array_member(o, "contradicted_by", c);
	}
	json_object_set_string_member(o, "origin", row->declared ? "declared" : "derived");
	json_object_set_string_member(o, "detail", row->support == TG_SUPPORT_Y ? row->detail
										: row->justification);
	json_object_set_string_member(o, "justification", row->justification);
	json_object_set_string_member(o, "justification_origin", !row->justification ? NULL :
				      row->justification_derived ? "derived" : "declared");
	for (guint i = 0; i < row->basis->len; i++)
		json_array_add_string_element(b, g_ptr_array_index(row->basis, i));
	json_object_set_array_member(o, "basis", b);
	json_object_set_array_member(o, "test_cases", test_cases_of(p->id));
	if (ics->self_assessment && tg_ev_ics_self_state(row))
		json_object_set_string_member(o, "self_assessment", tg_ev_ics_self_state(row));
	return o;
}

/* Returns: (transfer full). */
static JsonObject *justification_json(const TgEvIcs *ics)
{
	JsonObject *o = json_object_new();
	JsonArray *missing = json_array_new();

	json_object_set_string_member(o, "provision", "4-1");
	json_object_set_string_member(o, "test_case", "4-1-1");
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		if (ics->rows[i].support != TG_SUPPORT_Y && !ics->rows[i].justification)
			json_array_add_string_element(missing, ics->rows[i].prov->id);
	if (ics->self_assessment)
		json_object_set_string_member(o, "self_assessment",
					      json_array_get_length(missing) ? "not-satisfied"
									     : "satisfied");
	json_object_set_array_member(o, "missing", missing);
	return o;
}

JsonNode *tg_ev_ics_to_json(const TgEvIcs *ics, const TgPolicy *policy, const TgEvDecl *decl)
{
	JsonObject *o = json_object_new();
	JsonObject *dev = json_object_new();
	JsonArray *rows = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	static const char *const tri[] = { "no", "yes", "unknown" };

	json_object_set_int_member(o, "ics_version", 1);
	json_object_set_string_member(o, "standard", "ETSI EN 303 645 V2.1.1 clause 5.3 (V3.1.3 "
				      "IDs shown)");
	json_object_set_string_member(o, "model", policy->model);
	json_object_set_string_member(o, "hardware_revision", policy->hardware_revision);
	json_object_set_string_member(o, "policy_hash", policy->hash);
	json_object_set_string_member(o, "notice", tg_ev_verdict_notice(ics->self_assessment));
	json_object_set_boolean_member(dev, "updateable", ics->updateable);
	json_object_set_boolean_member(dev, "constrained", decl->constrained);
	json_object_set_string_member(dev, "network_delivery", tri[network_delivery(decl)]);
	json_object_set_object_member(o, "device", dev);
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++)
		json_array_add_object_element(rows, row_json(ics, &ics->rows[i]));
	json_object_set_array_member(o, "rows", rows);
	json_object_set_object_member(o, "justifications", justification_json(ics));
	json_node_take_object(node, o);
	return node;
}

static void md_row(GString *md, const TgEvIcs *ics, const TgEvIcsRow *row)
{
	const TgEvProvision *p = row->prov;
	g_autoptr(GString) detail = g_string_new(NULL);

	if (row->support == TG_SUPPORT_Y)
		g_string_append(detail, row->detail ? row->detail : "");
	else if (row->justification)
		g_string_append_printf(detail, "%s (justification, %s)", row->justification,
				       row->justification_derived ? "derived" : "declared");
	else
		g_string_append(detail, "**GAP: no justification** (provision 4-1, test case "
				"4-1-1)");
	g_string_append_printf(md, "| <a id=\"ics-%s\"></a>%s | %s | %s | **%s%s** | %s | %s | ",
			       p->id, p->id, p->v3_ids, p->status, tg_ev_support_name(row->support),
			       row->strength == TG_EV_STRENGTH_CONTRADICTED ? ", contradicted" : "",
			       tg_ev_strength_name(row->strength),
			       row->declared ? "declared" : "derived");
	tg_ev_md_cell(md, detail->str);
	g_string_append(md, " | ");
	for (guint i = 0; i < row->basis->len; i++) {
		if (i)
			g_string_append(md, "; ");
		tg_ev_md_cell(md, g_ptr_array_index(row->basis, i));
	}
	if (ics->self_assessment)
		g_string_append_printf(md, " | %s", tg_ev_ics_self_state(row)
						     ? tg_ev_ics_self_state(row) : "-");
	g_string_append(md, " |\n");
}

gchar *tg_ev_ics_to_md(const TgEvIcs *ics, const TgPolicy *policy, const TgEvDecl *decl)
{
	GString *md = g_string_new(NULL);
	guint missing = 0;

	g_string_append_printf(md, "# Implementation Conformance Statement: %s\n\nETSI EN 303 "
			       "645 V2.1.1 clause 5.3, with the V3.1.3 IDs. %s\n\nDevice: %s, %s. "
			       "*derived*: tollgate worked the value out from the policy, the "
			       "declarations and the records (named under Basis); *declared*: "
			       "written in an [ics.PROVISION] group. Strength: *demonstrated* "
			       "(the device's records show it), *configured* (the policy "
			       "enforces it, no record shows it yet), *declared* (the "
			       "manufacturer's text only), *contradicted* (records show "
			       "otherwise: see findings.md), *gap*.\n\nHardware revision: %s. "
			       "Policy: `%s`.\n\n", policy->model,
			       tg_ev_verdict_notice(ics->self_assessment),
			       ics->updateable ? "updateable" : "not updateable",
			       decl->constrained ? "constrained" : "not constrained",
			       tg_ev_or_dash(policy->hardware_revision), policy->hash);
	g_string_append_printf(md, "| Reference | V3.1.3 | Status | Support | Strength | Origin | "
			       "Detail | Basis |%s\n|---|---|---|---|---|---|---|---|%s\n",
			       ics->self_assessment ? " Self-assessment |" : "",
			       ics->self_assessment ? "---|" : "");
	for (guint i = 0; i < TG_EV_N_PROVISIONS; i++) {
		md_row(md, ics, &ics->rows[i]);
		missing += ics->rows[i].support != TG_SUPPORT_Y && !ics->rows[i].justification;
	}
	g_string_append_printf(md, "\n## Justifications (provision 4-1, test case 4-1-1)\n\n"
			       "%u row%s marked N or N/A without a justification.%s\n", missing,
			       missing == 1 ? " is" : "s are",
			       missing ? " They are listed in gaps.md." : "");
	return g_string_free(md, FALSE);
}
