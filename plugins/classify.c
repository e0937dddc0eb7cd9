/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* classify: security, feature or mixed, from the signed metadata.
 *
 * The declared class is taken at its word only where the rest of the
 * metadata agrees: a "feature" update listing advisories fixes something and
 * a "security" update whose version jumps further than the policy's
 * security-max-bump carries features; both count as mixed. Sets ctx->cls and
 * ctx->defer_cls for the later checks. See docs/checks.md. */
#include "checks.h"


/* Lowest core part a security update may change, by TgBump. */
static const int min_part[] = { 2, 1, 0 };
static const char *const part_names[] = { "major", "minor", "patch", "fourth or pre-release" };

typedef struct {
	TgUpdateClass cls;
	const char *reason;
	gchar *why;		/* clause explaining the class */
} Classification;

static void classification_clear(Classification *c)
{
	g_clear_pointer(&c->why, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Classification, classification_clear)

static TgUpdateClass policy_default_class(const TgPolicy *policy)
{
	return policy->default_class == TG_CLASS_SECURITY ? TG_CLASS_SECURITY : TG_CLASS_FEATURE;
}

static TgUpdateClass deferral_class(const TgPolicy *policy, TgUpdateClass cls)
{
	if (cls == TG_CLASS_MIXED)
		return policy->mixed_as == TG_CLASS_SECURITY ? TG_CLASS_SECURITY : TG_CLASS_FEATURE;
	return cls == TG_CLASS_SECURITY ? TG_CLASS_SECURITY : TG_CLASS_FEATURE;
}

static gboolean has_text(const char *s)
{
	for (; s && *s; s++)
		if (!g_ascii_isspace(*s))
			return TRUE;
	return FALSE;
}

/* The first core part in which the candidate differs from the installed
 * version, or -1 when it cannot be told (nothing installed, installed version
 * unreadable: the rollback check refuses that) or the cores are equal. */
static int changed_part(const TgCheckContext *ctx, const char **ret_installed)
{
	const TgComponentState *cs = tg_check_component_state(ctx->state, ctx->component);
	g_autoptr(TgVersion) installed = NULL;

	if (!cs || !cs->installed)
		return -1;
	installed = tg_version_parse(ctx->policy->scheme, cs->installed, -1, NULL);
	if (!installed)
		return -1;
	*ret_installed = cs->installed;
	return tg_version_first_difference(installed, ctx->version);
}

static void check_security_claim(const TgCheckContext *ctx, Classification *c)
{
	const char *installed = NULL;
	int part = changed_part(ctx, &installed);
	guint bump = MIN((guint)ctx->policy->security_max_bump, G_N_ELEMENTS(min_part) - 1);

	if (part < 0 || part >= min_part[bump])
		return;
	c->cls = TG_CLASS_MIXED;
	c->reason = "security-claim-with-feature-jump";
	g_free(c->why);
	c->why = g_strdup_printf("it claims class security but changes the %s part (installed %s), "
				 "further than the policy's security-max-bump allows",
				 part_names[MIN(part, 3)], installed);
}

static void classify_declared(const TgCheckContext *ctx, Classification *c)
{
	const TgCandidate *cand = ctx->cand;
	guint n_adv = cand->advisories ? cand->advisories->len : 0;

	c->cls = cand->declared_class;
	c->reason = "class-declared";
	if (c->cls == TG_CLASS_UNSET) {
		c->cls = policy_default_class(ctx->policy);
		c->reason = "class-default";
		c->why = g_strdup_printf("it declares no class, so the policy default %s applies",
					 tg_update_class_to_string(c->cls));
	} else {
		c->why = g_strdup_printf("it declares class %s", tg_update_class_to_string(c->cls));
	}
	if (c->cls == TG_CLASS_FEATURE && n_adv > 0) {
		c->cls = TG_CLASS_MIXED;
		c->reason = "advisories-on-feature";
		g_free(c->why);
		c->why = g_strdup_printf("it declares class feature but lists %u advisor%s (%s%s)",
					 n_adv, n_adv == 1 ? "y" : "ies",
					 (const char *)g_ptr_array_index(cand->advisories, 0),
					 n_adv > 1 ? ", ..." : "");
	} else if (c->cls == TG_CLASS_SECURITY) {
		check_security_claim(ctx, c);
	}
}

static void classify_run(TgCheckContext *ctx, TgCheckResult *result)
{
	g_auto(Classification) c = { 0 };
	const char *version = tg_version_to_string(ctx->version);
	const char *cls_name;
	gboolean fixes = FALSE;

	result->check = "classify";
	classify_declared(ctx, &c);
	ctx->cls = c.cls;
	ctx->defer_cls = deferral_class(ctx->policy, c.cls);
	cls_name = tg_update_class_to_string(c.cls);
	fixes = c.cls == TG_CLASS_SECURITY || c.cls == TG_CLASS_MIXED;
	if (ctx->policy->require_metadata && !ctx->cand->has_metadata) {
		tg_check_result_set(result, TG_OUTCOME_REFUSE, "no-metadata",
				    "Version %s carries no tollgate metadata and the policy "
				    "requires it (require-metadata); ask the vendor for an update "
				    "that declares its class, advisories and risk.", version);
	} else if (fixes && !has_text(ctx->cand->risk)) {
		tg_check_result_set(result,
				    ctx->policy->require_risk ? TG_OUTCOME_REFUSE : TG_OUTCOME_WARN,
				    "security-without-risk",
				    "Version %s is a %s update: %s, but it describes no risk it "
				    "mitigates%s.", version, cls_name, c.why,
				    ctx->policy->require_risk ?
				    ", which the policy requires (require-risk)" : "");
	} else {
		tg_check_result_set(result, TG_OUTCOME_PASS, c.reason,
				    "Version %s is a %s update: %s; it is deferred as %s.", version,
				    cls_name, c.why, tg_update_class_to_string(ctx->defer_cls));
	}
}

const TgCheckOps tg_check_classify = {
	.name = "classify",
	.run = classify_run,
};
